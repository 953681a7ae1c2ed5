/**
 * Applies supabase/migrations/<timestamp>_<name>.sql in order, each in its own transaction, and
 * records what it applied (with a checksum) in inflow_meta.schema_migrations. An advisory lock keeps
 * two processes from migrating at once. An applied file that changed afterwards is an error: write a
 * new migration instead.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type pg from "pg";

export const MIGRATIONS_DIR = path.resolve(process.cwd(), "supabase", "migrations");
const LOCK_KEY = 7_315_001; // arbitrary, fixed: "inflow migrations"

export interface MigrationFile {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{14}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(dir, file), "utf8");
      const [, version = "", name = ""] = /^(\d{14})_(.+)\.sql$/.exec(file) ?? [];
      return { version, name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export async function migrate(client: pg.ClientBase, log: (line: string) => void = () => undefined): Promise<string[]> {
  await client.query("select pg_advisory_lock($1)", [LOCK_KEY]);
  try {
    await client.query(`
      create schema if not exists inflow_meta;
      comment on schema inflow_meta is 'Inflow bookkeeping (migrations, rate limits); never exposed to API roles.';
      create table if not exists inflow_meta.schema_migrations (
        version text primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      );`);
    const applied = new Map(
      (await client.query<{ version: string; checksum: string }>("select version, checksum from inflow_meta.schema_migrations")).rows.map(
        (r) => [r.version, r.checksum],
      ),
    );
    const done: string[] = [];
    for (const m of readMigrations()) {
      const previous = applied.get(m.version);
      if (previous !== undefined) {
        if (previous !== m.checksum) throw new Error(`Migration ${m.version}_${m.name}.sql changed after it was applied; add a new migration instead.`);
        continue;
      }
      log(`applying ${m.version}_${m.name}`);
      await client.query("begin");
      try {
        await client.query(m.sql);
        await client.query("insert into inflow_meta.schema_migrations (version, name, checksum) values ($1, $2, $3)", [m.version, m.name, m.checksum]);
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw new Error(`Migration ${m.version}_${m.name}.sql failed: ${(error as Error).message}`);
      }
      done.push(`${m.version}_${m.name}`);
    }
    return done;
  } finally {
    await client.query("select pg_advisory_unlock($1)", [LOCK_KEY]);
  }
}

/** Drops everything Inflow created in this database (not cluster roles). Embedded/test use only. */
export async function resetDatabase(client: pg.ClientBase): Promise<void> {
  await client.query(`
    drop schema if exists public cascade;
    drop schema if exists private cascade;
    drop schema if exists auth cascade;
    drop schema if exists inflow_meta cascade;
    drop schema if exists pgboss cascade;
    create schema public;
    grant usage on schema public to public;`);
}
