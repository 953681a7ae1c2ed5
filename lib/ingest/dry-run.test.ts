/**
 * The dry run is recorded on the import by every classification and read from there, so the import
 * page's polling does not count the import's rows once a second. On the real database: the recorded
 * counts are the rows' counts after staging, exclusion and commit, and a read does not recount.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { classifyImport, type DryRun } from "@/lib/ingest/classify";
import { commitImport } from "@/lib/ingest/commit";
import { getImportView } from "@/lib/ingest/imports";
import { runParseJob } from "@/lib/ingest/jobs";
import { excludeRows } from "@/lib/ingest/review";
import { createImportFromStoredFile, uploadFields } from "@/lib/ingest/upload";
import { withUser } from "@/lib/db/with-user";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, createTenant, type TestTenant } from "@/test/db";

const US_CSV = path.resolve("test/fixtures/samples/csv/bank_us_debit_credit_bom.csv");

let tenant: TestTenant;
let accountId: string;

beforeAll(async () => {
  tenant = await createTenant("dry-run");
  accountId = await asService(
    async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Operating', 'USD') returning id", [tenant.id])).rows[0]!.id,
  );
});

const uploader = () => ({ claims: tenant.members.uploader.claims, tenantId: tenant.id });

async function stage(): Promise<string> {
  const stored = await (await rawFileStore()).put(tenant.id, fs.createReadStream(US_CSV));
  const { importId } = await createImportFromStoredFile(uploader(), { fileName: "us.csv", stored, fields: uploadFields.parse({ accountId }), source: "cli" }, { enqueueParse: false });
  await runParseJob({ ...uploader(), importId });
  return importId;
}

/** The staged rows counted afresh, by status, as the owner. */
async function counted(importId: string): Promise<Record<string, number>> {
  const { rows } = await asService((db) =>
    db.query<{ status: string; n: number }>("select status, count(*)::int as n from public.staged_rows where tenant_id = $1 and import_id = $2 group by status", [tenant.id, importId]),
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

function byStatus(d: DryRun): Record<string, number> {
  const all = { new: d.new, exact_duplicate: d.exactDuplicates, likely_duplicate: d.likelyDuplicates, error: d.errors, unmapped: d.unmapped, excluded: d.excluded };
  return Object.fromEntries(Object.entries(all).filter(([, n]) => n > 0));
}

async function viewed(importId: string): Promise<DryRun> {
  const view = await getImportView({ claims: tenant.members.viewer.claims, tenantId: tenant.id }, importId);
  return view.dryRun!;
}

describe("the recorded dry run", () => {
  it("is the rows' counts after staging, after an exclusion and after the commit", async () => {
    const importId = await stage();
    const afterStaging = await viewed(importId);
    expect(byStatus(afterStaging)).toEqual(await counted(importId));
    expect(afterStaging.total).toBe(7);

    // The sample has one row with an error; excluded, it no longer blocks the commit.
    expect(afterStaging.errors).toBe(1);
    const excluded = await excludeRows(uploader(), importId, { rowNos: "errors", excluded: true });
    expect(byStatus(excluded.dryRun)).toEqual(await counted(importId));
    expect(excluded.dryRun).toMatchObject({ excluded: 1, errors: 0 });
    expect(await viewed(importId)).toEqual(excluded.dryRun);

    const committed = await withUser(tenant.members.uploader.claims, (db) => commitImport(db, { tenantId: tenant.id, importId }));
    expect(byStatus(committed.counts)).toEqual(await counted(importId));
    expect(await viewed(importId)).toEqual(committed.counts);
  });

  it("is what a read answers, without counting the rows again, until the next classification", async () => {
    const importId = await stage();
    const before = await viewed(importId);
    // Behind classification's back (only the owner can): a read still answers the recorded counts.
    await asService((db) => db.query("update public.staged_rows set status = 'excluded' where tenant_id = $1 and import_id = $2 and row_no = 2", [tenant.id, importId]));
    expect(await viewed(importId)).toEqual(before);
    // The next classification records the rows as they are (row 2 is not excluded, so it is new again).
    await asService((db) => db.query("update public.staged_rows set status = 'new', excluded = true where tenant_id = $1 and import_id = $2 and row_no = 2", [tenant.id, importId]));
    await withUser(tenant.members.uploader.claims, (db) => classifyImport(db, { tenantId: tenant.id, importId }));
    const after = await viewed(importId);
    expect(after.excluded).toBe(before.excluded + 1);
    expect(byStatus(after)).toEqual(await counted(importId));
  });

  it("is counted afresh for an import classified before counts were recorded", async () => {
    const importId = await stage();
    const recorded = await viewed(importId);
    await asService((db) => db.query("update public.imports set dry_run = null where tenant_id = $1 and id = $2", [tenant.id, importId]));
    expect(await viewed(importId)).toEqual(recorded);
  });
});
