/**
 * Step 3, review before import: paging through staged rows and import-level issues, exclusions, and
 * corrections (./corrections.ts). Every change re-classifies the import and writes an audit row in the
 * same transaction. The `(ctx, …)` functions are what route handlers call; each runs under the
 * caller's claims, so row-level security applies.
 */
import type { TenantContext } from "@/lib/auth/context";
import type { Db } from "@/lib/db/pool";
import { withUser } from "@/lib/db/with-user";
import { writeAudit } from "@/lib/db/queries/audit";
import { getImport } from "@/lib/db/queries/pipeline";
import {
  amountsOverTime,
  getStagedRowView,
  listImportIssues,
  listStagedRows,
  type AmountUnit,
  type ImportIssueView,
  type RowFilter,
  type StagedRowView,
} from "@/lib/db/queries/staged-rows";
import { AppError, notFound } from "@/lib/http/errors";
import { classifyImport, dryRun, type DryRun } from "./classify";
import { correctStagedRow, type CorrectionResult, type CorrectionValue } from "./corrections";

type Caller = Pick<TenantContext, "claims" | "tenantId">;

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

async function assertImportVisible(db: Db, tenantId: string, importId: string): Promise<void> {
  if (!(await getImport(db, { tenantId, importId }))) throw notFound("That import");
}

/** One page of staged rows, optionally of one status (or only those with warnings). */
export function reviewRows(
  ctx: Caller,
  importId: string,
  query: { filter?: RowFilter; after: number; limit: number },
): Promise<{ rows: StagedRowView[]; nextAfter: number | null }> {
  return withUser(ctx.claims, async (db) => {
    await assertImportVisible(db, ctx.tenantId, importId);
    return listStagedRows(db, { tenantId: ctx.tenantId, importId, ...query });
  });
}

/** One page of the issues that belong to the file rather than to a row. */
export function reviewIssues(ctx: Caller, importId: string, query: { after: number; limit: number }): Promise<{ issues: ImportIssueView[]; nextAfter: number | null }> {
  return withUser(ctx.claims, async (db) => {
    await assertImportVisible(db, ctx.tenantId, importId);
    return listImportIssues(db, { tenantId: ctx.tenantId, importId, ...query });
  });
}

/** Corrects one field of one row; answers the row as it now stands and the new dry run. */
export function correctRow(
  ctx: Caller,
  importId: string,
  rowNo: number,
  input: { field: string; value: CorrectionValue },
): Promise<{ correction: CorrectionResult; row: StagedRowView; dryRun: DryRun }> {
  return withUser(ctx.claims, async (db) => {
    const correction = await correctStagedRow(db, { tenantId: ctx.tenantId, importId, rowNo, ...input });
    const row = (await getStagedRowView(db, { tenantId: ctx.tenantId, importId, rowNo }))!;
    return { correction, row, dryRun: await dryRun(db, { tenantId: ctx.tenantId, importId }) };
  });
}

/** Excludes or includes rows (`"errors"`: every row with an error); answers how many changed and the new dry run. */
export function excludeRows(
  ctx: Caller,
  importId: string,
  input: { rowNos: number[] | "errors"; excluded: boolean },
): Promise<{ changed: number; dryRun: DryRun }> {
  return withUser(ctx.claims, async (db) => {
    const changed = await setExcluded(db, { tenantId: ctx.tenantId, importId, ...input });
    return { changed, dryRun: await dryRun(db, { tenantId: ctx.tenantId, importId }) };
  });
}

export interface AmountsView {
  /** The currency most rows are in; "" when the rows name none. */
  currency: string;
  unit: AmountUnit;
  buckets: { start: string; credits: string; debits: string; count: number }[];
  /** Currencies of the other rows, not drawn. */
  otherCurrencies: string[];
}

function unitFor(range: unknown): AmountUnit {
  const r = range as { from?: unknown; to?: unknown } | null | undefined;
  if (!r || typeof r.from !== "string" || typeof r.to !== "string") return "day";
  const days = (Date.parse(r.to) - Date.parse(r.from)) / 86_400_000;
  return days <= 92 ? "day" : days <= 730 ? "week" : "month";
}

/**
 * Amounts over time for the review page's chart: per day, week or month by the file's date range, in
 * the currency most rows are in. Read again after every correction or exclusion, since those change
 * which rows are readable.
 */
export function reviewAmounts(ctx: Caller, importId: string): Promise<AmountsView> {
  return withUser(ctx.claims, async (db) => {
    const imp = await getImport(db, { tenantId: ctx.tenantId, importId });
    if (!imp) throw notFound("That import");
    const unit = unitFor(imp.profile?.dateRange);
    const rows = await amountsOverTime(db, { tenantId: ctx.tenantId, importId, unit });
    const perCurrency = new Map<string, number>();
    for (const r of rows) perCurrency.set(r.currency, (perCurrency.get(r.currency) ?? 0) + r.count);
    const [main] = [...perCurrency.entries()].sort((a, b) => b[1] - a[1])[0] ?? [""];
    return {
      currency: main,
      unit,
      buckets: rows.filter((r) => r.currency === main).map(({ start, credits, debits, count }) => ({ start, credits, debits, count })),
      otherCurrencies: [...perCurrency.keys()].filter((c) => c !== main && c !== ""),
    };
  });
}
