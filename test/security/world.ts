/**
 * A seeded tenant for the isolation tests: real data of every kind, each value carrying the tenant's
 * marker word (or a distinctive amount) so a response body can be searched for any byte of it.
 * Built through the same code paths as the app (raw store, staging, commit, connections service)
 * under the members' claims; only what has no user path of its own (a mapping row) goes in as service.
 */
import { Readable } from "node:stream";
import { withUser } from "@/lib/db/with-user";
import { createConnection } from "@/lib/connectors/service";
import { setNotificationSettings } from "@/lib/connectors/notify";
import { commitImport } from "@/lib/ingest/commit";
import { runParseJob } from "@/lib/ingest/jobs";
import { createImportFromStoredFile } from "@/lib/ingest/upload";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, asUser, createTenant, createUser, type TestTenant, type TestUser } from "@/test/db";
import { ofxStatement } from "@/test/likely-duplicates";

export interface World {
  tenant: TestTenant;
  /** The lower-case word every text value of this tenant carries. */
  word: string;
  /** A member only the DELETE members route may remove. */
  extra: TestUser;
  accountId: string;
  committedImportId: string;
  ofxImportId: string;
  /** Staged, blocked by a row with an error: safe to call commit/revert/exclude on. */
  stagedImportId: string;
  /** Staged, its rows wait on an unmapped external account. */
  unmappedImportId: string;
  candidateIds: number[];
  transactionIds: string[];
  mapping: { source: string; externalId: string };
  sftpConnectionId: string;
  sftpName: string;
  sqlConnectionId: string;
  webhookUrl: string;
  rawKeys: string[];
  /** Connection credentials: must appear in no response and no log line. */
  secrets: string[];
  /** Distinctive amounts (with their decimals, which no id contains). */
  amounts: string[];
  fileNames: string[];
}

function capitalised(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

async function stageText(tenant: TestTenant, user: TestUser, fileName: string, text: string, accountId?: string): Promise<{ importId: string; rawKey: string }> {
  const ctx = { claims: user.claims, tenantId: tenant.id };
  const stored = await (await rawFileStore()).put(tenant.id, Readable.from([Buffer.from(text, "utf8")]));
  const { importId } = await createImportFromStoredFile(ctx, { fileName, stored, fields: accountId ? { accountId } : {}, source: "upload" }, { enqueueParse: false });
  await runParseJob({ ...ctx, importId });
  return { importId, rawKey: stored.key };
}

/** `word` names everything; `cents` makes the tenant's amounts its own (e.g. 4242 → 4242.17, 4242.29 …). */
export async function seedWorld(word: string, whole: number): Promise<World> {
  const Word = capitalised(word);
  const tenant = await createTenant(word);
  const extra = await createUser(`${word}-extra`);
  await asService((db) => db.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'viewer')", [tenant.id, extra.id]));
  const accountId = await asService(async (db) => {
    const { rows } = await db.query<{ id: string }>(
      "insert into public.accounts (tenant_id, name, number, currency, kind) values ($1, $2, $3, 'USD', 'bank') returning id",
      [tenant.id, `${Word} operating account`, `${word.toUpperCase()}-0001`],
    );
    return rows[0]!.id;
  });
  const amounts = [`${whole}.17`, `${whole + 1}.29`, `${whole + 2}.43`, `${whole + 3}.61`];
  const csv = `Date,Description,Counterparty,Amount,Currency
2025-03-03,${Word} coffee beans order,${Word} Bean Co,-${amounts[0]},USD
2025-03-05,${Word} office rent March,${Word} Landlord LLC,-${amounts[1]},USD
2025-03-07,${Word} client payment INV-1001,${Word} Corporation,${amounts[2]},USD
`;
  const uploader = tenant.members.uploader;
  const committedName = `${word}-backfill.csv`;
  const committed = await stageText(tenant, uploader, committedName, csv, accountId);
  await withUser(uploader.claims, (db) => commitImport(db, { tenantId: tenant.id, importId: committed.importId }));

  // The same transactions in the bank's words a day later: held as likely duplicates for review.
  const ofxName = `${word}-bank-march.ofx`;
  const ofx = await stageText(
    tenant,
    uploader,
    ofxName,
    ofxStatement([
      { date: "20250304", amount: `-${amounts[0]}`, fitid: `${word}-FIT-1`, name: `${Word.toUpperCase()} BEAN CO`, memo: `${Word.toUpperCase()} COFFEE BEANS` },
      { date: "20250306", amount: `-${amounts[1]}`, fitid: `${word}-FIT-2`, name: `${Word.toUpperCase()} LANDLORD`, memo: `${Word.toUpperCase()} OFFICE RENT MARCH` },
      { date: "20250320", amount: `-${amounts[3]}`, fitid: `${word}-FIT-3`, name: `${Word.toUpperCase()} CONSULTING`, memo: `${Word.toUpperCase()} ADVISORY` },
    ]),
    accountId,
  );
  await withUser(uploader.claims, (db) => commitImport(db, { tenantId: tenant.id, importId: ofx.importId }));

  // Staged and blocked: one row's amount is not a number.
  const stagedName = `${word}-pending.csv`;
  const staged = await stageText(
    tenant,
    uploader,
    stagedName,
    `Date,Description,Counterparty,Amount,Currency\n2025-04-01,${Word} April payroll,${Word} Staff,-${amounts[3]},USD\n2025-04-02,${Word} broken row,${Word} Typo,${word}-not-a-number,USD\n`,
    accountId,
  );

  // Staged without an account: its rows wait on the OFX account number, which no mapping names yet.
  const unmappedName = `${word}-unmapped.ofx`;
  const unmapped = await stageText(
    tenant,
    uploader,
    unmappedName,
    ofxStatement([{ date: "20250401", amount: `-${amounts[2]}`, fitid: `${word}-FIT-9`, name: `${Word.toUpperCase()} UNMAPPED`, memo: `${Word.toUpperCase()} WAITING` }]).replace(
      "<ACCTID>7700123",
      `<ACCTID>${word.toUpperCase()}-ACCT-9`,
    ),
  );

  const mapping = { source: "bank", externalId: `${word.toUpperCase()}-MAPPED-1` };
  await asUser(tenant.members.admin, (db) =>
    db.query("insert into public.account_mappings (tenant_id, source, external_id, account_id) values ($1, $2, $3, $4)", [tenant.id, mapping.source, mapping.externalId, accountId]),
  );

  const adminCtx = { claims: tenant.members.admin.claims, tenantId: tenant.id };
  const secrets = [`s3cr3t-${word}-sftp-password`, `s3cr3t-${word}-pg-password`];
  const sftp = await createConnection(adminCtx, {
    name: `${Word} drop folder`,
    type: "sftp",
    schedule: "manual",
    // Port 1 on loopback: nothing listens, so Test connection and Sync now fail at once, in words.
    config: { host: "127.0.0.1", port: 1, username: `${word}-sftp-user`, folder: `/${word}/in`, accountId },
    secrets: { password: secrets[0] },
  });
  const sql = await createConnection(adminCtx, {
    name: `${Word} warehouse`,
    type: "sql",
    schedule: "manual",
    config: { table: `${word}_ledger`, cursorColumn: "id", idColumn: "id", amountColumn: "amount", dateColumn: "booked_on", currency: "USD", accountId },
    secrets: { connectionString: `postgres://${word}_reader:${secrets[1]}@127.0.0.1:1/${word}` },
  });
  const webhookUrl = `https://hooks.example/${word}-webhook-token`;
  await setNotificationSettings(adminCtx, { webhookUrl });

  const { candidateIds, transactionIds } = await asService(async (db) => ({
    candidateIds: (await db.query<{ id: string }>("select id::text as id from public.duplicate_candidates where tenant_id = $1 order by id", [tenant.id])).rows.map((r) => Number(r.id)),
    transactionIds: (await db.query<{ id: string }>("select id::text as id from public.transactions where tenant_id = $1 order by id", [tenant.id])).rows.map((r) => r.id),
  }));
  if (candidateIds.length === 0) throw new Error(`seeding ${word}: no likely duplicates were held`);

  return {
    tenant,
    word,
    extra,
    accountId,
    committedImportId: committed.importId,
    ofxImportId: ofx.importId,
    stagedImportId: staged.importId,
    unmappedImportId: unmapped.importId,
    candidateIds,
    transactionIds,
    mapping,
    sftpConnectionId: sftp.id,
    sftpName: sftp.name,
    sqlConnectionId: sql.id,
    webhookUrl,
    rawKeys: [committed.rawKey, ofx.rawKey, staged.rawKey, unmapped.rawKey],
    secrets,
    amounts,
    fileNames: [committedName, ofxName, stagedName, unmappedName],
  };
}

/**
 * Everything that identifies the world's data: ids, names, amounts, secrets. Transaction ids are
 * bigints shared in form with every tenant's, so they are left out (the amounts and words cover rows).
 */
export function identifyingValues(w: World): string[] {
  const users = [...Object.values(w.tenant.members), w.extra];
  return [
    w.tenant.id,
    w.tenant.slug,
    ...users.flatMap((u) => [u.id, u.email]),
    w.accountId,
    w.committedImportId,
    w.ofxImportId,
    w.stagedImportId,
    w.unmappedImportId,
    w.mapping.externalId,
    w.sftpConnectionId,
    w.sqlConnectionId,
    w.webhookUrl,
    ...w.rawKeys,
    ...w.rawKeys.map((k) => k.split("/")[1]!),
    ...w.secrets,
    ...w.amounts,
    ...w.fileNames,
  ];
}
