/**
 * Plaid: a bank connection (an Item) synced with POST /transactions/sync, which answers everything
 * added, modified and removed since a cursor, a page at a time (has_more, next_cursor). Real-time
 * balances come from POST /accounts/balance/get once the last page is in. Credentials (client_id,
 * secret, access_token) travel in the JSON body, as Plaid documents.
 *
 * At the boundary:
 * - Plaid amounts are positive for money leaving the account; the canonical model has credits
 *   positive, so the sign is turned. Amounts arrive as JSON numbers with at most two decimals; their
 *   shortest decimal form is the amount Plaid sent (exact for up to 15 significant digits).
 * - Pending transactions are left out unless the connection asks for them: Plaid removes a pending
 *   transaction when it posts and adds the posted one under a new id, so the ledger holds booked rows.
 * - Removed transactions are deleted from the ledger by the sync (./records.ts); modified ones
 *   update the ledger row with the same transaction id.
 * - A TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION error restarts pagination from the cursor that
 *   began it, as Plaid asks; the pages already committed come back as exact duplicates (or updates).
 */
import { z } from "zod";
import { negateDecimal, normalizeDecimal } from "@/lib/money/decimal";
import type { ExternalAccount } from "@/lib/schemas/canonical";
import { callJson, checkedBaseUrl, providerBaseUrl, ProviderHttpError, type RetryPolicy } from "../http";
import { ProviderError, RecordError, type CanonicalRecord, type FetchBatch, type ProviderAccount, type ProviderRecord, type RecordConnector } from "../types";

export const PLAID_ENVIRONMENTS = { sandbox: "https://sandbox.plaid.com", production: "https://production.plaid.com" } as const;
const PLAID_VERSION = "2020-09-14";


export const plaidConfig = z.object({
  accountId: z.string().uuid("Choose an account that exists in this workspace").optional(),
  environment: z.enum(["sandbox", "production"]).default("production"),
  /** Overrides the environment's address (a proxy, or the local test server). */
  baseUrl: providerBaseUrl.optional(),
  includePending: z.boolean().default(false),
  fetchBalances: z.boolean().default(true),
  /** Transaction updates per page (Plaid allows 1–500). */
  pageSize: z.number().int().min(1).max(500).default(500),
});
export type PlaidConfig = z.infer<typeof plaidConfig>;

export const plaidSecrets = z.object({
  clientId: z.string().trim().min(1, "Enter the Plaid client_id"),
  secret: z.string().trim().min(1, "Enter the Plaid secret"),
  accessToken: z.string().trim().min(1, "Enter the Item's access_token"),
});
export type PlaidSecrets = z.infer<typeof plaidSecrets>;

/** `cursor`: where the next page starts; `loopStart`: where the current pagination began (for restarts). */
export const plaidCursor = z.object({ cursor: z.string(), loopStart: z.string() });
export type PlaidCursor = z.infer<typeof plaidCursor>;

const plaidError = z.object({
  error_type: z.string().optional(),
  error_code: z.string().optional(),
  error_message: z.string().optional(),
  display_message: z.string().nullable().optional(),
});

/** What a person setting up the connection can do about Plaid's most common refusals. */
const ADVICE: Record<string, string> = {
  INVALID_API_KEYS: "Plaid refused the client_id or secret. Check both, and that they belong to the chosen environment (sandbox or production).",
  INVALID_ACCESS_TOKEN: "Plaid refused the access_token. Check it, and that it belongs to the chosen environment.",
  ITEM_LOGIN_REQUIRED: "The bank needs the account holder to sign in again (through Plaid Link) before Plaid can fetch more transactions.",
  RATE_LIMIT_EXCEEDED: "Plaid's rate limit was reached. The sync will be tried again later.",
  TRANSACTIONS_SYNC_LIMIT: "Plaid's rate limit for transaction syncs was reached. The sync will be tried again later.",
  PRODUCT_NOT_READY: "Plaid is still fetching this account's history. Try again in a few minutes.",
};

export function describePlaidError(status: number, body: unknown): { message: string; code?: string } {
  const parsed = plaidError.safeParse(body);
  if (!parsed.success || !parsed.data.error_code) return { message: `Plaid answered HTTP ${status}.` };
  const e = parsed.data;
  const code = e.error_code!;
  const own = e.display_message || e.error_message || "no message";
  const advice = ADVICE[code] ?? ADVICE[e.error_type ?? ""];
  return { message: advice ? `${advice} (Plaid: ${own}; ${code})` : `Plaid: ${own} (${code})`, code };
}

/** The fields the sync reads from a Plaid transaction; everything else is kept in the raw payload. */
const plaidTransaction = z.object({
  transaction_id: z.string().min(1),
  account_id: z.string().min(1),
  amount: z.number(),
  iso_currency_code: z.string().nullable().optional(),
  unofficial_currency_code: z.string().nullable().optional(),
  date: z.string(),
  authorized_date: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  merchant_name: z.string().nullable().optional(),
  pending: z.boolean().optional(),
  pending_transaction_id: z.string().nullable().optional(),
  payment_channel: z.string().nullable().optional(),
  check_number: z.string().nullable().optional(),
  personal_finance_category: z.object({ primary: z.string().optional(), detailed: z.string().optional() }).nullable().optional(),
  counterparties: z.array(z.object({ name: z.string().optional() })).nullable().optional(),
});

const removedTransaction = z.object({ transaction_id: z.string().min(1), account_id: z.string().optional() });

const balances = z.object({
  available: z.number().nullable().optional(),
  current: z.number().nullable().optional(),
  iso_currency_code: z.string().nullable().optional(),
});

const plaidAccount = z.object({
  account_id: z.string().min(1),
  name: z.string().nullable().optional(),
  official_name: z.string().nullable().optional(),
  mask: z.string().nullable().optional(),
  type: z.string().nullable().optional(),
  subtype: z.string().nullable().optional(),
  balances: balances.optional(),
});

const syncResponse = z.object({
  added: z.array(z.unknown()).default([]),
  modified: z.array(z.unknown()).default([]),
  removed: z.array(z.unknown()).default([]),
  accounts: z.array(plaidAccount).default([]),
  next_cursor: z.string(),
  has_more: z.boolean(),
});

const accountsResponse = z.object({ accounts: z.array(plaidAccount) });

function base(config: PlaidConfig): string {
  return config.baseUrl ? checkedBaseUrl(config.baseUrl) : PLAID_ENVIRONMENTS[config.environment];
}

/** The retry policy for Plaid calls; tests may tighten it. */
export const plaidHttp: { policy?: RetryPolicy } = {};

async function post(config: PlaidConfig, secrets: PlaidSecrets, path: string, body: Record<string, unknown>): Promise<unknown> {
  return callJson(
    {
      method: "POST",
      url: `${base(config)}${path}`,
      headers: { "Plaid-Version": PLAID_VERSION },
      body: { client_id: secrets.clientId, secret: secrets.secret, access_token: secrets.accessToken, ...body },
    },
    {
      provider: "Plaid",
      describeError: describePlaidError,
      secrets: [secrets.secret, secrets.accessToken],
      ...(plaidHttp.policy ? { policy: plaidHttp.policy } : {}),
    },
  );
}

function parsed<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new ProviderError(`Plaid's answer to ${what} is not in the documented shape (${result.error.issues[0]?.path.join(".") ?? "?"}: ${result.error.issues[0]?.message ?? "?"}).`);
  return result.data;
}

/** A Plaid JSON number as the exact decimal it was written as. */
export function plaidDecimal(value: number): string | null {
  if (!Number.isFinite(value)) return null;
  const text = String(value);
  if (/e/i.test(text)) return null;
  return normalizeDecimal(text);
}

const CREDIT_TYPES = new Set(["credit", "loan"]);

function accountOf(a: z.infer<typeof plaidAccount>): ExternalAccount {
  const currency = a.balances?.iso_currency_code ?? undefined;
  const name = [a.name ?? a.official_name, a.mask ? `••${a.mask}` : null].filter(Boolean).join(" ");
  return { id: a.account_id, ...(currency ? { currency } : {}), ...(a.subtype || a.type ? { kind: (a.subtype ?? a.type)!.toUpperCase() } : {}), ...(name ? { name } : {}) };
}

/**
 * Plaid's balances seen from the account: for credit and loan accounts Plaid reports what is owed as
 * a positive number, which is a negative balance of the account.
 */
function providerAccount(a: z.infer<typeof plaidAccount>, today: string): ProviderAccount {
  const account = accountOf(a);
  const sign = (value: string) => (CREDIT_TYPES.has(a.type ?? "") ? negateDecimal(value) : value);
  const out: ProviderAccount["balances"] = [];
  const currency = a.balances?.iso_currency_code ?? undefined;
  const current = a.balances?.current;
  const available = a.balances?.available;
  if (typeof current === "number") {
    const amount = plaidDecimal(current);
    if (amount) out.push({ type: "interim", sourceCode: "current", date: today, amount: sign(amount), ...(currency ? { currency } : {}) });
  }
  if (typeof available === "number") {
    const amount = plaidDecimal(available);
    if (amount) out.push({ type: "interim_available", sourceCode: "available", date: today, amount: sign(amount), ...(currency ? { currency } : {}) });
  }
  return { account, balances: out };
}

async function syncPage(config: PlaidConfig, secrets: PlaidSecrets, cursor: string): Promise<z.infer<typeof syncResponse>> {
  const body = await post(config, secrets, "/transactions/sync", { ...(cursor ? { cursor } : {}), count: config.pageSize });
  return parsed(syncResponse, body, "/transactions/sync");
}

export const plaidConnector: RecordConnector<PlaidConfig, PlaidSecrets, PlaidCursor> = {
  type: "plaid",
  label: "Plaid",
  produces: "records",
  configSchema: plaidConfig,
  secretsSchema: plaidSecrets,
  cursorSchema: plaidCursor,

  async test(config, secrets) {
    try {
      const { accounts } = parsed(accountsResponse, await post(config, secrets, "/accounts/get", {}), "/accounts/get");
      const names = accounts.map((a) => accountOf(a).name ?? a.account_id);
      return { ok: true, message: `Connected to Plaid: ${accounts.length} account${accounts.length === 1 ? "" : "s"}${names.length ? ` (${names.join(", ")})` : ""}.` };
    } catch (error) {
      if (error instanceof ProviderError) return { ok: false, message: error.message };
      throw error;
    }
  },

  async fetchNext(config, secrets, cursor): Promise<FetchBatch<PlaidCursor>> {
    const from = cursor?.cursor ?? "";
    const loopStart = cursor?.loopStart ?? "";
    let page: z.infer<typeof syncResponse>;
    let startedAt = from;
    try {
      page = await syncPage(config, secrets, from);
    } catch (error) {
      // Plaid: data changed while paging; restart the pagination loop from the cursor that began it.
      if (!(error instanceof ProviderHttpError) || error.code !== "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION" || from === loopStart) throw error;
      startedAt = loopStart;
      page = await syncPage(config, secrets, loopStart);
    }
    const items: ProviderRecord[] = [
      ...page.added.map((data) => ({ kind: "record" as const, id: recordId(data), data })),
      ...page.modified.map((data) => ({ kind: "record" as const, id: recordId(data), data })),
      ...page.removed.map((data) => ({ kind: "record" as const, id: recordId(data), removed: true, data })),
    ];
    const today = new Date().toISOString().slice(0, 10);
    let accounts = page.accounts.map((a) => ({ account: accountOf(a), balances: [] as ProviderAccount["balances"] }));
    // Balances come with the last page that brings records (a batch without records is no import, and
    // Plaid bills each balance request).
    if (!page.has_more && config.fetchBalances && items.length > 0) {
      const fresh = parsed(accountsResponse, await post(config, secrets, "/accounts/balance/get", {}), "/accounts/balance/get");
      accounts = fresh.accounts.map((a) => providerAccount(a, today));
    }
    return {
      items,
      accounts,
      // The loop that began at `startedAt` ends with this page when Plaid has no more.
      cursor: { cursor: page.next_cursor, loopStart: page.has_more ? startedAt : page.next_cursor },
      hasMore: page.has_more,
    };
  },

  importOptions: (config) => (config.accountId ? { accountId: config.accountId } : {}),

  toCanonical(record, config): CanonicalRecord | null {
    if (record.removed) return null;
    const parsedRecord = plaidTransaction.safeParse(record.data);
    const accountId = (record.data as { account_id?: unknown } | null)?.account_id;
    const account: ExternalAccount | undefined = typeof accountId === "string" && accountId ? { id: accountId } : undefined;
    if (!parsedRecord.success) {
      const issue = parsedRecord.error.issues[0];
      throw new RecordError(`Plaid transaction ${record.id}: ${issue?.path.join(".") || "record"} is missing or not as documented.`, issue?.path.join("."), account);
    }
    const t = parsedRecord.data;
    if (t.pending && !config.includePending) return null;
    const fields = { bookingDate: t.date, description: t.name ?? "", externalId: t.transaction_id };
    const plaidAmount = plaidDecimal(t.amount);
    if (plaidAmount === null) throw new RecordError(`Plaid transaction ${t.transaction_id}: the amount ${t.amount} is not an exact decimal.`, "amount", { id: t.account_id }, fields);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(t.date)) throw new RecordError(`Plaid transaction ${t.transaction_id}: the date "${t.date}" is not YYYY-MM-DD.`, "bookingDate", { id: t.account_id }, { ...fields, amount: plaidAmount });
    const currency = t.iso_currency_code ?? undefined;
    if (!currency) {
      throw new RecordError(
        t.unofficial_currency_code
          ? `Plaid transaction ${t.transaction_id} is in ${t.unofficial_currency_code}, which is not an ISO currency the ledger can hold.`
          : `Plaid transaction ${t.transaction_id} names no currency.`,
        "currency",
        { id: t.account_id },
        { ...fields, amount: negateDecimal(plaidAmount) },
      );
    }
    const counterparty = t.merchant_name ?? t.counterparties?.find((c) => c.name)?.name;
    const details: Record<string, string> = { pending: String(t.pending ?? false) };
    if (t.authorized_date) details.authorizedDate = t.authorized_date;
    if (t.pending_transaction_id) details.pendingTransactionId = t.pending_transaction_id;
    if (t.personal_finance_category?.primary) details.category = t.personal_finance_category.primary;
    if (t.personal_finance_category?.detailed) details.categoryDetailed = t.personal_finance_category.detailed;
    if (t.check_number) details.checkNumber = t.check_number;
    return {
      account: { id: t.account_id, currency },
      transaction: {
        bookingDate: t.date,
        amount: negateDecimal(plaidAmount),
        currency,
        externalId: t.transaction_id,
        description: t.name ?? t.merchant_name ?? "",
        ...(counterparty ? { counterpartyName: counterparty } : {}),
        ...(t.payment_channel ? { typeCode: t.payment_channel } : {}),
        details,
      },
    };
  },
};

function recordId(data: unknown): string {
  const parsedId = removedTransaction.safeParse(data);
  if (!parsedId.success) throw new ProviderError("Plaid sent a transaction without a transaction_id; the sync stopped so nothing is skipped.");
  return parsedId.data.transaction_id;
}
