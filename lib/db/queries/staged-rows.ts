/**
 * Staged rows and import-level issues for review. Paging is keyset on row_no: a status filter walks
 * staged_rows_status_idx (tenant_id, import_id, status, row_no), no filter walks the primary key
 * (tenant_id, import_id, row_no), so a page costs the same at row 10 as at row 1,000,000 — no OFFSET,
 * no count(*) per page.
 */
import type { Db } from "@/lib/db/pool";
import type { JsonValue } from "@/lib/formats/types";

export const ROW_STATUSES = ["new", "exact_duplicate", "likely_duplicate", "error", "unmapped", "excluded"] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];
/** A status, or "warnings": the rows that carry a warning, whatever their status. */
export type RowFilter = RowStatus | "warnings";

export interface RowIssue {
  severity: "error" | "warning" | "info";
  code: string;
  message: string;
  field: string | null;
  line: number;
}

export interface RowMatch {
  transactionId: string;
  score: number | null;
  bookingDate: string;
  amount: string;
  currency: string;
  description: string;
}

export interface StagedRowView {
  rowNo: number;
  line: number;
  kind: string;
  status: RowStatus;
  record: Record<string, JsonValue>;
  /** The record as parsed, present once a reviewer corrected a field. */
  original: Record<string, JsonValue> | null;
  issues: RowIssue[];
  excluded: boolean;
  hasError: boolean;
  hasWarning: boolean;
  accountId: string | null;
  externalAccount: string | null;
  /** The ledger row this one duplicates (exact) or resembles (likely), when there is one. */
  match: RowMatch | null;
}

interface RowSql {
  row_no: number;
  line: number;
  kind: string;
  status: RowStatus;
  record: Record<string, JsonValue>;
  original: Record<string, JsonValue> | null;
  issues: RowIssue[];
  excluded: boolean;
  has_error: boolean;
  has_warning: boolean;
  account_id: string | null;
  external_account: string | null;
  match_id: string | null;
  match_score: number | null;
  match_date: string | null;
  match_amount: string | null;
  match_currency: string | null;
  match_description: string | null;
}

// The page is chosen first from staged_rows alone (so its plan is the keyset index walk, whatever the
// ledger holds), then joined to the matched ledger row: the likely duplicate's stored match, or for an
// exact duplicate the ledger row holding the same dedup key in the same account (unique index lookups,
// one per row of the page).
function rowSelect(where: string, tail = ""): string {
  return `
  with page as (
    select s.tenant_id, s.row_no, s.line, s.kind, s.status, s.record, s.original, s.issues, s.excluded, s.has_error, s.has_warning,
           s.account_id, s.external_account, s.dedup_key, s.match_transaction_id, s.match_score
      from public.staged_rows s
     ${where}
     ${tail})
  select p.row_no, p.line, p.kind, p.status, p.record, p.original, p.issues, p.excluded, p.has_error, p.has_warning,
         p.account_id, p.external_account,
         coalesce(m.id, e.id)::text as match_id,
         case when m.id is not null then p.match_score when e.id is not null then 1 end as match_score,
         coalesce(m.booking_date, e.booking_date)::text as match_date,
         coalesce(m.amount, e.amount)::text as match_amount,
         coalesce(m.currency, e.currency)::text as match_currency,
         coalesce(m.description, e.description) as match_description
    from page p
    left join public.transactions m on m.tenant_id = p.tenant_id and m.id = p.match_transaction_id
    left join public.transactions e
      on p.status = 'exact_duplicate' and p.kind = 'transaction'
     and e.tenant_id = p.tenant_id and e.account_id = p.account_id and e.dedup_key = p.dedup_key
   order by p.row_no`;
}

function toView(r: RowSql): StagedRowView {
  return {
    rowNo: r.row_no,
    line: r.line,
    kind: r.kind,
    status: r.status,
    record: r.record,
    original: r.original,
    issues: r.issues,
    excluded: r.excluded,
    hasError: r.has_error,
    hasWarning: r.has_warning,
    accountId: r.account_id,
    externalAccount: r.external_account,
    match:
      r.match_id === null
        ? null
        : {
            transactionId: r.match_id,
            score: r.match_score,
            bookingDate: r.match_date ?? "",
            amount: r.match_amount ?? "",
            currency: r.match_currency ?? "",
            description: r.match_description ?? "",
          },
  };
}

interface PageParams {
  tenantId: string;
  importId: string;
  filter?: RowFilter;
  after: number;
  limit: number;
}

/** The page query (one row more than the page, to know whether another follows); exported for EXPLAIN in tests. */
export function stagedRowsPageQuery(params: PageParams): { text: string; values: unknown[] } {
  const { tenantId, importId, filter, after, limit } = params;
  // Each filter gets its own literal predicate (not "$5 is null or …") so the planner always sees the
  // index prefix it can use.
  const values: unknown[] = [tenantId, importId, after, limit + 1];
  let predicate = "";
  if (filter === "warnings") predicate = "and s.has_warning";
  else if (filter) {
    values.push(filter);
    predicate = "and s.status = $5";
  }
  return {
    text: rowSelect(`where s.tenant_id = $1 and s.import_id = $2 ${predicate} and s.row_no > $3`, "order by s.row_no limit $4"),
    values,
  };
}

/** One page of rows after `after` (a row number), in row order; `nextAfter` is null on the last page. */
export async function listStagedRows(db: Db, params: PageParams): Promise<{ rows: StagedRowView[]; nextAfter: number | null }> {
  const { text, values } = stagedRowsPageQuery(params);
  const { rows } = await db.query<RowSql>(text, values);
  const page = rows.slice(0, params.limit).map(toView);
  return { rows: page, nextAfter: rows.length > params.limit ? (page.at(-1)?.rowNo ?? null) : null };
}

export async function getStagedRowView(db: Db, params: { tenantId: string; importId: string; rowNo: number }): Promise<StagedRowView | undefined> {
  const { rows } = await db.query<RowSql>(rowSelect("where s.tenant_id = $1 and s.import_id = $2 and s.row_no = $3"), [
    params.tenantId,
    params.importId,
    params.rowNo,
  ]);
  const row = rows[0];
  return row ? toView(row) : undefined;
}

/** What a correction needs of a row, locked so two reviewers' corrections do not interleave. */
export interface StagedRowForCorrection {
  rowNo: number;
  line: number;
  kind: "transaction" | "sales_line" | "gl_balance" | "appointment";
  statementNo: number | null;
  externalAccount: string | null;
  record: Record<string, JsonValue>;
  original: Record<string, JsonValue> | null;
  issues: RowIssue[];
  hasError: boolean;
  /** The currency rows of this row's statement fall back to: the chosen account's, else the statement's. */
  fallbackCurrency: string | null;
}

export async function lockStagedRow(db: Db, params: { tenantId: string; importId: string; rowNo: number }): Promise<StagedRowForCorrection | undefined> {
  const { rows } = await db.query<StagedRowForCorrection>(
    `select s.row_no as "rowNo", s.line, s.kind, s.statement_no as "statementNo", s.external_account as "externalAccount",
            s.record, s.original, s.issues, s.has_error as "hasError",
            coalesce(a.currency::text, st.account ->> 'currency') as "fallbackCurrency"
       from public.staged_rows s
       join public.imports i on i.tenant_id = s.tenant_id and i.id = s.import_id
       left join public.accounts a on a.tenant_id = i.tenant_id and a.id = i.account_id
       left join public.import_statements st on st.tenant_id = s.tenant_id and st.import_id = s.import_id and st.statement_no = s.statement_no
      where s.tenant_id = $1 and s.import_id = $2 and s.row_no = $3
        for update of s`,
    [params.tenantId, params.importId, params.rowNo],
  );
  return rows[0];
}

export async function updateCorrectedRow(
  db: Db,
  params: {
    tenantId: string;
    importId: string;
    rowNo: number;
    record: unknown;
    original: unknown;
    issues: RowIssue[];
    hasError: boolean;
    hasWarning: boolean;
    dedupKey: string | null;
    fingerprint: string | null;
  },
): Promise<void> {
  await db.query(
    `update public.staged_rows
        set record = $4, original = $5, issues = $6, has_error = $7, has_warning = $8, dedup_key = $9, fingerprint = $10
      where tenant_id = $1 and import_id = $2 and row_no = $3`,
    [
      params.tenantId,
      params.importId,
      params.rowNo,
      JSON.stringify(params.record),
      JSON.stringify(params.original),
      JSON.stringify(params.issues),
      params.hasError,
      params.hasWarning,
      params.dedupKey,
      params.fingerprint,
    ],
  );
}

export interface ImportIssueView {
  id: string;
  line: number;
  severity: "error" | "warning" | "info";
  code: string;
  message: string;
  field: string | null;
}

/**
 * The import-level issues: those on a line where no staged row starts (header, statement, balance and
 * trailer lines, file-wide warnings). Row issues are shown with their rows. Keyset-paged on the issue id.
 */
export async function listImportIssues(
  db: Db,
  params: { tenantId: string; importId: string; after: number; limit: number },
): Promise<{ issues: ImportIssueView[]; nextAfter: number | null }> {
  const { rows } = await db.query<ImportIssueView>(
    `select i.id::text as id, i.line, i.severity, i.code, i.message, i.field
       from public.import_issues i
      where i.tenant_id = $1 and i.import_id = $2 and i.id > $3
        and not exists (select 1 from public.staged_rows s where s.tenant_id = i.tenant_id and s.import_id = i.import_id and s.line = i.line)
      order by i.id
      limit $4`,
    [params.tenantId, params.importId, params.after, params.limit + 1],
  );
  const page = rows.slice(0, params.limit);
  return { issues: page, nextAfter: rows.length > params.limit ? Number(page.at(-1)?.id) : null };
}

export type AmountUnit = "day" | "week" | "month";

export interface AmountBucketRow {
  currency: string;
  /** First day of the bucket, YYYY-MM-DD. */
  start: string;
  credits: string;
  debits: string;
  count: number;
}

/**
 * Credits and debits of the import's readable rows per day, week or month and currency, summed exactly
 * in SQL (one aggregate over the import's rows). Rows with errors are left out (their values are as the
 * file had them; the guard keeps the casts to a real date and an exact decimal), and so are rows a
 * reviewer excluded.
 */
export async function amountsOverTime(db: Db, params: { tenantId: string; importId: string; unit: AmountUnit }): Promise<AmountBucketRow[]> {
  const { rows } = await db.query<AmountBucketRow>(
    `with r as (
       select coalesce(record ->> 'bookingDate', record ->> 'date') as d,
              coalesce(record ->> 'amount', record ->> 'total') as a,
              coalesce(record ->> 'currency', '') as c
         from public.staged_rows
        where tenant_id = $1 and import_id = $2 and kind in ('transaction', 'sales_line') and not has_error and not excluded
          and coalesce(record ->> 'bookingDate', record ->> 'date') ~ '^\\d{4}-\\d{2}-\\d{2}$'
          and coalesce(record ->> 'amount', record ->> 'total') ~ '^-?\\d+(\\.\\d+)?$')
     select c as currency, date_trunc($3, d::date)::date::text as start,
            coalesce(sum(a::numeric) filter (where a::numeric > 0), 0)::text as credits,
            coalesce(sum(a::numeric) filter (where a::numeric < 0), 0)::text as debits,
            count(*)::int as count
       from r group by 1, 2 order by 1, 2`,
    [params.tenantId, params.importId, params.unit],
  );
  return rows;
}
