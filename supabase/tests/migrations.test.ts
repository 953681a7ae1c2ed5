import { describe, expect, it } from "vitest";
import { asService } from "@/test/db";
import { readMigrations } from "@/lib/db/migrate";

describe("migrations", () => {
  it("recorded every migration file with its checksum", async () => {
    const applied = await asService(async (db) => (await db.query<{ version: string; checksum: string }>("select version, checksum from inflow_meta.schema_migrations order by version")).rows);
    expect(applied).toEqual(readMigrations().map((m) => ({ version: m.version, checksum: m.checksum })));
  });

  it("enabled row-level security on every table in the exposed schemas", async () => {
    const tables = await asService(async (db) =>
      (await db.query<{ table: string; rls: boolean }>(
        `select n.nspname || '.' || c.relname as table, c.relrowsecurity as rls
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p') and n.nspname = 'public'`,
      )).rows,
    );
    expect(tables.length).toBeGreaterThan(0);
    expect(tables.filter((t) => !t.rls)).toEqual([]);
  });

  it("gives every security definer function a fixed search_path", async () => {
    const loose = await asService(async (db) =>
      (await db.query<{ fn: string }>(
        `select n.nspname || '.' || p.proname as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where p.prosecdef and n.nspname in ('public', 'private')
            and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%')`,
      )).rows,
    );
    expect(loose).toEqual([]);
  });
});
