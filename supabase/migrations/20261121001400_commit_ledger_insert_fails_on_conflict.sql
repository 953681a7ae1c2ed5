-- The commit's ledger insert no longer skips rows whose dedup key the ledger already holds: it fails.
--
-- `on conflict (tenant_id, account_id, dedup_key) do nothing` made every row a speculative insertion
-- (the unique index probed first, the heap tuple written with a token, then confirmed): about 1.24x
-- the backend CPU of the plain insert of the same 200,000 staged rows (4 rounds: 7.35/5.93, 7.10/5.52,
-- 7.96/6.83, 7.33/5.80 s; docs/performance.md, eighth session), on what is about 40 % of an import.
--
-- The skip never had a row to skip in a correct run. The commit classifies its rows under the commit
-- lock (lib/ingest/commit-lock.ts: commits into the same account take turns) right before this insert,
-- so a row it calls new has a key the ledger did not hold when it looked. Only a writer outside that
-- lock inserting the same key meanwhile (a reviewer approving a held duplicate) can collide, and then
-- skipping was the wrong answer anyway: the row stayed 'new' in the import's review, with no ledger row
-- of that import behind it. Now the unique index raises unique_violation, the commit's transaction rolls
-- back whole, and the retried commit job classifies again and finds the row an exact duplicate. The unique index still
-- guarantees a row never lands twice; the function is otherwise unchanged.

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
   order by s.row_no;
  get diagnostics inserted = row_count;
  return inserted;
end
$$;
comment on function private.insert_import_transactions(uuid, uuid, text) is 'Inserts every new transaction row of a staged import into the ledger (commit) in row order, checking role, import and accounts once per call instead of per-row RLS and foreign-key triggers; a row whose dedup key the ledger already holds fails the whole commit (unique_violation), which is retried and classifies again; returns the number inserted.';
