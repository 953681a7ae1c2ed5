/**
 * Classification: decides, set-based in SQL, what commit will do with every staged row of an import.
 * Run after staging, after a correction, exclusion or account mapping, and again inside commit.
 *   excluded          the reviewer excluded it
 *   error             it has an error issue (blocks commit until corrected or excluded)
 *   unmapped          its external account maps to no internal account (blocks commit)
 *   exact_duplicate   its dedup key is already in the ledger, or earlier in this file (skipped)
 *   likely_duplicate  same account, currency and amount within the date window and a similar
 *                     description or counterparty (held for a reviewer)
 *   new               inserted at commit
 */
import type { Db } from "@/lib/db/pool";
import { mappingSource } from "./sources";

export const DEFAULT_LIKELY_WINDOW_DAYS = 3;
/** pg_trgm similarity from which two descriptions (or counterparties) count as alike. */
export const LIKELY_SIMILARITY = 0.3;

export async function classifyImport(db: Db, params: { tenantId: string; importId: string }): Promise<void> {
  const { tenantId, importId } = params;
  const { rows } = await db.query<{ format: string | null; window: number }>(
    `select i.format, coalesce((t.settings ->> 'likelyDuplicateWindowDays')::int, $3) as window
       from public.imports i join public.tenants t on t.id = i.tenant_id where i.tenant_id = $1 and i.id = $2`,
    [tenantId, importId, DEFAULT_LIKELY_WINDOW_DAYS],
  );
  const imp = rows[0];
  if (!imp) return;
  const source = mappingSource(imp.format ?? "csv");

  // 1. Accounts: the account chosen for the whole file wins; otherwise the tenant's mapping.
  await db.query(
    `update public.staged_rows s set account_id = r.account_id
       from (select s2.row_no, coalesce(i.account_id, m.account_id) as account_id
               from public.staged_rows s2
               join public.imports i on i.tenant_id = s2.tenant_id and i.id = s2.import_id
               left join public.account_mappings m on m.tenant_id = s2.tenant_id and m.source = $3 and m.external_id = s2.external_account
              where s2.tenant_id = $1 and s2.import_id = $2 and s2.kind in ('transaction', 'sales_line')) r
      where s.tenant_id = $1 and s.import_id = $2 and s.row_no = r.row_no and s.account_id is distinct from r.account_id`,
    [tenantId, importId, source],
  );

  // 2. Occurrence-aware content keys: the n-th identical row of this file (per account) gets :n.
  await db.query(
    `update public.staged_rows s set dedup_key = 'fp:' || n.fingerprint || ':' || n.occurrence
       from (select row_no, fingerprint, row_number() over (partition by external_account, fingerprint order by row_no) as occurrence
               from public.staged_rows
              where tenant_id = $1 and import_id = $2 and fingerprint is not null and not excluded) n
      where s.tenant_id = $1 and s.import_id = $2 and s.row_no = n.row_no
        and s.dedup_key is distinct from 'fp:' || n.fingerprint || ':' || n.occurrence`,
    [tenantId, importId],
  );

  // 3. Status, blockers and exact duplicates first.
  await db.query(
    `update public.staged_rows s set
        status = c.status,
        match_transaction_id = null,
        match_score = null
       from (select s2.row_no,
                    case
                      when s2.excluded then 'excluded'
                      when s2.has_error then 'error'
                      when s2.kind = 'transaction' and s2.account_id is null then 'unmapped'
                      when s2.kind = 'transaction' and exists (
                             select 1 from public.transactions t
                              where t.tenant_id = s2.tenant_id and t.account_id = s2.account_id and t.dedup_key = s2.dedup_key) then 'exact_duplicate'
                      when s2.kind = 'sales_line' and exists (
                             select 1 from public.sales_lines l where l.tenant_id = s2.tenant_id and l.dedup_key = s2.dedup_key) then 'exact_duplicate'
                      when s2.earlier_in_file > 1 then 'exact_duplicate'
                      else 'new'
                    end as status
               from (select r.*, case when r.dedup_key is null then 0
                                      else row_number() over (partition by r.account_id, r.dedup_key, r.excluded or r.has_error order by r.row_no) end as earlier_in_file
                       from public.staged_rows r where r.tenant_id = $1 and r.import_id = $2) s2) c
      where s.tenant_id = $1 and s.import_id = $2 and s.row_no = c.row_no`,
    [tenantId, importId],
  );

  // 4. Likely duplicates among the new rows, against the ledger (any source, any earlier file).
  await db.query(
    `update public.staged_rows s set status = 'likely_duplicate', match_transaction_id = m.id, match_score = m.score
       from (select distinct on (s2.row_no) s2.row_no, t.id,
                    greatest(similarity(lower(s2.record ->> 'description'), lower(t.description)),
                             similarity(lower(coalesce(s2.record ->> 'counterpartyName', '')), lower(coalesce(t.counterparty, '')))) as score
               from public.staged_rows s2
               join public.accounts a on a.tenant_id = s2.tenant_id and a.id = s2.account_id
               join public.transactions t
                 on t.tenant_id = s2.tenant_id and t.account_id = s2.account_id
                and t.currency = coalesce(s2.record ->> 'currency', a.currency)
                and t.amount = (s2.record ->> 'amount')::numeric
                and t.booking_date between (s2.record ->> 'bookingDate')::date - $3::int and (s2.record ->> 'bookingDate')::date + $3::int
              where s2.tenant_id = $1 and s2.import_id = $2 and s2.status = 'new' and s2.kind = 'transaction'
                and (similarity(lower(s2.record ->> 'description'), lower(t.description)) >= $4
                     or (coalesce(s2.record ->> 'counterpartyName', '') <> ''
                         and similarity(lower(s2.record ->> 'counterpartyName'), lower(coalesce(t.counterparty, ''))) >= $4))
              order by s2.row_no, score desc, t.id) m
      where s.tenant_id = $1 and s.import_id = $2 and s.row_no = m.row_no`,
    [tenantId, importId, imp.window, LIKELY_SIMILARITY],
  );
}

export interface DryRun {
  new: number;
  exactDuplicates: number;
  likelyDuplicates: number;
  errors: number;
  unmapped: number;
  excluded: number;
  blocked: number;
  total: number;
}

/** Exactly what commit would do now, from the classification. */
export async function dryRun(db: Db, params: { tenantId: string; importId: string }): Promise<DryRun> {
  const { rows } = await db.query<{ status: string; n: number }>(
    "select status, count(*)::int as n from public.staged_rows where tenant_id = $1 and import_id = $2 group by status",
    [params.tenantId, params.importId],
  );
  const count = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
  const result = {
    new: count("new"),
    exactDuplicates: count("exact_duplicate"),
    likelyDuplicates: count("likely_duplicate"),
    errors: count("error"),
    unmapped: count("unmapped"),
    excluded: count("excluded"),
  };
  return { ...result, blocked: result.errors + result.unmapped, total: rows.reduce((n, r) => n + r.n, 0) };
}
