-- Staging a batch of parsed rows without two foreign-key trigger calls per row.
--
-- Every staged row fired the RI triggers for its import and its account, each a query of its own
-- (with the row-level-security check, about half the time of the staging insert in
-- bench/profile-ingest.ts). What they check is the same for every row of a batch, so this function
-- checks it once per batch, under the same locks, and inserts with triggers off
-- (session_replication_role = replica, local to the call):
--   * the caller may stage rows in the tenant: admin or uploader, exactly the insert policy
--     "Uploaders and admins can stage rows" (the function runs as its owner, so RLS is not applied to
--     its statements and this check stands in for it);
--   * the import is the tenant's own, locked FOR KEY SHARE as the import foreign key would;
--   * a row's account is computed here, never taken from the caller: the account chosen for the import,
--     or the tenant's mapping of the row's external account, each joined with public.accounts of the
--     same tenant and locked FOR KEY SHARE before the insert, so it exists and stays until commit.
-- public.staged_rows has no other triggers; one added later would not fire here.

create function private.insert_staged_rows(
  p_tenant uuid, p_import uuid, p_mapping_source text,
  p_row_no int[], p_line int[], p_kind text[], p_statement_no int[], p_external_account text[],
  p_record text[], p_has_error boolean[], p_dedup_key text[], p_fingerprint text[])
returns void
language plpgsql volatile security definer
set search_path = ''
set session_replication_role = 'replica'
set enable_nestloop = off
as $$
declare
  import_account uuid;
  mapped_external text[];
  mapped_account uuid[];
begin
  if not exists (select 1 from public.memberships m
                  where m.tenant_id = p_tenant and m.user_id = auth.uid() and m.role in ('admin', 'uploader')) then
    raise exception 'only an admin or uploader of the tenant may stage its imports' using errcode = '42501';
  end if;
  select i.account_id into import_account from public.imports i where i.tenant_id = p_tenant and i.id = p_import for key share;
  if not found then
    raise exception 'import % is not an import of tenant %', p_import, p_tenant using errcode = '23503';
  end if;
  if import_account is not null then
    perform 1 from public.accounts a where a.tenant_id = p_tenant and a.id = import_account for key share;
    if not found then
      raise exception 'the account of import % was deleted', p_import using errcode = '23503';
    end if;
  else
    select coalesce(array_agg(x.external_id), '{}'), coalesce(array_agg(x.account_id), '{}') into mapped_external, mapped_account
      from (select m.external_id, m.account_id
              from public.account_mappings m join public.accounts a on a.tenant_id = m.tenant_id and a.id = m.account_id
             where m.tenant_id = p_tenant and m.source = p_mapping_source and m.external_id = any (p_external_account)
               for key share of a) x;
  end if;

  insert into public.staged_rows (tenant_id, import_id, row_no, line, kind, statement_no, external_account, record, has_error, dedup_key, fingerprint, account_id)
  select p_tenant, p_import, u.row_no, u.line, u.kind, u.statement_no, u.external_account, u.record::jsonb, u.has_error,
         coalesce(u.dedup_key, 'fp:' || u.fingerprint || ':1'), u.fingerprint,
         case when u.kind in ('transaction', 'sales_line') then coalesce(import_account, mp.account_id) end
    from unnest(p_row_no, p_line, p_kind, p_statement_no, p_external_account, p_record, p_has_error, p_dedup_key, p_fingerprint)
           as u(row_no, line, kind, statement_no, external_account, record, has_error, dedup_key, fingerprint)
    left join unnest(mapped_external, mapped_account) as mp(external_id, account_id) on mp.external_id = u.external_account;
end
$$;
comment on function private.insert_staged_rows(uuid, uuid, text, int[], int[], text[], int[], text[], text[], boolean[], text[], text[]) is 'Stages one batch of parsed rows of an import with their account (chosen or mapped) and first-occurrence dedup key, checking role, import and accounts once per batch instead of per-row RLS and foreign-key triggers.';

revoke all on function private.insert_staged_rows(uuid, uuid, text, int[], int[], text[], int[], text[], text[], boolean[], text[], text[]) from public;
grant execute on function private.insert_staged_rows(uuid, uuid, text, int[], int[], text[], int[], text[], text[], boolean[], text[], text[]) to authenticated;
