/**
 * The Plaid connector and the HTTP retry rules against a local Plaid (test/providers/plaid.ts):
 * Retry-After in both forms, bounded jittered backoff, credentials blanked out of messages, Plaid's
 * refusals in plain words, a 500 retried, the pagination restart Plaid asks for after
 * TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION, and records reshaped at the boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plaidError, startPlaidServer, type PlaidTestServer } from "@/test/providers/plaid";
import { backoffMs, DEFAULT_RETRY, parseRetryAfter, redact } from "../http";
import { RecordError, type FetchContext } from "../types";
import { plaidConfig, plaidConnector, plaidDecimal } from "./index";

let plaid: PlaidTestServer;
const context: FetchContext = { storeFile: () => Promise.reject(new Error("unused")), alreadySeen: () => Promise.resolve(false) };
const secretsOf = (server: PlaidTestServer) => ({ clientId: server.clientId, secret: server.secret, accessToken: server.accessToken });

beforeAll(async () => {
  plaid = await startPlaidServer();
});

afterAll(async () => {
  await plaid?.close();
});

describe("retry rules", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:02:00 GMT", now)).toBe(120);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("backs off exponentially, capped, jittered between half and all of the step", () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffMs(n, DEFAULT_RETRY, () => 0))).toEqual([250, 500, 1000, 2000, 4000, 4000]);
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffMs(n, DEFAULT_RETRY, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });

  it("blanks credentials out of any message", () => {
    expect(redact("bad key sk_live_abcdef given", ["sk_live_abcdef"])).toBe("bad key [hidden] given");
  });
});

describe("Plaid connector", () => {
  it("tests the connection, and says what to do when Plaid refuses the keys", async () => {
    const config = plaidConfig.parse({ baseUrl: plaid.url });
    expect(await plaidConnector.test(config, secretsOf(plaid))).toEqual({ ok: true, message: "Connected to Plaid: 2 accounts (Plaid Checking ••0000, Plaid Credit Card ••3333)." });
    expect(await plaidConnector.test(config, { ...secretsOf(plaid), secret: "wrong-secret" })).toEqual({
      ok: false,
      message: "Plaid refused the client_id or secret. Check both, and that they belong to the chosen environment (sandbox or production). (Plaid: invalid client_id or secret provided; INVALID_API_KEYS)",
    });
    plaid.failNext("/accounts/get", plaidError(400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED", "the login details of this item have changed", "Please update your credentials."));
    expect(await plaidConnector.test(config, secretsOf(plaid))).toEqual({
      ok: false,
      message: "The bank needs the account holder to sign in again (through Plaid Link) before Plaid can fetch more transactions. (Plaid: Please update your credentials.; ITEM_LOGIN_REQUIRED)",
    });
  });

  it("retries a 500 and restarts pagination where it began when Plaid says the data changed meanwhile", async () => {
    const config = plaidConfig.parse({ baseUrl: plaid.url, pageSize: 1 });
    plaid.add({ transaction_id: "p1", amount: 1, date: "2026-01-01", name: "One" });
    plaid.add({ transaction_id: "p2", amount: 2, date: "2026-01-02", name: "Two" });
    plaid.failNext("/transactions/sync", plaidError(500, "API_ERROR", "INTERNAL_SERVER_ERROR", "an unexpected error occurred"));
    const first = await plaidConnector.fetchNext(config, secretsOf(plaid), null, context);
    expect(first.items.map((i) => i.kind === "record" && i.id)).toEqual(["p1"]);
    expect(first.hasMore).toBe(true);
    expect(first.cursor?.loopStart).toBe("");

    plaid.failNext("/transactions/sync", plaidError(400, "TRANSACTIONS_ERROR", "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION", "Underlying transaction data changed since last page was fetched. Please restart pagination from last update."));
    const before = plaid.syncCursors().length;
    const second = await plaidConnector.fetchNext(config, secretsOf(plaid), first.cursor, context);
    expect(plaid.syncCursors().slice(before)).toEqual([first.cursor!.cursor, undefined]);
    expect(second.items.map((i) => i.kind === "record" && i.id)).toEqual(["p1"]);
  });

  it("reshapes a transaction at the boundary: sign turned, exact decimal, currency, details; pending left out unless asked", () => {
    const config = plaidConfig.parse({});
    const record = {
      kind: "record" as const,
      id: "x1",
      data: {
        transaction_id: "x1", account_id: "a1", amount: 1234.56, iso_currency_code: "EUR", date: "2026-02-03", authorized_date: "2026-02-02",
        name: "SEPA transfer", merchant_name: null, pending: false, payment_channel: "other", personal_finance_category: { primary: "TRANSFER_OUT", detailed: "TRANSFER_OUT_ACCOUNT_TRANSFER" },
      },
    };
    expect(plaidConnector.toCanonical(record, config)).toEqual({
      account: { id: "a1", currency: "EUR" },
      transaction: {
        bookingDate: "2026-02-03", amount: "-1234.56", currency: "EUR", externalId: "x1", description: "SEPA transfer", typeCode: "other",
        details: { pending: "false", authorizedDate: "2026-02-02", category: "TRANSFER_OUT", categoryDetailed: "TRANSFER_OUT_ACCOUNT_TRANSFER" },
      },
    });
    const pending = { ...record, data: { ...record.data, pending: true } };
    expect(plaidConnector.toCanonical(pending, config)).toBeNull();
    expect(plaidConnector.toCanonical(pending, plaidConfig.parse({ includePending: true }))?.transaction.details?.pending).toBe("true");
    expect(() => plaidConnector.toCanonical({ ...record, data: { ...record.data, iso_currency_code: null, unofficial_currency_code: "BTC" } }, config)).toThrow(RecordError);
    expect(plaidDecimal(0.1 + 0.2)).toBe("0.30000000000000004");
    expect(plaidDecimal(1e21)).toBeNull();
  });
});
