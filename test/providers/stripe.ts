/**
 * A local Stripe for tests, speaking the documented shapes: Bearer secret key on every request;
 * GET /v1/account, /v1/balance, and the lists /v1/balance_transactions and /v1/payouts →
 * {object: "list", url, has_more, data} newest first, with `limit` (1–100), `starting_after` (older
 * than the id) and `ending_before` (the page just newer than the id), never both; errors as
 * {error: {type, message, code?, param?}}; amounts in minor units with lower-case currencies.
 */
import { randomBytes } from "node:crypto";
import { startJsonServer, type Answer, type JsonServer, type RecordedRequest } from "./http";

export function stripeError(status: number, type: string, message: string, extra: Record<string, string> = {}): Answer {
  return { status, body: { error: { type, message, ...extra } } };
}

export interface StripeObject {
  id: string;
  object: string;
  created: number;
  [key: string]: unknown;
}

export interface StripeTestServer extends JsonServer {
  secretKey: string;
  accountId: string;
  balance: { available: { amount: number; currency: string }[]; pending: { amount: number; currency: string }[] };
  addBalanceTransaction(fields: { amount: number; fee?: number; currency?: string; type?: string; description?: string | null; source?: string | null; status?: string }): StripeObject;
  addPayout(fields: { amount: number; currency?: string; status?: string; description?: string | null }): StripeObject;
  /** The list requests made to a path, with their pagination parameters. */
  listCalls(path: string): { limit: string | null; starting_after: string | null; ending_before: string | null }[];
}

export async function startStripeServer(): Promise<StripeTestServer> {
  const secretKey = `sk_test_${randomBytes(16).toString("hex")}`;
  const accountId = "acct_1InflowTest0001";
  // Newest first, as Stripe lists them.
  const lists: Record<string, StripeObject[]> = { "/v1/balance_transactions": [], "/v1/payouts": [] };
  let clock = 1_767_225_600; // 2026-01-01T00:00:00Z
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}_${String(++counter).padStart(6, "0")}Inflow`;
  const balance: StripeTestServer["balance"] = { available: [{ amount: 150_000, currency: "usd" }], pending: [{ amount: 2_550, currency: "usd" }] };

  function list(request: RecordedRequest): Answer {
    const objects = lists[request.path]!;
    const limitText = request.query.get("limit") ?? "10";
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) {
      return stripeError(400, "invalid_request_error", `Invalid integer: ${limitText}`, { param: "limit" });
    }
    const after = request.query.get("starting_after");
    const before = request.query.get("ending_before");
    if (after && before) return stripeError(400, "invalid_request_error", "Received both starting_after and ending_before parameters. Please pass in only one.");
    const kind = request.path === "/v1/payouts" ? "payout" : "balance_transaction";
    const position = (id: string) => objects.findIndex((o) => o.id === id);
    let data: StripeObject[];
    let hasMore: boolean;
    if (after) {
      const at = position(after);
      if (at < 0) return stripeError(400, "invalid_request_error", `No such ${kind}: '${after}'`, { code: "resource_missing", param: "starting_after" });
      data = objects.slice(at + 1, at + 1 + limit);
      hasMore = at + 1 + limit < objects.length;
    } else if (before) {
      const at = position(before);
      if (at < 0) return stripeError(400, "invalid_request_error", `No such ${kind}: '${before}'`, { code: "resource_missing", param: "ending_before" });
      const start = Math.max(0, at - limit);
      data = objects.slice(start, at);
      hasMore = start > 0;
    } else {
      data = objects.slice(0, limit);
      hasMore = limit < objects.length;
    }
    return { status: 200, body: { object: "list", url: request.path, has_more: hasMore, data } };
  }

  const server = await startJsonServer((request) => {
    const auth = request.headers.authorization;
    if (!auth) return stripeError(401, "invalid_request_error", "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.");
    if (auth !== `Bearer ${secretKey}`) {
      const given = auth.replace(/^Bearer\s+/, "");
      return stripeError(401, "invalid_request_error", `Invalid API Key provided: ${given.slice(0, 8)}****${given.slice(-4)}`);
    }
    if (request.method !== "GET") return stripeError(405, "invalid_request_error", "Method not allowed");
    if (request.path === "/v1/account") return { status: 200, body: { id: accountId, object: "account", business_profile: { name: "Inflow Test Shop" }, email: "shop@example.com" } };
    if (request.path === "/v1/balance") return { status: 200, body: { object: "balance", livemode: false, ...balance } };
    if (request.path in lists) return list(request);
    return stripeError(404, "invalid_request_error", `Unrecognized request URL (GET: ${request.path}).`);
  });

  return {
    ...server,
    secretKey,
    accountId,
    balance,
    addBalanceTransaction(fields) {
      const created = (clock += 3600);
      const fee = fields.fee ?? 0;
      const id = nextId("txn");
      const object: StripeObject = {
        id,
        object: "balance_transaction",
        amount: fields.amount,
        available_on: created + 2 * 86_400,
        created,
        currency: fields.currency ?? "usd",
        description: fields.description === undefined ? `Charge ${id}` : fields.description,
        exchange_rate: null,
        fee,
        fee_details: fee ? [{ amount: fee, currency: fields.currency ?? "usd", description: "Stripe processing fees", type: "stripe_fee" }] : [],
        net: fields.amount - fee,
        reporting_category: fields.type === "payout" ? "payout" : "charge",
        source: fields.source === undefined ? `ch_${id.slice(4)}` : fields.source,
        status: fields.status ?? "available",
        type: fields.type ?? "charge",
      };
      lists["/v1/balance_transactions"]!.unshift(object);
      return object;
    },
    addPayout(fields) {
      const created = (clock += 3600);
      const id = nextId("po");
      const object: StripeObject = {
        id,
        object: "payout",
        amount: fields.amount,
        arrival_date: created + 86_400,
        automatic: true,
        balance_transaction: `txn_for_${id}`,
        created,
        currency: fields.currency ?? "usd",
        description: fields.description === undefined ? "STRIPE PAYOUT" : fields.description,
        destination: "ba_1InflowTestBank",
        method: "standard",
        statement_descriptor: null,
        status: fields.status ?? "paid",
        type: "bank_account",
      };
      lists["/v1/payouts"]!.unshift(object);
      return object;
    },
    listCalls: (path) =>
      server.requests
        .filter((r) => r.path === path)
        .map((r) => ({ limit: r.query.get("limit"), starting_after: r.query.get("starting_after"), ending_before: r.query.get("ending_before") })),
  };
}
