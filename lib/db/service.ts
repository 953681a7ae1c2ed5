/**
 * The service path: queries as the database owner, bypassing RLS. Used only where documented in
 * docs/architecture.md — migrations, the seed, password sign-in (auth.users is not tenant data),
 * login rate limiting, and CLI administration. Never from a route handler touching tenant data.
 */
import { inTransaction, type Db } from "./pool";

export function withService<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  return inTransaction(async () => undefined, fn);
}
