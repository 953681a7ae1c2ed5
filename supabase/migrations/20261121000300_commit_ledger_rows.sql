-- The ledger insert of a commit, without three foreign-key trigger calls per row.
--
-- Each row inserted into public.transactions fired three RI triggers (tenant, account, import), each a
-- query of its own: EXPLAIN ANALYZE of a 100,000-row commit spent 5.5 s of 12.5 s in them. What they
-- check is the same for every row of a commit, so this function checks it once per statement, under
-- the same locks, and inserts with triggers off (session_replication_role = replica, local to the call):
--   * the caller may add transactions to the tenant: admin or uploader, exactly the insert policy
--     "Uploaders and admins can add transactions" (the function runs as its owner, so RLS is not
--     applied to its statements and this check stands in for it);
--   * the import belongs to the tenant (it is locked FOR KEY SHARE, as the import foreign key would);
--   * every account a row takes is the tenant's own: rows get their account by a join with
--     public.accounts on (tenant_id, id), and those accounts are locked FOR KEY SHARE first, so none
--     can be deleted before this transaction ends (what the account foreign key's check does);
--   * the tenant exists: the caller's membership row references it.
-- Only rows of this tenant's import are read (tenant_id and import_id are both in the WHERE clause).
-- The unique index on (tenant_id, account_id, dedup_key) is an index, not a trigger: exact duplicates
-- stay impossible. public.transactions has no other triggers; one added later would not fire here.

create function private.insert_import_transactions(p_tenant uuid, p_import uuid, p_source text)
returns bigint
language plpgsql volatile security definer
set search_path = ''
set session_replication_role = 'replica'
-- Freshly staged rows are not analyzed yet: estimated at one row, the join with accounts became a
-- nested loop with an index scan of accounts per staged row (0.5 s per 20,000 rows); hashed, it is free.
set enable_nestloop = off
as $$
declare
  inserted bigint;
  needed bigint;
  locked bigint;
begin
  if not exists (select 1 from public.memberships m
                  where m.tenant_id = p_tenant and m.user_id = auth.uid() and m.role in ('admin', 'uploader')) then
    raise exception 'only an admin or uploader of the tenant may commit its imports' using errcode = '42501';
  end if;
  perform 1 from public.imports i where i.tenant_id = p_tenant and i.id = p_import for key share;
  if not found then
    raise exception 'import % is not an import of tenant %', p_import, p_tenant using errcode = '23503';
  end if;
  select count(distinct s.account_id) into needed from public.staged_rows s
   where s.tenant_id = p_tenant and s.import_id = p_import and s.kind = 'transaction' and s.status = 'new';
  select count(*) into locked from (
    select 1 from public.accounts a
     where a.tenant_id = p_tenant
       and a.id in (select s.account_id from public.staged_rows s
                     where s.tenant_id = p_tenant and s.import_id = p_import and s.kind = 'transaction' and s.status = 'new')
       for key share) l;
  -- An account deleted while we waited for its lock: fail as the foreign key would have (the job is
  -- retried, classifies again and finds the rows unmapped).
  if locked < needed then
    raise exception 'an account of import % was deleted during its commit', p_import using errcode = '23503';
  end if;

  insert into public.transactions
    (tenant_id, account_id, booking_date, value_date, amount, currency, description, counterparty, external_id,
     bank_reference, customer_reference, type_code, details, raw, line, dedup_key, source, import_id)
  select s.tenant_id, s.account_id, (s.record ->> 'bookingDate')::date, (s.record ->> 'valueDate')::date,
         (s.record ->> 'amount')::numeric, coalesce(s.record ->> 'currency', a.currency), coalesce(s.record ->> 'description', ''),
         s.record ->> 'counterpartyName', s.record ->> 'externalId', s.record ->> 'bankReference', s.record ->> 'customerReference',
         s.record ->> 'typeCode', s.record -> 'details', s.record ->> 'raw', s.line, s.dedup_key, p_source, s.import_id
    from public.staged_rows s join public.accounts a on a.tenant_id = s.tenant_id and a.id = s.account_id
   where s.tenant_id = p_tenant and s.import_id = p_import and s.kind = 'transaction' and s.status = 'new'
   order by s.row_no
  on conflict (tenant_id, account_id, dedup_key) do nothing;
  get diagnostics inserted = row_count;
  return inserted;
end
$$;
comment on function private.insert_import_transactions(uuid, uuid, text) is 'Inserts the new transaction rows of a staged import into the ledger (commit), checking role, import and accounts once per call instead of per-row RLS and foreign-key triggers; returns the number inserted.';

revoke all on function private.insert_import_transactions(uuid, uuid, text) from public;
grant execute on function private.insert_import_transactions(uuid, uuid, text) to authenticated;
