-- Reviewers settle the duplicate queue. Two things they need that their role otherwise lacks:
-- undoing their own approval removes the transaction that approval inserted (and nothing else), and
-- the import's approved/rejected counters follow the queue even though reviewers cannot change imports.

create index duplicate_candidates_inserted_idx on public.duplicate_candidates (tenant_id, inserted_transaction_id)
  where inserted_transaction_id is not null;

-- The 10 minutes are the undo window of lib/ingest/duplicates.ts (UNDO_WINDOW_MINUTES).
create policy "Reviewers can remove a duplicate they approved when undoing" on public.transactions
  for delete to authenticated using (
    private.has_role(tenant_id, '{reviewer}') and exists (
      select 1 from public.duplicate_candidates c
       where c.tenant_id = transactions.tenant_id and c.inserted_transaction_id = transactions.id
         and c.status = 'approved' and c.decided_by = auth.uid() and c.decided_at > now() - interval '10 minutes'));

-- Security definer so a reviewer's decision can update the counters; it writes only counts derived from
-- the queue itself, for members allowed to settle duplicates. Called before a decision too: the row lock
-- it takes on each import orders decisions after (or before) a concurrent commit or revert of that import.
create function private.refresh_duplicate_decisions(target_tenant uuid, target_imports uuid[])
returns void
language sql volatile security definer set search_path = ''
as $$
  update public.imports i set
         metrics = i.metrics || jsonb_build_object(
           'approved', (select count(*) from public.duplicate_candidates c where c.tenant_id = i.tenant_id and c.import_id = i.id and c.status = 'approved'),
           'rejected', (select count(*) from public.duplicate_candidates c where c.tenant_id = i.tenant_id and c.import_id = i.id and c.status = 'rejected')),
         updated_at = now()
   where i.tenant_id = target_tenant and i.id = any (target_imports)
     and private.has_role(target_tenant, '{admin,reviewer,uploader}')
$$;
comment on function private.refresh_duplicate_decisions(uuid, uuid[]) is 'Recounts approved and rejected duplicates on the given imports (locking them); no-op for non-members.';
revoke all on function private.refresh_duplicate_decisions(uuid, uuid[]) from public;
grant execute on function private.refresh_duplicate_decisions(uuid, uuid[]) to authenticated, service_role;
