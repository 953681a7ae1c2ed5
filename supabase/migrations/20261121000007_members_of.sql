-- Members' emails live in auth.users, which API roles cannot read. This helper returns them only to
-- members of the same tenant, so member lists and "imported by" labels can show who someone is.

create function private.members_of(target_tenant uuid)
returns table (user_id uuid, email text, role public.tenant_role, joined_at timestamptz)
language sql stable security definer set search_path = ''
as $$
  select m.user_id, u.email, m.role, m.created_at
    from public.memberships m join auth.users u on u.id = m.user_id
   where m.tenant_id = target_tenant and private.is_member(target_tenant)
$$;
comment on function private.members_of(uuid) is 'Members of a tenant with their emails; empty unless the caller is a member.';
revoke all on function private.members_of(uuid) from public;
grant execute on function private.members_of(uuid) to authenticated, service_role;
