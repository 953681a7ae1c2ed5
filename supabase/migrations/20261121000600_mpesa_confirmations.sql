-- M-Pesa C2B confirmations: Safaricom's Daraja pushes one to the connection's callback address for each
-- payment into the shortcode. The callback route stores it here on arrival (service role: Daraja has no
-- session; the route authenticates it by the connection's unguessable token), once per receipt
-- number, and the connection's sync reads them after its cursor into the import pipeline.

create table public.mpesa_confirmations (
  tenant_id uuid not null,
  connection_id uuid not null,
  -- M-Pesa's receipt number (TransID): one confirmation per receipt, whatever Daraja re-sends.
  trans_id text not null check (trans_id ~ '^[A-Za-z0-9]{6,32}$'),
  payload jsonb not null check (jsonb_typeof(payload) = 'object'),
  raw text not null,
  received_at timestamptz not null default now(),
  -- The inserting transaction: a sync reads only confirmations whose transaction is older than every
  -- transaction still running, in (txid, id) order, so one committed late is never passed over.
  txid xid8 not null default pg_current_xact_id(),
  id bigint generated always as identity,
  primary key (tenant_id, connection_id, trans_id),
  foreign key (tenant_id, connection_id) references public.connections (tenant_id, id) on delete cascade
);
comment on table public.mpesa_confirmations is 'M-Pesa C2B confirmations Daraja pushed to a connection''s callback, stored once per receipt number (TransID) until its sync imports them.';
comment on column public.mpesa_confirmations.payload is 'The confirmation as Daraja sent it, TransAmount kept as the exact text it was written as.';
comment on column public.mpesa_confirmations.raw is 'The request body exactly as received.';
comment on column public.mpesa_confirmations.txid is 'The inserting transaction id; with id, the order a sync reads in (see lib/db/queries/mpesa.ts).';
create index mpesa_confirmations_order_idx on public.mpesa_confirmations (tenant_id, connection_id, txid, id);
alter table public.mpesa_confirmations enable row level security;

-- Only the callback (service role) writes; a tenant's admins read them, as the sync does with their claims.
grant select on public.mpesa_confirmations to anon, authenticated;
grant all on public.mpesa_confirmations to service_role;

create policy "Admins can view the M-Pesa confirmations of their tenant's connections" on public.mpesa_confirmations
  for select to authenticated using (private.has_role(tenant_id, '{admin}'));
