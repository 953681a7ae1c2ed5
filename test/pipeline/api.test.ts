/**
 * The import API end to end, through the real route handlers with real multipart bodies and session
 * cookies, with a job worker running in this process: upload → parse job → staged → commit job →
 * committed. Then a worker killed mid-commit: its job is retried by another worker to the same ledger.
 * Both parts live in one file so no worker of this file competes for the other part's job.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as upload } from "@/app/api/imports/route";
import { GET as getImportRoute } from "@/app/api/imports/[id]/route";
import { POST as commitRoute } from "@/app/api/imports/[id]/commit/route";
import { getPool } from "@/lib/db/pool";
import { dataDir } from "@/lib/env";
import { requestCommit } from "@/lib/ingest/imports";
import { startWorker, stopJobQueue } from "@/lib/ingest/jobs";
import { setExcluded } from "@/lib/ingest/review";
import { asService, asUser, createTenant, type TestTenant } from "@/test/db";
import { addAccount, cliImport, count, importStatus, jsonRequest, ledger, multipartRequest, readSample, waitFor } from "./helpers";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant("pipeline-api");
});

interface View {
  id: string;
  status: string;
  error: { code: string; message: string; line?: number } | null;
  metrics: Record<string, number>;
  dryRun: { new: number; exactDuplicates: number; likelyDuplicates: number; errors: number; unmapped: number; excluded: number; blocked: number; total: number } | null;
}

const params = (id: string) => ({ params: Promise.resolve({ id }) });

async function uploadFile(file: { name: string; bytes: Uint8Array<ArrayBuffer> }, fields: Record<string, string> = {}): Promise<Response> {
  return upload(await multipartRequest(tenant.members.uploader, tenant, file, fields), { params: Promise.resolve({}) });
}

async function view(id: string): Promise<View> {
  const response = await getImportRoute(await jsonRequest(tenant.members.viewer, tenant, "GET", `http://localhost/api/imports/${id}`), params(id));
  expect(response.status).toBe(200);
  return (await response.json()) as View;
}

const until = (id: string, statuses: string[]) =>
  waitFor(`import ${id} to become ${statuses.join(" or ")}`, async () => {
    const v = await view(id);
    return statuses.includes(v.status) ? v : undefined;
  });

async function commit(id: string): Promise<Response> {
  return commitRoute(await jsonRequest(tenant.members.uploader, tenant, "POST", `http://localhost/api/imports/${id}/commit`), params(id));
}

describe("the import API with a worker", () => {
  beforeAll(async () => {
    await startWorker();
  });
  afterAll(async () => {
    await stopJobQueue();
  });

  interface ApiCase {
    file: string;
    currency?: string;
    /** Staged rows with errors that must be excluded before the commit goes through. */
    errors?: number;
    imported: number;
    table: "transactions" | "sales_lines" | "gl_balances" | "appointments";
    exactDuplicates?: number;
  }
  const CASES: ApiCase[] = [
    { file: "bai2/moov-io-bai2__sample1.txt", currency: "CAD", imported: 17, table: "transactions" },
    { file: "camt053/viafintech-camt_parser__053_valid_example.xml", currency: "EUR", imported: 5, table: "transactions" },
    { file: "mt940/wolph-mt940__jejik_ing.sta", currency: "EUR", imported: 7, table: "transactions" },
    { file: "ofx/jseutter-ofxparse__bank_medium.ofx", currency: "CAD", imported: 3, table: "transactions" },
    { file: "mpesa/mpesa_full_statement_oct2025.csv", currency: "KES", imported: 76, table: "transactions" },
    { file: "csv/bank_de_semicolon_cp1252.csv", currency: "EUR", imported: 6, table: "transactions" },
    { file: "pos/pos_export_oct2025.csv", imported: 80, table: "sales_lines" },
    { file: "trial-balance/trial_balance_ABEX_2022-06.csv", errors: 1, imported: 59, table: "gl_balances" },
    { file: "salespro/SalesPro2025-06-18.csv", errors: 1, imported: 39, exactDuplicates: 1, table: "appointments" },
  ];

  it.each(CASES)("$file: upload, parse, commit", async (c) => {
    const fields: Record<string, string> = c.currency ? { accountId: await addAccount(tenant, `API ${c.file}`, c.currency) } : {};
    const response = await uploadFile({ name: path.basename(c.file), bytes: readSample(c.file) }, fields);
    expect(response.status).toBe(202);
    const { importId, previousImports } = (await response.json()) as { importId: string; previousImports: unknown[] };
    expect(previousImports).toEqual([]);

    const staged = await until(importId, ["staged", "failed"]);
    expect(staged.status).toBe("staged");
    const parsedRows = c.imported + (c.exactDuplicates ?? 0) + (c.errors ?? 0);
    expect(staged.dryRun).toMatchObject({ total: parsedRows, errors: c.errors ?? 0, unmapped: 0, blocked: c.errors ?? 0 });

    if (c.errors) {
      const refused = await commit(importId);
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("commit_blocked");
      expect((await view(importId)).status).toBe("staged");
      await asUser(tenant.members.uploader, (db) => setExcluded(db, { tenantId: tenant.id, importId, rowNos: "errors", excluded: true }));
    }

    const accepted = await commit(importId);
    expect(accepted.status).toBe(202);
    expect(((await accepted.json()) as { status: string }).status).toBe("committing");
    const done = await until(importId, ["committed"]);
    expect(done.metrics).toMatchObject({ imported: c.imported, exactDuplicates: c.exactDuplicates ?? 0, flagged: 0 });
    expect(await count(`select count(*) as n from public.${c.table} where import_id = $1`, [importId])).toBe(c.imported);
  });

  it("fails a file with broken control totals, naming the line, with nothing staged", async () => {
    const accountId = await addAccount(tenant, "API rejected", "USD");
    const before = await count("select count(*) as n from public.transactions where tenant_id = $1", [tenant.id]);
    const response = await uploadFile({ name: "eod.bai2", bytes: readSample("bai2/venturehacks-bai2__invalid_checksum_eod.bai2") }, { accountId });
    const { importId } = (await response.json()) as { importId: string };
    const failed = await until(importId, ["staged", "failed"]);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatchObject({ code: "control_total_mismatch", line: 15 });
    expect(failed.error!.message).toMatch(/^eod\.bai2, line 15: /);
    expect(failed.dryRun).toBeNull();
    expect(await count("select count(*) as n from public.staged_rows where import_id = $1", [importId])).toBe(0);
    expect(await count("select count(*) as n from public.transactions where tenant_id = $1", [tenant.id])).toBe(before);
    const refused = await commit(importId);
    expect(refused.status).toBe(409);
  });

  it("answers 413 past the upload limit, and records nothing", async () => {
    const previous = process.env.INFLOW_UPLOAD_LIMIT_BYTES;
    process.env.INFLOW_UPLOAD_LIMIT_BYTES = "1000";
    try {
      const before = await count("select count(*) as n from public.imports where tenant_id = $1", [tenant.id]);
      const bytes = readSample("mpesa/mpesa_full_statement_oct2025.csv");
      expect(bytes.length).toBeGreaterThan(1000);
      const response = await uploadFile({ name: "mpesa.csv", bytes });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        error: { code: "too_large", message: "The file is larger than the upload limit of 1000 bytes. Split it, or ask an admin to raise INFLOW_UPLOAD_LIMIT_BYTES." },
      });
      expect(await count("select count(*) as n from public.imports where tenant_id = $1", [tenant.id])).toBe(before);
      const rawDir = dataDir("raw", tenant.id);
      expect(fs.existsSync(rawDir) ? fs.readdirSync(rawDir).filter((f) => f.startsWith(".upload-")) : []).toEqual([]);
      // A file within the limit still goes through.
      expect((await uploadFile({ name: "small.ofx", bytes: readSample("ofx/jseutter-ofxparse__suncorp.ofx").slice(0, 900) })).status).toBe(202);
    } finally {
      if (previous === undefined) delete process.env.INFLOW_UPLOAD_LIMIT_BYTES;
      else process.env.INFLOW_UPLOAD_LIMIT_BYTES = previous;
    }
  });

  it("names the earlier import of the same bytes: when, by whom, which", async () => {
    const bytes = readSample("mt940/wolph-mt940__jejik_knab.sta");
    const first = (await (await uploadFile({ name: "knab.sta", bytes })).json()) as { importId: string; previousImports: unknown[] };
    expect(first.previousImports).toEqual([]);
    const createdAt = await asService(async (db) =>
      (await db.query<{ t: Date }>("select created_at as t from public.imports where id = $1", [first.importId])).rows[0]!.t.toISOString(),
    );
    const second = await uploadFile({ name: "knab-again.sta", bytes });
    expect(second.status).toBe(202);
    const body = (await second.json()) as { importId: string; previousImports: unknown[] };
    expect(body.importId).not.toBe(first.importId);
    expect(body.previousImports).toEqual([
      { id: first.importId, fileName: "knab.sta", status: expect.any(String), createdAt, createdBy: tenant.members.uploader.email },
    ]);
  });
});

describe("a worker killed mid-commit", () => {
  // Big enough that the commit is well under way when the worker dies; small enough for a minute's
  // test: staging and classifying cost several milliseconds per row under row-level security today.
  const ROWS = 2_500;
  let dir: string;
  const children: ChildProcess[] = [];
  const saved = process.env.INFLOW_JOB_EXPIRE_SECONDS;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "inflow-kill-"));
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await stopJobQueue();
    if (saved === undefined) delete process.env.INFLOW_JOB_EXPIRE_SECONDS;
    else process.env.INFLOW_JOB_EXPIRE_SECONDS = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function worker(): ChildProcess {
    const child = spawn(process.execPath, ["bin/inflow.mjs", "worker"], {
      env: { ...process.env, INFLOW_JOB_EXPIRE_SECONDS: "5", INFLOW_JOB_MAINTENANCE_SECONDS: "1" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(child);
    return child;
  }
  const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));

  it("is retried by another worker and every row lands in the ledger exactly once", { timeout: 90_000 }, async () => {
    await addAccount(tenant, "Bulk", "USD");
    const lines = ["Date,Description,Amount"];
    for (let i = 0; i < ROWS; i++) lines.push(`2024-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")},Invoice ${i},${i % 2 ? "" : "-"}${(i % 997) + 1}.${String(i % 100).padStart(2, "0")}`);
    const file = path.join(dir, "bulk.csv");
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const staged = await cliImport(tenant, file, { account: "Bulk", dryRun: true, as: "uploader" });
    expect(staged.summary).toMatchObject({ status: "staged", parsed: ROWS, blocked: 0 });
    const importId = staged.summary.importId;

    // The job carries the expiry of the process that queues it.
    process.env.INFLOW_JOB_EXPIRE_SECONDS = "5";
    const ctx = { claims: tenant.members.uploader.claims, tenantId: tenant.id };
    expect((await requestCommit(ctx, importId)).status).toBe("committing");

    // The commit is held mid-way (after its ledger insert, at the duplicate-queue insert) by a lock, so
    // the kill lands inside it however fast the commit is.
    const locker = await (await getPool()).connect();
    await locker.query("begin");
    await locker.query("lock table public.duplicate_candidates in share mode");
    const first = worker();
    const job = () =>
      asService(async (db) =>
        (await db.query<{ state: string; retry_count: number }>("select state, retry_count from pgboss.job where name = 'import-commit' and data ->> 'importId' = $1", [importId])).rows[0],
      );
    await waitFor("the first worker to start the commit", async () => ((await job())?.state === "active" ? true : undefined), 30_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 750));
    first.kill("SIGKILL");
    await exited(first);

    // All or nothing: the killed commit left nothing behind.
    expect(await importStatus(tenant.id, importId)).toBe("committing");
    expect(await count("select count(*) as n from public.transactions where import_id = $1", [importId])).toBe(0);
    await locker.query("rollback");
    locker.release();

    const second = worker();
    await waitFor("the retried commit", async () => ((await importStatus(tenant.id, importId)) === "committed" ? true : undefined), 60_000, 250);
    second.kill("SIGTERM");
    await exited(second);

    expect((await job())!.retry_count).toBeGreaterThanOrEqual(1);
    expect(await count("select count(*) as n from public.transactions where import_id = $1", [importId])).toBe(ROWS);
    expect(await count("select count(distinct dedup_key) as n from public.transactions where import_id = $1", [importId])).toBe(ROWS);
    const rows = await ledger(tenant.id, importId);
    expect(rows.filter((r) => r.description === "Invoice 2499").map((r) => [r.booking_date, r.amount])).toEqual([["2024-04-08", "506.99"]]);
  });
});
