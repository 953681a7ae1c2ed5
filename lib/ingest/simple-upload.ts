/** The skeleton upload: keep the raw file, parse the CSV, insert valid rows, record the import. */
import type { TenantContext } from "@/lib/auth/context";
import { withUser } from "@/lib/db/with-user";
import { findAccount, listAccounts } from "@/lib/db/queries/accounts";
import { createImport, finishImport } from "@/lib/db/queries/imports";
import { insertTransactions } from "@/lib/db/queries/transactions";
import { AppError } from "@/lib/http/errors";
import { rawFileStore } from "@/lib/storage/raw-store";
import type { ParseIssue } from "@/lib/schemas/canonical";
import { parseSimpleCsv } from "./simple-csv";

/** The skeleton slice reads the file as text; the pipeline streams instead. */
export const SIMPLE_UPLOAD_LIMIT_BYTES = 20 * 1024 * 1024;

export interface SimpleUploadResult {
  importId: string;
  rowsRead: number;
  rowsImported: number;
  rowsInvalid: number;
  issues: ParseIssue[];
}

export async function importSimpleCsvUpload(ctx: TenantContext, input: { file: File; accountId?: string }): Promise<SimpleUploadResult> {
  if (input.file.size > SIMPLE_UPLOAD_LIMIT_BYTES) {
    throw new AppError(413, "too_large", `${input.file.name} is ${input.file.size} bytes; this upload takes files up to ${SIMPLE_UPLOAD_LIMIT_BYTES} bytes.`);
  }
  const account = await withUser(ctx.claims, async (db) =>
    input.accountId
      ? findAccount(db, { tenantId: ctx.tenantId, accountId: input.accountId })
      : (await listAccounts(db, { tenantId: ctx.tenantId }))[0],
  );
  if (!account) throw new AppError(422, "validation", "accountId: choose an account that exists in this workspace (an admin can create one).");

  const stored = await (await rawFileStore()).put(ctx.tenantId, input.file.stream());
  const parsed = parseSimpleCsv(await input.file.text(), { fileName: input.file.name, accountId: account.id, currency: account.currency });
  const rowsInvalid = new Set(parsed.issues.filter((i) => i.severity === "error").map((i) => i.line)).size;

  // One transaction: the import record and its rows land together or not at all.
  const importId = await withUser(ctx.claims, async (db) => {
    const id = await createImport(db, { tenantId: ctx.tenantId, fileName: input.file.name, format: "csv", byteSize: stored.byteSize, sha256: stored.sha256 });
    const inserted = await insertTransactions(db, { tenantId: ctx.tenantId, importId: id, source: "upload:csv", rows: parsed.rows });
    await finishImport(db, { tenantId: ctx.tenantId, importId: id, status: "committed", rowsRead: parsed.rowsRead, rowsImported: inserted, rowsInvalid });
    return id;
  });
  return { importId, rowsRead: parsed.rowsRead, rowsImported: parsed.rows.length, rowsInvalid, issues: parsed.issues };
}
