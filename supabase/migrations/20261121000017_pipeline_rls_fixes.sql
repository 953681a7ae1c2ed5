-- Policy and key fixes for the pipeline tables, found by the RLS matrix in supabase/tests/rls.test.ts.

-- 1. A staged row or a sales line may point only at its own tenant's account. Foreign keys are checked
--    without RLS, so without a key that leads with tenant_id a member of tenant A could attach rows to
--    tenant B's account. Deleting an account leaves staged rows unmapped (classification maps them
--    again or blocks them); sales lines keep their account like transactions do. Accounts are deleted
--    rarely, so the staged-rows side needs no extra index for this.
alter table public.staged_rows
  add constraint staged_rows_account_fkey foreign key (tenant_id, account_id)
    references public.accounts (tenant_id, id) on delete set null (account_id);
alter table public.sales_lines
  add constraint sales_lines_account_fkey foreign key (tenant_id, account_id) references public.accounts (tenant_id, id);

-- 2. Deciding duplicates is for reviewers (and admins), in their own name. Uploaders reach the queue
--    only when reverting an import, which marks its candidates reverted; reviewers do not revert. The old
--    policy let an uploader approve or reject, and anyone allowed to update rewrite decided_by, which
--    the undo path trusts ("a reviewer may remove a transaction only their own approval inserted").
drop policy "Reviewers, admins and reverting uploaders can settle duplicates" on public.duplicate_candidates;
create policy "Reviewers and admins decide duplicates in their own name; uploaders only mark them reverted" on public.duplicate_candidates
  for update to authenticated
  using (private.has_role(tenant_id, '{admin,reviewer,uploader}'))
  with check (
    case private.tenant_role_of(tenant_id)
      when 'admin' then status = 'reverted' or decided_by is null or decided_by = auth.uid()
      when 'reviewer' then status <> 'reverted' and (decided_by is null or decided_by = auth.uid())
      when 'uploader' then status = 'reverted'
      else false
    end);

-- 3. Reviewers insert into the ledger only the rows they have just approved: the insert must belong to
--    an import with a candidate this reviewer approved whose transaction is not recorded yet. The old
--    policy let a reviewer add any transaction at any time. The partial index keeps the check to a
--    lookup among the few approvals still waiting for their insert.
create index duplicate_candidates_awaiting_insert_idx on public.duplicate_candidates (tenant_id, import_id, decided_by)
  where status = 'approved' and inserted_transaction_id is null;
drop policy "Reviewers can insert approved duplicates" on public.transactions;
create policy "Reviewers can insert the duplicates they have just approved" on public.transactions
  for insert to authenticated with check (
    private.has_role(tenant_id, '{reviewer}') and exists (
      select 1 from public.duplicate_candidates c
       where c.tenant_id = transactions.tenant_id and c.import_id = transactions.import_id
         and c.status = 'approved' and c.decided_by = auth.uid() and c.inserted_transaction_id is null));

-- 4. A mapping's author is whoever last set it. The insert policy insists on created_by = auth.uid(), but
--    an update could rewrite created_by to anyone, or move the mapping to another source or external id.
--    API roles may change only the target account, taking authorship when they do.
revoke update on public.account_mappings from anon, authenticated;
grant update (account_id, created_by, created_at) on public.account_mappings to anon, authenticated;
drop policy "Admins can change account mappings" on public.account_mappings;
create policy "Admins can re-map external accounts in their own name" on public.account_mappings
  for update to authenticated
  using (private.has_role(tenant_id, '{admin}'))
  with check (private.has_role(tenant_id, '{admin}') and created_by = auth.uid());
