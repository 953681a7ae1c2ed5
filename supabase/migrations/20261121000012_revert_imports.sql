-- Reverting an import removes its rows from the ledger; uploaders may revert, as they may commit.

drop policy "Admins can delete transactions" on public.transactions;
create policy "Uploaders and admins can remove transactions when reverting" on public.transactions
  for delete to authenticated using (private.has_role(tenant_id, '{admin,uploader}'));
