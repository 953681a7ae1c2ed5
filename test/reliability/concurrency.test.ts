/**
 * Concurrency: imports of the same and of overlapping statements started at the same moment by two
 * users and by a connector (the SQL connector, on a second database of the test's Postgres) leave every
 * transaction in the ledger exactly once; two reviewers deciding the same duplicate at once: one wins,
 * the other is answered 409 naming who decided; two `inflow worker` processes on one database share
 * the jobs and run each exactly once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { NextRequest } from "next/server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as decidePOST } from "@/app/api/duplicates/decide/route";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import { createConnection } from "@/lib/connectors/service";
import { syncConnection } from "@/lib/connectors/sync";
import { databaseUrl } from "@/lib/db/pool";
import { requestCommit } from "@/lib/ingest/imports";
import { stopJobQueue } from "@/lib/ingest/jobs";
import { createImportFromStoredFile } from "@/lib/ingest/upload";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, createTenant, type TestTenant, type TestUser } from "@/test/db";
import { importText, likelyDuplicateScenario } from "@/test/likely-duplicates";
import { waitFor } from "@/test/pipeline/helpers";

// The worker processes below get a job schema of their own, so they never take another file's jobs.
process.env.INFLOW_JOB_SCHEMA = "pgboss_concurrency_test";

interface Txn {
  date: string;
  amount: string;
  description: string;
}

/** Transaction i of a month's activity: distinct amounts, so no two are alike enough to be held as likely duplicates of each other. */
function txn(i: number): Txn {
  const day = String(1 + (i % 28)).padStart(2, "0");
  return { date: `2025-06-${day}`, amount: `${i % 3 ? "-" : ""}${100 + i}.${String((i * 7) % 100).padStart(2, "0")}`, description: `Payment ${i} to supplier ${i % 17}` };
}
const csvOf = (items: Txn[]) => ["Date,Description,Amount", ...items.map((t) => `${t.date},${t.description},${t.amount}`)].join("\n") + "\n";
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => txn(from + k));

describe("the same and overlapping statements imported at the same moment by two users and a connector", () => {
  const DATABASE = `inflow_concsrc_${randomBytes(4).toString("hex")}`;
  let ownerUrl: string;
  let source: pg.Client;
  let tenant: TestTenant;

  beforeAll(async () => {
    ownerUrl = await databaseUrl();
    const owner = new pg.Client({ connectionString: ownerUrl });
    await owner.connect();
    await owner.query(`create database ${DATABASE}`);
    await owner.end();
    const url = new URL(ownerUrl);
    url.pathname = `/${DATABASE}`;
    source = new pg.Client({ connectionString: url.toString() });
    await source.connect();
    tenant = await createTenant("concurrent-imports");
  });
  afterAll(async () => {
    await source?.end().catch(() => undefined);
    const owner = new pg.Client({ connectionString: ownerUrl });
    await owner.connect();
    await owner.query(`drop database if exists ${DATABASE} with (force)`);
    await owner.end();
  });

  // Several rounds, each in a fresh account: the race is only as likely as the commits overlap.
  it.each([1, 2, 3, 4])("round %i: every transaction once in the ledger; the other copies skipped or held for review", { timeout: 120_000 }, async (round) => {
    const accountId = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, $2, 'USD') returning id", [tenant.id, `Operating ${round}`])).rows[0]!.id);
    // File A: 0–400; the same file again; file B overlaps A: 200–600; the SQL source holds 100–500 (its own ids).
    const fileA = csvOf(range(0, 400));
    const fileB = csvOf(range(200, 600));
    const table = `payments_${round}`;
    await source.query(`create table ${table} (id serial primary key, updated_at timestamptz not null default now(), amount numeric(14,2) not null, booked_on date not null, memo text not null, currency text not null default 'USD')`);
    const fromSql = range(100, 500);
    await source.query(
      `insert into ${table} (amount, booked_on, memo) select * from unnest($1::numeric[], $2::date[], $3::text[])`,
      [fromSql.map((t) => t.amount), fromSql.map((t) => t.date), fromSql.map((t) => t.description)],
    );
    const admin = { claims: tenant.members.admin.claims, tenantId: tenant.id };
    const url = new URL(ownerUrl);
    url.pathname = `/${DATABASE}`;
    const connection = await createConnection(admin, {
      name: `Payments ${round}`,
      type: "sql",
      config: { table, cursorColumn: "updated_at", idColumn: "id", amountColumn: "amount", dateColumn: "booked_on", descriptionColumn: "memo", currencyColumn: "currency", batchSize: 1000, accountId },
      secrets: { connectionString: url.toString() },
    });

    const outcomes = await Promise.allSettled([
      importText(tenant, tenant.members.uploader, "june-a.csv", fileA, accountId),
      importText(tenant, tenant.members.admin, "june-a-again.csv", fileA, accountId),
      importText(tenant, tenant.members.admin, "june-b.csv", fileB, accountId),
      syncConnection(admin, connection.id),
    ]);
    for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
    const synced = outcomes[3] as PromiseFulfilledResult<Awaited<ReturnType<typeof syncConnection>>>;
    expect(synced.value.ok).toBe(true);

    const { ledger, held } = await asService(async (db) => ({
      ledger: (
        await db.query<{ booking_date: string; amount: string; description: string; n: number }>(
          `select booking_date::text, amount::text, description, count(*)::int as n from public.transactions
            where tenant_id = $1 and account_id = $2 group by 1, 2, 3 order by 1, 2, 3`,
          [tenant.id, accountId],
        )
      ).rows,
      held: (
        await db.query<{ n: number }>(
          `select count(*)::int as n from public.duplicate_candidates d join public.transactions t on t.tenant_id = d.tenant_id and t.id = d.matched_transaction_id
            where d.tenant_id = $1 and t.account_id = $2 and d.status = 'pending'`,
          [tenant.id, accountId],
        )
      ).rows[0]!.n,
    }));
    // Every transaction of the union 0–600, each exactly once.
    expect(ledger.filter((r) => r.n !== 1)).toEqual([]);
    expect(ledger).toHaveLength(600);
    const expected = new Set(range(0, 600).map((t) => `${t.date}|${Number(t.amount).toFixed(2)}|${t.description}`));
    expect(new Set(ledger.map((r) => `${r.booking_date}|${r.amount}|${r.description}`))).toEqual(expected);
    // The connector's copies of transactions a file brought first (or the files' copies of the ones it
    // brought first) wait for a reviewer instead of entering the ledger twice.
    expect(held).toBeGreaterThan(0);
  });
});

describe("two reviewers deciding the same duplicate at the same moment", () => {
  async function decide(user: TestUser, id: number, decision: "approve" | "reject") {
    const request = new NextRequest("http://localhost/api/duplicates/decide", {
      method: "POST",
      headers: { host: "localhost", cookie: `${SESSION_COOKIE}=${await createSessionToken(user.claims)}`, "content-type": "application/json" },
      body: JSON.stringify({ ids: [id], decision }),
    });
    const response = await decidePOST(request, { params: Promise.resolve({}) });
    return { status: response.status, json: (await response.json()) as { decided: number[]; error?: { code: string; message: string } } };
  }

  it("one decision wins, the other gets 409 naming who decided; the ledger has the winner's outcome once", { timeout: 120_000 }, async () => {
    const s = await likelyDuplicateScenario("concurrent-reviewers");
    const pairs: ["approve" | "reject", "approve" | "reject"][] = [
      ["approve", "approve"],
      ["approve", "reject"],
      ["reject", "approve"],
      ["reject", "reject"],
      ["approve", "approve"],
    ];
    const held = async (id: number) =>
      asService(async (db) => {
        const { rows } = await db.query<{ status: string; inserted: number }>(
          `select d.status, (select count(*)::int from public.transactions t where t.tenant_id = d.tenant_id and t.import_id = d.import_id and t.line = s.line) as inserted
             from public.duplicate_candidates d join public.staged_rows s on s.tenant_id = d.tenant_id and s.import_id = d.import_id and s.row_no = d.row_no
            where d.id = $1`,
          [id],
        );
        return rows[0]!;
      });
    for (const [k, [first, second]] of pairs.entries()) {
      const id = s.candidateIds[k]!;
      const [a, b] = await Promise.all([decide(s.tenant.members.reviewer, id, first), decide(s.reviewer2, id, second)]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const [winner, loser, winningDecision, winnerUser] = a.status === 200 ? [a, b, first, s.tenant.members.reviewer] : [b, a, second, s.reviewer2];
      expect(winner.json.decided).toEqual([id]);
      expect(loser.json.error?.code).toBe("already_decided");
      expect(loser.json.error?.message).toContain(`by ${winnerUser.email}`);
      expect(await held(id)).toEqual({ status: winningDecision === "approve" ? "approved" : "rejected", inserted: winningDecision === "approve" ? 1 : 0 });
      const audits = await asService(async (db) =>
        Number((await db.query<{ n: string }>("select count(*) as n from public.audit_log where tenant_id = $1 and entity_id = $2 and action like 'duplicate.%'", [s.tenant.id, String(id)])).rows[0]!.n),
      );
      expect(audits).toBe(1);
    }
  });
});

describe("two inflow worker processes on the same database", () => {
  const IMPORTS = 10;
  let dir: string;
  let tenant: TestTenant;
  const workers: { child: ChildProcess; out: string[] }[] = [];
  const saved = { expire: process.env.INFLOW_JOB_EXPIRE_SECONDS };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "inflow-workers-"));
    tenant = await createTenant("two-workers");
    await asService((db) => db.query("drop schema if exists pgboss_concurrency_test cascade"));
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
    await stopJobQueue();
    process.env.INFLOW_JOB_EXPIRE_SECONDS = saved.expire;
    if (saved.expire === undefined) delete process.env.INFLOW_JOB_EXPIRE_SECONDS;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startWorker(): Promise<{ child: ChildProcess; out: string[] }> {
    const child = spawn(process.execPath, ["bin/inflow.mjs", "worker"], {
      env: { ...process.env, DATABASE_URL: await databaseUrl() },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const worker = { child, out: [] as string[] };
    let partial = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        const lines = (partial + chunk.toString("utf8")).split("\n");
        partial = lines.pop()!;
        worker.out.push(...lines);
        if (lines.some((l) => l.includes("Inflow worker is processing jobs"))) resolve();
      });
      child.once("exit", (code) => reject(new Error(`worker exited early (${code})`)));
    });
    workers.push(worker);
    return worker;
  }

  it("share the parse and commit jobs, and run each exactly once", { timeout: 180_000 }, async () => {
    // Long enough (minutes) that no job expires and is retried while it runs: each run here is a first run.
    process.env.INFLOW_JOB_EXPIRE_SECONDS = "600";
    const [one, two] = await Promise.all([startWorker(), startWorker()]);
    const ctx = { claims: tenant.members.uploader.claims, tenantId: tenant.id };
    const accountId = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Shared', 'USD') returning id", [tenant.id])).rows[0]!.id);
    const store = await rawFileStore();
    const importIds: string[] = [];
    for (let k = 0; k < IMPORTS; k++) {
      const stored = await store.put(tenant.id, Readable.from([Buffer.from(csvOf(range(k * 300, k * 300 + 300)), "utf8")]));
      importIds.push((await createImportFromStoredFile(ctx, { fileName: `part-${k}.csv`, stored, fields: { accountId }, source: "upload" }, { enqueueParse: true })).importId);
    }
    const statusOf = (id: string) => asService(async (db) => (await db.query<{ status: string }>("select status from public.imports where id = $1", [id])).rows[0]!.status);
    for (const id of importIds) await waitFor(`import ${id} staged`, async () => ((await statusOf(id)) === "staged" ? true : undefined), 120_000);
    for (const id of importIds) expect((await requestCommit(ctx, id)).status).toBe("committing");
    for (const id of importIds) await waitFor(`import ${id} committed`, async () => ((await statusOf(id)) === "committed" ? true : undefined), 120_000);
    await waitFor(
      "every job completed",
      async () => ((await asService((db) => db.query("select 1 from pgboss_concurrency_test.job where name like 'import-%' and state <> 'completed'"))).rowCount === 0 ? true : undefined),
      30_000,
    );

    // Which worker ran what, from each worker's own log line per job run.
    const runs = (w: { out: string[] }) => w.out.filter((l) => / job [0-9a-f-]+ for import /.test(l)).map((l) => l.split(" ")[2]!);
    const ranByOne = runs(one);
    const ranByTwo = runs(two);
    const jobs = await asService(async (db) => (await db.query<{ id: string; retry_count: number }>("select id::text, retry_count from pgboss_concurrency_test.job where name like 'import-%'")).rows);
    expect(jobs).toHaveLength(2 * IMPORTS);
    expect(jobs.filter((j) => j.retry_count !== 0)).toEqual([]);
    expect([...ranByOne, ...ranByTwo].sort()).toEqual(jobs.map((j) => j.id).sort());
    expect(ranByOne.length, "jobs run by the first worker").toBeGreaterThan(0);
    expect(ranByTwo.length, "jobs run by the second worker").toBeGreaterThan(0);

    // And the pipeline's own record agrees: one commit per import, every row once.
    const facts = await asService(async (db) =>
      (
        await db.query<{ commits: number; rows: number; keys: number }>(
          `select (select count(*)::int from public.audit_log where tenant_id = $1 and action = 'import.commit' and entity_id = any($2::text[])) as commits,
                  (select count(*)::int from public.transactions where tenant_id = $1 and account_id = $3) as rows,
                  (select count(distinct dedup_key)::int from public.transactions where tenant_id = $1 and account_id = $3) as keys`,
          [tenant.id, importIds, accountId],
        )
      ).rows[0]!,
    );
    expect(facts).toEqual({ commits: IMPORTS, rows: IMPORTS * 300, keys: IMPORTS * 300 });
    console.log(`two workers: ${ranByOne.length} and ${ranByTwo.length} of ${2 * IMPORTS} jobs`);
  });
});
