/**
 * Stripe against a local Stripe (test/providers/stripe.ts) and the real database: exact minor-unit
 * conversion by currency, test connection with Stripe's own error, a first sync that walks back
 * through history with starting_after, an incremental sync that asks only for what is newer
 * (ending_before), payouts, and a 429 with Retry-After waited out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { startStripeServer, stripeError, type StripeTestServer } from "@/test/providers/stripe";
import { createConnection } from "../service";
import { sourceOf, syncConnection } from "../sync";
import { fromStripeAmount } from "./currency";
import { stripeConfig, stripeConnector } from "./index";

let stripe: StripeTestServer;
let t: TestTenant;
let accountId: string;
const admin = () => ({ claims: t.members.admin.claims, tenantId: t.id });

async function ledger(id: string) {
  return asService(async (db) =>
    (
      await db.query<{ external_id: string; amount: string; currency: string; description: string; type_code: string }>(
        "select external_id, amount::text, currency, description, type_code from public.transactions where tenant_id = $1 and source like $2 order by external_id",
        [t.id, `${sourceOf("stripe", id)}:%`],
      )
    ).rows,
  );
}

beforeAll(async () => {
  stripe = await startStripeServer();
  t = await createTenant("stripe-sync");
  accountId = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Stripe balance', 'USD') returning id", [t.id])).rows[0]!.id);
});

afterAll(async () => {
  await stripe?.close();
});

describe("Stripe amounts", () => {
  it("turns minor units into exact decimals by the currency's minor units", () => {
    expect(fromStripeAmount(1050, "USD")).toBe("10.50");
    expect(fromStripeAmount(-5, "EUR")).toBe("-0.05");
    expect(fromStripeAmount(500, "JPY")).toBe("500");
    expect(fromStripeAmount(12345, "KWD")).toBe("12.345");
    expect(fromStripeAmount(100, "ISK")).toBe("1.00");
    expect(fromStripeAmount(9_007_199_254_740_991, "USD")).toBe("90071992547409.91");
    expect(() => fromStripeAmount(10.5, "USD")).toThrow(RangeError);
  });
});

describe("Stripe test connection", () => {
  it("names the account, or says in plain words that the key was refused, without the key", async () => {
    const config = stripeConfig.parse({ baseUrl: stripe.url });
    expect(await stripeConnector.test(config, { secretKey: stripe.secretKey })).toEqual({
      ok: true,
      message: `Connected to Stripe account ${stripe.accountId} (Inflow Test Shop); balance transactions can be read.`,
    });
    const wrong = `sk_test_${"x".repeat(24)}`;
    const refused = await stripeConnector.test(config, { secretKey: wrong });
    expect(refused.ok).toBe(false);
    expect(refused.message).toBe(`Stripe refused the secret key. Check it, and that it is a live key for live data. (Stripe: Invalid API Key provided: sk_test_****xxxx)`);
    expect(refused.message).not.toContain(wrong);
  });
});

describe("a Stripe connection, synced", () => {
  let id: string;

  it("first sync: walks back through history page by page and commits every balance transaction at its net amount", async () => {
    stripe.addBalanceTransaction({ amount: 10_000, fee: 320, description: "Order 1" });
    stripe.addBalanceTransaction({ amount: 2_500, fee: 103, currency: "usd", description: "Order 2" });
    stripe.addBalanceTransaction({ amount: -2_500, type: "refund", description: "Refund order 2" });
    stripe.addBalanceTransaction({ amount: -9_000, type: "payout", description: "STRIPE PAYOUT", source: "po_1" });
    stripe.addBalanceTransaction({ amount: 1_999, fee: 88, description: "Order 3" });
    id = (
      await createConnection(admin(), { name: "Shop Stripe", type: "stripe", config: { baseUrl: stripe.url, pageSize: 2, accountId }, secrets: { secretKey: stripe.secretKey } })
    ).id;
    const before = stripe.listCalls("/v1/balance_transactions").length;
    const result = await syncConnection(admin(), id);
    expect(result.ok).toBe(true);
    expect(result.batches.map((b) => [b.seq, b.records, b.imported])).toEqual([
      [1, 2, 2],
      [2, 2, 2],
      [3, 1, 1],
    ]);
    const calls = stripe.listCalls("/v1/balance_transactions").slice(before);
    expect(calls.map((c) => [c.limit, c.starting_after, c.ending_before])).toEqual([
      ["2", null, null],
      ["2", "txn_000004Inflow", null],
      ["2", "txn_000002Inflow", null],
    ]);
    expect((await ledger(id)).map((r) => [r.external_id, r.amount, r.currency, r.description, r.type_code])).toEqual([
      ["txn_000001Inflow", "96.80", "USD", "Order 1", "charge"],
      ["txn_000002Inflow", "23.97", "USD", "Order 2", "charge"],
      ["txn_000003Inflow", "-25.00", "USD", "Refund order 2", "refund"],
      ["txn_000004Inflow", "-90.00", "USD", "STRIPE PAYOUT", "payout"],
      ["txn_000005Inflow", "19.11", "USD", "Order 3", "charge"],
    ]);
    const cursor = await asService(async (db) => (await db.query<{ cursor: unknown }>("select cursor from public.connections where id = $1", [id])).rows[0]!.cursor);
    expect(cursor).toEqual({ seq: 3, value: { account: stripe.accountId, newest: "txn_000005Inflow", backfillAfter: null } });
  });

  it("incremental sync: asks only for what is newer than the newest committed (ending_before), through a 429 with Retry-After", async () => {
    stripe.addBalanceTransaction({ amount: 4_200, fee: 152, description: "Order 4" });
    stripe.addBalanceTransaction({ amount: 700, fee: 50, description: "Order 5" });
    stripe.addBalanceTransaction({ amount: 120_000, currency: "jpy", description: "Order in yen" });
    stripe.failNext("/v1/balance_transactions", { ...stripeError(429, "invalid_request_error", "Request rate limit exceeded.", { code: "rate_limit" }), headers: { "Retry-After": "1" } });
    const before = stripe.listCalls("/v1/balance_transactions").length;
    const result = await syncConnection(admin(), id);
    expect(result.ok).toBe(true);
    expect(stripe.listCalls("/v1/balance_transactions").slice(before).map((c) => [c.starting_after, c.ending_before])).toEqual([
      [null, "txn_000005Inflow"],
      [null, "txn_000005Inflow"],
      [null, "txn_000007Inflow"],
    ]);
    expect(result.batches.map((b) => [b.seq, b.records, b.imported])).toEqual([
      [4, 2, 2],
      [5, 1, 1],
    ]);
    expect((await ledger(id)).slice(5).map((r) => [r.external_id, r.amount, r.currency])).toEqual([
      ["txn_000006Inflow", "40.48", "USD"],
      ["txn_000007Inflow", "6.50", "USD"],
      ["txn_000008Inflow", "120000", "JPY"],
    ]);
    const again = await syncConnection(admin(), id);
    expect(again.batches).toEqual([]);
    expect(stripe.listCalls("/v1/balance_transactions").at(-1)).toEqual({ limit: "2", starting_after: null, ending_before: "txn_000008Inflow" });
  });

  it("payouts: money leaving the balance, failed ones left out", async () => {
    // Its own account: the balance transactions above already hold the payout of 90.00 (it would be a likely duplicate).
    const clearing = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Payouts in transit', 'USD') returning id", [t.id])).rows[0]!.id);
    stripe.addPayout({ amount: 9_000 });
    stripe.addPayout({ amount: 5_000, status: "failed" });
    stripe.addPayout({ amount: 1_234, status: "in_transit", description: null });
    const payouts = await createConnection(admin(), { name: "Shop payouts", type: "stripe", config: { baseUrl: stripe.url, resource: "payouts", accountId: clearing }, secrets: { secretKey: stripe.secretKey } });
    const result = await syncConnection(admin(), payouts.id);
    expect(result.batches.map((b) => [b.records, b.imported])).toEqual([[3, 2]]);
    expect((await ledger(payouts.id)).map((r) => [r.external_id, r.amount, r.description, r.type_code])).toEqual([
      ["po_000009Inflow", "-90.00", "STRIPE PAYOUT", "payout"],
      ["po_000011Inflow", "-12.34", "Stripe payout", "payout"],
    ]);
  });
});
