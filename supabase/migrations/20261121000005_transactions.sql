-- The ledger: one clean, exact row per transaction per tenant. Keys lead with tenant_id so the
-- table can be partitioned by tenant and date, or distributed (Citus) by tenant, later.

create table public.transactions (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id bigint generated always as identity,
  account_id uuid references public.accounts (id),
  booking_date date not null,
  value_date date,
  amount numeric not null,
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  description text not null default '',
  counterparty text,
  external_id text,
  source text not null,
  import_id uuid references public.imports (id),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
comment on table public.transactions is 'A tenant''s ledger of committed transactions; amounts are exact numerics, signed (credits positive).';
create index transactions_tenant_booking_idx on public.transactions (tenant_id, booking_date desc, id desc);
create index transactions_import_idx on public.transactions (tenant_id, import_id);
alter table public.transactions enable row level security;

grant select, insert, update, delete on public.transactions to anon, authenticated;
grant all on public.transactions to service_role;

create policy "Members can view their tenant's transactions" on public.transactions
  for select to authenticated using (private.is_member(tenant_id));
create policy "Uploaders and admins can add transactions" on public.transactions
  for insert to authenticated with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Admins can correct transactions" on public.transactions
  for update to authenticated using (private.has_role(tenant_id, '{admin}')) with check (private.has_role(tenant_id, '{admin}'));
create policy "Admins can delete transactions" on public.transactions
  for delete to authenticated using (private.has_role(tenant_id, '{admin}'));
