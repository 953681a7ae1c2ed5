-- The ledger's totals per tenant, account, currency, booking day and source, kept by the ledger's own
-- statements, so that the ledger page's totals and source list read a few rows per day instead of
-- every transaction.
--
-- The first page of GET /api/transactions sums the filter's transactions per currency. With no filter
-- that read every row of the tenant's ledger on every visit: with 8 uploads committing 800,000 rows,
-- `npm run bench` saw other pages' p95 at 849 ms against 11 ms idle, and the sum grows with the
-- ledger, not with the page. Filters by account and booking date (the ledger page's usual ones) are
-- answered from these rows, as is the source filter and the page's list of sources (a `select distinct`
-- over the whole ledger before); text, amount-range and import filters still sum the matching
-- transactions.
--
-- Kept by statement-level triggers on public.transactions, whoever writes (commits, reverts,
-- corrections, connectors): one aggregate over the statement's rows, not a trigger call per row.
-- Sums follow numeric's rules: for rows only ever added they are the very sums of the transactions;
-- after rows are taken away a sum may carry more decimal places than the rows left would give it
-- ("5.10" where the remaining rows sum to "5.1"), never a different amount.

create table private.ledger_day_totals (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  -- The nil UUID for transactions without an account, so the key has no nulls and joins stay equi-joins.
  account_id uuid not null,
  currency char(3) not null,
  booking_date date not null,
  source text not null,
  transaction_count bigint not null,
  credit_count bigint not null,
  debit_count bigint not null,
  credits numeric not null,
  debits numeric not null,
  net numeric not null,
  primary key (tenant_id, account_id, currency, booking_date, source)
);
comment on table private.ledger_day_totals is 'Per tenant, account (nil UUID for none), currency, booking day and source: how many ledger transactions, how many credits (> 0) and debits (< 0), and their exact sums. Kept by the triggers on public.transactions; read through private.ledger_totals.';
-- Only its owner reads or writes it (the trigger function and private.ledger_totals run as the owner).
alter table private.ledger_day_totals enable row level security;
revoke all on private.ledger_day_totals from public;

create function private.keep_ledger_day_totals()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- An update takes its rows' old versions out and puts the new ones in (net nothing when neither key
  -- nor amount changed). Each statement names only the transition table its trigger has.
  -- Totals rows are locked in key order (the ORDER BYs below), so that two statements touching the
  -- same days (a revert beside a commit) wait for each other instead of deadlocking.
  if tg_op <> 'INSERT' then
    perform 1 from private.ledger_day_totals d
      join (select distinct o.tenant_id, coalesce(o.account_id, '00000000-0000-0000-0000-000000000000') as account_id, o.currency, o.booking_date, o.source
              from old_rows o) g
        on d.tenant_id = g.tenant_id and d.account_id = g.account_id and d.currency = g.currency and d.booking_date = g.booking_date and d.source = g.source
     order by d.tenant_id, d.account_id, d.currency, d.booking_date, d.source
       for update of d;
    -- Only existing totals are updated: a tenant being deleted may have lost its totals already.
    update private.ledger_day_totals d
       set transaction_count = d.transaction_count - g.transaction_count,
           credit_count = d.credit_count - g.credit_count, debit_count = d.debit_count - g.debit_count,
           credits = d.credits - g.credits, debits = d.debits - g.debits, net = d.net - g.net
      from (select o.tenant_id, coalesce(o.account_id, '00000000-0000-0000-0000-000000000000') as account_id, o.currency, o.booking_date, o.source,
                   count(*) as transaction_count,
                   count(*) filter (where o.amount > 0) as credit_count, count(*) filter (where o.amount < 0) as debit_count,
                   coalesce(sum(o.amount) filter (where o.amount > 0), 0) as credits,
                   coalesce(sum(o.amount) filter (where o.amount < 0), 0) as debits, sum(o.amount) as net
              from old_rows o group by 1, 2, 3, 4, 5) g
     where d.tenant_id = g.tenant_id and d.account_id = g.account_id and d.currency = g.currency and d.booking_date = g.booking_date
       and d.source = g.source;
    delete from private.ledger_day_totals d
     where d.transaction_count = 0 and d.tenant_id in (select distinct o.tenant_id from old_rows o);
  end if;
  if tg_op <> 'DELETE' then
    insert into private.ledger_day_totals as d (tenant_id, account_id, currency, booking_date, source, transaction_count, credit_count, debit_count, credits, debits, net)
    select n.tenant_id, coalesce(n.account_id, '00000000-0000-0000-0000-000000000000'), n.currency, n.booking_date, n.source, count(*),
           count(*) filter (where n.amount > 0), count(*) filter (where n.amount < 0),
           coalesce(sum(n.amount) filter (where n.amount > 0), 0), coalesce(sum(n.amount) filter (where n.amount < 0), 0), sum(n.amount)
      from new_rows n group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
    on conflict (tenant_id, account_id, currency, booking_date, source) do update
       set transaction_count = d.transaction_count + excluded.transaction_count,
           credit_count = d.credit_count + excluded.credit_count, debit_count = d.debit_count + excluded.debit_count,
           credits = d.credits + excluded.credits, debits = d.debits + excluded.debits, net = d.net + excluded.net;
  end if;
  return null;
end
$$;
comment on function private.keep_ledger_day_totals() is 'Statement-level trigger on public.transactions: takes deleted rows (and the old version of updated ones) out of private.ledger_day_totals and adds inserted rows (and the new version of updated ones), one aggregate per statement.';
revoke all on function private.keep_ledger_day_totals() from public;

-- Transition tables need one trigger per event.
create trigger transactions_day_totals_insert after insert on public.transactions
  referencing new table as new_rows for each statement execute function private.keep_ledger_day_totals();
create trigger transactions_day_totals_update after update on public.transactions
  referencing old table as old_rows new table as new_rows for each statement execute function private.keep_ledger_day_totals();
create trigger transactions_day_totals_delete after delete on public.transactions
  referencing old table as old_rows for each statement execute function private.keep_ledger_day_totals();
-- Always, not only in the default origin mode: the commit's ledger insert
-- (private.insert_import_transactions) runs with session_replication_role = replica to skip the
-- per-row foreign-key triggers, and its rows must be counted too.
alter table public.transactions enable always trigger transactions_day_totals_insert;
alter table public.transactions enable always trigger transactions_day_totals_update;
alter table public.transactions enable always trigger transactions_day_totals_delete;

create function private.clear_ledger_day_totals()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from private.ledger_day_totals;
  return null;
end
$$;
comment on function private.clear_ledger_day_totals() is 'Statement-level trigger: a truncated ledger has no totals.';
revoke all on function private.clear_ledger_day_totals() from public;
create trigger transactions_day_totals_truncate after truncate on public.transactions
  for each statement execute function private.clear_ledger_day_totals();
alter table public.transactions enable always trigger transactions_day_totals_truncate;

insert into private.ledger_day_totals (tenant_id, account_id, currency, booking_date, source, transaction_count, credit_count, debit_count, credits, debits, net)
select t.tenant_id, coalesce(t.account_id, '00000000-0000-0000-0000-000000000000'), t.currency, t.booking_date, t.source, count(*),
       count(*) filter (where t.amount > 0), count(*) filter (where t.amount < 0),
       coalesce(sum(t.amount) filter (where t.amount > 0), 0), coalesce(sum(t.amount) filter (where t.amount < 0), 0), sum(t.amount)
  from public.transactions t
 group by 1, 2, 3, 4, 5;

-- The same shape as summing the transactions (lib/db/queries/transactions.ts sumLedgerTotals): per
-- currency, the count, credits and debits (0 when there are none) and the net. Runs as the owner and
-- applies "Members can view their tenant's transactions" itself.
create function private.ledger_totals(p_tenant uuid, p_account uuid, p_from date, p_to date, p_source text)
returns table (currency char(3), count integer, credits text, debits text, net text)
language sql stable security definer set search_path = ''
as $$
  select d.currency, sum(d.transaction_count)::integer,
         (case when sum(d.credit_count) = 0 then 0 else sum(d.credits) end)::text,
         (case when sum(d.debit_count) = 0 then 0 else sum(d.debits) end)::text,
         sum(d.net)::text
    from private.ledger_day_totals d
   where d.tenant_id = p_tenant
     and p_tenant in (select private.my_tenants())
     and (p_account is null or d.account_id = p_account)
     and (p_from is null or d.booking_date >= p_from)
     and (p_to is null or d.booking_date <= p_to)
     and (p_source is null or d.source = p_source)
   group by d.currency
  having sum(d.transaction_count) > 0
   order by d.currency
$$;
comment on function private.ledger_totals(uuid, uuid, date, date, text) is 'The ledger''s totals per currency (count, credits, debits, net as exact numeric text) for a tenant, optionally one account, a booking-date range and one source, from private.ledger_day_totals. Only for members of the tenant.';
revoke all on function private.ledger_totals(uuid, uuid, date, date, text) from public;
grant execute on function private.ledger_totals(uuid, uuid, date, date, text) to authenticated, service_role;

-- The sources the ledger holds, for the ledger page's filter. Only for members of the tenant.
create function private.ledger_sources(p_tenant uuid)
returns setof text
language sql stable security definer set search_path = ''
as $$
  select distinct d.source
    from private.ledger_day_totals d
   where d.tenant_id = p_tenant
     and p_tenant in (select private.my_tenants())
   order by d.source
$$;
comment on function private.ledger_sources(uuid) is 'The distinct sources of a tenant''s ledger transactions, from private.ledger_day_totals. Only for members of the tenant.';
revoke all on function private.ledger_sources(uuid) from public;
grant execute on function private.ledger_sources(uuid) to authenticated, service_role;
