-- Sessions ended by signing out. A session JWT (local or Supabase's) stays cryptographically valid
-- until it expires — up to 8 hours for local sessions, an hour for Supabase access tokens, which
-- Supabase's own signOut does not revoke — so every request looks its session_id up here (one
-- primary-key probe in the transaction that reads the caller's memberships) and a listed one is
-- refused as signed out. A row is needed only until its token would have expired anyway.

create table public.revoked_sessions (
  user_id uuid not null references auth.users (id) on delete cascade,
  session_id uuid not null,
  -- The token's own expiry: after it the token is refused anyway and the row may go.
  expires_at timestamptz not null,
  revoked_at timestamptz not null default now(),
  -- Keyed by user too, so no one can take a session id of another user's first and so block its revocation.
  primary key (user_id, session_id)
);
comment on table public.revoked_sessions is 'Sessions ended by signing out (session_id claim of the JWT), refused on every request until the token expires.';
comment on column public.revoked_sessions.expires_at is 'When the revoked token expires (its exp claim); the row is not needed after that.';
alter table public.revoked_sessions enable row level security;

-- Not updatable by anyone: a revocation cannot be moved to another session or shortened.
grant select, insert, delete on public.revoked_sessions to anon, authenticated;
grant all on public.revoked_sessions to service_role;

create policy "Users can see which of their own sessions are signed out" on public.revoked_sessions
  for select to authenticated using (user_id = (select auth.uid()));

create policy "Users can sign out their own sessions" on public.revoked_sessions
  for insert to authenticated with check (user_id = (select auth.uid()));

-- Only rows whose token has expired: an unexpired revocation cannot be taken back.
create policy "Users can forget their own signed-out sessions once the token has expired" on public.revoked_sessions
  for delete to authenticated using (user_id = (select auth.uid()) and expires_at < now());
