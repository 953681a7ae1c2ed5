/**
 * Step 3, review before import: exclusions (and, beside them, paging and corrections). Every change
 * re-classifies the import and writes an audit row in the same transaction.
 */
import type { Db } from "@/lib/db/pool";
import { writeAudit } from "@/lib/db/queries/audit";
import { getImport } from "@/lib/db/queries/pipeline";
import { AppError, notFound } from "@/lib/http/errors";
import { classifyImport } from "./classify";

/** Changes to staged rows are allowed only while the import is in review. */
export async function lockImportForReview(db: Db, params: { tenantId: string; importId: string }): Promise<void> {
  const imp = await getImport(db, { ...params, forUpdate: true });
  if (!imp) throw notFound("That import");
  if (imp.status !== "staged") throw new AppError(409, "not_in_review", `This import is ${imp.status}; rows can be changed only while it is in review.`);
}

/** Excludes (or includes again) rows; `rowNos: "errors"` excludes every row that has an error. */
export async function setExcluded(
  db: Db,
  params: { tenantId: string; importId: string; rowNos: number[] | "errors"; excluded: boolean },
): Promise<number> {
  const { tenantId, importId } = params;
  await lockImportForReview(db, { tenantId, importId });
  const { rows } = await db.query<{ row_no: number; line: number }>(
    `update public.staged_rows set excluded = $3
      where tenant_id = $1 and import_id = $2 and excluded <> $3
        and (case when $4::int[] is null then has_error else row_no = any ($4::int[]) end)
      returning row_no, line`,
    [tenantId, importId, params.excluded, params.rowNos === "errors" ? null : params.rowNos],
  );
  if (rows.length > 0) {
    await writeAudit(db, {
      tenantId,
      action: params.excluded ? "import.exclude" : "import.include",
      entity: "import",
      entityId: importId,
      before: { excluded: !params.excluded },
      after: { excluded: params.excluded },
      details: { rows: rows.map((r) => ({ rowNo: r.row_no, line: r.line })).slice(0, 1000), count: rows.length },
    });
    await classifyImport(db, { tenantId, importId });
  }
  return rows.length;
}
