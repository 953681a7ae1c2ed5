/**
 * The one connection pool. `pg` is the only driver. With DATABASE_URL unset, the embedded Postgres is
 * started on first use. The pool connects as the database owner; request code never queries with it
 * directly but through `withUser` (RLS enforced) — see ./with-user.ts and ./service.ts.
 */
import pg from "pg";
import { env } from "@/lib/env";
import { ensureEmbeddedPostgres } from "./embedded";

// Calendar dates stay "YYYY-MM-DD" strings: a JS Date would shift them by the server's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
// numeric and int8 already arrive as strings, which keeps money exact.

export type DatabaseKind = "embedded" | "external";

interface PoolState {
  pool: Promise<pg.Pool>;
  url: Promise<string>;
  /** Stops the embedded cluster when this process started it. */
  stopCluster: () => Promise<void>;
}

const globalForPool = globalThis as typeof globalThis & { __inflowPool?: PoolState };

export function databaseKind(): DatabaseKind {
  return env().DATABASE_URL ? "external" : "embedded";
}

export function getPool(): Promise<pg.Pool> {
  if (!globalForPool.__inflowPool) {
    let stopCluster = async (): Promise<void> => undefined;
    const url = (async () => {
      const external = env().DATABASE_URL;
      if (external) return external;
      const cluster = await ensureEmbeddedPostgres(console.log);
      stopCluster = cluster.stop;
      return cluster.connectionString;
    })();
    const pool = (async () => {
      const connectionString = await url;
      const created = new pg.Pool({ connectionString, max: 10, idleTimeoutMillis: 30_000 });
      // An idle client dies when Postgres shuts down (57P01 on Ctrl-C); the pool replaces it on next use.
      created.on("error", (error: Error & { code?: string }) => {
        if (error.code !== "57P01") console.error(`idle Postgres client error: ${error.message}`);
      });
      return created;
    })();
    const state: PoolState = { pool, url, stopCluster: () => stopCluster() };
    globalForPool.__inflowPool = state;
    // A failed start must not be cached forever: the next call tries again.
    pool.catch(() => {
      globalForPool.__inflowPool = undefined;
    });
  }
  return globalForPool.__inflowPool.pool;
}

/** The connection string in use (the embedded cluster's when DATABASE_URL is unset), for pg-boss. */
export async function databaseUrl(): Promise<string> {
  await getPool();
  return globalForPool.__inflowPool!.url;
}

/** Ends the pool, and stops the embedded cluster if this process started it. */
export async function closePool(): Promise<void> {
  const state = globalForPool.__inflowPool;
  globalForPool.__inflowPool = undefined;
  if (!state) return;
  await (await state.pool).end();
  await state.stopCluster();
}

export type Db = pg.PoolClient;

/** Runs `fn` in one transaction on a pooled client, after `prelude` has set the caller's identity. */
export async function inTransaction<T>(prelude: (db: Db) => Promise<void>, fn: (db: Db) => Promise<T>): Promise<T> {
  const client = await (await getPool()).connect();
  try {
    await client.query("begin");
    await prelude(client);
    const result = await fn(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
