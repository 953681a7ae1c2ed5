-- Likely duplicates are found by probing a ledger index once per incoming row, so the cost follows the
-- file, not the ledger.
--
-- Classification step 4 (lib/ingest/classify.ts) used to materialise every ledger row of the incoming
-- rows' accounts in their whole date window (with lower(description)) and hash-join it with the
-- incoming rows: 100,000 rows against a 5,000,000-row ledger spent 74 s in that statement, run twice
-- per import (at staging and in the commit). A probe per incoming row reads only the ledger rows with
-- the same account, currency and amount in the window: 1.4 s for the same import.
--
-- The probe cannot run through row-level security: numeric equality (numeric_eq) is not leakproof, so
-- Postgres may not use `t.amount = i.amount` as an index condition before the policy's check and
-- falls back to scanning the whole (tenant, account, currency) range. The function therefore runs as
-- its owner and applies the policy's rule itself, once: the caller must be a member of the tenant,
-- the same rule as "Members can view their tenant's transactions" and "… staged rows". It only reads.
--
-- The probe's index leads with the account, not the tenant, and the probe names no tenant column an
-- index could use: every other ledger index leads with tenant_id, and with a tenant's rows newer than
-- the table's statistics (its first import committed a minute ago) the planner took one of them for
-- the probe — reading all of the tenant's rows once per incoming row (seen in `npm run bench`: one
-- step 4 ran for over 16 minutes on 100,000 rows). An account belongs to one tenant (accounts.id is
-- the key; transactions reference (tenant_id, account_id)), so the account alone bounds the probe to
-- the tenant's rows; the tenant is still checked, as a filter.

drop index public.transactions_likely_idx;
create index transactions_likely_idx on public.transactions (account_id, currency, amount, booking_date);
comment on index public.transactions_likely_idx is 'Likely-duplicate probes (private.likely_duplicate_matches): same account, currency and amount in a date window. Leads with the account so that no tenant-leading index competes for the probe.';

-- Nested loops are on here whatever the caller set: the probe is a nested loop by design (classify
-- turns them off for its own hash joins).

create function private.likely_duplicate_matches(p_tenant uuid, p_import uuid, p_window_days integer, p_similarity real)
returns table (row_no integer, transaction_id bigint, score real)
language sql stable security definer
set search_path = ''
set enable_nestloop = on
as $$
  -- Not materialised: each row's values go straight into its probe (writing them out first cost as
  -- much as the probes themselves, 2.6 s vs 5.6 s for 1,000,000 rows against an empty ledger).
  with incoming as not materialized (
    select s.row_no, s.account_id,
           -- bpchar, the ledger column's type: compared as text, the index's currency column is unusable.
           coalesce(s.record ->> 'currency', a.currency)::bpchar as currency,
           (s.record ->> 'amount')::numeric as amount, (s.record ->> 'bookingDate')::date as booking_date,
           lower(s.record ->> 'description') as description, lower(coalesce(s.record ->> 'counterpartyName', '')) as counterparty
      from public.staged_rows s
      join public.accounts a on a.tenant_id = s.tenant_id and a.id = s.account_id
     where s.tenant_id = p_tenant and s.import_id = p_import and s.status = 'new' and s.kind = 'transaction'
       and p_tenant in (select private.my_tenants()))
  select i.row_no, m.id, m.score
    from incoming i
    cross join lateral (
      -- The best-matching ledger row; ties go to the oldest.
      select t.id,
             greatest(public.similarity(i.description, lower(t.description)),
                      public.similarity(i.counterparty, lower(coalesce(t.counterparty, '')))) as score
        from public.transactions t
       where t.account_id = i.account_id and t.currency = i.currency and t.amount = i.amount
         and t.booking_date between i.booking_date - p_window_days and i.booking_date + p_window_days
         -- Implied by the account; written so that no index can take it (see the header).
         and t.tenant_id::text = p_tenant::text
         and (public.similarity(i.description, lower(t.description)) >= p_similarity
              or (i.counterparty <> '' and public.similarity(i.counterparty, lower(coalesce(t.counterparty, ''))) >= p_similarity))
       order by 2 desc, t.id
       limit 1) m
$$;
comment on function private.likely_duplicate_matches(uuid, uuid, integer, real) is 'For each new transaction row of a staged import, the ledger row it most likely duplicates (same account, currency and amount, booking date within p_window_days, description or counterparty similarity ≥ p_similarity) and the score; rows without one are left out. Only for members of the tenant.';

revoke all on function private.likely_duplicate_matches(uuid, uuid, integer, real) from public;
grant execute on function private.likely_duplicate_matches(uuid, uuid, integer, real) to authenticated, service_role;
