/**
 * The only way request code touches tenant data: one transaction that does what PostgREST does —
 * `set_config('request.jwt.claims', …, true)` then `SET LOCAL ROLE authenticated` — so Postgres itself
 * enforces row-level security, identically on the embedded default and on Supabase.
 */
import type { JwtClaims } from "@/lib/auth/claims";
import { inTransaction, type Db } from "./pool";

export function withUser<T>(claims: JwtClaims, fn: (db: Db) => Promise<T>): Promise<T> {
  return inTransaction(async (db) => {
    await db.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(claims)]);
    await db.query("set local role authenticated");
  }, fn);
}

/** The anonymous caller (no session): Postgres role `anon`, no claims. */
export function withAnon<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  return inTransaction(async (db) => {
    await db.query("select set_config('request.jwt.claims', '', true)");
    await db.query("set local role anon");
  }, fn);
}
