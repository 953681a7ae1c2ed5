/**
 * QuickBooks Online against a local QuickBooks and Intuit token endpoint (test/providers/quickbooks.ts)
 * and the real database: OAuth2 refresh with Intuit's rotating refresh tokens kept (encrypted) before
 * use, a 401 refreshed and retried once, invalid_grant in plain words; a first sync paging every
 * entity with STARTPOSITION/MAXRESULTS, incremental syncs through Change Data Capture that fetch only
 * what changed, modified and deleted entities, a crash between fetch and commit, a 429 with
 * Retry-After, and exact amounts at the boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMapping } from "@/lib/ingest/mappings";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { qboFault, startQuickbooksServer, type QuickbooksTestServer } from "@/test/providers/quickbooks";
import { RecordError } from "../types";
import { createConnection, loadConnection, testConnection } from "../service";
import { sourceOf, syncConnection } from "../sync";
import { quickbooksConfig, quickbooksConnector, quickbooksDecimal, type QuickbooksSecrets } from "./index";

let qbo: QuickbooksTestServer;
let t: TestTenant;
let id: string;
const admin = () => ({ claims: t.members.admin.claims, tenantId: t.id });

const config = (extra: Record<string, unknown> = {}) => ({ realmId: qbo.realmId, environment: "sandbox", baseUrl: qbo.url, tokenUrl: `${qbo.url}/oauth2/v1/tokens/bearer`, pageSize: 2, ...extra });

async function ledger() {
  return asService(async (db) =>
    (
      await db.query<{ external_id: string; amount: string; currency: string; account: string; description: string }>(
        `select t.external_id, t.amount::text, t.currency, a.name as account, t.description
           from public.transactions t join public.accounts a on a.id = t.account_id
          where t.tenant_id = $1 and t.source like $2 order by t.external_id`,
        [t.id, `${sourceOf("quickbooks", id)}:%`],
      )
    ).rows.map((r) => [r.external_id, r.amount, r.account, r.description]),
  );
}

async function storedSecrets(connectionId: string): Promise<QuickbooksSecrets> {
  return (await loadConnection(admin(), connectionId)).secrets as QuickbooksSecrets;
}

async function cursorOf(connectionId: string) {
  return asService(async (db) => (await db.query<{ cursor: { seq: number; value: unknown } | null }>("select cursor from public.connections where id = $1", [connectionId])).rows[0]!.cursor);
}

beforeAll(async () => {
  qbo = await startQuickbooksServer();
  t = await createTenant("quickbooks-sync");
  const account = async (name: string) =>
    asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, $2, 'USD') returning id", [t.id, name])).rows[0]!.id);
  for (const [externalId, name] of [["35", "Checking"], ["41", "Visa"], ["AccountsReceivable", "Receivables"], ["UndepositedFunds", "Undeposited"]] as const) {
    await createMapping(admin(), { source: "connector:quickbooks", externalId, accountId: await account(name) });
  }
});

afterAll(async () => {
  await qbo?.close();
});

describe("QuickBooks amounts", () => {
  it("reads JSON numbers as the exact decimals QuickBooks wrote, and refuses those that may have lost digits", () => {
    expect(quickbooksDecimal(1234.5)).toBe("1234.5");
    expect(quickbooksDecimal(-0.07)).toBe("-0.07");
    expect(quickbooksDecimal(9_999_999_999_999.99)).toBe("9999999999999.99");
    expect(quickbooksDecimal(0.1 + 0.2)).toBeNull();
    expect(quickbooksDecimal(1e21)).toBeNull();
    const record = { kind: "record" as const, id: "Purchase:9", data: { Id: "9", TxnDate: "2026-01-02", TotalAmt: 0.1 + 0.2, AccountRef: { value: "35" } } };
    expect(() => quickbooksConnector.toCanonical(record, quickbooksConfig.parse(config()))).toThrow(RecordError);
  });
});

describe("QuickBooks OAuth2", () => {
  it("test connection refreshes the token, keeps Intuit's rotated refresh token encrypted before using it, and names the company", async () => {
    id = (
      await createConnection(admin(), {
        name: "Books",
        type: "quickbooks",
        config: config(),
        secrets: { clientId: qbo.clientId, clientSecret: qbo.clientSecret, refreshToken: qbo.refreshToken() },
      })
    ).id;
    const first = qbo.refreshToken();
    expect(await testConnection(admin(), id)).toEqual({
      ok: true,
      message: `Connected to QuickBooks company ${qbo.realmId} (Inflow Test Books); Purchase, Deposit, SalesReceipt, Payment, BillPayment, Invoice can be read.`,
    });
    const saved = await storedSecrets(id);
    expect(qbo.refreshToken()).not.toBe(first);
    expect(saved.refreshToken).toBe(qbo.refreshToken());
    expect(saved.accessToken).toBeTruthy();
    expect(Date.parse(saved.accessTokenExpiresAt!)).toBeGreaterThan(Date.now() + 50 * 60_000);
    // The token call: Basic client credentials, a form body, the refresh token that was stored.
    const call = qbo.calls("token").at(-1)!;
    expect(call.headers.authorization).toBe(`Basic ${Buffer.from(`${qbo.clientId}:${qbo.clientSecret}`).toString("base64")}`);
    expect(Object.fromEntries(new URLSearchParams(call.body as string))).toEqual({ grant_type: "refresh_token", refresh_token: first });
    // Stored ciphertext only: neither token readable in the row.
    const row = await asService(async (db) => (await db.query<{ row: string }>("select to_jsonb(c)::text as row from public.connections c where id = $1", [id])).rows[0]!.row);
    expect(row).not.toContain(saved.refreshToken);
    expect(row).not.toContain(saved.accessToken!);
    const audit = await asService(async (db) => (await db.query<{ details: unknown }>("select details from public.audit_log where entity_id = $1 and action = 'connection.credentials_rotated'", [id])).rows);
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(saved.refreshToken);

    // The stored access token is reused while it is valid: no second refresh.
    const tokenCalls = qbo.calls("token").length;
    expect((await testConnection(admin(), id)).ok).toBe(true);
    expect(qbo.calls("token")).toHaveLength(tokenCalls);
  });

  it("says in plain words when Intuit refuses the saved authorisation", async () => {
    const result = await quickbooksConnector.test(
      quickbooksConfig.parse(config()),
      { clientId: qbo.clientId, clientSecret: qbo.clientSecret, refreshToken: "RT1-retired-token" },
      { saveSecrets: () => Promise.reject(new Error("must not be called")) },
    );
    expect(result).toEqual({ ok: false, message: "QuickBooks refused the saved authorisation (invalid_grant): reconnect the company (a new refresh token from Intuit) in this connection's credentials." });
    const wrongClient = await quickbooksConnector.test(quickbooksConfig.parse(config()), { clientId: qbo.clientId, clientSecret: "wrong-secret", refreshToken: qbo.refreshToken() }, { saveSecrets: () => Promise.resolve() });
    expect(wrongClient).toEqual({ ok: false, message: "QuickBooks refused the app's client ID or client secret (invalid_client): check the client ID and secret of the app." });
  });
});

describe("a QuickBooks connection, synced", () => {
  const ids: Record<string, string> = {};

  it("first sync: pages through every entity, one committed import per page, each row in the QuickBooks account it moved", async () => {
    ids.p1 = qbo.add("Purchase", { TxnDate: "2026-01-05", TotalAmt: 42.17, AccountRef: { value: "35", name: "Checking" }, PaymentType: "Check", EntityRef: { value: "7", name: "Office Depot", type: "Vendor" }, DocNumber: "1001" }).Id;
    ids.p2 = qbo.add("Purchase", { TxnDate: "2026-01-06", TotalAmt: 19.99, AccountRef: { value: "41", name: "Visa" }, PaymentType: "CreditCard", Credit: true, EntityRef: { value: "8", name: "Amazon" } }).Id;
    ids.p3 = qbo.add("Purchase", { TxnDate: "2026-01-07", TotalAmt: 1000, AccountRef: { value: "35", name: "Checking" }, PaymentType: "Cash", PrivateNote: "Rent January" }).Id;
    ids.d1 = qbo.add("Deposit", { TxnDate: "2026-01-08", TotalAmt: 2500.5, DepositToAccountRef: { value: "35", name: "Checking" } }).Id;
    ids.i1 = qbo.add("Invoice", { TxnDate: "2026-01-09", TotalAmt: 1200, Balance: 1200, DueDate: "2026-02-08", CustomerRef: { value: "3", name: "Cool Cars" }, DocNumber: "1037" }).Id;
    ids.pay1 = qbo.add("Payment", { TxnDate: "2026-01-10", TotalAmt: 600, CustomerRef: { value: "3", name: "Cool Cars" } }).Id;
    ids.bp1 = qbo.add("BillPayment", { TxnDate: "2026-01-11", TotalAmt: 75.25, PayType: "Check", VendorRef: { value: "9", name: "PG&E" }, CheckPayment: { BankAccountRef: { value: "35", name: "Checking" } } }).Id;

    const result = await syncConnection(admin(), id);
    expect(result.ok).toBe(true);
    expect(result.batches.map((b) => [b.records, b.outcome, b.imported])).toEqual([
      [2, "committed", 2],
      [1, "committed", 1],
      [1, "committed", 1],
      [1, "committed", 1],
      [1, "committed", 1],
      [1, "committed", 1],
    ]);
    expect(await ledger()).toEqual([
      [`BillPayment:${ids.bp1}`, "-75.25", "Checking", "BillPayment PG&E"],
      [`Deposit:${ids.d1}`, "2500.5", "Checking", "Deposit"],
      [`Invoice:${ids.i1}`, "1200", "Receivables", "Invoice 1037 Cool Cars"],
      [`Payment:${ids.pay1}`, "600", "Undeposited", "Payment Cool Cars"],
      [`Purchase:${ids.p1}`, "-42.17", "Checking", "Purchase 1001 Office Depot"],
      [`Purchase:${ids.p2}`, "19.99", "Visa", "Purchase Amazon"],
      [`Purchase:${ids.p3}`, "-1000", "Checking", "Rent January"],
    ]);
    const queries = qbo.calls("query").map((r) => r.query.get("query"));
    expect(queries.slice(0, 3)).toEqual([
      "select * from Purchase orderby MetaData.LastUpdatedTime startposition 1 maxresults 2",
      "select * from Purchase orderby MetaData.LastUpdatedTime startposition 3 maxresults 2",
      "select * from Deposit orderby MetaData.LastUpdatedTime startposition 1 maxresults 2",
    ]);
    expect(qbo.calls("query").every((r) => r.query.get("minorversion") === "75" && String(r.headers.authorization).startsWith("Bearer "))).toBe(true);
    // Paging ends with a CDC from the time the paging began: nothing changed meanwhile.
    expect(qbo.calls("cdc")).toHaveLength(1);
    const cursor = await cursorOf(id);
    expect(cursor?.value).toMatchObject({ phase: "cdc" });
  });

  it("incremental sync: one CDC call from the stored server time brings only what changed; modified rows updated, deleted ones removed", async () => {
    const before = (await cursorOf(id))!.value as { since: string };
    const queriesBefore = qbo.calls("query").length;
    qbo.modify("Purchase", ids.p1!, { TotalAmt: 42.71, PrivateNote: "Paper, corrected" });
    qbo.remove("Deposit", ids.d1!);
    ids.p4 = qbo.add("Purchase", { TxnDate: "2026-01-12", TotalAmt: 8.4, AccountRef: { value: "41", name: "Visa" }, PaymentType: "CreditCard" }).Id;

    const result = await syncConnection(admin(), id);
    expect(result.ok).toBe(true);
    expect(result.batches.map((b) => [b.records, b.imported, b.updated, b.removed])).toEqual([[3, 1, 1, 1]]);
    expect(qbo.calls("query")).toHaveLength(queriesBefore);
    const cdc = qbo.calls("cdc").at(-1)!;
    expect(cdc.query.get("changedSince")).toBe(before.since);
    expect(cdc.query.get("entities")).toBe("Purchase,Deposit,SalesReceipt,Payment,BillPayment,Invoice");
    const rows = await ledger();
    expect(rows.find((r) => r[0] === `Purchase:${ids.p1}`)).toEqual([`Purchase:${ids.p1}`, "-42.71", "Checking", "Paper, corrected"]);
    expect(rows.find((r) => r[0] === `Deposit:${ids.d1}`)).toBeUndefined();
    expect(rows.find((r) => r[0] === `Purchase:${ids.p4}`)).toEqual([`Purchase:${ids.p4}`, "-8.4", "Visa", "Purchase"]);

    const quiet = await syncConnection(admin(), id);
    expect(quiet.batches).toEqual([]);
  });

  it("an expired access token: 401, refresh with the rotated token, the call retried once; the newest refresh token kept for the next sync", async () => {
    qbo.expireAccessTokens();
    ids.s1 = qbo.add("SalesReceipt", { TxnDate: "2026-01-13", TotalAmt: 310, DepositToAccountRef: { value: "35", name: "Checking" }, CustomerRef: { value: "4", name: "Dukes" } }).Id;
    const tokenCalls = qbo.calls("token").length;
    const result = await syncConnection(admin(), id);
    expect(result.ok).toBe(true);
    expect(result.batches.map((b) => b.imported)).toEqual([1]);
    expect(qbo.calls("token")).toHaveLength(tokenCalls + 1);
    const statuses = qbo.requests.slice(-3).map((r) => r.path.split("/").at(-1));
    expect(statuses).toEqual(["cdc", "bearer", "cdc"]);
    expect((await storedSecrets(id)).refreshToken).toBe(qbo.refreshToken());

    // The next refresh works only because the rotated token was kept.
    qbo.expireAccessTokens();
    expect((await syncConnection(admin(), id)).ok).toBe(true);
    expect(qbo.calls("token")).toHaveLength(tokenCalls + 2);
  });

  it("a crash after the fetch neither skips nor repeats; a crash before the commit resumes the stored batch without fetching it again", async () => {
    ids.p5 = qbo.add("Purchase", { TxnDate: "2026-01-14", TotalAmt: 12, AccountRef: { value: "35", name: "Checking" } }).Id;
    const before = await cursorOf(id);
    await expect(syncConnection(admin(), id, { hooks: { afterFetch: () => Promise.reject(new Error("simulated crash after fetch")) } })).rejects.toThrow("simulated crash after fetch");
    expect(await cursorOf(id)).toEqual(before);
    await expect(syncConnection(admin(), id, { hooks: { beforeCommit: () => Promise.reject(new Error("simulated crash before commit")) } })).rejects.toThrow("simulated crash before commit");
    expect(await cursorOf(id)).toEqual(before);
    const cdcCalls = qbo.calls("cdc").length;
    const result = await syncConnection(admin(), id);
    expect(result.batches.map((b) => [b.seq, b.outcome, b.imported])).toEqual([[before!.seq + 1, "committed", 1]]);
    // The resumed batch came from its raw file; only the page after it was asked for.
    expect(qbo.calls("cdc")).toHaveLength(cdcCalls + 1);
    expect((await ledger()).filter((r) => r[0] === `Purchase:${ids.p5}`)).toHaveLength(1);
  });

  it("waits out a 429 with Retry-After, then syncs", async () => {
    ids.p6 = qbo.add("Purchase", { TxnDate: "2026-01-15", TotalAmt: 5.05, AccountRef: { value: "35", name: "Checking" } }).Id;
    qbo.failNext(`/v3/company/${qbo.realmId}/cdc`, { ...qboFault(429, "ThrottlingFault", "003001", "message=ThrottleExceeded; errorCode=003001; statusCode=429", "The request limit was reached."), headers: { "Retry-After": "1" } });
    const result = await syncConnection(admin(), id);
    expect(result.ok).toBe(true);
    expect(result.batches.map((b) => b.imported)).toEqual([1]);
  });

  it("a QuickBooks fault is reported in its own words", async () => {
    qbo.failNext(`/v3/company/${qbo.realmId}/cdc`, qboFault(400, "ValidationFault", "4000", "changedSince must be within the last 30 days", ""));
    const result = await syncConnection(admin(), id);
    expect(result.ok).toBe(false);
    expect(result.error?.message).toBe("QuickBooks: changedSince must be within the last 30 days (code 4000)");
  });
});
