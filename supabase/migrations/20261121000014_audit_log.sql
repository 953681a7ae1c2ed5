-- Every action (upload, correction, exclusion, mapping, commit, decision, revert) leaves a row: who, when,
-- what, and the before/after where data changed. Append-only: no update or delete policy exists.

create table public.audit_log (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id bigint generated always as identity,
  at timestamptz not null default now(),
  actor uuid not null default auth.uid() references auth.users (id),
  action text not null,
  entity text not null,
  entity_id text,
  before jsonb,
  after jsonb,
  details jsonb,
  primary key (tenant_id, id)
);
comment on table public.audit_log is 'Append-only record of every action taken in a tenant.';
create index audit_log_time_idx on public.audit_log (tenant_id, at desc, id desc);
alter table public.audit_log enable row level security;

grant select, insert on public.audit_log to anon, authenticated;
grant all on public.audit_log to service_role;

create policy "Admins can read the audit log" on public.audit_log
  for select to authenticated using (private.has_role(tenant_id, '{admin}'));
create policy "Members record their own actions" on public.audit_log
  for insert to authenticated with check (private.is_member(tenant_id) and actor = auth.uid());
