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

export interface ClassifyOptions {
  /**
   * The import's occurrence-numbered keys (step 2) are known current: true only for the commit, which
   * holds the import's lock. Step 2 reads nothing but the import's own staged rows (fingerprint,
   * external account, exclusion), and every write of those classifies in the same transaction under the
   * same lock (staging's last transaction, corrections and exclusions through lockImportForReview), so
   * at commit it would rewrite nothing; it still sorted every row (~0.5 s per 100,000). Steps 1, 3 and 4
   * read the mappings and the ledger, which change without this import, and always run.
   */
  keysCurrent?: boolean;
}

export async function classifyImport(db: Db, params: { tenantId: string; importId: string }, options: ClassifyOptions = {}): Promise<void> {
  const { tenantId, importId } = params;
  const { rows } = await db.query<{ format: string | null; account_id: string | null; window: number }>(
    `select i.format, i.account_id, coalesce((t.settings ->> 'likelyDuplicateWindowDays')::int, $3) as window
       from public.imports i join public.tenants t on t.id = i.tenant_id where i.tenant_id = $1 and i.id = $2`,
    [tenantId, importId, DEFAULT_LIKELY_WINDOW_DAYS],
  );
  const imp = rows[0];
  if (!imp) return;
  const source = mappingSource(imp.format ?? "csv");

  // Steps 2 and 3 compute their new values once, in a materialized CTE, and then update by primary key.
  // Joined directly, the planner — misled by freshly staged, not yet analyzed rows — chose nested
  // loops that re-read staged_rows (with its row-level-security check) once per staged row: hours
  // for 10k rows.

  // Even materialized, the CTEs are joined back by a plan chosen on estimates: with the staged rows
  // not analyzed yet (a fresh import, autovacuum behind), both sides are estimated at one row and the
  // planner picks a nested loop that compares every staged row with every other — 22 s for 10k rows,
  // quadratic beyond (seen with auto_explain in `npm run bench`). Hash joins are right at every size
  // here, so nested loops are off for steps 1–3 (set_config local: the transaction's own, and
  // restored before step 4 like work_mem below).
  const { rows: settings } = await db.query<{ nestloop: string; work_mem: string }>("select current_setting('enable_nestloop') as nestloop, current_setting('work_mem') as work_mem");
  await db.query("select set_config('enable_nestloop', 'off', true)");

  // Sorts and hashes over every staged row spill to disk at the default 4 MB; this transaction's own.
  await db.query("select set_config('work_mem', '64MB', true)");

  // Steps 1–3 compute the new values and keep only the rows whose values change (staging already gave
  // most rows their account and first-occurrence key), so the join back by primary key touches few rows.

  // 1. Accounts: the account chosen for the whole file wins; otherwise the tenant's mapping. One pass,
  // no join: the new account is a function of the row alone.
  await db.query(
    `update public.staged_rows s
        set account_id = coalesce($4::uuid, (select m.account_id from public.account_mappings m
                                              where m.tenant_id = s.tenant_id and m.source = $3 and m.external_id = s.external_account))
      where s.tenant_id = $1 and s.import_id = $2 and s.kind in ('transaction', 'sales_line')
        and s.account_id is distinct from coalesce($4::uuid, (select m.account_id from public.account_mappings m
                                                               where m.tenant_id = s.tenant_id and m.source = $3 and m.external_id = s.external_account))`,
    [tenantId, importId, source, imp.account_id],
  );

  // 2. Occurrence-aware content keys: the n-th identical row of this file (per account) gets :n.
  if (!options.keysCurrent) await db.query(
    `with n as materialized (
            select row_no, dedup_key
              from (select row_no, s0.dedup_key as current_key,
                           'fp:' || fingerprint || ':' || row_number() over (partition by external_account, fingerprint order by row_no) as dedup_key
                      from public.staged_rows s0
                     where tenant_id = $1 and import_id = $2 and fingerprint is not null and not excluded) k
             where dedup_key is distinct from current_key)
     update public.staged_rows s set dedup_key = n.dedup_key
       from n
      where s.tenant_id = $1 and s.import_id = $2 and s.row_no = n.row_no`,
    [tenantId, importId],
  );

  // 3. Status, blockers and exact duplicates first.
  await db.query(
    `with c as materialized (
            select row_no, status
              from (select s2.row_no, s2.status as current_status, s2.match_transaction_id, s2.match_score,
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
                              from public.staged_rows r where r.tenant_id = $1 and r.import_id = $2) s2) k
             where status is distinct from current_status or match_transaction_id is not null or match_score is not null)
     update public.staged_rows s set
        status = c.status,
        match_transaction_id = null,
        match_score = null
       from c
      where s.tenant_id = $1 and s.import_id = $2 and s.row_no = c.row_no`,
    [tenantId, importId],
  );

  await db.query("select set_config('enable_nestloop', $1, true), set_config('work_mem', $2, true)", [settings[0]?.nestloop ?? "on", settings[0]?.work_mem ?? "4MB"]);

  // 4. Likely duplicates among the new rows, against the ledger (any source, any earlier file): one
  // probe of the ledger's likely-duplicate index per new row, so the cost follows the file, not the
  // ledger (private.likely_duplicate_matches says why it runs as its owner). The matches are few, and
  // each is written back by primary key.
  await db.query(
    `update public.staged_rows s set status = 'likely_duplicate', match_transaction_id = m.transaction_id, match_score = m.score
       from private.likely_duplicate_matches($1, $2, $3, $4) m
      where s.tenant_id = $1 and s.import_id = $2 and s.row_no = m.row_no`,
    [tenantId, importId, imp.window, LIKELY_SIMILARITY],
  );

  // The counts every read of the import shows, recounted once here rather than on each read.
  await db.query("select private.record_dry_run($1, $2)", [tenantId, importId]);
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
  /** Rows with at least one warning issue, whatever their status (they overlap the counts above). */
  warnings: number;
}

/** Staged rows of one status, as counted by classification. */
interface StatusCount {
  status: string;
  rows: number;
  warnings: number;
}

/**
 * Exactly what commit would do now, from the classification: the counts the last classification
 * recorded on the import (private.record_dry_run), counted afresh only for an import classified
 * before they were recorded.
 */
export async function dryRun(db: Db, params: { tenantId: string; importId: string }): Promise<DryRun> {
  const { rows: recorded } = await db.query<{ dry_run: StatusCount[] | null }>("select dry_run from public.imports where tenant_id = $1 and id = $2", [
    params.tenantId,
    params.importId,
  ]);
  const counts =
    recorded[0]?.dry_run ??
    (await db.query<{ counts: StatusCount[] }>("select private.dry_run_counts($1, $2) as counts", [params.tenantId, params.importId])).rows[0]!.counts;
  const count = (status: string) => counts.find((r) => r.status === status)?.rows ?? 0;
  const result = {
    new: count("new"),
    exactDuplicates: count("exact_duplicate"),
    likelyDuplicates: count("likely_duplicate"),
    errors: count("error"),
    unmapped: count("unmapped"),
    excluded: count("excluded"),
  };
  return {
    ...result,
    blocked: result.errors + result.unmapped,
    total: counts.reduce((n, r) => n + r.rows, 0),
    warnings: counts.reduce((n, r) => n + r.warnings, 0),
  };
}
