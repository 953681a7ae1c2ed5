/** The ledger: reading committed transactions and adding new ones in one multi-row statement. */
import type { Db } from "@/lib/db/pool";

export interface LedgerRow {
  id: string;
  bookingDate: string;
  amount: string;
  currency: string;
  description: string;
  counterparty: string | null;
  accountName: string | null;
  source: string;
}

export async function listTransactions(db: Db, params: { tenantId: string; limit: number }): Promise<LedgerRow[]> {
  const { rows } = await db.query<LedgerRow>(
    `select t.id::text as id, t.booking_date as "bookingDate", t.amount::text as amount, t.currency,
            t.description, t.counterparty, a.name as "accountName", t.source
       from public.transactions t left join public.accounts a on a.id = t.account_id
      where t.tenant_id = $1
      order by t.booking_date desc, t.id desc
      limit $2`,
    [params.tenantId, params.limit],
  );
  return rows;
}

export interface NewTransaction {
  accountId: string | null;
  bookingDate: string;
  amount: string;
  currency: string;
  description: string;
  counterparty: string | null;
  externalId: string | null;
}

/** Inserts all rows in one statement (arrays unnested server-side), never row by row. */
export async function insertTransactions(
  db: Db,
  params: { tenantId: string; importId: string; source: string; rows: NewTransaction[] },
): Promise<number> {
  if (params.rows.length === 0) return 0;
  const column = <K extends keyof NewTransaction>(key: K) => params.rows.map((r) => r[key]);
  const result = await db.query(
    `insert into public.transactions
       (tenant_id, import_id, source, account_id, booking_date, amount, currency, description, counterparty, external_id)
     select $1, $2, $3, u.account_id, u.booking_date, u.amount, u.currency, u.description, u.counterparty, u.external_id
       from unnest($4::uuid[], $5::date[], $6::numeric[], $7::text[], $8::text[], $9::text[], $10::text[])
         as u(account_id, booking_date, amount, currency, description, counterparty, external_id)`,
    [
      params.tenantId,
      params.importId,
      params.source,
      column("accountId"),
      column("bookingDate"),
      column("amount"),
      column("currency"),
      column("description"),
      column("counterparty"),
      column("externalId"),
    ],
  );
  return result.rowCount ?? 0;
}

export async function countTransactions(db: Db, params: { tenantId: string }): Promise<number> {
  const { rows } = await db.query<{ n: number }>("select count(*)::int as n from public.transactions where tenant_id = $1", [params.tenantId]);
  return rows[0]?.n ?? 0;
}
