/**
 * A local Plaid for tests, speaking the documented request and response shapes:
 * - POST /transactions/sync {client_id, secret, access_token, cursor?, count} → {added, modified,
 *   removed, accounts, next_cursor, has_more, request_id}: every change since the cursor, in the order
 *   it happened, `count` at a time;
 * - POST /accounts/get and /accounts/balance/get → {accounts: [{account_id, balances, mask, name, type, subtype}], item, request_id};
 * - errors as {error_type, error_code, error_message, display_message, request_id} with Plaid's
 *   statuses (400 for bad keys or token, 429 RATE_LIMIT_EXCEEDED).
 * Credentials are checked on every call. Amounts are Plaid's: positive when money leaves the account.
 */
import { randomBytes } from "node:crypto";
import { startJsonServer, type Answer, type JsonServer } from "./http";

export interface PlaidTxn {
  transaction_id: string;
  account_id: string;
  amount: number;
  iso_currency_code: string | null;
  unofficial_currency_code: string | null;
  date: string;
  authorized_date: string | null;
  name: string;
  merchant_name: string | null;
  pending: boolean;
  pending_transaction_id: string | null;
  payment_channel: string;
  personal_finance_category: { primary: string; detailed: string } | null;
}

export interface PlaidAccountFixture {
  account_id: string;
  name: string;
  official_name: string | null;
  mask: string;
  type: string;
  subtype: string;
  balances: { available: number | null; current: number | null; iso_currency_code: string; limit: number | null; unofficial_currency_code: null };
}

type Change = { kind: "added" | "modified"; txn: PlaidTxn } | { kind: "removed"; removed: { transaction_id: string; account_id: string } };

export function plaidError(status: number, error_type: string, error_code: string, error_message: string, display_message: string | null = null): Answer {
  return { status, body: { error_type, error_code, error_message, display_message, request_id: requestId(), causes: [], status, documentation_url: "https://plaid.com/docs/errors/" } };
}

const requestId = () => randomBytes(6).toString("hex");
const encodeCursor = (seq: number) => Buffer.from(`inflow-test:${seq}`).toString("base64");
function decodeCursor(cursor: string): number | undefined {
  const match = /^inflow-test:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  return match ? Number(match[1]) : undefined;
}

export interface PlaidTestServer extends JsonServer {
  clientId: string;
  secret: string;
  accessToken: string;
  accounts: PlaidAccountFixture[];
  add(txn: Partial<PlaidTxn> & Pick<PlaidTxn, "transaction_id" | "amount" | "date" | "name">): PlaidTxn;
  modify(transactionId: string, changes: Partial<PlaidTxn>): PlaidTxn;
  remove(transactionId: string): void;
  /** The requests to /transactions/sync, with the cursor each one sent. */
  syncCursors(): (string | undefined)[];
}

export async function startPlaidServer(): Promise<PlaidTestServer> {
  const clientId = `client-${randomBytes(6).toString("hex")}`;
  const secret = `plaid-secret-${randomBytes(12).toString("hex")}`;
  const accessToken = `access-sandbox-${randomBytes(12).toString("hex")}`;
  const accounts: PlaidAccountFixture[] = [
    {
      account_id: "acc-checking-0000",
      name: "Plaid Checking",
      official_name: "Plaid Gold Standard 0% Interest Checking",
      mask: "0000",
      type: "depository",
      subtype: "checking",
      balances: { available: 100, current: 110, iso_currency_code: "USD", limit: null, unofficial_currency_code: null },
    },
    {
      account_id: "acc-credit-3333",
      name: "Plaid Credit Card",
      official_name: null,
      mask: "3333",
      type: "credit",
      subtype: "credit card",
      balances: { available: null, current: 410.5, iso_currency_code: "USD", limit: 2000, unofficial_currency_code: null },
    },
  ];
  const changes: Change[] = [];
  const current = new Map<string, PlaidTxn>();

  const item = { item_id: "item-inflow-test", institution_id: "ins_109508", webhook: null, error: null, available_products: [], billed_products: ["transactions"] };

  function authorize(body: unknown): Answer | undefined {
    const b = (body ?? {}) as Record<string, unknown>;
    if (b.client_id !== clientId || b.secret !== secret) {
      return plaidError(400, "INVALID_INPUT", "INVALID_API_KEYS", "invalid client_id or secret provided");
    }
    if (b.access_token !== accessToken) {
      return plaidError(400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN", "provided access token is in an invalid format. expected format: access-<environment>-<identifier>");
    }
    return undefined;
  }

  const server = await startJsonServer((request) => {
    if (request.method !== "POST") return plaidError(404, "INVALID_REQUEST", "NOT_FOUND", "not found");
    if (!String(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return plaidError(400, "INVALID_REQUEST", "INVALID_HEADERS", "Content-Type must be application/json");
    }
    const refused = authorize(request.body);
    if (refused) return refused;
    const body = request.body as Record<string, unknown>;
    switch (request.path) {
      case "/accounts/get":
      case "/accounts/balance/get":
        return { status: 200, body: { accounts, item, request_id: requestId() } };
      case "/transactions/sync": {
        const count = body.count === undefined ? 100 : body.count;
        if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 500) {
          return plaidError(400, "INVALID_REQUEST", "INVALID_FIELD", "count must be an integer between 1 and 500");
        }
        const cursor = typeof body.cursor === "string" ? body.cursor : "";
        const from = cursor === "" ? 0 : decodeCursor(cursor);
        if (from === undefined || from > changes.length) return plaidError(400, "INVALID_REQUEST", "INVALID_FIELD", "cursor is not valid");
        const page = changes.slice(from, from + count);
        const to = from + page.length;
        return {
          status: 200,
          body: {
            accounts,
            added: page.flatMap((c) => (c.kind === "added" ? [c.txn] : [])),
            modified: page.flatMap((c) => (c.kind === "modified" ? [c.txn] : [])),
            removed: page.flatMap((c) => (c.kind === "removed" ? [c.removed] : [])),
            next_cursor: encodeCursor(to),
            has_more: to < changes.length,
            transactions_update_status: "HISTORICAL_UPDATE_COMPLETE",
            request_id: requestId(),
          },
        };
      }
      default:
        return plaidError(404, "INVALID_REQUEST", "UNKNOWN_ENDPOINT", `unknown endpoint ${request.path}`);
    }
  });

  return {
    ...server,
    clientId,
    secret,
    accessToken,
    accounts,
    add(partial) {
      const txn: PlaidTxn = {
        account_id: accounts[0]!.account_id,
        iso_currency_code: "USD",
        unofficial_currency_code: null,
        authorized_date: null,
        merchant_name: null,
        pending: false,
        pending_transaction_id: null,
        payment_channel: "online",
        personal_finance_category: null,
        ...partial,
      };
      current.set(txn.transaction_id, txn);
      changes.push({ kind: "added", txn: { ...txn } });
      return txn;
    },
    modify(transactionId, partial) {
      const before = current.get(transactionId);
      if (!before) throw new Error(`no transaction ${transactionId}`);
      const txn = { ...before, ...partial };
      current.set(transactionId, txn);
      changes.push({ kind: "modified", txn: { ...txn } });
      return txn;
    },
    remove(transactionId) {
      const before = current.get(transactionId);
      if (!before) throw new Error(`no transaction ${transactionId}`);
      current.delete(transactionId);
      changes.push({ kind: "removed", removed: { transaction_id: transactionId, account_id: before.account_id } });
    },
    syncCursors: () => server.requests.filter((r) => r.path === "/transactions/sync").map((r) => (r.body as { cursor?: string }).cursor),
  };
}
