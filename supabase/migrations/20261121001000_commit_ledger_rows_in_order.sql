-- The commit's ledger insert reads the staged rows in row order from an index instead of sorting them.
--
-- private.insert_import_transactions (20261121000300_commit_ledger_rows.sql) joined every new row with
-- public.accounts for the currency of rows that state none; a hash join's output is unordered, so the
-- `order by row_no` became a sort of all the rows' ledger values (100,000 rows: 23 MB, spilled to disk
-- at the default work_mem, ~1.7 s of 8.3 s wall in EXPLAIN ANALYZE). Without the join the rows come
-- from staged_rows_status_idx (tenant_id, import_id, status, row_no) already in row order.
--
-- The join checked nothing the function does not check before: a new row always has an account (a row
-- without one is 'unmapped' and blocks the commit), staged_rows' foreign key (tenant_id, account_id)
-- keeps it one of the tenant's accounts, and every account the rows take is counted and locked FOR KEY
-- SHARE first (the insert fails when one is missing). The account's currency is read only for a row
-- that states none (coalesce stops at the row's own), by primary key. Role, import and account checks,
-- locks and the unique dedup index (exact duplicates under concurrency) are unchanged.

create or replace function private.insert_import_transactions(p_tenant uuid, p_import uuid, p_source text)
returns bigint
language plpgsql volatile security definer
set search_path = ''
set session_replication_role = 'replica'
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
         (s.record ->> 'amount')::numeric,
         coalesce(s.record ->> 'currency', (select a.currency from public.accounts a where a.tenant_id = s.tenant_id and a.id = s.account_id)),
         coalesce(s.record ->> 'description', ''),
         s.record ->> 'counterpartyName', s.record ->> 'externalId', s.record ->> 'bankReference', s.record ->> 'customerReference',
         s.record ->> 'typeCode', s.record -> 'details', s.record ->> 'raw', s.line, s.dedup_key, p_source, s.import_id
    from public.staged_rows s
   where s.tenant_id = p_tenant and s.import_id = p_import and s.kind = 'transaction' and s.status = 'new'
     and s.account_id is not null
   order by s.row_no
  on conflict (tenant_id, account_id, dedup_key) do nothing;
  get diagnostics inserted = row_count;
  return inserted;
end
$$;
comment on function private.insert_import_transactions(uuid, uuid, text) is 'Inserts the new transaction rows of a staged import into the ledger (commit) in row order, checking role, import and accounts once per call instead of per-row RLS and foreign-key triggers; returns the number inserted.';
