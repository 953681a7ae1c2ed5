/**
 * Database administration shared by the CLI, the start script and the test setup: migrate, seed,
 * reset, each on its own connection as the owner (the service path).
 */
import pg from "pg";
import { DEFAULT_DEMO_PASSWORD, env } from "@/lib/env";
import { databaseKind, getPool } from "./pool";
import { migrate, resetDatabase } from "./migrate";
import { seedDemo } from "./seed";

async function withOwnerClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await (await getPool()).connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

export function runMigrations(log: (line: string) => void = console.log): Promise<string[]> {
  return withOwnerClient((client) => migrate(client, log));
}

export class RefusedError extends Error {}

/** Seeds the demo tenant; refuses a non-embedded database unless explicitly allowed. */
export async function runSeed(options: { allowExternal?: boolean; log?: (line: string) => void } = {}): Promise<void> {
  const log = options.log ?? console.log;
  if (databaseKind() !== "embedded" && !options.allowExternal) {
    throw new RefusedError("Refusing to seed demo users into an external database (DATABASE_URL is set). Pass --allow-external if you mean it.");
  }
  const password = env().INFLOW_DEMO_PASSWORD;
  await withOwnerClient(async (client) => {
    await client.query("begin");
    try {
      await seedDemo(client, password);
      await client.query("commit");
    } catch (error) {
      await client.query("rollback");
      throw error;
    }
  });
  // Print the password only when it is the well-known default; one set on purpose stays off the screen.
  const fromEnv = password !== DEFAULT_DEMO_PASSWORD;
  log("");
  log("  ┌────────────────────────────────────────────────────────────────────┐");
  log("  │  DEMO SIGN-INS (tenant 'demo') — for local use only                │");
  log("  │    admin@example.com  reviewer@example.com                         │");
  log("  │    uploader@example.com  viewer@example.com                        │");
  log(`  │  password: ${(fromEnv ? "(from INFLOW_DEMO_PASSWORD)" : `${password}  (default; set INFLOW_DEMO_PASSWORD)`).padEnd(56)}│`);
  log("  └────────────────────────────────────────────────────────────────────┘");
  log("");
}

export async function runReset(options: { allowExternal?: boolean } = {}): Promise<void> {
  if (databaseKind() !== "embedded" && !options.allowExternal) {
    throw new RefusedError("Refusing to reset an external database (DATABASE_URL is set). Pass --allow-external if you mean it.");
  }
  await withOwnerClient((client) => resetDatabase(client));
}
