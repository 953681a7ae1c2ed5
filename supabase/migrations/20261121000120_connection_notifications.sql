-- Health notifications: a tenant's admins are told (webhook in tenants.settings.connectionWebhookUrl)
-- when a connection fails three syncs in a row, once per failing streak. The streak is notified when
-- failure_notified_at is later than the last success; claiming it is one conditional update, so two
-- workers finishing failed syncs at once send one message.
alter table public.connections add column failure_notified_at timestamptz;
comment on column public.connections.failure_notified_at is 'When the current failing streak was notified (webhook); a streak is notified once: while this is later than last_success_at.';

grant select (failure_notified_at), update (failure_notified_at) on public.connections to anon, authenticated;
