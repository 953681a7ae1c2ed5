/**
 * Account mapping and revert end to end: rows of an external account nobody has mapped block the commit
 * until an admin maps it (and the mapping holds for later imports); a revert gives back exactly the
 * ledger there was before the import, and keeps the import's record and raw file.
 */
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { withUser } from "@/lib/db/with-user";
import { getImport } from "@/lib/db/queries/pipeline";
import { CommitBlockedError, commitImport, revertImport } from "@/lib/ingest/commit";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, asUser, createTenant, type TestTenant } from "@/test/db";
import { addAccount, cliImport, count, importStatus, ledger, sample, stagedStatuses } from "./helpers";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant("pipeline-map");
});

describe("account mapping", () => {
  it("blocks the rows of an unmapped external account until an admin maps it", async () => {
    const accountId = await addAccount(tenant, "ING current", "EUR");
    const file = sample("mt940/wolph-mt940__jejik_ing.sta");
    const blocked = await cliImport(tenant, file);
    expect(blocked.code).toBe(3);
    expect(blocked.summary).toMatchObject({ status: "staged", parsed: 7, imported: 0, blocked: 7 });
    const importId = blocked.summary.importId;
    expect(await stagedStatuses(tenant.id, importId)).toEqual({ unmapped: 7 });

    const admin = tenant.members.admin;
    const commit = () => asUser(admin, (db) => commitImport(db, { tenantId: tenant.id, importId }));
    const refusal = await commit().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CommitBlockedError);
    expect((refusal as CommitBlockedError).counts).toMatchObject({ unmapped: 7, blocked: 7, new: 0 });
    expect((refusal as CommitBlockedError).message).toContain("7 rows belong to an external account an admin has not mapped yet");
    expect(await importStatus(tenant.id, importId)).toBe("staged");
    expect(await ledger(tenant.id)).toEqual([]);

    const externalIds = await asService(async (db) =>
      (await db.query<{ external_account: string }>("select distinct external_account from public.staged_rows where import_id = $1", [importId])).rows.map((r) => r.external_account),
    );
    expect(externalIds).toHaveLength(1);
    await withUser(admin.claims, (db) =>
      db.query("insert into public.account_mappings (tenant_id, source, external_id, account_id) values ($1, 'bank', $2, $3)", [tenant.id, externalIds[0], accountId]),
    );

    const result = await commit();
    expect(result).toMatchObject({ status: "committed", imported: 7, alreadyCommitted: false });
    expect(await importStatus(tenant.id, importId)).toBe("committed");
    expect((await ledger(tenant.id)).map((r) => r.account_id)).toEqual(Array(7).fill(accountId));

    // The mapping is remembered: the next statement of that account goes through on its own.
    const next = await cliImport(tenant, file);
    expect(next.code).toBe(0);
    expect(next.summary).toMatchObject({ status: "committed", imported: 0, exactDuplicates: 7, blocked: 0 });
  });

  it("does not let an uploader map accounts (mapping is an admin's decision)", async () => {
    const accountId = await addAccount(tenant, "Uploader target", "EUR");
    const attempt = withUser(tenant.members.uploader.claims, (db) =>
      db.query("insert into public.account_mappings (tenant_id, source, external_id, account_id) values ($1, 'bank', 'NL00TEST0000000001', $2)", [tenant.id, accountId]),
    );
    await expect(attempt).rejects.toThrow(/row-level security/);
  });
});

describe("revert", () => {
  const snapshot = () =>
    asService(async (db) =>
      (
        await db.query(
          `select id, account_id, booking_date::text, value_date::text, amount::text, currency, description, counterparty, external_id, dedup_key, source, import_id
             from public.transactions where tenant_id = $1 order by id`,
          [tenant.id],
        )
      ).rows,
    );

  it("restores the ledger exactly and keeps the import's record and raw file", async () => {
    await addAccount(tenant, "Revert bank", "CAD");
    // Something already in the ledger, partly overlapping what the reverted import brings.
    expect((await cliImport(tenant, sample("ofx/jseutter-ofxparse__bank_medium.ofx"), { account: "Revert bank" })).summary.imported).toBe(3);
    const before = await snapshot();
    expect(before.length).toBeGreaterThan(3);

    const file = sample("bai2/moov-io-bai2__sample1.txt");
    const imported = await cliImport(tenant, file, { account: "Revert bank" });
    expect(imported.summary).toMatchObject({ status: "committed", imported: 17 });
    const importId = imported.summary.importId;
    expect((await snapshot()).length).toBe(before.length + 17);

    const balancesOf = () => count("select count(*) as n from public.statement_balances where import_id = $1", [importId]);
    const balances = await balancesOf();
    expect(balances).toBeGreaterThan(0);

    const result = await asUser(tenant.members.uploader, (db) => revertImport(db, { tenantId: tenant.id, importId }));
    expect(result.removed).toBe(17 + balances);
    expect(await snapshot()).toEqual(before);
    expect(await balancesOf()).toBe(0);

    const imp = (await asUser(tenant.members.viewer, (db) => getImport(db, { tenantId: tenant.id, importId })))!;
    expect(imp).toMatchObject({ status: "reverted", fileName: "moov-io-bai2__sample1.txt" });
    expect(imp.revertedAt).toBeInstanceOf(Date);
    const stored = await (await rawFileStore()).get(tenant.id, imp.rawKey!);
    const chunks: Buffer[] = [];
    for await (const chunk of stored) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(fs.readFileSync(file))).toBe(true);

    // Reverting twice is refused; the ledger stays as it was.
    await expect(asUser(tenant.members.uploader, (db) => revertImport(db, { tenantId: tenant.id, importId }))).rejects.toThrow(/only a committed import can be reverted/);
    expect(await snapshot()).toEqual(before);

    // The same file can be imported again after a revert: its rows come back once.
    const again = await cliImport(tenant, file, { account: "Revert bank" });
    expect(again.summary).toMatchObject({ status: "committed", imported: 17, exactDuplicates: 0 });
  });
});
