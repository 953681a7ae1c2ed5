-- Connections: a tenant's links to outside sources (an SFTP drop folder, a bank API, another database)
-- that are synced into the same import pipeline as uploads. Settings are plain jsonb; the credentials
-- are one AES-256-GCM ciphertext (lib/crypto/secrets.ts) that no API role can read back: column grants
-- leave it out of every select, and the server reads it only through private.connection_secret.

create table public.connections (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  type text not null check (type ~ '^[a-z][a-z0-9_-]{1,40}$'),
  status text not null default 'active' check (status in ('active', 'paused', 'failing')),
  -- manual, hourly, daily, or a five-field cron expression (checked by the app).
  schedule text not null default 'manual' check (length(schedule) between 1 and 200),
  config jsonb not null default '{}'::jsonb check (jsonb_typeof(config) = 'object'),
  secret_ciphertext bytea,
  cursor jsonb,
  last_sync_at timestamptz,
  next_sync_at timestamptz,
  last_success_at timestamptz,
  consecutive_failures integer not null default 0 check (consecutive_failures >= 0),
  last_error jsonb,
  next_allowed_sync_at timestamptz,
  created_by uuid not null default auth.uid() references auth.users (id),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);
comment on table public.connections is 'A tenant''s connection to an outside source, synced into the import pipeline; credentials encrypted at rest and never readable through the API.';
comment on column public.connections.config is 'Non-secret settings, validated by the connector''s config schema.';
comment on column public.connections.secret_ciphertext is 'AES-256-GCM ciphertext of the JSON credentials (version byte, IV, tag, ciphertext); no API role may select it.';
comment on column public.connections.cursor is 'Where the next sync resumes; advanced only in the transaction that commits the batch it follows.';
comment on column public.connections.next_allowed_sync_at is 'Earliest moment the provider allows another request (Retry-After, quotas).';
create index connections_next_sync_idx on public.connections (next_sync_at) where status <> 'paused';
alter table public.connections enable row level security;

-- Column grants: every column but the ciphertext is readable; the ciphertext can be written, never read.
-- tenant_id, id, type and created_by are fixed once the row exists.
grant select (tenant_id, id, name, type, status, schedule, config, cursor, last_sync_at, next_sync_at, last_success_at,
              consecutive_failures, last_error, next_allowed_sync_at, created_by, created_at)
  on public.connections to anon, authenticated;
grant insert (tenant_id, id, name, type, status, schedule, config, secret_ciphertext, cursor, next_sync_at, created_by)
  on public.connections to anon, authenticated;
grant update (name, status, schedule, config, secret_ciphertext, cursor, last_sync_at, next_sync_at, last_success_at,
              consecutive_failures, last_error, next_allowed_sync_at)
  on public.connections to anon, authenticated;
grant delete on public.connections to anon, authenticated;
grant all on public.connections to service_role;

create policy "Members can view their tenant's connections" on public.connections
  for select to authenticated using (private.is_member(tenant_id));
create policy "Admins can create connections as themselves" on public.connections
  for insert to authenticated with check (private.has_role(tenant_id, '{admin}') and created_by = auth.uid());
create policy "Admins can change their tenant's connections" on public.connections
  for update to authenticated using (private.has_role(tenant_id, '{admin}')) with check (private.has_role(tenant_id, '{admin}'));
create policy "Admins can delete their tenant's connections" on public.connections
  for delete to authenticated using (private.has_role(tenant_id, '{admin}'));

create function private.connection_secret(target_tenant uuid, target_connection uuid)
returns bytea
language sql stable security definer set search_path = ''
as $$
  select c.secret_ciphertext from public.connections c
   where c.tenant_id = target_tenant and c.id = target_connection and private.has_role(target_tenant, '{admin}')
$$;
comment on function private.connection_secret(uuid, uuid) is 'The encrypted credentials of a connection, for its tenant''s admins only; the server decrypts them to sync. Not exposed through any API (schema private).';
revoke all on function private.connection_secret(uuid, uuid) from public;
grant execute on function private.connection_secret(uuid, uuid) to authenticated, service_role;

-- Files an SFTP connection has handed to the pipeline, so a file is never imported twice: the same
-- path with the same size and content is known; a changed file (new size or hash) is a new one.
create table public.connection_files (
  tenant_id uuid not null,
  connection_id uuid not null,
  path text not null check (length(path) between 1 and 4096),
  size bigint not null check (size >= 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  modified_at timestamptz,
  import_id uuid not null,
  seen_at timestamptz not null default now(),
  primary key (tenant_id, connection_id, path, size, sha256),
  foreign key (tenant_id, connection_id) references public.connections (tenant_id, id) on delete cascade,
  foreign key (tenant_id, import_id) references public.imports (tenant_id, id)
);
comment on table public.connection_files is 'Files an SFTP connection has imported, by path, size and SHA-256; a file recorded here is never imported again.';
comment on column public.connection_files.modified_at is 'The server''s modification time when fetched: an unchanged path, size and time is not downloaded again.';
create index connection_files_import_idx on public.connection_files (tenant_id, import_id);
alter table public.connection_files enable row level security;

grant select, insert on public.connection_files to anon, authenticated;
grant all on public.connection_files to service_role;

create policy "Members can view the files their tenant's connections imported" on public.connection_files
  for select to authenticated using (private.is_member(tenant_id));
create policy "Admins can record the files their connections imported" on public.connection_files
  for insert to authenticated with check (private.has_role(tenant_id, '{admin}'));
-- No update or delete policy: the record of what was imported is kept (it goes with its connection).
