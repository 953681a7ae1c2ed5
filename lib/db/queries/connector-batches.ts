/**
 * Queries of record-connector syncs (lib/connectors/records.ts): the batch an earlier sync left
 * unfinished, and the provider's modifications and removals applied to the ledger rows that the same
 * connection brought in. Set-based: one statement per batch, never a loop over rows.
 */
import type { Db } from "@/lib/db/pool";
import type { JsonValue } from "@/lib/formats/types";

export interface PendingBatch {
  importId: string;
  status: string;
  /** The provider's cursor after this batch: stored on the connection when the batch is committed. */
  cursor: JsonValue;
  records: number;
  /** External ids the provider removed in this batch. */
  removed: string[];
}

/**
 * The import holding batch number `seq` of a connection, unless it failed or was reverted: a batch
 * fetched by a sync that did not finish it (a crash before its commit, or rows waiting for review).
 */
export async function findBatchImport(db: Db, params: { tenantId: string; source: string; seq: number }): Promise<PendingBatch | undefined> {
  const { rows } = await db.query<{ importId: string; status: string; batch: { cursor?: JsonValue; records?: number; removed?: string[] } }>(
    `select id as "importId", status, options -> 'connectorBatch' as batch
       from public.imports
      where tenant_id = $1 and source = $2 and (options -> 'connectorBatch' ->> 'seq')::int = $3
        and status not in ('failed', 'reverted')
      order by created_at desc limit 1`,
    [params.tenantId, params.source, params.seq],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { importId: row.importId, status: row.status, cursor: row.batch.cursor ?? null, records: row.batch.records ?? 0, removed: row.batch.removed ?? [] };
}

export interface LedgerChange {
  id: string;
  before: Record<string, JsonValue>;
  after?: Record<string, JsonValue>;
}

/** The ledger columns a provider record can change, as they are compared, updated and audited. */
const SNAPSHOT = (t: string) => `jsonb_build_object('bookingDate', ${t}.booking_date, 'valueDate', ${t}.value_date, 'amount', ${t}.amount::text,
  'currency', ${t}.currency, 'description', ${t}.description, 'counterparty', ${t}.counterparty, 'externalId', ${t}.external_id,
  'bankReference', ${t}.bank_reference, 'customerReference', ${t}.customer_reference, 'typeCode', ${t}.type_code, 'details', ${t}.details)`;

/**
 * A record the provider sent again with changes (Plaid `modified`, a source row with a newer cursor)
 * was staged with the same `ext:` key as its ledger row and classified exact_duplicate. Its ledger
 * row — one this connection brought in — takes the new values in place: same id, same import, so
 * reconciliations pointing at it stay valid. Within one batch the last version of a record wins.
 * Rows that did not change are left alone, so applying a batch twice changes nothing.
 */
export async function applyModifiedRecords(db: Db, params: { tenantId: string; importId: string; ledgerSource: string }): Promise<LedgerChange[]> {
  const { rows } = await db.query<LedgerChange>(
    `with incoming as (
            select distinct on (t.id) t.id, ${SNAPSHOT("t")} as before,
                   (s.record ->> 'bookingDate')::date as booking_date, (s.record ->> 'valueDate')::date as value_date,
                   (s.record ->> 'amount')::numeric as amount, coalesce(s.record ->> 'currency', a.currency) as currency,
                   coalesce(s.record ->> 'description', '') as description, s.record ->> 'counterpartyName' as counterparty,
                   s.record ->> 'externalId' as external_id, s.record ->> 'bankReference' as bank_reference,
                   s.record ->> 'customerReference' as customer_reference, s.record ->> 'typeCode' as type_code,
                   s.record -> 'details' as details, s.record ->> 'raw' as raw, s.line
              from public.staged_rows s
              join public.accounts a on a.tenant_id = s.tenant_id and a.id = s.account_id
              join public.transactions t on t.tenant_id = s.tenant_id and t.account_id = s.account_id and t.dedup_key = s.dedup_key
             where s.tenant_id = $1 and s.import_id = $2 and s.kind = 'transaction' and s.status = 'exact_duplicate'
               and left(t.source, length($3)) = $3
             order by t.id, s.row_no desc),
          changed as (
            select i.* from incoming i join public.transactions t on t.tenant_id = $1 and t.id = i.id
             where (t.booking_date, t.value_date, t.amount, t.currency::text, t.description, t.counterparty, t.external_id,
                    t.bank_reference, t.customer_reference, t.type_code, t.details)
                   is distinct from
                   (i.booking_date, i.value_date, i.amount, i.currency, i.description, i.counterparty, i.external_id,
                    i.bank_reference, i.customer_reference, i.type_code, i.details))
     update public.transactions t
        set booking_date = c.booking_date, value_date = c.value_date, amount = c.amount, currency = c.currency,
            description = c.description, counterparty = c.counterparty, external_id = c.external_id,
            bank_reference = c.bank_reference, customer_reference = c.customer_reference, type_code = c.type_code,
            details = c.details, raw = c.raw, line = c.line
       from changed c
      where t.tenant_id = $1 and t.id = c.id
  returning t.id::text as id, c.before, ${SNAPSHOT("t")} as after`,
    [params.tenantId, params.importId, params.ledgerSource],
  );
  return rows;
}

/**
 * Records the provider removed (Plaid `removed`): their ledger rows — brought in by this connection,
 * found by the `ext:` key the dedup rule gives a unique reference — leave the ledger. Already gone:
 * nothing happens, so applying a batch twice changes nothing.
 */
export async function removeRecords(db: Db, params: { tenantId: string; ledgerSource: string; dedupKeys: string[] }): Promise<LedgerChange[]> {
  if (params.dedupKeys.length === 0) return [];
  const { rows } = await db.query<LedgerChange>(
    `delete from public.transactions t
      where t.tenant_id = $1 and left(t.source, length($2)) = $2 and t.dedup_key = any($3::text[])
  returning t.id::text as id, ${SNAPSHOT("t")} || jsonb_build_object('accountId', t.account_id, 'importId', t.import_id) as before`,
    [params.tenantId, params.ledgerSource, params.dedupKeys],
  );
  return rows;
}
