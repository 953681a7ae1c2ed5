/**
 * Backups: `inflow db dump --tenant A` then A wiped (its rows, its users, its raw files), then
 * `inflow db restore` brings back every row of every tenant table, the users and the raw files byte for
 * byte, while tenant B is untouched throughout. Restoring over an existing tenant is refused unless
 * --replace; a truncated dump is refused and restores nothing. The commands run as child processes,
 * as an operator would run them.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantTables } from "@/lib/db/backup";
import { databaseUrl } from "@/lib/db/pool";
import { decideDuplicates } from "@/lib/ingest/duplicates";
import { dataDir } from "@/lib/env";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { BACKFILL_CSV, importText, likelyDuplicateScenario, type DuplicateScenario } from "@/test/likely-duplicates";

const run = promisify(execFile);

async function inflow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/inflow.mjs", ...args], { env: { ...process.env, DATABASE_URL: await databaseUrl() }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** Every row of every tenant table (and the tenant's users), in primary-key order, plus its raw files' hashes. */
async function snapshot(tenantId: string): Promise<Record<string, unknown>> {
  return asService(async (db) => {
    const out: Record<string, unknown> = {};
    for (const table of await tenantTables(db)) {
      const key = table === "tenants" ? "id" : "tenant_id";
      const { rows } = await db.query<{ row: unknown }>(`select to_jsonb(t) as row from public.${table} t where ${key} = $1 order by to_jsonb(t)::text`, [tenantId]);
      out[table] = rows.map((r) => r.row);
    }
    out["auth.users"] = (
      await db.query<{ row: unknown }>("select to_jsonb(u) as row from auth.users u where id in (select user_id from public.memberships where tenant_id = $1) order by id", [tenantId])
    ).rows.map((r) => r.row);
    const dir = dataDir("raw", tenantId);
    out.rawFiles = fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => !f.startsWith("."))
          .sort()
          .map((f) => [f, createHash("sha256").update(fs.readFileSync(path.join(dir, f))).digest("hex")])
      : [];
    return out;
  });
}

describe("inflow db dump and restore", () => {
  let dir: string;
  let a: DuplicateScenario;
  let b: TestTenant;
  let before: { a: Record<string, unknown>; b: Record<string, unknown> };
  let dump: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "inflow-backup-"));
    // Tenant A: two imports, held duplicates (one approved, one rejected), audit entries, raw files.
    a = await likelyDuplicateScenario("backup-a");
    await decideDuplicates({ claims: a.tenant.members.reviewer.claims, tenantId: a.tenant.id }, { ids: [a.candidateIds[0]!], decision: "approve" });
    await decideDuplicates({ claims: a.reviewer2.claims, tenantId: a.tenant.id }, { ids: [a.candidateIds[1]!], decision: "reject" });
    b = await createTenant("backup-b");
    const bAccount = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'B bank', 'USD') returning id", [b.id])).rows[0]!.id);
    await importText(b, b.members.uploader, "b.csv", BACKFILL_CSV, bAccount);
    before = { a: await snapshot(a.tenant.id), b: await snapshot(b.id) };
    dump = path.join(dir, "a.inflow.gz");
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("dumps a tenant, and restores it byte for byte after it was wiped; the other tenant is untouched", { timeout: 120_000 }, async () => {
    const dumped = await inflow("db", "dump", "--tenant", a.tenant.slug, "--out", dump);
    expect(dumped.stderr).toBe("");
    expect(dumped.code).toBe(0);
    expect(dumped.stdout).toMatch(new RegExp(`^Dumped tenant "${a.tenant.slug}" to .*: \\d+ rows in \\d+ tables, 2 raw files\\.`));
    expect((before.a.transactions as unknown[]).length).toBe(8);
    expect((before.a.rawFiles as unknown[]).length).toBe(2);

    // Wipe A: its rows (children first), the users only it had, its raw files.
    await asService(async (db) => {
      for (const table of (await tenantTables(db)).reverse()) await db.query(`delete from public.${table} where ${table === "tenants" ? "id" : "tenant_id"} = $1`, [a.tenant.id]);
      await db.query("delete from auth.users where id = any($1)", [[...Object.values(a.tenant.members).map((u) => u.id), a.reviewer2.id]]);
    });
    fs.rmSync(dataDir("raw", a.tenant.id), { recursive: true, force: true });
    expect((await snapshot(a.tenant.id)).transactions).toEqual([]);

    const restored = await inflow("db", "restore", dump);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(new RegExp(`^Restored tenant "${a.tenant.slug}": \\d+ rows, 2 raw files\\.`));
    expect(await snapshot(a.tenant.id)).toEqual(before.a);
    expect(await snapshot(b.id)).toEqual(before.b);
  });

  it("refuses to restore over an existing tenant unless --replace, which puts the dump's data in place", { timeout: 120_000 }, async () => {
    // A change after the dump: --replace must take it away again.
    await asService((db) => db.query("update public.accounts set name = 'Renamed after the dump' where tenant_id = $1", [a.tenant.id]));
    const changed = await snapshot(a.tenant.id);
    const refused = await inflow("db", "restore", dump);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The tenant "${a.tenant.slug}" exists in this database. Restore with --replace`);
    expect(await snapshot(a.tenant.id)).toEqual(changed);

    const replaced = await inflow("db", "restore", dump, "--replace");
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain("(replacing its data)");
    expect(await snapshot(a.tenant.id)).toEqual(before.a);
    expect(await snapshot(b.id)).toEqual(before.b);
  });

  it("refuses a truncated dump and restores nothing", { timeout: 120_000 }, async () => {
    const bytes = fs.readFileSync(dump);
    const cut = path.join(dir, "cut.inflow.gz");
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await asService((db) => db.query("update public.accounts set name = 'Changed again' where tenant_id = $1", [a.tenant.id]));
    const changed = await snapshot(a.tenant.id);
    const refused = await inflow("db", "restore", cut, "--replace");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cut\.inflow\.gz: cannot be read as an Inflow dump|cut\.inflow\.gz is incomplete/);
    expect(await snapshot(a.tenant.id)).toEqual(changed);
    expect(await snapshot(b.id)).toEqual(before.b);
  });
});
