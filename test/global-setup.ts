/**
 * Vitest global setup: a real Postgres for every test that touches data. Starts the embedded cluster
 * in its own data directory (never the developer's .data/pg), resets the database, migrates and seeds,
 * then hands the connection string to the test workers through DATABASE_URL.
 * With INFLOW_TEST_DATABASE_URL set, uses that database instead (it is reset: point it at a scratch one).
 */
import { ensureEmbeddedPostgres } from "@/lib/db/embedded";
import { resetEnvCache } from "@/lib/env";
import { closePool } from "@/lib/db/pool";
import { runMigrations, runReset, runSeed } from "@/lib/db/admin";

export default async function setup(): Promise<() => Promise<void>> {
  process.env.INFLOW_DATA_DIR ??= ".data/test";
  process.env.INFLOW_EMBEDDED_PG_PORT ??= "54339";
  process.env.INFLOW_DEMO_PASSWORD ??= "inflow-demo";
  let stop = async (): Promise<void> => undefined;
  if (process.env.INFLOW_TEST_DATABASE_URL) {
    process.env.DATABASE_URL = process.env.INFLOW_TEST_DATABASE_URL;
  } else {
    delete process.env.DATABASE_URL;
    resetEnvCache();
    const cluster = await ensureEmbeddedPostgres();
    stop = cluster.stop;
    process.env.DATABASE_URL = cluster.connectionString;
  }
  resetEnvCache();
  await runReset({ allowExternal: true });
  await runMigrations(() => undefined);
  await runSeed({ allowExternal: true, log: () => undefined });
  await closePool();
  return async () => {
    await stop();
  };
}
