/**
 * `npx tsx bench/profile-ingest.ts [--rows N] [--top K]`: where the time of one import goes, outside the
 * HTTP server, for profiling (`node --cpu-prof --import tsx bench/profile-ingest.ts` for the Node side).
 * Stages and commits an N-row bank CSV (bench/generate/bank-rows.ts) as the demo admin, under RLS, the
 * way the worker does (runParseJob, the commit request's dry run, then commitImport), and
 * prints each phase's wall time and the K costliest statements from pg_stat_statements.
 *
 * Its own embedded Postgres: PROFILE_DATA_DIR (default .data/profile-ingest) and PROFILE_PG_PORT
 * (default 55998), reset at the start; pg_stat_statements is preloaded there (the cluster is restarted
 * once to load it).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { bankRow, writeBankCsv } from "./generate/bank-rows";

const { values: cli } = parseArgs({ options: { rows: { type: "string", default: "100000" }, top: { type: "string", default: "12" } } });
const ROWS = Number(cli.rows);
const TOP = Number(cli.top);
delete process.env.DATABASE_URL;
process.env.INFLOW_DATA_DIR = process.env.PROFILE_DATA_DIR ?? ".data/profile-ingest";
process.env.INFLOW_EMBEDDED_PG_PORT = process.env.PROFILE_PG_PORT ?? "55998";

async function main(): Promise<void> {
  const { getPool, closePool } = await import("../lib/db/pool");
  const { runMigrations, runReset, runSeed } = await import("../lib/db/admin");
  let pool = await getPool();
  const preload = (await pool.query<{ v: string }>("select current_setting('shared_preload_libraries') as v")).rows[0]!.v;
  if (!preload.includes("pg_stat_statements")) {
    await pool.query("alter system set shared_preload_libraries = 'pg_stat_statements'");
    await closePool(); // stops the cluster this process started; the next getPool starts it again
    pool = await getPool();
  }
  await runReset();
  await runMigrations(() => undefined);
  await runSeed({ log: () => undefined });
  await pool.query("create extension if not exists pg_stat_statements");

  const { claimsFor } = await import("../lib/auth/claims");
  const { withUser } = await import("../lib/db/with-user");
  const { rawFileStore } = await import("../lib/storage/raw-store");
  const { createImportFromStoredFile } = await import("../lib/ingest/upload");
  const { runParseJob } = await import("../lib/ingest/jobs");
  const { dryRun } = await import("../lib/ingest/classify");
  const { commitImport } = await import("../lib/ingest/commit");
  const { createReadStream } = await import("node:fs");

  const dir = join(os.tmpdir(), "inflow-profile");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bank-${ROWS}.csv`);
  const perDay = Math.max(1, Math.ceil(ROWS / 730));
  if (!existsSync(file)) writeBankCsv(file, ROWS, (i) => bankRow(i, { seed: 20251031, perDay }));

  const user = (await pool.query<{ id: string }>("select id from auth.users where email = 'admin@example.com'")).rows[0]!;
  const tenant = (await pool.query<{ id: string }>("insert into public.tenants (slug, name) values ('profile', 'profile') returning id")).rows[0]!.id;
  await pool.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'admin')", [tenant, user.id]);
  const account = (await pool.query<{ id: string }>("insert into public.accounts (tenant_id, name, number, currency, kind) values ($1, 'A', '1', 'USD', 'bank') returning id", [tenant])).rows[0]!.id;
  const claims = claimsFor(user.id, "admin@example.com");
  const ctx = { claims, tenantId: tenant };

  await pool.query("select pg_stat_statements_reset()");
  // CPU seconds, not only wall time: the machine is shared, and CPU time moves far less with its load.
  // Postgres: every process of the cluster (the postmaster's children, read from /proc; the pool keeps
  // its backends for the whole run).
  const backend = (await pool.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]!.pid;
  const procStat = (pid: number | string) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const postmaster = procStat(backend)[1]!;
  const clockTicks = 100;
  const pgCpu = () => {
    let ticks = 0;
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const f = procStat(pid);
        if (f[1] === postmaster) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // the process ended meanwhile
      }
    }
    return ticks / clockTicks;
  };
  const cpu0 = process.cpuUsage();
  const pgCpu0 = pgCpu();
  const rssBefore = process.memoryUsage().rss;
  const phases: [string, number][] = [];
  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await fn();
    phases.push([name, performance.now() - t0]);
    return out;
  };
  const total0 = performance.now();
  const stored = await time("store raw file", async () => (await rawFileStore()).put(tenant, createReadStream(file)));
  const { importId } = await time("create import", () => createImportFromStoredFile(ctx, { fileName: "bank.csv", stored, fields: { accountId: account }, source: "upload" }, { enqueueParse: false }));
  await time("parse + stage + classify (job)", () => runParseJob({ ...ctx, importId }));
  await time("commit request (dry run)", () => withUser(claims, (db) => dryRun(db, { tenantId: tenant, importId })));
  const result = await time("commit (job)", () => withUser(claims, (db) => commitImport(db, { tenantId: tenant, importId })));
  const totalMs = performance.now() - total0;
  const nodeCpu = process.cpuUsage(cpu0);
  const pgCpuS = pgCpu() - pgCpu0;
  if (result.imported !== ROWS) throw new Error(`imported ${result.imported} of ${ROWS}`);

  console.log(`${ROWS} rows, ${(totalMs / 1000).toFixed(2)} s, ${Math.round(ROWS / (totalMs / 1000))} rows/s; peak RSS of this process ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (${Math.round(rssBefore / 1e6)} MB before the import)`);
  console.log(`  CPU: this process ${((nodeCpu.user + nodeCpu.system) / 1e6).toFixed(2)} s, Postgres ${pgCpuS.toFixed(2)} s; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  for (const [name, ms] of phases) console.log(`  ${name.padEnd(40)} ${(ms / 1000).toFixed(2)} s`);
  const { rows } = await pool.query<{ ms: number; calls: string; q: string }>(
    `select round(total_exec_time)::int as ms, calls::text, regexp_replace(left(query, 150), '\\s+', ' ', 'g') as q
       from pg_stat_statements order by total_exec_time desc limit $1`,
    [TOP],
  );
  console.log("pg_stat_statements (total ms, calls, statement):");
  for (const r of rows) console.log(`  ${String(r.ms).padStart(7)}  ${r.calls.padStart(5)}  ${r.q}`);
  await closePool();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
