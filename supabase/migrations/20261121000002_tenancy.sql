-- Tenants and who belongs to them with which role. Membership checks for every policy live in the
-- non-exposed schema `private`, as security definer functions with a fixed search_path, so policies
-- never recurse into memberships' own RLS.

create type public.tenant_role as enum ('admin', 'reviewer', 'uploader', 'viewer');
comment on type public.tenant_role is 'What a member may do in a tenant: admin > reviewer/uploader > viewer.';

create table public.tenants (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);
comment on table public.tenants is 'A company using Inflow; every piece of data belongs to exactly one tenant.';
alter table public.tenants enable row level security;

create table public.memberships (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.tenant_role not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);
comment on table public.memberships is 'A person''s role in a tenant; a person may belong to several tenants.';
create index memberships_user_id_idx on public.memberships (user_id);
alter table public.memberships enable row level security;

create schema if not exists private;
comment on schema private is 'Helpers for RLS policies; not exposed through any API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

create function private.tenant_role_of(target_tenant uuid)
returns public.tenant_role
language sql stable security definer set search_path = ''
as $$
  select m.role from public.memberships m where m.tenant_id = target_tenant and m.user_id = auth.uid()
$$;
comment on function private.tenant_role_of(uuid) is 'The calling user''s role in the tenant, or null when not a member.';

create function private.is_member(target_tenant uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.tenant_role_of(target_tenant) is not null
$$;
comment on function private.is_member(uuid) is 'True when the calling user belongs to the tenant, in any role.';

create function private.has_role(target_tenant uuid, allowed public.tenant_role[])
returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.tenant_role_of(target_tenant) = any (allowed), false)
$$;
comment on function private.has_role(uuid, public.tenant_role[]) is 'True when the calling user''s role in the tenant is one of `allowed`.';

revoke all on function private.tenant_role_of(uuid), private.is_member(uuid), private.has_role(uuid, public.tenant_role[]) from public;
grant execute on function private.tenant_role_of(uuid), private.is_member(uuid), private.has_role(uuid, public.tenant_role[]) to authenticated, service_role;

grant select, insert, update, delete on public.tenants, public.memberships to anon, authenticated;
grant all on public.tenants, public.memberships to service_role;

-- Tenants are created by the service path (sign-up, seed, CLI); nobody deletes one through the API.
create policy "Members can view their tenants" on public.tenants
  for select to authenticated using (private.is_member(id));
create policy "Admins can rename their tenants" on public.tenants
  for update to authenticated using (private.has_role(id, '{admin}')) with check (private.has_role(id, '{admin}'));

create policy "Members can view the memberships of their tenants" on public.memberships
  for select to authenticated using (private.is_member(tenant_id));
create policy "Admins can add members to their tenants" on public.memberships
  for insert to authenticated with check (private.has_role(tenant_id, '{admin}'));
create policy "Admins can change roles in their tenants" on public.memberships
  for update to authenticated using (private.has_role(tenant_id, '{admin}')) with check (private.has_role(tenant_id, '{admin}'));
create policy "Admins can remove members from their tenants" on public.memberships
  for delete to authenticated using (private.has_role(tenant_id, '{admin}'));
