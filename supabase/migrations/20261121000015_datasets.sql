-- Non-ledger datasets go through the same pipeline into their own tables. Each committed import keeps
-- its own rows (so a revert restores the previous state exactly); the *_current views give the upserted
-- view: trial balance by entity + period + account code (newest import wins), SalesPro appointments by
-- _id (newest _updated_at wins). POS sales lines are deduplicated like transactions.

create table public.sales_lines (
  tenant_id uuid not null,
  id bigint generated always as identity,
  import_id uuid not null,
  account_id uuid,
  sale_date date not null,
  sale_time text,
  item text not null,
  quantity numeric not null,
  unit_price numeric not null,
  total numeric not null,
  payment_method text,
  dedup_key text not null,
  raw text,
  primary key (tenant_id, id),
  unique (tenant_id, dedup_key),
  foreign key (tenant_id, import_id) references public.imports (tenant_id, id)
);
comment on table public.sales_lines is 'POS sales lines, deduplicated by content fingerprint and occurrence.';

create table public.gl_balances (
  tenant_id uuid not null,
  id bigint generated always as identity,
  import_id uuid not null,
  entity text not null,
  period text not null,
  account_code text not null,
  account_name text not null,
  balance numeric not null,
  statement_type text,
  status text,
  committed_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, import_id, entity, period, account_code),
  foreign key (tenant_id, import_id) references public.imports (tenant_id, id)
);
comment on table public.gl_balances is 'Trial-balance lines per import; gl_balances_current holds the newest per entity, period and account.';

create table public.appointments (
  tenant_id uuid not null,
  id bigint generated always as identity,
  import_id uuid not null,
  external_id text not null,
  created_at_source text,
  updated_at_source text,
  is_sale boolean,
  sale_amount numeric,
  customer_name text,
  sales_rep_email text,
  fields jsonb not null,
  primary key (tenant_id, id),
  unique (tenant_id, import_id, external_id),
  foreign key (tenant_id, import_id) references public.imports (tenant_id, id)
);
comment on table public.appointments is 'SalesPro appointments per import; appointments_current holds the newest _updated_at per _id.';

create view public.gl_balances_current with (security_invoker = true) as
  select distinct on (tenant_id, entity, period, account_code) *
    from public.gl_balances
   order by tenant_id, entity, period, account_code, committed_at desc, id desc;
comment on view public.gl_balances_current is 'The trial balance as it stands: newest committed line per entity, period and account code.';

create view public.appointments_current with (security_invoker = true) as
  select distinct on (tenant_id, external_id) *
    from public.appointments
   order by tenant_id, external_id, updated_at_source desc nulls last, id desc;
comment on view public.appointments_current is 'SalesPro appointments upserted by _id: the row with the newest _updated_at wins.';

alter table public.sales_lines enable row level security;
alter table public.gl_balances enable row level security;
alter table public.appointments enable row level security;

grant select, insert, update, delete on public.sales_lines, public.gl_balances, public.appointments to anon, authenticated;
grant all on public.sales_lines, public.gl_balances, public.appointments to service_role;
grant select on public.gl_balances_current, public.appointments_current to anon, authenticated, service_role;

create policy "Members can view their tenant's sales lines" on public.sales_lines
  for select to authenticated using (private.is_member(tenant_id));
create policy "Uploaders and admins can add sales lines" on public.sales_lines
  for insert to authenticated with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Admins can correct sales lines" on public.sales_lines
  for update to authenticated using (private.has_role(tenant_id, '{admin}')) with check (private.has_role(tenant_id, '{admin}'));
create policy "Uploaders and admins can remove sales lines when reverting" on public.sales_lines
  for delete to authenticated using (private.has_role(tenant_id, '{admin,uploader}'));

create policy "Members can view their tenant's trial balances" on public.gl_balances
  for select to authenticated using (private.is_member(tenant_id));
create policy "Uploaders and admins can add trial balances" on public.gl_balances
  for insert to authenticated with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Admins can correct trial balances" on public.gl_balances
  for update to authenticated using (private.has_role(tenant_id, '{admin}')) with check (private.has_role(tenant_id, '{admin}'));
create policy "Uploaders and admins can remove trial balances when reverting" on public.gl_balances
  for delete to authenticated using (private.has_role(tenant_id, '{admin,uploader}'));

create policy "Members can view their tenant's appointments" on public.appointments
  for select to authenticated using (private.is_member(tenant_id));
create policy "Uploaders and admins can add appointments" on public.appointments
  for insert to authenticated with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Admins can correct appointments" on public.appointments
  for update to authenticated using (private.has_role(tenant_id, '{admin}')) with check (private.has_role(tenant_id, '{admin}'));
create policy "Uploaders and admins can remove appointments when reverting" on public.appointments
  for delete to authenticated using (private.has_role(tenant_id, '{admin,uploader}'));
