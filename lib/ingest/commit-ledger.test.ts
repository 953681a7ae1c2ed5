/**
 * private.insert_import_transactions, the commit's ledger insert that checks role, import and accounts
 * once instead of per-row RLS and foreign-key triggers (supabase/migrations/*_commit_ledger_rows.sql):
 * it must refuse exactly whom the insert policy refuses, never read another tenant's import, and hold
 * the accounts its rows take as the account foreign key would.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ledgerTotals, sumLedgerTotals } from "@/lib/db/queries/transactions";
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

  it("counts the rows it inserts in the ledger's kept totals (its triggers fire despite the replica mode it inserts in)", async () => {
    const c = await createTenant("ledger-insert-totals");
    const importId = await stage(c, await createAccount(c, "C checking"));
    const inserted = await insertAs(c.members.uploader, c.id, importId);
    expect(inserted).toBeGreaterThan(0);
    const { kept, summed } = await asUser(c.members.viewer, async (db) => ({
      kept: await ledgerTotals(db, { tenantId: c.id }),
      summed: await sumLedgerTotals(db, { tenantId: c.id, filter: {} }),
    }));
    expect(kept.reduce((n, t) => n + t.count, 0)).toBe(inserted);
    expect(kept).toEqual(summed);
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

  it("inserts each new row once: a second call fails on the unique dedup index and adds nothing", async () => {
    const before = await ledgerRows(a.id);
    const expected = await newRows(a.id, importA);
    expect(await insertAs(a.members.uploader, a.id, importA)).toBe(expected);
    // A row the ledger already holds is not skipped: the whole insert fails (a commit then rolls back
    // and its retry classifies again), so no part of a commit lands.
    await expect(insertAs(a.members.admin, a.id, importA)).rejects.toMatchObject({ code: "23505", constraint: "transactions_dedup_key_idx" });
    expect(await ledgerRows(a.id)).toBe(before + expected);
  });
});

describe("staging a batch (private.insert_staged_rows)", () => {
  let a: TestTenant;
  let b: TestTenant;
  let account: string;
  let importId: string;

  const stageAs = (user: TestUser, tenantId: string, forImport: string, rowNo: number, externalAccount = "EXT-1") =>
    asUser(user, (db) =>
      db.query("select private.insert_staged_rows($1, $2, 'bank', $3::int[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[], $9::boolean[], $10::text[], $11::text[])", [
        tenantId,
        forImport,
        [rowNo],
        [rowNo + 1],
        ["transaction"],
        [0],
        [externalAccount],
        [JSON.stringify({ bookingDate: "2025-01-02", amount: "-1.00", currency: "USD", description: `row ${rowNo}`, line: rowNo + 1, raw: "" })],
        [false],
        [null],
        [`fingerprint-${rowNo}`],
      ]),
    );
  const staged = (rowNo: number) =>
    asService(async (db) => (await db.query<{ account_id: string | null; dedup_key: string }>("select account_id, dedup_key from public.staged_rows where tenant_id = $1 and import_id = $2 and row_no = $3", [a.id, importId, rowNo])).rows[0]);

  beforeAll(async () => {
    a = await createTenant("stage-bulk-a");
    b = await createTenant("stage-bulk-b");
    account = await createAccount(a, "A mapped");
    importId = await asService(async (db) => {
      await db.query("insert into public.account_mappings (tenant_id, source, external_id, account_id, created_by) values ($1, 'bank', 'EXT-1', $2, $3)", [a.id, account, a.members.admin.id]);
      return (await db.query<{ id: string }>("insert into public.imports (tenant_id, file_name, status, created_by) values ($1, 'bulk.csv', 'parsing', $2) returning id", [a.id, a.members.uploader.id])).rows[0]!.id;
    });
  });

  it("refuses viewers and reviewers of the tenant, and members of another tenant, as the insert policy does", async () => {
    for (const user of [a.members.viewer, a.members.reviewer, b.members.admin, b.members.uploader]) {
      await expect(stageAs(user, a.id, importId, 1)).rejects.toMatchObject({ code: "42501" });
    }
    await expect(stageAs(b.members.uploader, b.id, importId, 1)).rejects.toMatchObject({ code: "23503" });
    expect(await staged(1)).toBeUndefined();
  });

  it("gives a row the tenant's mapping of its external account and its first-occurrence key, or no account", async () => {
    await stageAs(a.members.uploader, a.id, importId, 2);
    expect(await staged(2)).toEqual({ account_id: account, dedup_key: "fp:fingerprint-2:1" });
    await stageAs(a.members.uploader, a.id, importId, 3, "EXT-UNMAPPED");
    expect(await staged(3)).toEqual({ account_id: null, dedup_key: "fp:fingerprint-3:1" });
  });

  it("holds the mapped account until the staging transaction ends, so it cannot be deleted under it", async () => {
    let attempted: unknown;
    // A fresh account, referenced by no committed row: only the staging transaction's lock protects it.
    const other = await createAccount(a, "A mapped later");
    await asService((db) => db.query("update public.account_mappings set account_id = $3 where tenant_id = $1 and external_id = $2", [a.id, "EXT-1", other]));
    await asUser(a.members.uploader, async (db) => {
      await db.query("select private.insert_staged_rows($1, $2, 'bank', '{5}'::int[], '{6}'::int[], '{transaction}'::text[], '{0}'::int[], '{EXT-1}'::text[], $3::text[], '{f}'::boolean[], '{NULL}'::text[], '{fingerprint-5}'::text[])", [
        a.id,
        importId,
        [JSON.stringify({ bookingDate: "2025-01-02", amount: "-5.00", currency: "USD", description: "row 5", line: 6, raw: "" })],
      ]);
      attempted = await asService(async (service) => {
        await service.query("set local lock_timeout = '300ms'");
        await service.query("delete from public.accounts where tenant_id = $1 and id = $2", [a.id, other]);
      }).then(
        () => "deleted",
        (error: unknown) => error,
      );
    });
    expect(attempted).toMatchObject({ code: "55P03" }); // waited on the staging lock, and gave up
    expect(await staged(5)).toEqual({ account_id: other, dedup_key: "fp:fingerprint-5:1" });
  });
});
