/**
 * Commit and revert. A commit is one transaction: the import row is locked, the rows are classified
 * again, and — only if nothing blocks — new rows enter the ledger (the unique dedup index makes a
 * second insert of the same row impossible), likely duplicates go to the reviewers' queue, statement
 * balances and dataset rows are stored, and the import is marked committed with its metrics and an
 * audit row. A worker killed midway rolls all of it back, and the retried job does it again from the
 * start, so the ledger ends the same. A revert removes exactly the import's rows.
 */
import type { Db } from "@/lib/db/pool";
import { writeAudit } from "@/lib/db/queries/audit";
import { getImport, setImportState } from "@/lib/db/queries/pipeline";
import { AppError } from "@/lib/http/errors";
import { classifyImport, dryRun, type DryRun } from "./classify";
import { lockCommitTarget } from "./commit-lock";

export class CommitBlockedError extends AppError {
  constructor(readonly counts: DryRun) {
    const reasons = [
      counts.errors ? `${counts.errors} row${counts.errors === 1 ? " has" : "s have"} errors to correct or exclude` : "",
      counts.unmapped ? `${counts.unmapped} row${counts.unmapped === 1 ? " belongs" : "s belong"} to an external account an admin has not mapped yet` : "",
    ].filter(Boolean);
    super(409, "commit_blocked", `This import cannot be committed yet: ${reasons.join("; ")}.`);
  }
}

export interface CommitResult {
  status: "committed";
  counts: DryRun;
  imported: number;
  alreadyCommitted: boolean;
}

/** Runs under the committing user's claims (withUser): committed_by is auth.uid(), never a parameter. */
export async function commitImport(db: Db, params: { tenantId: string; importId: string; startedAt?: number }): Promise<CommitResult> {
  const { tenantId, importId } = params;
  const started = params.startedAt ?? Date.now();
  const imp = await getImport(db, { tenantId, importId, forUpdate: true });
  if (!imp) throw new AppError(404, "not_found", "That import was not found.");
  if (imp.status === "committed") {
    return { status: "committed", counts: await dryRun(db, { tenantId, importId }), imported: Number(imp.metrics.imported ?? 0), alreadyCommitted: true };
  }
  if (imp.status !== "staged" && imp.status !== "committing") {
    throw new AppError(409, "not_committable", `This import is ${imp.status}; only a staged import can be committed.`);
  }
  await lockCommitTarget(db, { tenantId, accountId: imp.accountId });
  await classifyImport(db, { tenantId, importId }, { keysCurrent: true });
  const counts = await dryRun(db, { tenantId, importId });
  if (counts.blocked > 0) throw new CommitBlockedError(counts);

  // The ledger insert checks role, import and accounts once (supabase/migrations/*_commit_ledger_rows.sql)
  // instead of per-row RLS and three foreign-key triggers per row (~45% of its time).
  const { rows: insertedRows } = await db.query<{ n: string }>("select private.insert_import_transactions($1, $2, $3) as n", [
    tenantId,
    importId,
    `${imp.source}:${imp.format ?? "unknown"}`,
  ]);
  const insertedTransactions = Number(insertedRows[0]?.n ?? 0);
  // Each dataset insert below reads every new row of the import to pick its kind; one pass tells which
  // kinds there are, so a bank file does not pay three more scans of its rows.
  const { rows: kindRows } = await db.query<{ kind: string }>(
    "select distinct kind from public.staged_rows where tenant_id = $1 and import_id = $2 and status = 'new' and kind <> 'transaction'",
    [tenantId, importId],
  );
  const kinds = new Set(kindRows.map((r) => r.kind));
  const skipped = { rowCount: 0 };
  const held = await db.query(
    `insert into public.duplicate_candidates (tenant_id, import_id, row_no, matched_transaction_id, score, reason)
     select s.tenant_id, s.import_id, s.row_no, s.match_transaction_id, s.match_score,
            jsonb_build_object(
              'sameAmount', true,
              'dateDifferenceDays', abs((s.record ->> 'bookingDate')::date - t.booking_date),
              'descriptionSimilarity', round(similarity(lower(s.record ->> 'description'), lower(t.description))::numeric, 2),
              'matchedSource', t.source,
              'matchedImportId', t.import_id)
       from public.staged_rows s join public.transactions t on t.tenant_id = s.tenant_id and t.id = s.match_transaction_id
      where s.tenant_id = $1 and s.import_id = $2 and s.status = 'likely_duplicate'
     on conflict (tenant_id, import_id, row_no) do nothing`,
    [tenantId, importId],
  );
  const sales = !kinds.has("sales_line") ? skipped : await db.query(
    `insert into public.sales_lines (tenant_id, import_id, account_id, sale_date, sale_time, item, quantity, unit_price, total, payment_method, dedup_key, raw)
     select s.tenant_id, s.import_id, s.account_id, (s.record ->> 'date')::date, s.record ->> 'time', s.record ->> 'item',
            (s.record ->> 'quantity')::numeric, (s.record ->> 'unitPrice')::numeric, (s.record ->> 'total')::numeric,
            s.record ->> 'paymentMethod', s.dedup_key, s.record ->> 'raw'
       from public.staged_rows s
      where s.tenant_id = $1 and s.import_id = $2 and s.kind = 'sales_line' and s.status = 'new'
     on conflict (tenant_id, dedup_key) do nothing`,
    [tenantId, importId],
  );
  const gl = !kinds.has("gl_balance") ? skipped : await db.query(
    `insert into public.gl_balances (tenant_id, import_id, entity, period, account_code, account_name, balance, statement_type, status)
     select s.tenant_id, s.import_id, s.record ->> 'entity', s.record ->> 'period', s.record ->> 'accountCode', s.record ->> 'accountName',
            (s.record ->> 'balance')::numeric, s.record ->> 'statementType', s.record ->> 'status'
       from public.staged_rows s
      where s.tenant_id = $1 and s.import_id = $2 and s.kind = 'gl_balance' and s.status = 'new'
     on conflict (tenant_id, import_id, entity, period, account_code) do update set balance = excluded.balance`,
    [tenantId, importId],
  );
  const appointments = !kinds.has("appointment") ? skipped : await db.query(
    `insert into public.appointments (tenant_id, import_id, external_id, created_at_source, updated_at_source, is_sale, sale_amount, customer_name, sales_rep_email, fields)
     select distinct on (s.record ->> 'id') s.tenant_id, s.import_id, s.record ->> 'id', s.record ->> 'createdAt', s.record ->> 'updatedAt',
            (s.record ->> 'isSale')::boolean, (s.record ->> 'saleAmount')::numeric, s.record ->> 'customerName', s.record ->> 'salesRepEmail', s.record -> 'fields'
       from public.staged_rows s
      where s.tenant_id = $1 and s.import_id = $2 and s.kind = 'appointment' and s.status = 'new'
      order by s.record ->> 'id', s.record ->> 'updatedAt' desc nulls last, s.row_no desc
     on conflict (tenant_id, import_id, external_id) do nothing`,
    [tenantId, importId],
  );
  await db.query(
    `insert into public.statement_balances (tenant_id, import_id, account_id, type, balance_date, amount, currency)
     select st.tenant_id, st.import_id, coalesce(i.account_id, m.account_id), b ->> 'type', (b ->> 'date')::date, (b ->> 'amount')::numeric, b ->> 'currency'
       from public.import_statements st
       join public.imports i on i.tenant_id = st.tenant_id and i.id = st.import_id
       left join public.account_mappings m on m.tenant_id = st.tenant_id and m.source = coalesce(i.profile ->> 'mappingSource', 'bank') and m.external_id = st.external_account
       cross join lateral jsonb_array_elements(st.balances) b
      where st.tenant_id = $1 and st.import_id = $2 and coalesce(i.account_id, m.account_id) is not null`,
    [tenantId, importId],
  );

  const imported = insertedTransactions + (sales.rowCount ?? 0) + (gl.rowCount ?? 0) + (appointments.rowCount ?? 0);
  const metrics = {
    imported,
    // Rows classified new that the unique index turned away were committed meanwhile by someone else.
    exactDuplicates: counts.exactDuplicates + (counts.new - imported),
    flagged: held.rowCount ?? 0,
    excluded: counts.excluded,
    commitMs: Date.now() - started,
  };
  await db.query("update public.imports set committed_at = now(), committed_by = auth.uid() where tenant_id = $1 and id = $2", [tenantId, importId]);
  await setImportState(db, { tenantId, importId, status: "committed", progress: { phase: "committed" }, metricsPatch: metrics, error: null });
  await writeAudit(db, { tenantId, action: "import.commit", entity: "import", entityId: importId, after: { status: "committed", ...metrics, counts } });
  return { status: "committed", counts, imported, alreadyCommitted: false };
}

export async function revertImport(db: Db, params: { tenantId: string; importId: string }): Promise<{ removed: number }> {
  const { tenantId, importId } = params;
  const imp = await getImport(db, { tenantId, importId, forUpdate: true });
  if (!imp) throw new AppError(404, "not_found", "That import was not found.");
  if (imp.status !== "committed") throw new AppError(409, "not_revertible", `This import is ${imp.status}; only a committed import can be reverted.`);
  let removed = 0;
  for (const table of ["transactions", "sales_lines", "gl_balances", "appointments", "statement_balances"]) {
    removed += (await db.query(`delete from public.${table} where tenant_id = $1 and import_id = $2`, [tenantId, importId])).rowCount ?? 0;
  }
  await db.query(
    "update public.duplicate_candidates set status = 'reverted' where tenant_id = $1 and import_id = $2 and status in ('pending', 'approved')",
    [tenantId, importId],
  );
  await db.query("update public.imports set reverted_at = now(), reverted_by = auth.uid() where tenant_id = $1 and id = $2", [tenantId, importId]);
  await setImportState(db, { tenantId, importId, status: "reverted", progress: { phase: "reverted" }, metricsPatch: { reverted: removed } });
  await writeAudit(db, { tenantId, action: "import.revert", entity: "import", entityId: importId, before: { status: "committed" }, after: { status: "reverted", removed } });
  return { removed };
}
