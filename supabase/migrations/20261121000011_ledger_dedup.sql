-- Exact duplicates are impossible in the ledger, not merely looked up: a unique key per internal account
-- (the source's own reference, or a content fingerprint with its occurrence number in the file). Likely
-- duplicates are found by account, currency, amount, a date window and description similarity (pg_trgm).

create extension if not exists pg_trgm with schema public;

alter table public.transactions
  add column dedup_key text,
  add column bank_reference text,
  add column customer_reference text,
  add column type_code text,
  add column details jsonb,
  add column raw text,
  add column line integer;
comment on column public.transactions.dedup_key is 'ext:<source reference> or fp:<content fingerprint>:<occurrence>; unique per account.';
comment on column public.transactions.raw is 'The record as it appeared in the source file, kept for re-mapping.';
create unique index transactions_dedup_key_idx on public.transactions (tenant_id, account_id, dedup_key);
create index transactions_likely_idx on public.transactions (tenant_id, account_id, currency, amount, booking_date);

alter table public.tenants add column settings jsonb not null default '{}'::jsonb;
comment on column public.tenants.settings is 'Tenant settings, e.g. {"likelyDuplicateWindowDays": 3}.';

create table public.statement_balances (
  tenant_id uuid not null,
  id bigint generated always as identity,
  import_id uuid not null,
  account_id uuid not null,
  type text not null,
  balance_date date,
  amount numeric not null,
  currency char(3),
  primary key (tenant_id, id),
  foreign key (tenant_id, import_id) references public.imports (tenant_id, id) on delete cascade,
  foreign key (tenant_id, account_id) references public.accounts (tenant_id, id) on delete cascade
);
comment on table public.statement_balances is 'Balances stated by committed statements (opening, closing, available…), per internal account.';
create index statement_balances_account_idx on public.statement_balances (tenant_id, account_id, balance_date);
alter table public.statement_balances enable row level security;

grant select, insert, update, delete on public.statement_balances to anon, authenticated;
grant all on public.statement_balances to service_role;

create policy "Members can view their tenant's statement balances" on public.statement_balances
  for select to authenticated using (private.is_member(tenant_id));
create policy "Uploaders and admins can record statement balances" on public.statement_balances
  for insert to authenticated with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Admins can correct statement balances" on public.statement_balances
  for update to authenticated using (private.has_role(tenant_id, '{admin}')) with check (private.has_role(tenant_id, '{admin}'));
create policy "Uploaders and admins can remove balances of reverted imports" on public.statement_balances
  for delete to authenticated using (private.has_role(tenant_id, '{admin,uploader}'));
