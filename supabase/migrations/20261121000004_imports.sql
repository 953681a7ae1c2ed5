-- One row per file (or connector batch) brought into a tenant: who, when, what, and how it went.

create table public.imports (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  file_name text not null,
  format text,
  byte_size bigint not null default 0 check (byte_size >= 0),
  sha256 text check (sha256 ~ '^[0-9a-f]{64}$'),
  status text not null default 'pending' check (status in ('pending', 'committed', 'failed')),
  rows_read integer not null default 0,
  rows_imported integer not null default 0,
  rows_invalid integer not null default 0,
  created_by uuid not null default auth.uid() references auth.users (id),
  created_at timestamptz not null default now()
);
comment on table public.imports is 'An import of one file into a tenant, with its outcome counts.';
create index imports_tenant_created_idx on public.imports (tenant_id, created_at desc);
alter table public.imports enable row level security;

grant select, insert, update, delete on public.imports to anon, authenticated;
grant all on public.imports to service_role;

create policy "Members can view their tenant's imports" on public.imports
  for select to authenticated using (private.is_member(tenant_id));
create policy "Uploaders and admins can start imports as themselves" on public.imports
  for insert to authenticated with check (private.has_role(tenant_id, '{admin,uploader}') and created_by = auth.uid());
create policy "Uploaders and admins can update their tenant's imports" on public.imports
  for update to authenticated using (private.has_role(tenant_id, '{admin,uploader}')) with check (private.has_role(tenant_id, '{admin,uploader}'));
-- No delete policy: the record of an import is kept even when it is reverted.
