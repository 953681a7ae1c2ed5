/**
 * `npm run bench [-- --quick] [-- --runs N] [-- --only ingest,memory,parsing,dedup,review,concurrency] [-- --worker-process]`
 *
 * A benchmark, not a test. Runs the six scenarios of docs/performance.md against the built app
 * (`next build` first when the build is older than the sources, then `inflow start --no-build`, HTTP
 * through a real server, the worker inside it) on the benchmark's own
 * embedded Postgres (data in .data/bench, port 55999 — BENCH_DATA_DIR / BENCH_PG_PORT / BENCH_APP_PORT
 * override), reset at the start. Each scenario measures its own baseline in the same run, runs a
 * warm-up and then `--runs` timed runs (3 by default), and prints medians, min–max, ratios, targets
 * and whether each was met, with the machine it ran on; bench/results/latest.json gets the same.
 * `--quick` runs every scenario at one tenth of its size. `--worker-process` starts the app with
 * INFLOW_WORKER=off and the job worker as its own process (`inflow worker`); the memory scenario then
 * reports both processes.
 *
 * Exits 0 whatever the timings. Exits 1 only when a scenario could not run or its results are wrong
 * (an imported count off, a planted duplicate missed, anything else flagged).
 */
import { execSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type pg from "pg";
import { bankRow, writeBankCsv, type BankRowOptions } from "./generate/bank-rows";
import { InflowClient, type ImportState } from "./lib/http";
import { memorySampler, rssBytes, startApp, startWorkerProcess, type RunningApp } from "./lib/app";
import { auto, fmt, percentile, summarize, table, type Summary } from "./lib/stats";

// ---------------------------------------------------------------------------------------------------
// Settings. The environment is fixed before any lib/ module reads it (they are imported dynamically).

const { values: cli } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    only: { type: "string" },
    "keep-app": { type: "boolean", default: false },
    "worker-process": { type: "boolean", default: false },
  },
});
const QUICK = cli.quick ?? false;
const WORKER_PROCESS = cli["worker-process"] ?? false;
const SCALE = QUICK ? 0.1 : 1;
const RUNS = cli.runs ? Number(cli.runs) : 3;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a positive integer, got ${cli.runs}`);
const SCENARIOS = ["ingest", "memory", "parsing", "dedup", "review", "concurrency"] as const;
type ScenarioId = (typeof SCENARIOS)[number];
const ONLY = cli.only ? new Set(cli.only.split(",")) : null;
for (const name of ONLY ?? []) if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`--only: unknown scenario ${name} (${SCENARIOS.join(", ")})`);

const DATA_DIR = process.env.BENCH_DATA_DIR ?? ".data/bench";
const PG_PORT = process.env.BENCH_PG_PORT ?? "55999";
const APP_PORT = Number(process.env.BENCH_APP_PORT ?? 3999);
// Never the developer's database: the benchmark resets the one it uses.
delete process.env.DATABASE_URL;
process.env.INFLOW_DATA_DIR = DATA_DIR;
process.env.INFLOW_EMBEDDED_PG_PORT = PG_PORT;
process.env.INFLOW_DEMO_PASSWORD = "inflow-demo";
process.env.NEXT_TELEMETRY_DISABLED = "1";

const EMAIL = "admin@example.com";
const PASSWORD = "inflow-demo";
const WORK_DIR = join(os.tmpdir(), "inflow-bench");
const WAIT_MS = 6 * 3600_000;
const SEED = 20251031;

const SIZES = {
  ingestRows: Math.round(1_000_000 * SCALE),
  memoryBytes: [Math.round(100_000_000 * SCALE), Math.round(1_000_000_000 * SCALE)],
  parsingBytes: Math.round(100_000_000 * SCALE),
  dedupRows: Math.round(100_000 * SCALE),
  dedupLedger: Math.round(5_000_000 * SCALE),
  reviewRows: Math.round(1_000_000 * SCALE),
  concurrencyRows: Math.round(100_000 * SCALE),
  concurrencyUploads: 8,
};

// ---------------------------------------------------------------------------------------------------
// Results

interface Measure {
  name: string;
  unit: string;
  summary: Summary;
  ratio?: { value: number; of: string };
  target?: { text: string; met: boolean };
}

interface ScenarioResult {
  id: ScenarioId;
  title: string;
  size: string;
  runs: number;
  measures: Measure[];
  notes: string[];
  verified: string[];
  error?: string;
  seconds: number;
}

class WrongResult extends Error {}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new WrongResult(message);
}

const log = (line: string) => console.log(line);
const mb = (bytes: number) => bytes / 1_000_000;
const one = (value: number): Summary => summarize([value]);

// ---------------------------------------------------------------------------------------------------
// Database (as the owner) and the app

type Lib = {
  getPool: () => Promise<pg.Pool>;
  closePool: () => Promise<void>;
};
let lib: Lib;
let pool: pg.Pool;
let app: RunningApp;
/** The worker's own process with --worker-process; otherwise the worker runs in the app's. */
let worker: { pid: number; stop: () => Promise<void> } | undefined;
let client: InflowClient;

async function owner<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
  return pool.query<T>(text, values);
}

interface Tenant {
  id: string;
  slug: string;
  accounts: string[];
}

/** A workspace where the benchmark's user is admin, with `accounts` USD bank accounts. */
async function createTenant(slug: string, accounts = 1): Promise<Tenant> {
  const { rows } = await owner<{ id: string }>("insert into public.tenants (slug, name) values ($1, $1) returning id", [slug]);
  const id = rows[0]!.id;
  await owner("insert into public.memberships (tenant_id, user_id, role) select $1, id, 'admin' from auth.users where email = $2", [id, EMAIL]);
  const ids: string[] = [];
  for (let a = 0; a < accounts; a++) {
    const created = await owner<{ id: string }>(
      "insert into public.accounts (tenant_id, name, number, currency, kind) values ($1, $2, $3, 'USD', 'bank') returning id",
      [id, `Bench account ${a + 1}`, `99${String(a).padStart(8, "0")}`],
    );
    ids.push(created.rows[0]!.id);
  }
  return { id, slug, accounts: ids };
}

/** Removes a tenant's ledger and imports (staged rows and the rest cascade), outside any timing. */
async function purge(tenant: Tenant): Promise<void> {
  await owner("delete from public.transactions where tenant_id = $1", [tenant.id]);
  await owner("delete from public.imports where tenant_id = $1", [tenant.id]);
  // Vacuumed at once, untimed: otherwise the next run or scenario shares the two cores with autovacuum
  // working through these dead rows (the memory scenario alone leaves about 17 million ledger and
  // staged rows) and its probes step over their index entries.
  await owner("vacuum public.transactions, public.staged_rows, public.import_issues");
}

async function ledgerCount(tenant: Tenant): Promise<number> {
  const { rows } = await owner<{ n: string }>("select count(*) as n from public.transactions where tenant_id = $1", [tenant.id]);
  return Number(rows[0]!.n);
}

interface Ingested {
  importId: string;
  totalMs: number;
  uploadMs: number;
  stageMs: number;
  commitMs: number;
  staged: ImportState;
  final: ImportState;
}

/** Upload → parse/stage/classify → commit, through the API, as a user would; timed per phase. */
async function ingest(file: string, tenant: Tenant, accountId: string, options: { commit: boolean }): Promise<Ingested> {
  const started = performance.now();
  const { importId } = await client.upload(file, tenant.slug, { accountId });
  const uploaded = performance.now();
  const staged = await client.waitFor(importId, tenant.slug, ["staged"], WAIT_MS);
  const stagedAt = performance.now();
  let final = staged;
  if (options.commit) {
    await client.json("POST", `/api/imports/${importId}/commit`, tenant.slug);
    final = await client.waitFor(importId, tenant.slug, ["committed"], WAIT_MS);
  }
  const done = performance.now();
  return { importId, totalMs: done - started, uploadMs: uploaded - started, stageMs: stagedAt - uploaded, commitMs: done - stagedAt, staged, final };
}

function metric(state: ImportState, name: string): number {
  return Number(state.metrics[name] ?? Number.NaN);
}

// ---------------------------------------------------------------------------------------------------
// Inputs

function bankFile(name: string, count: number, options: BankRowOptions, pick: (k: number) => number = (k) => k): string {
  const path = join(WORK_DIR, `${name}-${count}-seed${options.seed}.csv`);
  if (!existsSync(path)) writeBankCsv(path, count, (k) => bankRow(pick(k), options));
  return path;
}

const perDay = (rows: number) => Math.max(1, Math.ceil(rows / 730));

// ---------------------------------------------------------------------------------------------------
// 1. Ingest vs COPY

async function scenarioIngest(result: ScenarioResult): Promise<void> {
  const n = SIZES.ingestRows;
  const options: BankRowOptions = { seed: SEED, perDay: perDay(n) };
  const file = bankFile("bank", n, options);
  const warmFile = bankFile("bank-warmup", Math.max(1000, Math.round(n / 10)), { seed: SEED + 1, perDay: perDay(n / 10) });
  result.size = `${fmt(n)} rows, ${fmt(mb(statSync(file).size), 1)} MB CSV`;

  log(`  warm-up: ${fmt(Math.max(1000, Math.round(n / 10)))} rows`);
  const warm = await createTenant("bench-ingest-warmup");
  await ingest(warmFile, warm, warm.accounts[0]!, { commit: true });
  await purge(warm);

  const totals: number[] = [];
  const phases = { upload: [] as number[], stage: [] as number[], commit: [] as number[] };
  for (let run = 1; run <= RUNS; run++) {
    const tenant = await createTenant(`bench-ingest-${run}`);
    const done = await ingest(file, tenant, tenant.accounts[0]!, { commit: true });
    expect(metric(done.final, "imported") === n, `ingest run ${run}: imported ${metric(done.final, "imported")} of ${n} rows`);
    expect((await ledgerCount(tenant)) === n, `ingest run ${run}: the ledger holds ${await ledgerCount(tenant)} rows, expected ${n}`);
    totals.push(done.totalMs);
    phases.upload.push(done.uploadMs);
    phases.stage.push(done.stageMs);
    phases.commit.push(done.commitMs);
    log(`  run ${run}: ${(done.totalMs / 1000).toFixed(1)} s (upload ${(done.uploadMs / 1000).toFixed(1)}, parse+stage+classify ${(done.stageMs / 1000).toFixed(1)}, commit ${(done.commitMs / 1000).toFixed(1)})`);
    await purge(tenant);
  }
  result.verified.push(`every run imported exactly ${fmt(n)} rows and the ledger held ${fmt(n)}`);

  // Baseline: the same rows, as ledger rows, COPYed by Postgres itself into a table with the same indexes.
  const copyFile = join(WORK_DIR, `copy-${n}-seed${SEED}.tsv`);
  if (!existsSync(copyFile)) {
    const { transactionFingerprint } = await import("../lib/ingest/dedup-key");
    const fd = openSync(copyFile, "w");
    let lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const row = bankRow(i, options);
      const key = `fp:${transactionFingerprint("CSV", { bookingDate: row.date, amount: row.amount, currency: "USD", description: row.description, line: i + 2, raw: "" })}:1`;
      const raw = `${row.date},${row.description},${row.reference},${row.amount}`;
      lines.push(`${row.date}\t${row.amount}\tUSD\t${row.description}\t${row.reference}\t${raw}\t${i + 2}\t${key}\tupload:csv\n`);
      if (lines.length >= 20_000) {
        writeSync(fd, lines.join(""));
        lines = [];
      }
    }
    writeSync(fd, lines.join(""));
    closeSync(fd);
    chmodSync(copyFile, 0o644); // the server reads it, as the postgres user
  }
  const baseTenant = await createTenant("bench-copy");
  await owner("create schema if not exists bench");
  await owner("drop table if exists bench.copy_target");
  await owner("create table bench.copy_target (like public.transactions including all)");
  const copy = async (): Promise<number> => {
    await owner("truncate bench.copy_target");
    // tenant and account are constants of the file; COPY fills them from column defaults set per run.
    await owner(`alter table bench.copy_target alter column tenant_id set default '${baseTenant.id}', alter column account_id set default '${baseTenant.accounts[0]}'`);
    const t0 = performance.now();
    const res = await owner(
      `copy bench.copy_target (booking_date, amount, currency, description, bank_reference, raw, line, dedup_key, source) from '${copyFile}' with (format text)`,
    );
    expect(res.rowCount === n, `COPY loaded ${res.rowCount} rows, expected ${n}`);
    return performance.now() - t0;
  };
  await copy(); // warm-up
  const copyMs: number[] = [];
  for (let run = 1; run <= RUNS; run++) copyMs.push(await copy());
  await owner("drop table bench.copy_target");

  const inflowRate = summarize(totals.map((ms) => n / (ms / 1000)));
  const copyRate = summarize(copyMs.map((ms) => n / (ms / 1000)));
  const ratio = inflowRate.median / copyRate.median;
  result.measures.push(
    { name: "Inflow end to end (upload→committed)", unit: "rows/s", summary: inflowRate, ratio: { value: ratio, of: "COPY" }, target: { text: "≥ 0.5× COPY", met: ratio >= 0.5 } },
    { name: "  upload (HTTP, into the raw store)", unit: "s", summary: summarize(phases.upload.map((ms) => ms / 1000)) },
    { name: "  parse + stage + classify", unit: "s", summary: summarize(phases.stage.map((ms) => ms / 1000)) },
    { name: "  commit (request→committed)", unit: "s", summary: summarize(phases.commit.map((ms) => ms / 1000)) },
    { name: "Postgres COPY, same rows and indexes", unit: "rows/s", summary: copyRate },
  );
  result.notes.push("COPY baseline: server-side COPY (text format) of the ledger columns into bench.copy_target (LIKE public.transactions INCLUDING ALL: the same 5 indexes, no foreign keys, no RLS).");
}

// ---------------------------------------------------------------------------------------------------
// 2. Memory

async function scenarioMemory(result: ScenarioResult): Promise<void> {
  const { ensureFile, TARGETS } = await import("./formats");
  const csvTarget = TARGETS.find((t) => t.name === "csv")!;
  const idle = rssBytes(app.serverPid);
  const idleWorker = worker ? rssBytes(worker.pid) : undefined;
  const peaks: { bytes: number; peak: number; workerPeak?: number; records: number; seconds: number }[] = [];
  for (const bytes of SIZES.memoryBytes) {
    const file = ensureFile(csvTarget, bytes, SEED);
    const tenant = await createTenant(`bench-memory-${bytes}`);
    log(`  ${fmt(mb(file.bytes))} MB (${fmt(file.records)} rows)…`);
    const sampler = memorySampler(app.serverPid);
    const workerSampler = worker ? memorySampler(worker.pid) : undefined;
    const done = await ingest(file.path, tenant, tenant.accounts[0]!, { commit: true });
    const { peakRss, peakHwm } = sampler.stop();
    const workerPeak = workerSampler?.stop().peakRss;
    expect(metric(done.final, "imported") === file.records, `memory ${fmt(mb(bytes))} MB: imported ${metric(done.final, "imported")} of ${file.records} rows`);
    peaks.push({ bytes: file.bytes, peak: peakRss, records: file.records, seconds: done.totalMs / 1000, ...(workerPeak === undefined ? {} : { workerPeak }) });
    log(`    peak RSS ${fmt(mb(peakRss))} MB${peakHwm === null ? " (polled; VmHWM could not be reset)" : ""}${workerPeak === undefined ? "" : `, worker process ${fmt(mb(workerPeak))} MB`}, ${(done.totalMs / 1000).toFixed(1)} s`);
    await purge(tenant);
  }
  result.size = peaks.map((p) => `${fmt(mb(p.bytes))} MB`).join(" and ") + " bank CSV (bench/generate/csv.ts), upload→committed";
  const [small, large] = peaks;
  for (const p of peaks) {
    result.measures.push({ name: `peak RSS while ingesting ${fmt(mb(p.bytes))} MB${worker ? " (app)" : ""}`, unit: "MB", summary: one(mb(p.peak)), target: { text: "≤ 300 MB", met: mb(p.peak) <= 300 } });
    if (p.workerPeak !== undefined) {
      result.measures.push({ name: `  worker process, ${fmt(mb(p.bytes))} MB`, unit: "MB", summary: one(mb(p.workerPeak)), target: { text: "≤ 300 MB", met: mb(p.workerPeak) <= 300 } });
    }
  }
  if (small && large) {
    const growth = large.peak / small.peak;
    result.measures.push({
      name: `peak at ${fmt(mb(large.bytes))} MB / peak at ${fmt(mb(small.bytes))} MB`,
      unit: "×",
      summary: one(growth),
      target: { text: "≤ 1.25× (flat)", met: growth <= 1.25 },
    });
  }
  if (small?.workerPeak !== undefined && large?.workerPeak !== undefined) {
    const growth = large.workerPeak / small.workerPeak;
    result.measures.push({ name: "  worker process, large / small", unit: "×", summary: one(growth), target: { text: "≤ 1.25× (flat)", met: growth <= 1.25 } });
  }
  result.measures.push({ name: "idle RSS of the app before the files", unit: "MB", summary: one(mb(idle)) });
  if (idleWorker !== undefined) result.measures.push({ name: "idle RSS of the worker process", unit: "MB", summary: one(mb(idleWorker)) });
  result.verified.push("each file was imported in full (imported = rows generated)");
  result.notes.push(
    worker
      ? "Peak = max of VmRSS polled every 50 ms and VmHWM (reset through /proc/<pid>/clear_refs before each file), for the process that serves HTTP (started with INFLOW_WORKER=off) and for the `inflow worker` process that parses, stages and commits. One run per size."
      : "Peak = max of VmRSS polled every 50 ms and VmHWM (reset through /proc/<pid>/clear_refs before each file) of the process that serves HTTP and runs the worker. One run per size.",
  );
}

// ---------------------------------------------------------------------------------------------------
// 3. Parsing (bench/formats.ts, a Node process per format)

async function scenarioParsing(result: ScenarioResult): Promise<void> {
  const { ensureFile, measureFormat, TARGETS } = await import("./formats");
  const bytes = SIZES.parsingBytes;
  result.size = `${fmt(mb(bytes))} MB file per format, 64 KiB chunks, integrity on, a process per format`;
  const rates = new Map<string, { mbps: number[]; rps: number[]; peak: number[] }>();
  const add = (name: string, fileBytes: number, runs: readonly { seconds: number; records: number; peakRss: number }[]) =>
    rates.set(name, { mbps: runs.map((r) => mb(fileBytes) / r.seconds), rps: runs.map((r) => r.records / r.seconds), peak: runs.map((r) => mb(r.peakRss)) });
  for (const target of TARGETS) {
    const warm = ensureFile(target, 1_000_000, SEED);
    const file = ensureFile(target, bytes, SEED);
    const { parser, papaparse } = await measureFormat(target, file.path, warm.path, RUNS);
    for (const run of parser) expect(run.records === file.records, `${target.name}: parsed ${run.records} records, the generator wrote ${file.records}`);
    for (const run of papaparse) expect(run.records === file.records, `papaparse read ${run.records} rows, expected ${file.records}`);
    add(target.name, file.bytes, parser);
    log(`  ${target.name}: ${auto(summarize(rates.get(target.name)?.mbps ?? []).median)} MB/s`);
    if (papaparse.length > 0) {
      add("papaparse", file.bytes, papaparse);
      log(`  papaparse alone: ${auto(summarize(rates.get("papaparse")?.mbps ?? []).median)} MB/s`);
    }
  }
  const papa = rates.get("papaparse");
  for (const [name, entry] of rates) {
    const mbps = summarize(entry.mbps);
    const measureRow: Measure = { name: `${name === "papaparse" ? "papaparse alone (csv bytes)" : name} MB/s`, unit: "MB/s", summary: mbps };
    if (name === "csv" && papa) {
      const ratio = mbps.median / summarize(papa.mbps).median;
      measureRow.ratio = { value: ratio, of: "papaparse" };
      measureRow.target = { text: "≥ 0.7× papaparse", met: ratio >= 0.7 };
    } else if (name !== "papaparse" && name !== "mpesa") {
      // M-Pesa has no stated target (issue 7): its figures are printed without one.
      measureRow.target = { text: "≥ 50 MB/s", met: mbps.median >= 50 };
    }
    result.measures.push(measureRow, { name: `  ${name} records/s`, unit: "rec/s", summary: summarize(entry.rps) }, { name: `  ${name} peak RSS`, unit: "MB", summary: summarize(entry.peak) });
  }
  result.verified.push("every parser yielded exactly the records its generator wrote");
}

// ---------------------------------------------------------------------------------------------------
// 4. Dedup at scale

async function scenarioDedup(result: ScenarioResult): Promise<void> {
  const n = SIZES.dedupRows;
  const ledgerSize = SIZES.dedupLedger;
  const options: BankRowOptions = { seed: SEED + 4, perDay: perDay(n) };
  const file = bankFile("dedup", n, options);
  // 1% exact (row i with i % 100 = 50) and 1% likely (i % 100 = 99) duplicates, spread over the file.
  const exactRows = new Set<number>();
  const likelyRows = new Set<number>();
  for (let i = 0; i < n; i++) {
    if (i % 100 === 50) exactRows.add(i + 1);
    if (i % 100 === 99) likelyRows.add(i + 1);
  }
  result.size = `${fmt(n)} new rows (${fmt(exactRows.size)} exact + ${fmt(likelyRows.size)} likely planted) vs a ledger of ${fmt(ledgerSize)} rows, and vs an empty ledger`;

  // The empty-ledger side first: its staging computes the dedup keys the pipeline gives the planted rows.
  const empty = await createTenant("bench-dedup-empty");
  const first = await ingest(file, empty, empty.accounts[0]!, { commit: true });
  expect(metric(first.final, "imported") === n, `empty ledger: imported ${metric(first.final, "imported")} of ${n}`);
  const { rows: keyed } = await owner<{ row_no: number; dedup_key: string }>(
    "select row_no, dedup_key from public.staged_rows where tenant_id = $1 and import_id = $2 and row_no = any($3::int[])",
    [empty.id, first.importId, [...exactRows]],
  );
  expect(keyed.length === exactRows.size && keyed.every((r) => r.dedup_key), "could not read the dedup keys of the planted exact duplicates");
  await client.json("POST", `/api/imports/${first.importId}/revert`, empty.slug);

  // The big ledger, as the owner: background rows by generate_series (dissimilar descriptions, same
  // account, dates and amount range), plus one ledger row behind each planted duplicate.
  const big = await createTenant("bench-dedup-big");
  const account = big.accounts[0]!;
  const background = ledgerSize - exactRows.size - likelyRows.size;
  log(`  building the ${fmt(ledgerSize)}-row ledger…`);
  const buildStarted = performance.now();
  const chunk = 1_000_000;
  // One transaction without per-row foreign-key triggers (session_replication_role = replica): every
  // row names this workspace's own tenant and account by construction, and the three FK checks per row
  // were most of the build time (over 15 minutes for 5,000,000 rows on a loaded 2-core machine).
  const builder = await pool.connect();
  try {
    await builder.query("begin");
    await builder.query("set local session_replication_role = replica");
    for (let from = 1; from <= background; from += chunk) {
      const to = Math.min(background, from + chunk - 1);
      await builder.query(
        `insert into public.transactions (tenant_id, account_id, booking_date, amount, currency, description, bank_reference, raw, line, dedup_key, source)
       select $1, $2, date '2025-01-01' + (g % 730),
              (((hashint4(g) & 2147483647) % 9000000) + 1)::numeric / 100 * (case when g % 10 < 3 then 1 else -1 end),
              'USD', 'card payment ' || substr(md5(g::text), 1, 10), 'BG' || g, 'background row ' || g, g,
              'fp:' || md5('background' || g) || ':1', 'bench:ledger'
         from generate_series($3::int, $4::int) g`,
        [big.id, account, from, to],
      );
    }
    await builder.query("commit");
  } catch (error) {
    await builder.query("rollback");
    throw error;
  } finally {
    builder.release();
  }
  const counterparts: { date: string; amount: string; description: string; key: string; rowNo: number }[] = [];
  const keyOf = new Map(keyed.map((r) => [r.row_no, r.dedup_key]));
  for (const rowNo of exactRows) {
    const row = bankRow(rowNo - 1, options);
    counterparts.push({ date: row.date, amount: row.amount, description: row.description, key: keyOf.get(rowNo)!, rowNo });
  }
  for (const rowNo of likelyRows) {
    const row = bankRow(rowNo - 1, options);
    const dayBefore = new Date(Date.parse(`${row.date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    counterparts.push({ date: dayBefore, amount: row.amount, description: `${row.description.toUpperCase()} POS`, key: `fp:likely-counterpart-${rowNo}:1`, rowNo });
  }
  const { rows: inserted } = await owner<{ id: string; line: number }>(
    `insert into public.transactions (tenant_id, account_id, booking_date, amount, currency, description, raw, line, dedup_key, source)
     select $1, $2, u.d, u.a, 'USD', u.t, u.t, u.r, u.k, 'bench:counterpart'
       from unnest($3::date[], $4::numeric[], $5::text[], $6::text[], $7::int[]) as u(d, a, t, k, r)
     returning id::text, line`,
    [big.id, account, counterparts.map((c) => c.date), counterparts.map((c) => c.amount), counterparts.map((c) => c.description), counterparts.map((c) => c.key), counterparts.map((c) => c.rowNo)],
  );
  const counterpartId = new Map(inserted.map((r) => [r.line, r.id]));
  // Vacuumed as well as analyzed: a ledger that grew over months has been vacuumed by autovacuum, so its
  // index-only probes (the exact-duplicate check) need not visit the heap.
  await owner("vacuum (analyze) public.transactions");
  const buildSeconds = (performance.now() - buildStarted) / 1000;
  expect((await ledgerCount(big)) === ledgerSize, `the big ledger holds ${await ledgerCount(big)} rows, expected ${ledgerSize}`);
  log(`  ledger built in ${buildSeconds.toFixed(1)} s`);

  const verifyBig = async (done: Ingested) => {
    const { rows } = await owner<{ row_no: number; status: string; match: string | null }>(
      "select row_no, status, match_transaction_id::text as match from public.staged_rows where tenant_id = $1 and import_id = $2 and status <> 'new'",
      [big.id, done.importId],
    );
    const exact = rows.filter((r) => r.status === "exact_duplicate").map((r) => r.row_no);
    const likely = rows.filter((r) => r.status === "likely_duplicate");
    const other = rows.filter((r) => r.status !== "exact_duplicate" && r.status !== "likely_duplicate");
    const missedExact = [...exactRows].filter((r) => !exact.includes(r));
    const missedLikely = [...likelyRows].filter((r) => !likely.some((l) => l.row_no === r));
    const extra = [...exact.filter((r) => !exactRows.has(r)), ...likely.filter((l) => !likelyRows.has(l.row_no)).map((l) => l.row_no)];
    const wrongMatch = likely.filter((l) => likelyRows.has(l.row_no) && l.match !== counterpartId.get(l.row_no));
    expect(missedExact.length === 0, `missed ${missedExact.length} planted exact duplicates (rows ${missedExact.slice(0, 5).join(", ")}…)`);
    expect(missedLikely.length === 0, `missed ${missedLikely.length} planted likely duplicates (rows ${missedLikely.slice(0, 5).join(", ")}…)`);
    expect(extra.length === 0, `flagged ${extra.length} rows that were not planted (rows ${extra.slice(0, 5).join(", ")}…)`);
    expect(other.length === 0, `${other.length} rows neither new nor duplicates (${other[0]?.status})`);
    expect(wrongMatch.length === 0, `${wrongMatch.length} likely duplicates matched another ledger row than their counterpart`);
    const imported = n - exactRows.size - likelyRows.size;
    expect(metric(done.final, "imported") === imported, `big ledger: imported ${metric(done.final, "imported")}, expected ${imported}`);
    expect(metric(done.final, "flagged") === likelyRows.size, `big ledger: ${metric(done.final, "flagged")} held for review, expected ${likelyRows.size}`);
  };
  const verifyEmpty = async (done: Ingested) => {
    expect(metric(done.final, "imported") === n, `empty ledger: imported ${metric(done.final, "imported")} of ${n}`);
    expect(metric(done.final, "flagged") === 0, `empty ledger: ${metric(done.final, "flagged")} rows held for review, expected none`);
  };

  // A revert leaves the reverted rows' index entries behind until a vacuum, and the next run's
  // exact-duplicate probes would visit every one of them (98,000 heap fetches per classification at
  // full size, ~10 s). Each run is meant to commit into the same ledger as the first, so the reverted
  // rows are vacuumed away, untimed, before it.
  const vacuumLedger = () => owner("vacuum public.transactions");

  log("  warm-up on the big ledger");
  const warm = await ingest(file, big, account, { commit: true });
  await verifyBig(warm);
  await client.json("POST", `/api/imports/${warm.importId}/revert`, big.slug);
  await vacuumLedger();

  const times = { big: [] as number[], empty: [] as number[], bigStage: [] as number[], emptyStage: [] as number[], bigCommit: [] as number[], emptyCommit: [] as number[] };
  for (let run = 1; run <= RUNS; run++) {
    // Interleaved, so load on a shared machine falls on both sides alike.
    for (const side of ["big", "empty"] as const) {
      const tenant = side === "big" ? big : empty;
      const done = await ingest(file, tenant, tenant.accounts[0]!, { commit: true });
      await (side === "big" ? verifyBig(done) : verifyEmpty(done));
      times[side].push(done.totalMs / 1000);
      times[`${side}Stage`].push(done.stageMs / 1000);
      times[`${side}Commit`].push(done.commitMs / 1000);
      log(`  run ${run} ${side}: ${(done.totalMs / 1000).toFixed(1)} s (parse+stage+classify ${(done.stageMs / 1000).toFixed(1)}, commit ${(done.commitMs / 1000).toFixed(1)})`);
      await client.json("POST", `/api/imports/${done.importId}/revert`, tenant.slug);
      await vacuumLedger();
    }
  }
  const big_ = summarize(times.big);
  const empty_ = summarize(times.empty);
  const ratio = big_.median / empty_.median;
  const stageRatio = summarize(times.bigStage).median / summarize(times.emptyStage).median;
  const commitRatio = summarize(times.bigCommit).median / summarize(times.emptyCommit).median;
  result.measures.push(
    { name: `upload→committed vs ${fmt(ledgerSize)}-row ledger`, unit: "s", summary: big_, ratio: { value: ratio, of: "empty" }, target: { text: "≤ 3× empty ledger", met: ratio <= 3 } },
    { name: "upload→committed vs empty ledger", unit: "s", summary: empty_ },
    { name: "  parse + stage + classify, big ledger", unit: "s", summary: summarize(times.bigStage), ratio: { value: stageRatio, of: "empty" } },
    { name: "  parse + stage + classify, empty ledger", unit: "s", summary: summarize(times.emptyStage) },
    { name: "  commit (re-classify + insert), big ledger", unit: "s", summary: summarize(times.bigCommit), ratio: { value: commitRatio, of: "empty" } },
    { name: "  commit (re-classify + insert), empty ledger", unit: "s", summary: summarize(times.emptyCommit) },
    { name: "building the ledger (generate_series, as owner)", unit: "s", summary: one(buildSeconds) },
  );
  result.verified.push(
    `every run on the big ledger: exactly the ${exactRows.size} planted exact and ${likelyRows.size} planted likely duplicates flagged, each likely one matched to its own counterpart, ${fmt(n - exactRows.size - likelyRows.size)} imported; on the empty ledger all ${fmt(n)} imported, none flagged`,
  );
  result.notes.push("Each run is reverted through the API afterwards and the ledger vacuumed (untimed), so every run commits into the same ledger.");
}

// ---------------------------------------------------------------------------------------------------
// 5. Review paging

let reviewImport: { tenant: Tenant; importId: string } | undefined;

async function scenarioReview(result: ScenarioResult): Promise<void> {
  const n = SIZES.reviewRows;
  const options: BankRowOptions = { seed: SEED, perDay: perDay(n) };
  const file = bankFile("bank", n, options);
  // Every 100th row is committed first, so the staged import has 1% exact duplicates spread through it.
  const subset = bankFile("bank-every-100th", Math.floor(n / 100), options, (k) => k * 100);
  const tenant = await createTenant("bench-review");
  const account = tenant.accounts[0]!;
  const pre = await ingest(subset, tenant, account, { commit: true });
  expect(metric(pre.final, "imported") === Math.floor(n / 100), `review: the 1% subset imported ${metric(pre.final, "imported")}`);
  log(`  staging ${fmt(n)} rows…`);
  const staged = await ingest(file, tenant, account, { commit: false });
  const dry = staged.staged.dryRun;
  expect(dry?.total === n && dry.exactDuplicates === Math.floor(n / 100) && dry.new === n - Math.floor(n / 100), `review: staged dry run ${JSON.stringify(dry)}`);
  reviewImport = { tenant, importId: staged.importId };
  await owner("analyze public.staged_rows");
  result.size = `${fmt(n)}-row staged import (${fmt(dry!.exactDuplicates)} exact duplicates), pages of 200`;

  const samples = QUICK ? 40 : 60;
  const positions = { start: 0, middle: Math.floor(n / 2), end: n - 200 };
  const filters: [string, string][] = [["no filter", ""], ["status=new", "&status=new"], ["status=exact_duplicate", "&status=exact_duplicate"]];
  let worst = 0;
  for (const [filterName, query] of filters) {
    for (const [where, after] of Object.entries(positions)) {
      const path = `/api/imports/${staged.importId}/rows?limit=200&after=${after}${query}`;
      const ms: number[] = [];
      for (let i = 0; i < samples + 3; i++) {
        const { status, body, ms: took } = await client.request<{ rows: { rowNo: number; status: string }[] }>("GET", path, tenant.slug);
        expect(status === 200, `GET ${path} answered ${status}`);
        const rows = body.rows;
        expect(rows.length > 0 && rows[0]!.rowNo > after, `GET ${path}: page starts at ${rows[0]?.rowNo}`);
        if (query === "") expect(rows.length === Math.min(200, n - after), `GET ${path}: ${rows.length} rows`);
        if (query.includes("status=")) expect(rows.every((r) => query.endsWith(r.status)), `GET ${path}: a row of another status`);
        if (i >= 3) ms.push(took); // the first three warm caches and the route
      }
      const p95 = percentile(ms, 95);
      worst = Math.max(worst, p95);
      result.measures.push({
        name: `${filterName}, ${where} p50 (p95)`,
        unit: "ms",
        summary: { median: percentile(ms, 50), min: Math.min(...ms), max: Math.max(...ms), samples: ms },
        target: { text: `p95 ${auto(p95)} < 50 ms`, met: p95 < 50 },
      });
    }
  }
  result.runs = samples;
  result.verified.push("every page started after its cursor, had 200 rows (or the rest), and only rows of the filtered status");
  result.notes.push(`Sequential requests on a keep-alive connection, ${samples} timed after 3 warm-up per page kind; worst p95 ${auto(worst)} ms. The staged import stays for the concurrency scenario's latency probes.`);
}

// ---------------------------------------------------------------------------------------------------
// 6. Concurrency

async function scenarioConcurrency(result: ScenarioResult): Promise<void> {
  const n = SIZES.concurrencyRows;
  const uploads = SIZES.concurrencyUploads;
  const tenant = await createTenant("bench-concurrency", uploads);
  const files = Array.from({ length: uploads }, (_, u) => bankFile(`concurrent-${u}`, n, { seed: SEED + 100 + u, perDay: perDay(n), invoiceOffset: u * 10_000_000 }));
  result.size = `${uploads} uploads × ${fmt(n)} rows at once (one account each)`;

  const probes: { name: string; tenant: string; path: string }[] = [
    { name: "GET /api/imports", tenant: tenant.slug, path: "/api/imports?limit=50" },
    { name: "GET /api/transactions", tenant: tenant.slug, path: "/api/transactions?limit=100" },
  ];
  if (reviewImport) probes.push({ name: "GET /api/imports/:id/rows", tenant: reviewImport.tenant.slug, path: `/api/imports/${reviewImport.importId}/rows?limit=200&after=${Math.floor(SIZES.reviewRows / 2)}` });
  const probe = async (latencies: number[], stopWhen: () => boolean, max = Infinity) => {
    for (let i = 0; !stopWhen() && i < max; i++) {
      const p = probes[i % probes.length]!;
      const { status, ms } = await client.request("GET", p.path, p.tenant);
      expect(status === 200, `${p.name} answered ${status} under load`);
      latencies.push(ms);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const idle: number[] = [];
  await probe(idle, () => false, 60);

  const throughput: number[] = [];
  const loaded: number[] = [];
  const walls: number[] = [];
  // Warm-up: one of the uploads alone.
  const warm = await ingest(files[0]!, tenant, tenant.accounts[0]!, { commit: true });
  expect(metric(warm.final, "imported") === n, `concurrency warm-up: imported ${metric(warm.final, "imported")} of ${n}`);
  await purge(tenant);
  for (let run = 1; run <= RUNS; run++) {
    let running = true;
    const latencies: number[] = [];
    const prober = probe(latencies, () => !running);
    const started = performance.now();
    const results = await Promise.all(files.map((file, u) => ingest(file, tenant, tenant.accounts[u]!, { commit: true }))).finally(() => {
      running = false;
    });
    const wall = (performance.now() - started) / 1000;
    await prober;
    for (const [u, done] of results.entries()) expect(metric(done.final, "imported") === n, `concurrent upload ${u + 1}: imported ${metric(done.final, "imported")} of ${n}`);
    expect((await ledgerCount(tenant)) === n * uploads, `the ledger holds ${await ledgerCount(tenant)} rows, expected ${n * uploads}`);
    await purge(tenant);
    walls.push(wall);
    throughput.push((n * uploads) / wall);
    loaded.push(...latencies);
    log(`  run ${run}: ${wall.toFixed(1)} s for ${fmt(n * uploads)} rows, ${latencies.length} probes, p95 ${auto(percentile(latencies, 95))} ms`);
  }
  const idleP95 = percentile(idle, 95);
  const loadedP95 = percentile(loaded, 95);
  result.measures.push(
    { name: "throughput, all uploads committed", unit: "rows/s", summary: summarize(throughput) },
    { name: "wall time, first upload → last committed", unit: "s", summary: summarize(walls) },
    { name: "other pages while uploading, p50", unit: "ms", summary: { median: percentile(loaded, 50), min: Math.min(...loaded), max: Math.max(...loaded), samples: loaded } },
    { name: "other pages while uploading, p95", unit: "ms", summary: one(loadedP95), ratio: { value: loadedP95 / idleP95, of: "idle p95" } },
    { name: "the same pages idle, p50", unit: "ms", summary: { median: percentile(idle, 50), min: Math.min(...idle), max: Math.max(...idle), samples: idle } },
    { name: "the same pages idle, p95", unit: "ms", summary: one(idleP95) },
  );
  result.verified.push(`every upload imported exactly ${fmt(n)} rows; the ledger held ${fmt(n * uploads)} after each run`);
  result.notes.push(`Probes: ${probes.map((p) => p.name).join(", ")}, one at a time, 20 ms apart. The issue sets no target here; the ratio is p95 under load over idle p95.`);
}

// ---------------------------------------------------------------------------------------------------

function machine(pgVersion: string) {
  const cpus = os.cpus();
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
    if (execSync("git status --porcelain lib app", { encoding: "utf8" }).trim()) commit += " (+ uncommitted changes in lib/app)";
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    ramGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    postgres: pgVersion,
    os: `${os.type()} ${os.release()}`,
    commit,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

const RUNNERS: Record<ScenarioId, { title: string; run: (r: ScenarioResult) => Promise<void> }> = {
  ingest: { title: "1. Ingest: bank CSV through the HTTP API, committed", run: scenarioIngest },
  memory: { title: "2. Memory: peak RSS of the app while ingesting", run: scenarioMemory },
  parsing: { title: "3. Parsing: every format parser vs papaparse", run: scenarioParsing },
  dedup: { title: "4. Dedup at scale", run: scenarioDedup },
  review: { title: "5. Review: GET /api/imports/:id/rows latency", run: scenarioReview },
  concurrency: { title: "6. Concurrency: 8 uploads at once", run: scenarioConcurrency },
};

/** The table of the scenarios' measures, then what each verified and its notes. */
function resultTable(results: ScenarioResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    rows.push([r.title, r.error ? `FAILED: ${r.error}` : r.size, "", "", "", "", "", ""]);
    for (const m of r.measures) {
      const digits = (v: number) => auto(v);
      rows.push([
        "",
        m.name,
        digits(m.summary.median),
        m.summary.samples.length > 1 ? `${digits(m.summary.min)}–${digits(m.summary.max)}` : "",
        m.unit,
        m.ratio ? `${m.ratio.value.toFixed(2)}× ${m.ratio.of}` : "",
        m.target?.text ?? "",
        m.target ? (m.target.met ? "yes" : "NO") : "",
      ]);
    }
  }
  const lines = [table(["scenario", "measure", "median", "min–max", "unit", "ratio", "target", "met"], rows), ""];
  for (const r of results) {
    for (const v of r.verified) lines.push(`verified (${r.id}): ${v}`);
    for (const note of r.notes) lines.push(`note (${r.id}): ${note}`);
  }
  return lines.join("\n");
}

function report(results: ScenarioResult[], info: ReturnType<typeof machine>): string {
  return [
    `Inflow benchmark${QUICK ? " (--quick: one tenth of every size)" : ""}, ${RUNS} timed run(s) after a warm-up`,
    `Worker: ${WORKER_PROCESS ? "its own process (inflow worker; the app runs with INFLOW_WORKER=off)" : "inside the app's server process"}`,
    `Machine: ${info.cpu}, ${info.cores} cores, ${info.ramGb} GB RAM, Node ${info.node}, ${info.postgres}, ${info.os}; commit ${info.commit}; load average at start ${info.loadAverageAtStart.join(" ")}`,
    "",
    resultTable(results),
  ].join("\n");
}

/**
 * bench/results/latest.json, rewritten after every scenario (`finishedAt` null until the last), so a
 * full-size run that is stopped or dies hours in keeps what it had measured.
 */
function writeResults(results: ScenarioResult[], info: ReturnType<typeof machine>, finished: boolean): void {
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    "bench/results/latest.json",
    JSON.stringify(
      {
        quick: QUICK,
        runs: RUNS,
        workerProcess: WORKER_PROCESS,
        finishedAt: finished ? new Date().toISOString() : null,
        machine: { ...info, loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
        scenarios: results,
      },
      null,
      2,
    ) + "\n",
  );
}

async function main(): Promise<number> {
  mkdirSync(WORK_DIR, { recursive: true });
  const { getPool, closePool } = await import("../lib/db/pool");
  const { runMigrations, runReset, runSeed } = await import("../lib/db/admin");
  const { dataDir } = await import("../lib/env");
  const { buildApp, buildIsStale } = await import("../lib/cli/start");
  lib = { getPool, closePool };
  const started = performance.now();
  const results: ScenarioResult[] = [];
  let exitCode = 0;
  try {
    log(`Resetting the benchmark database (${DATA_DIR}, port ${PG_PORT}) …`);
    pool = await lib.getPool();
    await runReset();
    await runMigrations(() => undefined);
    await runSeed({ log: () => undefined });
    rmSync(dataDir("raw"), { recursive: true, force: true });
    const pgVersion = (await owner<{ v: string }>("select 'PostgreSQL ' || current_setting('server_version') as v")).rows[0]!.v;
    const info = machine(pgVersion);
    // The app runs from the last `next build`: an older one would measure code that is no longer there.
    if (buildIsStale()) {
      log("The Next.js build (.next) is older than the sources (or missing): building it first …");
      const code = await buildApp();
      if (code !== 0) throw new Error(`next build failed (exit ${code}): the app cannot be measured`);
    }

    log(`Starting the app on port ${APP_PORT} (inflow start --no-build) …`);
    const appEnv = { ...process.env, NODE_ENV: "production" as const, ...(WORKER_PROCESS ? { INFLOW_WORKER: "off" } : {}) };
    app = await startApp({ port: APP_PORT, env: appEnv, log });
    if (WORKER_PROCESS) {
      worker = await startWorkerProcess({ env: { ...process.env, NODE_ENV: "production" }, log });
      log(`Worker process ${worker.pid} (the app runs with INFLOW_WORKER=off).`);
    }
    client = new InflowClient(app.baseUrl);
    await client.signIn(EMAIL, PASSWORD);
    log(`App serving on ${app.baseUrl}, server process ${app.serverPid}.`);

    for (const id of SCENARIOS) {
      if (ONLY && !ONLY.has(id)) continue;
      const result: ScenarioResult = { id, title: RUNNERS[id].title, size: "", runs: RUNS, measures: [], notes: [], verified: [], seconds: 0 };
      log(`\n${result.title}`);
      const t0 = performance.now();
      try {
        await RUNNERS[id].run(result);
      } catch (error) {
        result.error = error instanceof Error ? error.message : String(error);
        exitCode = 1;
        log(`  ${error instanceof WrongResult ? "WRONG RESULT" : "FAILED"}: ${result.error}`);
        if (!(error instanceof WrongResult) && error instanceof Error && error.stack) log(error.stack);
      }
      result.seconds = (performance.now() - t0) / 1000;
      results.push(result);
      // Shown and kept as soon as it is measured: a full-size run takes hours.
      log(`\n${resultTable([result])}`);
      writeResults(results, info, false);
    }

    const text = report(results, info);
    console.log(`\n${text}\nTotal ${((performance.now() - started) / 1000 / 60).toFixed(1)} min.`);
    writeResults(results, info, true);
    log("Wrote bench/results/latest.json");
  } finally {
    client?.close();
    if (worker && !cli["keep-app"]) await worker.stop();
    if (app && !cli["keep-app"]) await app.stop();
    await lib.closePool();
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
