/**
 * A parse job that outlives its expiry is retried while it still runs (pg-boss stops waiting for it,
 * the work goes on), so two runs stage the same import at once. `npm run soak` found an import staged
 * — and committed — with 1,000 of its 5,000 rows that way. Here the interleaving is forced: the first
 * run pauses after its first batch, the second run takes the import over, the first resumes. The first
 * must stop at its next write, and the second stage the whole file.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withUser } from "@/lib/db/with-user";
import { parseFileBatches } from "@/lib/formats/index";
import type { ParseEvent } from "@/lib/formats/types";
import { commitImport } from "@/lib/ingest/commit";
import { StagingSupersededError, beginStaging, stageEvents } from "@/lib/ingest/stage";
import { createImportFromStoredFile } from "@/lib/ingest/upload";
import { rawFileStore } from "@/lib/storage/raw-store";
import { createTenant } from "@/test/db";
import { addAccount, count, waitFor } from "@/test/pipeline/helpers";
import { generateCsv } from "./soak";

const ROWS = 5_000;

describe("two runs staging the same import at once", () => {
  it("the run that was taken over stops; the import is staged and committed whole", { timeout: 120_000 }, async () => {
    const tenant = await createTenant("staging-takeover");
    const accountId = await addAccount(tenant, "Takeover", "USD");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inflow-takeover-"));
    const file = path.join(dir, "bulk.csv");
    fs.writeFileSync(file, generateCsv(ROWS, 42));
    const ctx = { claims: tenant.members.uploader.claims, tenantId: tenant.id };
    const stored = await (await rawFileStore()).put(tenant.id, fs.createReadStream(file));
    const { importId } = await createImportFromStoredFile(ctx, { fileName: "bulk.csv", stored, fields: { accountId }, source: "upload" }, { enqueueParse: false });
    const target = { ...ctx, importId };
    const meta = { source: "csv", accountCurrency: "USD", started: Date.now() };

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Staging writes 2,000 rows once the 2,001st arrives; the pause comes after that, before the next array.
    async function* pausedAfterFirstBatch(batches: AsyncIterable<ParseEvent[]>): AsyncGenerator<ParseEvent[]> {
      let transactions = 0;
      let paused = false;
      for await (const batch of batches) {
        if (!paused && transactions > 2_000) {
          paused = true;
          await gate;
        }
        yield batch;
        transactions += batch.filter((event) => event.type === "transaction").length;
      }
    }

    const first = await beginStaging(target);
    const firstRun = stageEvents(target, pausedAfterFirstBatch(parseFileBatches(fs.createReadStream(file), { format: "csv" })), { ...meta, attempt: first!.attempt });
    const outcome = firstRun.then(() => "finished", (error: unknown) => error);
    await waitFor("the first run's first batch", async () => ((await count("select count(*) as n from public.staged_rows where import_id = $1", [importId])) > 0 ? true : undefined));

    // The retry takes over (and clears the first run's rows); then the first run resumes.
    const second = await beginStaging(target);
    expect(second).toBeDefined();
    release();
    expect(await outcome).toBeInstanceOf(StagingSupersededError);

    await stageEvents(target, parseFileBatches(fs.createReadStream(file), { format: "csv" }), { ...meta, attempt: second!.attempt });
    expect(await count("select count(*) as n from public.staged_rows where import_id = $1", [importId])).toBe(ROWS);
    expect(await count("select count(distinct row_no) as n from public.staged_rows where import_id = $1", [importId])).toBe(ROWS);
    const committed = await withUser(ctx.claims, (db) => commitImport(db, { tenantId: tenant.id, importId }));
    expect(committed.imported).toBe(ROWS);
    expect(await count("select count(*) as n from public.transactions where import_id = $1", [importId])).toBe(ROWS);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
