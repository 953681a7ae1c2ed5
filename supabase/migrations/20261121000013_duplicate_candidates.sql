-- Likely duplicates are held out of the ledger in a reviewers' queue, each with its score, the reason
-- and the ledger row it resembles, until a reviewer approves (insert it) or rejects (drop it) it.

create table public.duplicate_candidates (
  tenant_id uuid not null,
  id bigint generated always as identity,
  import_id uuid not null,
  row_no integer not null,
  matched_transaction_id bigint not null,
  score real not null,
  reason jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected', 'reverted')),
  decided_by uuid references auth.users (id),
  decided_at timestamptz,
  inserted_transaction_id bigint,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, import_id, row_no),
  foreign key (tenant_id, import_id, row_no) references public.staged_rows (tenant_id, import_id, row_no) on delete cascade
);
comment on table public.duplicate_candidates is 'A staged row held as a likely duplicate of a ledger row, waiting for a reviewer''s decision.';
create index duplicate_candidates_queue_idx on public.duplicate_candidates (tenant_id, status, id);
alter table public.duplicate_candidates enable row level security;

grant select, insert, update, delete on public.duplicate_candidates to anon, authenticated;
grant all on public.duplicate_candidates to service_role;

create policy "Members can view their tenant's duplicate queue" on public.duplicate_candidates
  for select to authenticated using (private.is_member(tenant_id));
create policy "Uploaders and admins can hold likely duplicates at commit" on public.duplicate_candidates
  for insert to authenticated with check (private.has_role(tenant_id, '{admin,uploader}'));
create policy "Reviewers, admins and reverting uploaders can settle duplicates" on public.duplicate_candidates
  for update to authenticated using (private.has_role(tenant_id, '{admin,reviewer,uploader}')) with check (private.has_role(tenant_id, '{admin,reviewer,uploader}'));
-- No delete policy: decisions are kept.

-- Approving a duplicate inserts the held row into the ledger, which reviewers do only through this path.
create policy "Reviewers can insert approved duplicates" on public.transactions
  for insert to authenticated with check (private.has_role(tenant_id, '{reviewer}'));
