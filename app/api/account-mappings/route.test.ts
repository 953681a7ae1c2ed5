/**
 * Account mapping over HTTP: unmapped OFX rows block commit; the external account is listed with the
 * rows waiting on it and a suggestion by number; an admin's mapping unblocks it and is reused by a later
 * import of another file of the same account; mapping to a new account creates it in the same
 * transaction; removing a mapping blocks again; roles (403) and tenants (404) hold.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import type { InternalAccount } from "@/lib/db/queries/accounts";
import type { CreatedAccount, ExternalAccountView, MappingRow } from "@/lib/db/queries/mappings";
import type { ErrorBody } from "@/lib/http/errors";
import { dryRun } from "@/lib/ingest/classify";
import { CommitBlockedError, commitImport } from "@/lib/ingest/commit";
import { runParseJob } from "@/lib/ingest/jobs";
import type { MappingResult } from "@/lib/ingest/mappings";
import { createImportFromStoredFile, uploadFields } from "@/lib/ingest/upload";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, asUser, createTenant, type TestTenant, type TestUser } from "@/test/db";
import { DELETE as deleteMapping, GET as getMappings, POST as postMapping } from "./route";
import { GET as getAccounts, POST as postAccount } from "../accounts/route";
import { GET as getExternal } from "../accounts/external/route";
import { GET as getRows } from "../imports/[id]/rows/route";

const OFX = path.resolve("test/fixtures/samples/ofx");
const BANK_MEDIUM = path.join(OFX, "jseutter-ofxparse__bank_medium.ofx");
const BANK_MEDIUM_ID = "160000100/12300 000012345678";

/** bank_medium as two statements of one bank: account 9100 with its three transactions, 9200 with the first two (other FITIDs). */
function twoAccountFile(): string {
  const text = fs.readFileSync(BANK_MEDIUM, "latin1");
  const start = text.indexOf("<STMTTRNRS>");
  const end = text.indexOf("</STMTTRNRS>") + "</STMTTRNRS>".length;
  const block = text.slice(start, end).replace(/200904/g, "200906");
  const second = block
    .replace("12300 000012345678", "9200")
    .replace(/<FITID>0000/g, "<FITID>9200")
    .replace(/<STMTTRN><TRNTYPE>POS<DTPOSTED>20090603[^\n]*<\/STMTTRN>\n?/, "");
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "inflow-mapping-")), "two_accounts.ofx");
  fs.writeFileSync(file, text.slice(0, start) + block.replace("12300 000012345678", "9100") + "\n" + second + text.slice(end), "latin1");
  return file;
}

type Handler = (request: NextRequest, segment: { params: Promise<never> }) => Promise<Response>;

async function call<B = ErrorBody>(
  handler: Handler,
  options: { user: TestUser; method?: string; body?: unknown; params?: Record<string, string> },
): Promise<{ status: number; body: B }> {
  const token = await createSessionToken(options.user.claims);
  const request = new NextRequest("http://localhost/api/test", {
    method: options.method ?? "GET",
    headers: { host: "localhost", cookie: `${SESSION_COOKIE}=${token}`, ...(options.body === undefined ? {} : { "content-type": "application/json" }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const response = await handler(request, { params: Promise.resolve(options.params ?? {}) as Promise<never> });
  return { status: response.status, body: (await response.json()) as B };
}

async function stage(tenant: TestTenant, file: string): Promise<string> {
  const user = tenant.members.uploader;
  const stored = await (await rawFileStore()).put(tenant.id, fs.createReadStream(file));
  const ctx = { claims: user.claims, tenantId: tenant.id };
  const { importId } = await createImportFromStoredFile(ctx, { fileName: path.basename(file), stored, fields: uploadFields.parse({}), source: "cli" }, { enqueueParse: false });
  await runParseJob({ ...ctx, importId });
  return importId;
}

const counts = (tenant: TestTenant, importId: string) => asUser(tenant.members.viewer, (db) => dryRun(db, { tenantId: tenant.id, importId }));
const commit = (tenant: TestTenant, importId: string) =>
  asUser(tenant.members.uploader, (db) => commitImport(db, { tenantId: tenant.id, importId }));

async function audit(tenant: TestTenant, action: string) {
  const { rows } = await asService((db) =>
    db.query<{ entity_id: string; before: unknown; after: unknown }>("select entity_id, before, after from public.audit_log where tenant_id = $1 and action = $2 order by id", [tenant.id, action]),
  );
  return rows;
}

describe("mapping an OFX account", () => {
  let t: TestTenant;
  let checking: CreatedAccount;
  let first: string;

  beforeAll(async () => {
    t = await createTenant("mapping");
  });

  it("an admin creates internal accounts; viewers list them with balances; others may not create", async () => {
    const created = await call<{ account: CreatedAccount }>(postAccount, {
      user: t.members.admin,
      method: "POST",
      body: { name: "Chequing (CAD)", number: "000012345678", currency: "cad", kind: "bank" },
    });
    expect(created.status).toBe(201);
    checking = created.body.account;
    expect(checking).toMatchObject({ name: "Chequing (CAD)", number: "000012345678", currency: "CAD", kind: "bank" });
    const decoy = await call(postAccount, { user: t.members.admin, method: "POST", body: { name: "Savings", number: "99999999", currency: "CAD" } });
    expect(decoy.status).toBe(201);
    expect((await call(postAccount, { user: t.members.admin, method: "POST", body: { name: "Savings", currency: "CAD" } })).status).toBe(409);
    expect((await call(postAccount, { user: t.members.admin, method: "POST", body: { name: "Bad", currency: "dollars" } })).status).toBe(422);
    expect((await call(postAccount, { user: t.members.uploader, method: "POST", body: { name: "Mine", currency: "CAD" } })).status).toBe(403);

    const list = await call<{ accounts: InternalAccount[] }>(getAccounts, { user: t.members.viewer });
    expect(list.status).toBe(200);
    expect(list.body.accounts.map((a) => [a.name, a.balance, a.transactionCount])).toEqual([
      ["Chequing (CAD)", "0", 0],
      ["Savings", "0", 0],
    ]);
    expect((await audit(t, "account.create")).map((a) => a.entity_id)).toEqual([checking.id, expect.any(String)]);
  });

  it("unmapped rows block commit, and the external account is listed with its waiting rows and a suggestion", async () => {
    first = await stage(t, BANK_MEDIUM);
    expect(await counts(t, first)).toMatchObject({ new: 0, unmapped: 3, blocked: 3, total: 3 });
    await expect(commit(t, first)).rejects.toBeInstanceOf(CommitBlockedError);
    await expect(commit(t, first)).rejects.toThrow("This import cannot be committed yet: 3 rows belong to an external account an admin has not mapped yet.");

    const listed = await call<{ externalAccounts: ExternalAccountView[] }>(getExternal, { user: t.members.viewer });
    expect(listed.status).toBe(200);
    expect(listed.body.externalAccounts).toEqual([
      {
        source: "bank",
        externalId: BANK_MEDIUM_ID,
        number: "12300 000012345678",
        bankId: "160000100",
        currency: "CAD",
        kind: "CHECKING",
        name: null,
        state: "unmapped",
        mappedAccount: null,
        rowsWaiting: 3,
        imports: [{ importId: first, fileName: "jseutter-ofxparse__bank_medium.ofx", rowsWaiting: 3 }],
        suggestions: [{ accountId: checking.id, name: "Chequing (CAD)", number: "000012345678", currency: "CAD", reason: "ends_with_number" }],
      },
    ]);
  });

  it("only an admin may map: viewers, uploaders and reviewers get 403 and nothing is mapped", async () => {
    for (const role of ["viewer", "uploader", "reviewer"] as const) {
      const refused = await call(postMapping, { user: t.members[role], method: "POST", body: { source: "bank", externalId: BANK_MEDIUM_ID, accountId: checking.id } });
      expect(refused.status, role).toBe(403);
    }
    expect((await call<{ mappings: MappingRow[] }>(getMappings, { user: t.members.viewer })).body.mappings).toEqual([]);
    expect(await counts(t, first)).toMatchObject({ unmapped: 3 });
  });

  it("refuses an account in another currency", async () => {
    const usd = await call<{ account: CreatedAccount }>(postAccount, { user: t.members.admin, method: "POST", body: { name: "US dollars", currency: "USD" } });
    const refused = await call(postMapping, { user: t.members.admin, method: "POST", body: { source: "bank", externalId: BANK_MEDIUM_ID, accountId: usd.body.account.id } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toBe(`The external account ${BANK_MEDIUM_ID} is in CAD but "US dollars" is in USD. Map it to an account in CAD, or create one.`);
  });

  it("refuses to map the placeholder of a file that names no account", async () => {
    const refused = await call(postMapping, { user: t.members.admin, method: "POST", body: { source: "bank", externalId: "CSV", accountId: checking.id } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toBe('externalId: "CSV" means the file names no account. Choose the account for that file on its import page instead of mapping it.');
    expect((await call<{ mappings: MappingRow[] }>(getMappings, { user: t.members.admin })).body.mappings).toEqual([]);
  });

  it("an admin's mapping unblocks the waiting import at once, and it commits into the mapped account", async () => {
    const mapped = await call<MappingResult>(postMapping, { user: t.members.admin, method: "POST", body: { source: "bank", externalId: BANK_MEDIUM_ID, accountId: checking.id } });
    expect(mapped.status).toBe(201);
    expect(mapped.body).toEqual({ source: "bank", externalId: BANK_MEDIUM_ID, account: { id: checking.id, name: "Chequing (CAD)", currency: "CAD" }, reclassified: [first] });
    expect(await counts(t, first)).toMatchObject({ new: 3, unmapped: 0, blocked: 0, total: 3 });
    const rows = await call<{ rows: { accountId: string | null; status: string }[] }>(getRows, { user: t.members.viewer, params: { id: first } });
    expect(rows.body.rows.map((r) => [r.status, r.accountId])).toEqual([["new", checking.id], ["new", checking.id], ["new", checking.id]]);
    expect((await commit(t, first)).imported).toBe(3);
    expect(await audit(t, "mapping.create")).toEqual([
      { entity_id: `bank:${BANK_MEDIUM_ID}`, before: null, after: { source: "bank", externalId: BANK_MEDIUM_ID, accountId: checking.id, accountName: "Chequing (CAD)" } },
    ]);
    const { rows: ledger } = await asService((db) =>
      db.query("select count(*)::int as n, sum(amount)::text as total from public.transactions where tenant_id = $1 and account_id = $2", [t.id, checking.id]),
    );
    expect(ledger).toEqual([{ n: 3, total: "-345.27" }]);
  });

  it("the mapping is remembered: another file of the same account stages straight into it and commits", async () => {
    // The same account a month later: other dates, other FITIDs.
    const later = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "inflow-mapping-")), "bank_medium_may.ofx");
    fs.writeFileSync(later, fs.readFileSync(BANK_MEDIUM, "latin1").replace(/200904/g, "200905"), "latin1");
    const second = await stage(t, later);
    expect(await counts(t, second)).toMatchObject({ new: 3, unmapped: 0, exactDuplicates: 0, likelyDuplicates: 0, blocked: 0, total: 3 });
    const rows = await call<{ rows: { accountId: string | null; externalAccount: string | null }[] }>(getRows, { user: t.members.viewer, params: { id: second } });
    expect(rows.body.rows.map((r) => [r.accountId, r.externalAccount])).toEqual(Array.from({ length: 3 }, () => [checking.id, BANK_MEDIUM_ID]));
    expect((await commit(t, second)).imported).toBe(3);
    // Nothing staged waits on an account any more.
    expect((await call<{ externalAccounts: ExternalAccountView[] }>(getExternal, { user: t.members.viewer })).body.externalAccounts).toEqual([]);
  });

  it("mapping to a new account creates it and the mapping together; the other account in the file still waits", async () => {
    const id = await stage(t, twoAccountFile());
    const before = await call<{ externalAccounts: ExternalAccountView[] }>(getExternal, { user: t.members.viewer });
    expect(before.body.externalAccounts.map((e) => [e.externalId, e.state, e.currency, e.rowsWaiting, e.imports.map((i) => i.importId)])).toEqual([
      ["160000100/9100", "unmapped", "CAD", 3, [id]],
      ["160000100/9200", "unmapped", "CAD", 2, [id]],
    ]);
    expect((await counts(t, id)).unmapped).toBe(5);

    const mapped = await call<MappingResult>(postMapping, {
      user: t.members.admin,
      method: "POST",
      body: { source: "bank", externalId: "160000100/9200", newAccount: { name: "Savings 9200", currency: "CAD", kind: "bank", number: "9200" } },
    });
    expect(mapped.status).toBe(201);
    expect(mapped.body).toMatchObject({ externalId: "160000100/9200", account: { name: "Savings 9200", currency: "CAD" }, reclassified: [id] });
    const created = (await audit(t, "account.create")).at(-1);
    expect(created?.entity_id).toBe(mapped.body.account.id);
    expect(await counts(t, id)).toMatchObject({ new: 2, unmapped: 3 });

    const after = await call<{ externalAccounts: ExternalAccountView[] }>(getExternal, { user: t.members.viewer });
    expect(after.body.externalAccounts.map((e) => [e.externalId, e.state, e.rowsWaiting, e.mappedAccount?.name ?? null])).toEqual([
      ["160000100/9100", "unmapped", 3, null],
      ["160000100/9200", "mapped", 0, "Savings 9200"],
    ]);
    // Suggested by the number after the bank id.
    expect(after.body.externalAccounts[1]!.suggestions).toEqual([
      { accountId: mapped.body.account.id, name: "Savings 9200", number: "9200", currency: "CAD", reason: "same_account_number" },
    ]);

    // A new account whose name is taken is refused, and no mapping is made.
    const taken = await call(postMapping, { user: t.members.admin, method: "POST", body: { source: "bank", externalId: "160000100/9100", newAccount: { name: "Savings 9200", currency: "CAD" } } });
    expect(taken.status).toBe(409);
    expect((await counts(t, id)).unmapped).toBe(3);

    // Removing the mapping puts its rows back to waiting.
    const removed = await call<{ reclassified: string[] }>(deleteMapping, { user: t.members.admin, method: "DELETE", body: { source: "bank", externalId: "160000100/9200" } });
    expect(removed.status).toBe(200);
    expect(removed.body.reclassified).toEqual([id]);
    expect(await counts(t, id)).toMatchObject({ new: 0, unmapped: 5 });
    expect((await audit(t, "mapping.delete")).map((a) => a.before)).toEqual([{ source: "bank", externalId: "160000100/9200", accountId: mapped.body.account.id }]);
    expect((await call(deleteMapping, { user: t.members.admin, method: "DELETE", body: { source: "bank", externalId: "160000100/9200" } })).status).toBe(404);
    expect((await call(deleteMapping, { user: t.members.uploader, method: "DELETE", body: { source: "bank", externalId: "160000100/9100" } })).status).toBe(403);
  });

  it("a member of another tenant sees none of it and cannot map into it", async () => {
    const other = await createTenant("mapping-other");
    expect((await call<{ externalAccounts: ExternalAccountView[] }>(getExternal, { user: other.members.admin })).body.externalAccounts).toEqual([]);
    expect((await call<{ accounts: InternalAccount[] }>(getAccounts, { user: other.members.admin })).body.accounts).toEqual([]);
    expect((await call(getRows, { user: other.members.admin, params: { id: first } })).status).toBe(404);
    // Their admin naming our account id gets "choose an account that exists", and our mappings stay as they were.
    const refused = await call(postMapping, { user: other.members.admin, method: "POST", body: { source: "bank", externalId: "160000100/9100", accountId: checking.id } });
    expect(refused.status).toBe(422);
    expect((await call<{ mappings: MappingRow[] }>(getMappings, { user: t.members.viewer })).body.mappings.map((m) => m.externalId)).toEqual([BANK_MEDIUM_ID]);
  });
});
