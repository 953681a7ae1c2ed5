/**
 * Staging writes each full batch of rows while the parser reads the next (lib/ingest/stage.ts), so
 * when a file fails at its very end a batch write is still in flight. The import must fail with the
 * parser's code and line, and keep nothing staged: neither the batches written before the failure
 * nor the one in flight when it came.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { getImport } from "@/lib/db/queries/pipeline";
import { withUser } from "@/lib/db/with-user";
import { stageImport } from "@/lib/ingest/stage";
import { createImportFromStoredFile } from "@/lib/ingest/upload";
import { rawFileStore } from "@/lib/storage/raw-store";
import { createTenant } from "@/test/db";
import { addAccount, count } from "@/test/pipeline/helpers";

const TRANSACTIONS = 5_000; // two batches of 2,000 written, the third never is

/** A BAI2 file of `n` credits whose 99 file trailer is missing: it fails on its last line. */
function bai2WithoutFileTrailer(n: number): { text: string; lines: number } {
  const lines = ["01,SENDR1,RECVR1,250101,0800,1,,,2/", "02,RECVR1,SENDR1,1,250101,0800,USD,2/", "03,0001234567,USD,010,0,,,/"];
  let total = 0;
  for (let i = 1; i <= n; i++) {
    lines.push(`16,175,${i},Z,REF${i},,Credit ${i}/`);
    total += i;
  }
  lines.push(`49,${total},${n + 2}/`, `98,${total},1,${n + 4}/`);
  return { text: lines.join("\n") + "\n", lines: lines.length };
}

describe("a file that fails at its end, after batches were written", () => {
  it("fails the import with the parser's code and line and leaves no row staged", { timeout: 120_000 }, async () => {
    const tenant = await createTenant("staging-late-failure");
    const accountId = await addAccount(tenant, "Late failure", "USD");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inflow-late-failure-"));
    const file = path.join(dir, "truncated.bai2");
    const { text, lines } = bai2WithoutFileTrailer(TRANSACTIONS);
    fs.writeFileSync(file, text);
    const ctx = { claims: tenant.members.uploader.claims, tenantId: tenant.id };
    const store = await rawFileStore();
    const stored = await store.put(tenant.id, fs.createReadStream(file));
    const { importId } = await createImportFromStoredFile(ctx, { fileName: "truncated.bai2", stored, fields: { accountId }, source: "upload" }, { enqueueParse: false });

    await stageImport({ ...ctx, importId }, store);

    const imp = await withUser(ctx.claims, (db) => getImport(db, { tenantId: tenant.id, importId }));
    expect(imp?.status).toBe("failed");
    expect(imp?.error).toMatchObject({ code: "truncated_file", line: lines });
    expect(imp?.error?.message).toMatch(/^truncated\.bai2, line \d+: Expected the file to end with .* a 99 file trailer/);
    expect(await count("select count(*) as n from public.staged_rows where import_id = $1", [importId])).toBe(0);
    expect(await count("select count(*) as n from public.import_issues where import_id = $1", [importId])).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
