/**
 * The reviewers' duplicate queue: likely duplicates held out of the ledger at commit, each beside the
 * ledger row it resembles, and the set-based SQL of deciding (approve inserts the held row, reject
 * keeps it out, linked to the row it duplicates) and undoing a decision.
 */
import type { Db } from "@/lib/db/pool";
import type { AuditAction } from "./audit";

export type CandidateStatus = "pending" | "approved" | "rejected" | "reverted";
export type Decision = "approve" | "reject";

export interface HeldRow {
  importId: string;
  fileName: string;
  rowNo: number;
  line: number;
  accountId: string | null;
  accountName: string | null;
  date: string | null;
  amount: string | null;
  currency: string | null;
  description: string;
  counterparty: string | null;
}

export interface MatchedTransaction {
  id: string;
  date: string;
  amount: string;
  currency: string;
  description: string;
  counterparty: string | null;
  source: string;
  importId: string | null;
  fileName: string | null;
}

export interface DuplicateCandidate {
  id: number;
  status: CandidateStatus;
  score: number;
  reason: { dateDifferenceDays: number; descriptionSimilarity: number; sameAmount: boolean; matchedSource: string; matchedImportId: string | null };
  held: HeldRow;
  /** Null when the matched row has left the ledger since (its import was reverted). */
  matched: MatchedTransaction | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  insertedTransactionId: string | null;
  createdAt: Date;
}

/** The queue in id order (oldest first), keyset-paged by `after`. */
export async function listCandidates(
  db: Db,
  params: { tenantId: string; status: CandidateStatus; after?: string; limit: number },
): Promise<DuplicateCandidate[]> {
  const { rows } = await db.query<Omit<DuplicateCandidate, "id"> & { id: string }>(
    `select c.id::text as id, c.status, c.score, c.reason,
            json_build_object(
              'importId', c.import_id, 'fileName', i.file_name, 'rowNo', c.row_no, 'line', s.line,
              'accountId', s.account_id, 'accountName', a.name,
              'date', s.record ->> 'bookingDate', 'amount', s.record ->> 'amount',
              'currency', coalesce(s.record ->> 'currency', a.currency::text),
              'description', coalesce(s.record ->> 'description', ''), 'counterparty', s.record ->> 'counterpartyName') as held,
            case when t.id is null then null else json_build_object(
              'id', t.id::text, 'date', t.booking_date, 'amount', t.amount::text, 'currency', t.currency::text,
              'description', t.description, 'counterparty', t.counterparty, 'source', t.source,
              'importId', t.import_id, 'fileName', ti.file_name) end as matched,
            d.email as "decidedBy", c.decided_at as "decidedAt", c.inserted_transaction_id::text as "insertedTransactionId",
            c.created_at as "createdAt"
       from public.duplicate_candidates c
       join public.staged_rows s on s.tenant_id = c.tenant_id and s.import_id = c.import_id and s.row_no = c.row_no
       join public.imports i on i.tenant_id = c.tenant_id and i.id = c.import_id
       left join public.accounts a on a.tenant_id = s.tenant_id and a.id = s.account_id
       left join public.transactions t on t.tenant_id = c.tenant_id and t.id = c.matched_transaction_id
       left join public.imports ti on ti.tenant_id = t.tenant_id and ti.id = t.import_id
       left join private.members_of($1) d on d.user_id = c.decided_by
      where c.tenant_id = $1 and c.status = $2 and ($3::bigint is null or c.id > $3::bigint)
      order by c.id
      limit $4`,
    [params.tenantId, params.status, params.after ?? null, params.limit],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/**
 * Locks the imports the candidates belong to (and recounts their decisions): decisions on one import
 * queue behind each other and behind a commit or revert of it, in the same lock order as those
 * (import first, then candidates), so nothing deadlocks and a revert never misses an approved row.
 */
export async function lockCandidateImports(db: Db, params: { tenantId: string; ids: readonly number[] }): Promise<string[]> {
  const { rows } = await db.query<{ import_id: string }>(
    "select distinct import_id from public.duplicate_candidates where tenant_id = $1 and id = any ($2::bigint[])",
    [params.tenantId, params.ids],
  );
  const importIds = rows.map((r) => r.import_id);
  await refreshDecisionMetrics(db, { tenantId: params.tenantId, importIds });
  return importIds;
}

/** imports.metrics approved/rejected, counted from the queue (through a definer function: reviewers cannot update imports). */
export async function refreshDecisionMetrics(db: Db, params: { tenantId: string; importIds: readonly string[] }): Promise<void> {
  if (params.importIds.length === 0) return;
  await db.query("select private.refresh_duplicate_decisions($1, $2::uuid[])", [params.tenantId, params.importIds]);
}

export interface SettledCandidate {
  id: number;
  importId: string;
  rowNo: number;
  matchedTransactionId: string;
}

/**
 * Sets every still-pending candidate among `ids` to the decision, as the caller. `status = 'pending'`
 * in the update itself is what makes concurrent decisions safe: the second transaction waits for the
 * first's row lock, re-checks the condition, and finds the row no longer pending.
 */
export async function settlePending(db: Db, params: { tenantId: string; ids: readonly number[]; decision: Decision }): Promise<SettledCandidate[]> {
  const { rows } = await db.query<{ id: string; importId: string; rowNo: number; matchedTransactionId: string }>(
    `update public.duplicate_candidates set status = $3, decided_by = auth.uid(), decided_at = now()
      where tenant_id = $1 and id = any ($2::bigint[]) and status = 'pending'
      returning id::text as id, import_id as "importId", row_no as "rowNo", matched_transaction_id::text as "matchedTransactionId"`,
    [params.tenantId, params.ids, params.decision === "approve" ? "approved" : "rejected"],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/**
 * Inserts the held rows of approved candidates into the ledger — the same column mapping as commit —
 * and records which transaction each became. A row whose dedup key is already in the ledger is not
 * inserted twice (the unique index); its candidate keeps no inserted transaction.
 */
export async function insertApproved(db: Db, params: { tenantId: string; ids: readonly number[] }): Promise<Map<number, string>> {
  if (params.ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; transactionId: string }>(
    `with inserted as (
       insert into public.transactions
         (tenant_id, account_id, booking_date, value_date, amount, currency, description, counterparty, external_id,
          bank_reference, customer_reference, type_code, details, raw, line, dedup_key, source, import_id)
       select s.tenant_id, s.account_id, (s.record ->> 'bookingDate')::date, (s.record ->> 'valueDate')::date,
              (s.record ->> 'amount')::numeric, coalesce(s.record ->> 'currency', a.currency), coalesce(s.record ->> 'description', ''),
              s.record ->> 'counterpartyName', s.record ->> 'externalId', s.record ->> 'bankReference', s.record ->> 'customerReference',
              s.record ->> 'typeCode', s.record -> 'details', s.record ->> 'raw', s.line, s.dedup_key,
              i.source || ':' || coalesce(i.format, 'unknown'), s.import_id
         from public.duplicate_candidates c
         join public.staged_rows s on s.tenant_id = c.tenant_id and s.import_id = c.import_id and s.row_no = c.row_no
         join public.accounts a on a.tenant_id = s.tenant_id and a.id = s.account_id
         join public.imports i on i.tenant_id = c.tenant_id and i.id = c.import_id
        where c.tenant_id = $1 and c.id = any ($2::bigint[])
        order by c.id
       on conflict (tenant_id, account_id, dedup_key) do nothing
       returning id, account_id, dedup_key, import_id)
     update public.duplicate_candidates c set inserted_transaction_id = ins.id
       from public.staged_rows s, inserted ins
      where c.tenant_id = $1 and c.id = any ($2::bigint[])
        and s.tenant_id = c.tenant_id and s.import_id = c.import_id and s.row_no = c.row_no
        and ins.import_id = c.import_id and ins.account_id = s.account_id and ins.dedup_key = s.dedup_key
      returning c.id::text as id, ins.id::text as "transactionId"`,
    [params.tenantId, params.ids],
  );
  return new Map(rows.map((r) => [Number(r.id), r.transactionId]));
}

export interface CandidateState {
  id: number;
  status: CandidateStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
}

/** The current state of candidates (those the caller may see), with who decided them. */
export async function candidateStates(db: Db, params: { tenantId: string; ids: readonly number[] }): Promise<CandidateState[]> {
  if (params.ids.length === 0) return [];
  const { rows } = await db.query<Omit<CandidateState, "id"> & { id: string }>(
    `select c.id::text as id, c.status, d.email as "decidedBy", c.decided_at as "decidedAt"
       from public.duplicate_candidates c left join private.members_of($1) d on d.user_id = c.decided_by
      where c.tenant_id = $1 and c.id = any ($2::bigint[])
      order by c.id`,
    [params.tenantId, params.ids],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export interface UndoableCandidate {
  id: number;
  status: "approved" | "rejected";
  importId: string;
  insertedTransactionId: string | null;
}

/** The caller's own decisions among `ids` made within the window, locked for the undo. */
export async function lockUndoable(db: Db, params: { tenantId: string; ids: readonly number[]; windowMinutes: number }): Promise<UndoableCandidate[]> {
  const { rows } = await db.query<Omit<UndoableCandidate, "id"> & { id: string }>(
    `select c.id::text as id, c.status, c.import_id as "importId", c.inserted_transaction_id::text as "insertedTransactionId"
       from public.duplicate_candidates c
      where c.tenant_id = $1 and c.id = any ($2::bigint[]) and c.status in ('approved', 'rejected')
        and c.decided_by = auth.uid() and c.decided_at > now() - make_interval(mins => $3)
      order by c.id
        for update`,
    [params.tenantId, params.ids, params.windowMinutes],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Takes the approved rows back out of the ledger and puts the candidates back in the queue. */
export async function reopenCandidates(db: Db, params: { tenantId: string; candidates: readonly UndoableCandidate[] }): Promise<void> {
  const transactionIds = params.candidates.map((c) => c.insertedTransactionId).filter((id): id is string => id !== null);
  // Before the candidates change: a reviewer may delete only a transaction their approval inserted.
  if (transactionIds.length > 0) {
    await db.query("delete from public.transactions where tenant_id = $1 and id = any ($2::bigint[])", [params.tenantId, transactionIds]);
  }
  await db.query(
    `update public.duplicate_candidates set status = 'pending', decided_by = null, decided_at = null, inserted_transaction_id = null
      where tenant_id = $1 and id = any ($2::bigint[])`,
    [params.tenantId, params.candidates.map((c) => c.id)],
  );
}

export interface CandidateAudit {
  id: number;
  before: unknown;
  after: unknown;
  details?: unknown;
}

/** One audit row per candidate in one statement (bulk decisions stay set-based). */
export async function auditCandidates(db: Db, params: { tenantId: string; action: AuditAction; entries: readonly CandidateAudit[] }): Promise<void> {
  if (params.entries.length === 0) return;
  await db.query(
    `insert into public.audit_log (tenant_id, action, entity, entity_id, before, after, details)
     select $1, $2, 'duplicate_candidate', u.id::text, u.before, u.after, u.details
       from jsonb_to_recordset($3::jsonb) as u(id bigint, before jsonb, after jsonb, details jsonb)`,
    [params.tenantId, params.action, JSON.stringify(params.entries.map((e) => ({ ...e, details: e.details ?? null })))],
  );
}
