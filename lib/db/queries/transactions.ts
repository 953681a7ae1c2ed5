/** The ledger: reading committed transactions (rows reach it only through an import's commit). */
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

export async function countTransactions(db: Db, params: { tenantId: string }): Promise<number> {
  const { rows } = await db.query<{ n: number }>("select count(*)::int as n from public.transactions where tenant_id = $1", [params.tenantId]);
  return rows[0]?.n ?? 0;
}
