/**
 * private.insert_import_transactions, the commit's ledger insert that checks role, import and accounts
 * once instead of per-row RLS and foreign-key triggers (supabase/migrations/*_commit_ledger_rows.sql):
 * it must refuse exactly whom the insert policy refuses, never read another tenant's import, and hold
 * the accounts its rows take as the account foreign key would.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runParseJob } from "@/lib/ingest/jobs";
import { createImportFromStoredFile, uploadFields } from "@/lib/ingest/upload";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, asUser, createTenant, type TestTenant, type TestUser } from "@/test/db";

const US_CSV = path.resolve("test/fixtures/samples/csv/bank_us_debit_credit_bom.csv");

async function createAccount(tenant: TestTenant, name: string): Promise<string> {
  return asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, $2, 'USD') returning id", [tenant.id, name])).rows[0]!.id);
}

async function stage(tenant: TestTenant, accountId: string): Promise<string> {
  const stored = await (await rawFileStore()).put(tenant.id, fs.createReadStream(US_CSV));
  const ctx = { claims: tenant.members.uploader.claims, tenantId: tenant.id };
  const { importId } = await createImportFromStoredFile(ctx, { fileName: "us.csv", stored, fields: uploadFields.parse({ accountId }), source: "cli" }, { enqueueParse: false });
  await runParseJob({ ...ctx, importId });
  return importId;
}

const insertAs = (user: TestUser, tenantId: string, importId: string) =>
  asUser(user, async (db) => Number((await db.query<{ n: string }>("select private.insert_import_transactions($1, $2, 'test:csv') as n", [tenantId, importId])).rows[0]!.n));

async function ledgerRows(tenantId: string): Promise<number> {
  return asService(async (db) => Number((await db.query<{ n: string }>("select count(*) as n from public.transactions where tenant_id = $1", [tenantId])).rows[0]!.n));
}

async function newRows(tenantId: string, importId: string): Promise<number> {
  return asService(async (db) =>
    Number((await db.query<{ n: string }>("select count(*) as n from public.staged_rows where tenant_id = $1 and import_id = $2 and status = 'new'", [tenantId, importId])).rows[0]!.n),
  );
}

describe("the commit's ledger insert", () => {
  let a: TestTenant;
  let b: TestTenant;
  let accountA: string;
  let importA: string;

  beforeAll(async () => {
    a = await createTenant("ledger-insert-a");
    b = await createTenant("ledger-insert-b");
    accountA = await createAccount(a, "A checking");
    importA = await stage(a, accountA);
    expect(await newRows(a.id, importA)).toBeGreaterThan(0);
  });

  it("refuses viewers and reviewers of the tenant, and members of another tenant, as the insert policy does", async () => {
    for (const user of [a.members.viewer, a.members.reviewer, b.members.admin, b.members.uploader]) {
      await expect(insertAs(user, a.id, importA)).rejects.toMatchObject({ code: "42501" });
    }
    expect(await ledgerRows(a.id)).toBe(0);
  });

  it("reads only an import of the tenant named: another tenant's import id is refused", async () => {
    await expect(insertAs(b.members.uploader, b.id, importA)).rejects.toMatchObject({ code: "23503" });
    expect(await ledgerRows(a.id)).toBe(0);
    expect(await ledgerRows(b.id)).toBe(0);
  });

  it("holds the accounts its rows take until the commit ends, so none can be deleted under it", async () => {
    const accountId = await createAccount(a, "A savings");
    const importId = await stage(a, accountId);
    // Only the staged rows point at the account now (not the import row the commit locks anyway).
    await asService((db) => db.query("update public.imports set account_id = null where tenant_id = $1 and id = $2", [a.id, importId]));
    const expected = await newRows(a.id, importId);
    const deleteAccount = () =>
      asService(async (db) => {
        await db.query("set local lock_timeout = '300ms'");
        await db.query("delete from public.accounts where tenant_id = $1 and id = $2", [a.id, accountId]);
      });

    let attempted: unknown;
    const inserted = await asUser(a.members.uploader, async (db) => {
      const n = Number((await db.query<{ n: string }>("select private.insert_import_transactions($1, $2, 'test:csv') as n", [a.id, importId])).rows[0]!.n);
      attempted = await deleteAccount().then(
        () => "deleted",
        (error: unknown) => error,
      );
      return n;
    });
    expect(attempted).toMatchObject({ code: "55P03" }); // waited on the commit's lock, and gave up
    expect(inserted).toBe(expected);
    const ledger = await asService(async (db) => (await db.query<{ n: string }>("select count(*) as n from public.transactions where tenant_id = $1 and account_id = $2", [a.id, accountId])).rows[0]!.n);
    expect(Number(ledger)).toBe(expected);
    // Committed, the rows keep the account from being deleted (the ledger's foreign key).
    await expect(asService((db) => db.query("delete from public.accounts where tenant_id = $1 and id = $2", [a.id, accountId]))).rejects.toMatchObject({ code: "23503" });
  });

  it("inserts each new row once: a second call adds nothing (the unique dedup index)", async () => {
    const before = await ledgerRows(a.id);
    const expected = await newRows(a.id, importA);
    expect(await insertAs(a.members.uploader, a.id, importA)).toBe(expected);
    expect(await insertAs(a.members.admin, a.id, importA)).toBe(0);
    expect(await ledgerRows(a.id)).toBe(before + expected);
  });
});
