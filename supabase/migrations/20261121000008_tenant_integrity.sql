-- Tenant integrity that the row policies alone did not give (found by supabase/tests/rls.test.ts).

-- 1. Who started an import, and which tenant it belongs to, are fixed when it is created. The insert
--    policy insists on created_by = auth.uid(), but the update policy cannot compare old and new rows,
--    so an uploader could rewrite created_by afterwards. API roles may update only the outcome columns.
revoke update on public.imports from anon, authenticated;
grant update (file_name, format, byte_size, sha256, status, rows_read, rows_imported, rows_invalid)
  on public.imports to anon, authenticated;

-- 2. A transaction may reference only its own tenant's account and import. Foreign keys are checked
--    without RLS, so single-column keys let a member of tenant A attach rows to tenant B's account or
--    import (and probe whether B's ids exist). Keys that lead with tenant_id close that.
alter table public.accounts add constraint accounts_tenant_id_id_key unique (tenant_id, id);
alter table public.imports add constraint imports_tenant_id_id_key unique (tenant_id, id);
alter table public.transactions
  drop constraint transactions_account_id_fkey,
  drop constraint transactions_import_id_fkey,
  add constraint transactions_account_fkey foreign key (tenant_id, account_id) references public.accounts (tenant_id, id),
  add constraint transactions_import_fkey foreign key (tenant_id, import_id) references public.imports (tenant_id, id);
