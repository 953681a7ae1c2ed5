-- The import pipeline: every import moves uploaded → parsing → staged → committing → committed (or
-- failed, or reverted later), keeps its raw file key, profile, metrics and progress, and stages every
-- parsed row for review before anything reaches the ledger.

alter table public.imports drop constraint imports_status_check;
update public.imports set status = 'uploaded' where status = 'pending';
alter table public.imports
  alter column status set default 'uploaded',
  add constraint imports_status_check check (status in ('uploaded', 'parsing', 'staged', 'committing', 'committed', 'failed', 'reverted')),
  add column source text not null default 'upload',
  add column raw_key text,
  add column encoding text,
  add column account_id uuid,
  add column options jsonb not null default '{}'::jsonb,
  add column progress jsonb not null default '{}'::jsonb,
  add column profile jsonb,
  add column metrics jsonb not null default '{}'::jsonb,
  add column error jsonb,
  add column updated_at timestamptz not null default now(),
  add column committed_at timestamptz,
  add column committed_by uuid references auth.users (id),
  add column reverted_at timestamptz,
  add column reverted_by uuid references auth.users (id),
  add constraint imports_account_fkey foreign key (tenant_id, account_id) references public.accounts (tenant_id, id);
comment on column public.imports.account_id is 'The internal account the uploader chose for a file that names none (CSV, POS).';
comment on column public.imports.raw_key is 'Key of the unchanged raw file in the raw file store (always prefixed by the tenant id).';
create index imports_tenant_sha_idx on public.imports (tenant_id, sha256);

grant update (file_name, format, byte_size, sha256, status, rows_read, rows_imported, rows_invalid,
              encoding, account_id, options, progress, profile, metrics, error, updated_at,
              committed_at, committed_by, reverted_at, reverted_by, raw_key)
  on public.imports to anon, authenticated;

create table public.staged_rows (
  tenant_id uuid not null,
  import_id uuid not null,
  row_no integer not null,
  line integer not null,
  kind text not null check (kind in ('transaction', 'sales_line', 'gl_balance', 'appointment')),
  statement_no integer,
  external_account text,
  account_id uuid,
  record jsonb not null,
  original jsonb,
  issues jsonb not null default '[]'::jsonb,
  has_error boolean not null default false,
  has_warning boolean not null default false,
  excluded boolean not null default false,
  fingerprint text,
  dedup_key text,
  status text not null default 'new' check (status in ('new', 'exact_duplicate', 'likely_duplicate', 'error', 'unmapped', 'excluded')),
  match_transaction_id bigint,
  match_score real,
  primary key (tenant_id, import_id, row_no),
  foreign key (tenant_id, import_id) references public.imports (tenant_id, id) on delete cascade
);
comment on table public.staged_rows is 'Every parsed row of an import, with its issues, corrections and dedup status, reviewed before commit.';
comment on column public.staged_rows.original is 'The record as parsed, kept when a reviewer corrects a field.';
comment on column public.staged_rows.dedup_key is 'ext:<unique source reference> or fp:<fingerprint>:<occurrence among identical rows of this file>.';
comment on column public.staged_rows.status is 'What commit will do with the row: new (insert), exact_duplicate (skip), likely_duplicate (hold for review), error/unmapped (block), excluded.';
create index staged_rows_status_idx on public.staged_rows (tenant_id, import_id, status, row_no);
alter table public.staged_rows enable row level security;

grant select, insert, update, delete on public.staged_rows to anon, authenticated;
grant all on public.staged_rows to service_role;

create policy "Members can view staged rows of their tenant's imports" on public.staged_rows
  for select to authenticated using (private.is_member(tenant_id));
create policy "Uploaders and admins can stage rows" on public.staged_rows
  for insert to authenticated with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Uploaders and admins can correct and classify staged rows" on public.staged_rows
  for update to authenticated using (private.has_role(tenant_id, '{admin,uploader}')) with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Uploaders and admins can discard staged rows" on public.staged_rows
  for delete to authenticated using (private.has_role(tenant_id, '{admin,uploader}'));

create table public.import_statements (
  tenant_id uuid not null,
  import_id uuid not null,
  statement_no integer not null,
  line integer not null,
  external_account text not null,
  account jsonb not null,
  statement_id text,
  period_from date,
  period_to date,
  balances jsonb not null default '[]'::jsonb,
  primary key (tenant_id, import_id, statement_no),
  foreign key (tenant_id, import_id) references public.imports (tenant_id, id) on delete cascade
);
comment on table public.import_statements is 'The statements found in an import: external account, period and stated balances.';
alter table public.import_statements enable row level security;

grant select, insert, update, delete on public.import_statements to anon, authenticated;
grant all on public.import_statements to service_role;

create policy "Members can view their tenant's import statements" on public.import_statements
  for select to authenticated using (private.is_member(tenant_id));
create policy "Uploaders and admins can record import statements" on public.import_statements
  for insert to authenticated with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Uploaders and admins can update import statements" on public.import_statements
  for update to authenticated using (private.has_role(tenant_id, '{admin,uploader}')) with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Uploaders and admins can discard import statements" on public.import_statements
  for delete to authenticated using (private.has_role(tenant_id, '{admin,uploader}'));

create table public.import_issues (
  tenant_id uuid not null,
  import_id uuid not null,
  id bigint generated always as identity,
  line integer not null,
  severity text not null check (severity in ('error', 'warning', 'info')),
  code text not null,
  message text not null,
  field text,
  primary key (tenant_id, import_id, id),
  foreign key (tenant_id, import_id) references public.imports (tenant_id, id) on delete cascade
);
comment on table public.import_issues is 'Every issue a parser reported for an import, with its physical line; row issues are also copied onto staged_rows.';
create index import_issues_line_idx on public.import_issues (tenant_id, import_id, line);
alter table public.import_issues enable row level security;

grant select, insert, update, delete on public.import_issues to anon, authenticated;
grant all on public.import_issues to service_role;

create policy "Members can view their tenant's import issues" on public.import_issues
  for select to authenticated using (private.is_member(tenant_id));
create policy "Uploaders and admins can record import issues" on public.import_issues
  for insert to authenticated with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Uploaders and admins can update import issues" on public.import_issues
  for update to authenticated using (private.has_role(tenant_id, '{admin,uploader}')) with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Uploaders and admins can discard import issues" on public.import_issues
  for delete to authenticated using (private.has_role(tenant_id, '{admin,uploader}'));
