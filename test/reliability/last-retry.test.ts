/**
 * A job whose every attempt fails (here: the raw file vanished from the store) must not leave its
 * import "parsing" forever: after the last retry the import is failed, with the reason and nothing
 * staged. Runs a worker in this process on a job schema of its own, retrying at once.
 */
import fs from "node:fs";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataDir } from "@/lib/env";
import { startWorker, stopJobQueue } from "@/lib/ingest/jobs";
import { createImportFromStoredFile } from "@/lib/ingest/upload";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, createTenant } from "@/test/db";
import { addAccount, count, waitFor } from "@/test/pipeline/helpers";

process.env.INFLOW_JOB_SCHEMA = "pgboss_last_retry_test";
process.env.INFLOW_JOB_RETRY_DELAY_SECONDS = "0";
process.env.INFLOW_JOB_MAINTENANCE_SECONDS = "1";

describe("a parse job that fails on every attempt", () => {
  beforeAll(async () => {
    await asService((db) => db.query("drop schema if exists pgboss_last_retry_test cascade"));
    await startWorker();
  });
  afterAll(async () => {
    await stopJobQueue();
  });

  it("fails its import after the last retry, saying why, with nothing staged", { timeout: 90_000 }, async () => {
    const tenant = await createTenant("last-retry");
    const accountId = await addAccount(tenant, "Gone", "USD");
    const ctx = { claims: tenant.members.uploader.claims, tenantId: tenant.id };
    const stored = await (await rawFileStore()).put(tenant.id, Readable.from([Buffer.from(`Date,Description,Amount\n2025-01-02,Vanishing ${Date.now()},-1.00\n`)]));
    fs.rmSync(dataDir("raw", stored.key));
    const { importId } = await createImportFromStoredFile(ctx, { fileName: "gone.csv", stored, fields: { accountId }, source: "upload" }, { enqueueParse: true });

    const imp = await waitFor(
      "the import to fail",
      () => asService(async (db) => (await db.query<{ status: string; error: { code: string; message: string } | null }>("select status, error from public.imports where id = $1", [importId])).rows.find((r) => r.status !== "uploaded" && r.status !== "parsing")),
      60_000,
      200,
    );
    expect(imp.status).toBe("failed");
    expect(imp.error?.code).toBe("job_failed");
    expect(imp.error?.message).toMatch(/^gone\.csv could not be read into staging after 6 attempts: ENOENT/);
    expect(await count("select count(*) as n from public.staged_rows where import_id = $1", [importId])).toBe(0);
    const job = await asService(async (db) => (await db.query<{ state: string; retry_count: number }>("select state, retry_count from pgboss_last_retry_test.job where singleton_key = $1", [importId])).rows[0]);
    expect(job).toEqual({ state: "failed", retry_count: 5 });
  });
});
