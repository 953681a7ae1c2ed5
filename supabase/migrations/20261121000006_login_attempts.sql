-- Failed sign-ins, kept to rate-limit password guessing across every app process. Not tenant data:
-- lives in inflow_meta, which no API role can reach.

create table if not exists inflow_meta.login_attempts (
  id bigint generated always as identity primary key,
  email text not null,
  client_ip text not null,
  attempted_at timestamptz not null default now()
);
comment on table inflow_meta.login_attempts is 'Failed password sign-ins per email and client address, for rate limiting.';
create index login_attempts_email_time_idx on inflow_meta.login_attempts (email, attempted_at desc);
create index login_attempts_ip_time_idx on inflow_meta.login_attempts (client_ip, attempted_at desc);
revoke all on inflow_meta.login_attempts from public;
