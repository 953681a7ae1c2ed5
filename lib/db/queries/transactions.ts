/**
 * The ledger: reading committed transactions (rows reach it only through an import's commit).
 * One filter shape serves the page, the API and the exports; pages are keyset-paged on
 * (booking_date desc, id desc) — the order of transactions_tenant_booking_idx — never OFFSET.
 */
import { z } from "zod";
import type { Db } from "@/lib/db/pool";

export interface LedgerRow {
  id: string;
  bookingDate: string;
  valueDate: string | null;
  amount: string;
  currency: string;
  description: string;
  counterparty: string | null;
  externalId: string | null;
  accountId: string | null;
  accountName: string | null;
  source: string;
  importId: string | null;
}

const decimal = z
  .string()
  .trim()
  .regex(/^-?\d{1,20}(\.\d{1,12})?$/, "must be an amount such as 1500 or -20.50");
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** The filters of a ledger view, as URL search params carry them (blank fields mean "any"). */
export const ledgerFilterSchema = z.object({
  q: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
  accountId: z.preprocess(blankToUndefined, z.string().uuid("must be an account of this workspace").optional()),
  from: z.preprocess(blankToUndefined, z.iso.date("must be a date such as 2025-10-01").optional()),
  to: z.preprocess(blankToUndefined, z.iso.date("must be a date such as 2025-10-31").optional()),
  min: z.preprocess(blankToUndefined, decimal.optional()),
  max: z.preprocess(blankToUndefined, decimal.optional()),
  source: z.preprocess(blankToUndefined, z.string().max(100).optional()),
  importId: z.preprocess(blankToUndefined, z.string().uuid("must be an import of this workspace").optional()),
});
export type LedgerFilter = z.infer<typeof ledgerFilterSchema>;

export const LEDGER_FILTER_KEYS = ["q", "accountId", "from", "to", "min", "max", "source", "importId"] as const satisfies readonly (keyof LedgerFilter)[];

/** Where the previous page ended: "<booking date>_<id>". */
export const ledgerCursor = z.string().regex(/^\d{4}-\d{2}-\d{2}_\d{1,19}$/, "must be a cursor taken from the previous page");

export function cursorOf(row: Pick<LedgerRow, "bookingDate" | "id">): string {
  return `${row.bookingDate}_${row.id}`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The WHERE clause for a filter; `params` receives the values ($1 is always the tenant). */
function whereOf(tenantId: string, filter: LedgerFilter, params: unknown[]): string {
  params.push(tenantId);
  const clauses = ["t.tenant_id = $1"];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(`$${params.length}`));
  };
  if (filter.q) add((p) => `(t.description ilike ${p} or t.counterparty ilike ${p})`, `%${escapeLike(filter.q)}%`);
  if (filter.accountId) add((p) => `t.account_id = ${p}::uuid`, filter.accountId);
  if (filter.from) add((p) => `t.booking_date >= ${p}::date`, filter.from);
  if (filter.to) add((p) => `t.booking_date <= ${p}::date`, filter.to);
  if (filter.min) add((p) => `t.amount >= ${p}::numeric`, filter.min);
  if (filter.max) add((p) => `t.amount <= ${p}::numeric`, filter.max);
  if (filter.source) add((p) => `t.source = ${p}`, filter.source);
  if (filter.importId) add((p) => `t.import_id = ${p}::uuid`, filter.importId);
  return clauses.join(" and ");
}

export async function listTransactions(
  db: Db,
  params: { tenantId: string; limit: number; filter?: LedgerFilter; after?: string },
): Promise<LedgerRow[]> {
  const values: unknown[] = [];
  let where = whereOf(params.tenantId, params.filter ?? {}, values);
  if (params.after) {
    const [date, id] = params.after.split("_");
    values.push(date, id);
    where += ` and (t.booking_date, t.id) < ($${values.length - 1}::date, $${values.length}::bigint)`;
  }
  values.push(params.limit);
  const { rows } = await db.query<LedgerRow>(
    `select t.id::text as id, t.booking_date as "bookingDate", t.value_date as "valueDate", t.amount::text as amount, t.currency,
            t.description, t.counterparty, t.external_id as "externalId", t.account_id as "accountId", a.name as "accountName",
            t.source, t.import_id as "importId"
       from public.transactions t left join public.accounts a on a.id = t.account_id
      where ${where}
      order by t.booking_date desc, t.id desc
      limit $${values.length}`,
    values,
  );
  return rows;
}

/** Totals per currency, exact (numeric sums rendered as text). */
export interface LedgerTotals {
  currency: string;
  count: number;
  credits: string;
  debits: string;
  net: string;
}

/** The filters private.ledger_totals answers from the kept per-day totals. */
const KEPT_TOTALS_FILTERS: ReadonlySet<keyof LedgerFilter> = new Set(["accountId", "from", "to", "source"]);

/**
 * Totals for a filter. Filters by account, booking date and source only (or none) are read from the
 * per-day totals the ledger keeps (private.ledger_day_totals, migration 20261121001300): a few rows
 * per day instead of every transaction. Text, amount-range and import filters sum the matching
 * transactions.
 */
export async function ledgerTotals(db: Db, params: { tenantId: string; filter?: LedgerFilter }): Promise<LedgerTotals[]> {
  const filter = params.filter ?? {};
  // Decided by the filters set, not by listing the others: a filter added later is summed until the
  // kept totals learn it, never silently ignored.
  if (Object.entries(filter).every(([key, value]) => value === undefined || KEPT_TOTALS_FILTERS.has(key as keyof LedgerFilter))) {
    const { rows } = await db.query<LedgerTotals>("select currency, count, credits, debits, net from private.ledger_totals($1, $2, $3, $4, $5)", [
      params.tenantId,
      filter.accountId ?? null,
      filter.from ?? null,
      filter.to ?? null,
      filter.source ?? null,
    ]);
    return rows;
  }
  return sumLedgerTotals(db, { tenantId: params.tenantId, filter });
}

/** Totals for any filter, summed from the matching transactions. Exported for the test that compares both. */
export async function sumLedgerTotals(db: Db, params: { tenantId: string; filter: LedgerFilter }): Promise<LedgerTotals[]> {
  const values: unknown[] = [];
  const where = whereOf(params.tenantId, params.filter, values);
  const { rows } = await db.query<LedgerTotals>(
    `select t.currency, count(*)::int as count,
            coalesce(sum(t.amount) filter (where t.amount > 0), 0)::text as credits,
            coalesce(sum(t.amount) filter (where t.amount < 0), 0)::text as debits,
            coalesce(sum(t.amount), 0)::text as net
       from public.transactions t
      where ${where}
      group by t.currency
      order by t.currency`,
    values,
  );
  return rows;
}

/** What the filter form offers: the sources and the imports that have rows in the ledger. */
export async function ledgerFilterOptions(db: Db, params: { tenantId: string }): Promise<{ sources: string[]; imports: { id: string; fileName: string }[] }> {
  // From the ledger's kept totals: a distinct over every transaction grew with the ledger.
  const sources = await db.query<{ source: string }>("select source from private.ledger_sources($1) as source limit 200", [params.tenantId]);
  const imports = await db.query<{ id: string; fileName: string }>(
    `select i.id, i.file_name as "fileName" from public.imports i
      where i.tenant_id = $1 and exists (select 1 from public.transactions t where t.tenant_id = i.tenant_id and t.import_id = i.id)
      order by i.created_at desc limit 200`,
    [params.tenantId],
  );
  return { sources: sources.rows.map((r) => r.source), imports: imports.rows };
}

/** How many transactions the ledger holds, from its kept totals (a count(*) read every row). */
export async function countTransactions(db: Db, params: { tenantId: string }): Promise<number> {
  const { rows } = await db.query<{ n: number }>("select coalesce(sum(count), 0)::int as n from private.ledger_totals($1, null, null, null, null)", [params.tenantId]);
  return rows[0]?.n ?? 0;
}
