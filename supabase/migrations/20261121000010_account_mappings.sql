-- External accounts (BAI2 bank + account, IBAN, MT940 :25:, OFX bank + account, M-Pesa number) resolve to
-- internal accounts through mappings an admin makes once; every later import and sync reuses them.

create table public.account_mappings (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  source text not null,
  external_id text not null,
  account_id uuid not null,
  created_by uuid not null default auth.uid() references auth.users (id),
  created_at timestamptz not null default now(),
  primary key (tenant_id, source, external_id),
  foreign key (tenant_id, account_id) references public.accounts (tenant_id, id) on delete cascade
);
comment on table public.account_mappings is 'Which internal account an external account of a source (format or connector) belongs to.';
alter table public.account_mappings enable row level security;

grant select, insert, update, delete on public.account_mappings to anon, authenticated;
grant all on public.account_mappings to service_role;

create policy "Members can view their tenant's account mappings" on public.account_mappings
  for select to authenticated using (private.is_member(tenant_id));
create policy "Admins can map external accounts" on public.account_mappings
  for insert to authenticated with check (private.has_role(tenant_id, '{admin}') and created_by = auth.uid());
create policy "Admins can change account mappings" on public.account_mappings
  for update to authenticated using (private.has_role(tenant_id, '{admin}')) with check (private.has_role(tenant_id, '{admin}'));
create policy "Admins can remove account mappings" on public.account_mappings
  for delete to authenticated using (private.has_role(tenant_id, '{admin}'));
