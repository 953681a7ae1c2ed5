-- A file fetched again with the same bytes but a new modification time (touched, copied over itself)
-- is not imported again; noting its new time lets the next sync skip downloading it at all.
grant update (modified_at, seen_at) on public.connection_files to anon, authenticated;

create policy "Admins can note when their connections saw a file again" on public.connection_files
  for update to authenticated using (private.has_role(tenant_id, '{admin}')) with check (private.has_role(tenant_id, '{admin}'));
