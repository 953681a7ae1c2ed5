/**
 * Stripe: the movements of a Stripe balance (GET /v1/balance_transactions) or its payouts
 * (GET /v1/payouts), read with the secret (or restricted) key as a Bearer token.
 *
 * Stripe lists newest first and pages with object ids. The first sync walks back through history
 * with `starting_after` (the last id of each page) until `has_more` is false, remembering the newest
 * id it saw; every later sync asks for what is newer with `ending_before` (the newest id), which
 * answers the page just above it, again newest first, with `has_more` while still newer ones wait.
 * So an incremental sync fetches only the new page. The cursor also keeps the Stripe account id
 * (GET /v1/account), which with the currency names the external account ("acct_…/USD").
 *
 * At the boundary: amounts are integers in minor units, turned into exact decimals by the currency's
 * minor units (./currency.ts); a balance transaction enters the ledger at its net amount (what moved
 * the balance), with gross and fee kept in its details; a payout is money leaving the Stripe balance
 * (negative), booked on its creation date with the arrival date as value date, and failed or
 * canceled payouts are left out. Dates are UTC calendar dates of Stripe's Unix timestamps.
 */
import { z } from "zod";
import { addDecimals, negateDecimal } from "@/lib/money/decimal";
import type { ExternalAccount } from "@/lib/schemas/canonical";
import { callJson, checkedBaseUrl, providerBaseUrl, type RetryPolicy } from "../http";
import { ProviderError, RecordError, type CanonicalRecord, type FetchBatch, type ProviderAccount, type ProviderRecord, type RecordConnector } from "../types";
import { fromStripeAmount } from "./currency";

export const STRIPE_API = "https://api.stripe.com";
const STRIPE_VERSION = "2024-06-20";

export const stripeConfig = z.object({
  accountId: z.string().uuid("Choose an account that exists in this workspace").optional(),
  resource: z.enum(["balance_transactions", "payouts"]).default("balance_transactions"),
  /** Objects per page (Stripe allows 1–100). */
  pageSize: z.number().int().min(1).max(100).default(100),
  fetchBalances: z.boolean().default(true),
  /** Overrides https://api.stripe.com (a proxy, or the local test server). */
  baseUrl: providerBaseUrl.optional(),
});
export type StripeConfig = z.infer<typeof stripeConfig>;

export const stripeSecrets = z.object({
  secretKey: z
    .string()
    .trim()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, "Enter a Stripe secret key (sk_live_…) or restricted key (rk_live_…)"),
});
export type StripeSecrets = z.infer<typeof stripeSecrets>;

export const stripeCursor = z.object({
  account: z.string(),
  /** The newest object id committed: later syncs ask for what is newer (ending_before). */
  newest: z.string().nullable(),
  /** While the first sync walks back through history: the last id of the previous page (starting_after). */
  backfillAfter: z.string().nullable(),
});
export type StripeCursor = z.infer<typeof stripeCursor>;

const stripeError = z.object({ error: z.object({ type: z.string().optional(), message: z.string().optional(), code: z.string().optional() }) });

export function describeStripeError(status: number, body: unknown): { message: string; code?: string } {
  const parsed = stripeError.safeParse(body);
  const own = parsed.success ? parsed.data.error.message : undefined;
  const code = parsed.success ? (parsed.data.error.code ?? parsed.data.error.type) : undefined;
  const said = own ? ` (Stripe: ${own})` : "";
  if (status === 401) return { message: `Stripe refused the secret key. Check it, and that it is a live key for live data.${said}`, ...(code ? { code } : {}) };
  if (status === 403) return { message: `The key may not read this. Give the restricted key read access to balance, balance transactions and payouts.${said}`, ...(code ? { code } : {}) };
  if (status === 429) return { message: `Stripe's rate limit was reached. The sync will be tried again later.${said}`, ...(code ? { code } : {}) };
  return { message: own ? `Stripe: ${own}` : `Stripe answered HTTP ${status}.`, ...(code ? { code } : {}) };
}

/** The retry policy for Stripe calls; tests may tighten it. */
export const stripeHttp: { policy?: RetryPolicy } = {};

async function get(config: StripeConfig, secrets: StripeSecrets, path: string, query: Record<string, string | number | undefined> = {}): Promise<unknown> {
  const url = new URL(`${config.baseUrl ? checkedBaseUrl(config.baseUrl) : STRIPE_API}${path}`);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  return callJson(
    { method: "GET", url: url.toString(), headers: { authorization: `Bearer ${secrets.secretKey}`, "Stripe-Version": STRIPE_VERSION } },
    { provider: "Stripe", describeError: describeStripeError, secrets: [secrets.secretKey], ...(stripeHttp.policy ? { policy: stripeHttp.policy } : {}) },
  );
}

function parsed<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new ProviderError(`Stripe's answer to ${what} is not in the documented shape (${result.error.issues[0]?.path.join(".") ?? "?"}: ${result.error.issues[0]?.message ?? "?"}).`);
  return result.data;
}

const account = z.object({ id: z.string().min(1), business_profile: z.object({ name: z.string().nullable().optional() }).nullable().optional(), email: z.string().nullable().optional() });
const list = z.object({ object: z.literal("list"), data: z.array(z.object({ id: z.string().min(1) }).passthrough()), has_more: z.boolean() });
const balance = z.object({
  available: z.array(z.object({ amount: z.number(), currency: z.string() })),
  pending: z.array(z.object({ amount: z.number(), currency: z.string() })).default([]),
});

const balanceTransaction = z.object({
  id: z.string(),
  amount: z.number().int(),
  net: z.number().int(),
  fee: z.number().int(),
  currency: z.string(),
  created: z.number().int(),
  available_on: z.number().int().nullable().optional(),
  description: z.string().nullable().optional(),
  type: z.string(),
  status: z.string().optional(),
  source: z.union([z.string(), z.object({ id: z.string() }).passthrough()]).nullable().optional(),
  reporting_category: z.string().optional(),
});

const payout = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  created: z.number().int(),
  arrival_date: z.number().int().nullable().optional(),
  status: z.string(),
  description: z.string().nullable().optional(),
  statement_descriptor: z.string().nullable().optional(),
  method: z.string().optional(),
  destination: z.union([z.string(), z.object({ id: z.string() }).passthrough()]).nullable().optional(),
  balance_transaction: z.union([z.string(), z.object({ id: z.string() }).passthrough()]).nullable().optional(),
});

const utcDate = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);
const idOf = (value: string | { id: string } | null | undefined) => (value == null ? undefined : typeof value === "string" ? value : value.id);

function stripeAccount(acct: string, currency: string): ExternalAccount {
  return { id: currency, bankId: acct, currency, name: `Stripe balance ${currency}` };
}

function currencyOf(raw: string, record: string, acct: string | undefined): string {
  const currency = raw.toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new RecordError(`Stripe object ${record}: the currency "${raw}" is not a three-letter code.`, "currency", acct ? { id: "?", bankId: acct } : undefined);
  return currency;
}

async function balances(config: StripeConfig, secrets: StripeSecrets, acct: string): Promise<ProviderAccount[]> {
  const b = parsed(balance, await get(config, secrets, "/v1/balance"), "/v1/balance");
  const today = new Date().toISOString().slice(0, 10);
  const byCurrency = new Map<string, { available: string; pending: string }>();
  for (const [kind, entries] of [["available", b.available], ["pending", b.pending]] as const) {
    for (const entry of entries) {
      const currency = entry.currency.toUpperCase();
      const amount = fromStripeAmount(entry.amount, currency);
      const current = byCurrency.get(currency) ?? { available: "0", pending: "0" };
      current[kind] = addDecimals(current[kind], amount);
      byCurrency.set(currency, current);
    }
  }
  return [...byCurrency].map(([currency, { available, pending }]) => ({
    account: stripeAccount(acct, currency),
    balances: [
      { type: "interim" as const, sourceCode: "available+pending", date: today, amount: addDecimals(available, pending), currency },
      { type: "interim_available" as const, sourceCode: "available", date: today, amount: available, currency },
    ],
  }));
}

export const stripeConnector: RecordConnector<StripeConfig, StripeSecrets, StripeCursor> = {
  type: "stripe",
  label: "Stripe",
  produces: "records",
  configSchema: stripeConfig,
  secretsSchema: stripeSecrets,
  cursorSchema: stripeCursor,

  async test(config, secrets) {
    try {
      const acct = parsed(account, await get(config, secrets, "/v1/account"), "/v1/account");
      // Reading one object proves the key may read what the sync reads.
      parsed(list, await get(config, secrets, `/v1/${config.resource}`, { limit: 1 }), `/v1/${config.resource}`);
      const name = acct.business_profile?.name ?? acct.email;
      return { ok: true, message: `Connected to Stripe account ${acct.id}${name ? ` (${name})` : ""}; ${config.resource === "payouts" ? "payouts" : "balance transactions"} can be read.` };
    } catch (error) {
      if (error instanceof ProviderError) return { ok: false, message: error.message };
      throw error;
    }
  },

  async fetchNext(config, secrets, cursor): Promise<FetchBatch<StripeCursor>> {
    const acct = cursor?.account ?? parsed(account, await get(config, secrets, "/v1/account"), "/v1/account").id;
    const path = `/v1/${config.resource}`;
    const limit = config.pageSize;
    let next: StripeCursor;
    let page: z.infer<typeof list>;
    if (!cursor || cursor.newest === null) {
      // The first page: the newest objects; history follows with starting_after.
      page = parsed(list, await get(config, secrets, path, { limit }), path);
      next = { account: acct, newest: page.data[0]?.id ?? null, backfillAfter: page.has_more ? (page.data.at(-1)?.id ?? null) : null };
    } else if (cursor.backfillAfter) {
      page = parsed(list, await get(config, secrets, path, { limit, starting_after: cursor.backfillAfter }), path);
      next = { ...cursor, backfillAfter: page.has_more ? (page.data.at(-1)?.id ?? null) : null };
    } else {
      page = parsed(list, await get(config, secrets, path, { limit, ending_before: cursor.newest }), path);
      next = { ...cursor, newest: page.data[0]?.id ?? cursor.newest };
    }
    const items: ProviderRecord[] = page.data.map((data) => ({ kind: "record", id: data.id, scope: acct, data }));
    const hasMore = page.has_more && (next.backfillAfter !== null || next.newest !== cursor?.newest);
    const accounts = !hasMore && config.fetchBalances && items.length > 0 ? await balances(config, secrets, acct) : [];
    return { items, accounts, cursor: next, hasMore };
  },

  importOptions: (config) => (config.accountId ? { accountId: config.accountId } : {}),

  toCanonical(record, config): CanonicalRecord | null {
    const acct = record.scope;
    if (!acct) throw new RecordError(`Stripe object ${record.id} was fetched without its Stripe account.`);
    if (config.resource === "payouts") {
      const p = payout.safeParse(record.data);
      if (!p.success) throw new RecordError(`Stripe payout ${record.id}: ${p.error.issues[0]?.path.join(".") || "record"} is missing or not as documented.`, p.error.issues[0]?.path.join("."));
      const po = p.data;
      if (po.status === "failed" || po.status === "canceled") return null;
      const currency = currencyOf(po.currency, po.id, acct);
      const details: Record<string, string> = { status: po.status };
      if (po.method) details.method = po.method;
      const destination = idOf(po.destination);
      if (destination) details.destination = destination;
      const bt = idOf(po.balance_transaction);
      if (bt) details.balanceTransaction = bt;
      return {
        account: stripeAccount(acct, currency),
        transaction: {
          bookingDate: utcDate(po.created),
          ...(po.arrival_date ? { valueDate: utcDate(po.arrival_date) } : {}),
          amount: negateDecimal(fromStripeAmount(po.amount, currency)),
          currency,
          externalId: po.id,
          description: po.description ?? po.statement_descriptor ?? "Stripe payout",
          typeCode: "payout",
          details,
        },
      };
    }
    const b = balanceTransaction.safeParse(record.data);
    if (!b.success) throw new RecordError(`Stripe balance transaction ${record.id}: ${b.error.issues[0]?.path.join(".") || "record"} is missing or not as documented.`, b.error.issues[0]?.path.join("."));
    const t = b.data;
    const currency = currencyOf(t.currency, t.id, acct);
    const details: Record<string, string> = { gross: fromStripeAmount(t.amount, currency), fee: fromStripeAmount(t.fee, currency) };
    if (t.status) details.status = t.status;
    if (t.reporting_category) details.reportingCategory = t.reporting_category;
    if (t.available_on) details.availableOn = utcDate(t.available_on);
    const source = idOf(t.source);
    return {
      account: stripeAccount(acct, currency),
      transaction: {
        bookingDate: utcDate(t.created),
        amount: fromStripeAmount(t.net, currency),
        currency,
        externalId: t.id,
        description: t.description ?? (source ? `${t.type} ${source}` : t.type),
        typeCode: t.type,
        ...(source ? { bankReference: source } : {}),
        details,
      },
    };
  },
};
