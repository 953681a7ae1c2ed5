/**
 * Sign-in rate limiting, shared by every app process through Postgres: at most 5 failed attempts per
 * email and 30 per client address in 15 minutes. Runs on the service path (inflow_meta is not tenant data).
 */
import type { Db } from "@/lib/db/pool";

export const WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_CLIENT = 30;

/** Seconds until another attempt is allowed, or 0 when one is allowed now. */
export async function secondsUntilLoginAllowed(db: Db, params: { email: string; clientIp: string }): Promise<number> {
  const { rows } = await db.query<{ by_email: number; by_client: number; wait_email: number | null; wait_client: number | null }>(
    `with recent as (
       select email, client_ip, attempted_at from inflow_meta.login_attempts
        where attempted_at > now() - make_interval(mins => $3) and (email = $1 or client_ip = $2)
     ), e as (
       select attempted_at from recent where email = $1 order by attempted_at desc offset $4 - 1 limit 1
     ), c as (
       select attempted_at from recent where client_ip = $2 order by attempted_at desc offset $5 - 1 limit 1
     )
     select (select count(*) from recent where email = $1)::int as by_email,
            (select count(*) from recent where client_ip = $2)::int as by_client,
            (select ceil(extract(epoch from e.attempted_at + make_interval(mins => $3) - now()))::int from e) as wait_email,
            (select ceil(extract(epoch from c.attempted_at + make_interval(mins => $3) - now()))::int from c) as wait_client`,
    [params.email, params.clientIp, WINDOW_MINUTES, MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_CLIENT],
  );
  const r = rows[0]!;
  const waits = [
    r.by_email >= MAX_FAILURES_PER_EMAIL ? (r.wait_email ?? 1) : 0,
    r.by_client >= MAX_FAILURES_PER_CLIENT ? (r.wait_client ?? 1) : 0,
  ];
  return Math.max(0, ...waits);
}

export async function recordFailedLogin(db: Db, params: { email: string; clientIp: string }): Promise<void> {
  await db.query("insert into inflow_meta.login_attempts (email, client_ip) values ($1, $2)", [params.email, params.clientIp]);
}

export async function clearFailedLogins(db: Db, params: { email: string }): Promise<void> {
  await db.query("delete from inflow_meta.login_attempts where email = $1", [params.email]);
}
