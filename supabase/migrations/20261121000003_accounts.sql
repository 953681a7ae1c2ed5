-- Internal accounts: the tenant's own chart of bank, mobile-money and clearing accounts that
-- external accounts (bank numbers, IBANs, M-Pesa shortcodes) are mapped onto.

create table public.accounts (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  number text,
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  kind text not null default 'bank' check (kind in ('bank', 'mobile_money', 'card', 'cash', 'clearing', 'other')),
  created_at timestamptz not null default now(),
  unique (tenant_id, name)
);
comment on table public.accounts is 'A tenant''s internal account (bank, M-Pesa till, card…), the target of account mappings.';
create index accounts_tenant_id_idx on public.accounts (tenant_id);
alter table public.accounts enable row level security;

grant select, insert, update, delete on public.accounts to anon, authenticated;
grant all on public.accounts to service_role;

create policy "Members can view their tenant's accounts" on public.accounts
  for select to authenticated using (private.is_member(tenant_id));
create policy "Admins can create accounts" on public.accounts
  for insert to authenticated with check (private.has_role(tenant_id, '{admin}'));
create policy "Admins can edit accounts" on public.accounts
  for update to authenticated using (private.has_role(tenant_id, '{admin}')) with check (private.has_role(tenant_id, '{admin}'));
create policy "Admins can delete accounts" on public.accounts
  for delete to authenticated using (private.has_role(tenant_id, '{admin}'));
