/** Internal accounts of a tenant. */
import type { Db } from "@/lib/db/pool";

export interface InternalAccount {
  id: string;
  name: string;
  number: string | null;
  currency: string;
  kind: string;
  balance: string;
  transactionCount: number;
}

export async function listAccounts(db: Db, params: { tenantId: string }): Promise<InternalAccount[]> {
  const { rows } = await db.query<InternalAccount>(
    `select a.id, a.name, a.number, a.currency, a.kind,
            coalesce(sum(t.amount), 0)::text as balance, count(t.id)::int as "transactionCount"
       from public.accounts a left join public.transactions t on t.tenant_id = a.tenant_id and t.account_id = a.id
      where a.tenant_id = $1
      group by a.id
      order by a.name`,
    [params.tenantId],
  );
  return rows;
}

export async function findAccount(
  db: Db,
  params: { tenantId: string; accountId: string },
): Promise<{ id: string; name: string; currency: string } | undefined> {
  const { rows } = await db.query<{ id: string; name: string; currency: string }>(
    "select id, name, currency from public.accounts where tenant_id = $1 and id = $2",
    [params.tenantId, params.accountId],
  );
  return rows[0];
}
