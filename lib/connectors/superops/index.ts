/**
 * SuperOps (PSA/RMM for managed service providers): the MSP's invoices to its clients, and the
 * payments recorded on them, read from the GraphQL API (POST https://api.superops.ai/msp, or euapi…
 * for the EU data centre) with the API token as a Bearer token and the account's subdomain in the
 * `CustomerSubDomain` header.
 *
 * What finance imports: SuperOps is where an MSP bills, so its receivables. Each invoice becomes a
 * row of one "SuperOps receivables" account (+ the invoiced total on the invoice date), and an invoice
 * marked PAID with a payment date adds a second row (− the total on the payment date), so the
 * account's balance is what clients still owe; the cash side comes from the bank's own statements.
 * Drafts are not invoices yet and are left out; a VOID invoice takes both rows out of the ledger.
 * SuperOps amounts are decimal strings (exact as they are); invoices carry no currency, so the
 * connection names the one the MSP bills in.
 *
 * How it syncs: `getInvoiceList(input: ListInfoInput!)` pages with page/pageSize and `listInfo.hasMore`,
 * sorted by invoiceDate, newest first. Invoices have no "updated at" to ask from, so each later sync
 * walks back only through a look-back window (the newest invoice date seen, minus `lookbackDays`) —
 * new invoices, and payments or voids of recent ones — and the cursor keeps a fingerprint of every
 * invoice in that window: only invoices that are new or changed are imported. Invoices older than the
 * window that change, or invoices deleted outright (SuperOps reports neither), are not seen.
 * GraphQL `errors[]` (which come with HTTP 200) are reported in SuperOps' own words.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { normalizeDecimal, negateDecimal } from "@/lib/money/decimal";
import type { ExternalAccount } from "@/lib/schemas/canonical";
import { callJson, checkedBaseUrl, providerBaseUrl, type RetryPolicy } from "../http";
import { ProviderError, RecordError, type CanonicalRecord, type FetchBatch, type ProviderRecord, type RecordConnector } from "../types";

export const SUPEROPS_ENDPOINTS = { us: "https://api.superops.ai/msp", eu: "https://euapi.superops.ai/msp" } as const;

export const superopsConfig = z.object({
  accountId: z.string().uuid("Choose an account that exists in this workspace").optional(),
  /** The account's SuperOps subdomain (acme for acme.superops.ai), sent as CustomerSubDomain. */
  subdomain: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,62}$/i, "Enter the SuperOps subdomain: the part before .superops.ai"),
  dataCenter: z.enum(["us", "eu"]).default("us"),
  /** The currency the MSP invoices in (SuperOps invoices do not say). */
  currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, "Enter the three-letter currency you invoice in, such as USD"),
  /** How far back each sync looks again for payments and voids of recent invoices. */
  lookbackDays: z.number().int().min(1).max(730).default(90),
  /** Invoices per page. */
  pageSize: z.number().int().min(1).max(100).default(50),
  /** Overrides the data centre's endpoint (a proxy, or the local test server). */
  baseUrl: providerBaseUrl.optional(),
});
export type SuperopsConfig = z.infer<typeof superopsConfig>;

export const superopsSecrets = z.object({ apiToken: z.string().trim().min(8, "Enter the SuperOps API token (Settings › API token)") });
export type SuperopsSecrets = z.infer<typeof superopsSecrets>;

export const superopsCursor = z.object({
  /** The walk in progress: the next page, and the oldest invoice date it still reads (null: all). */
  walk: z.object({ page: z.number().int().min(1), windowStart: z.string().nullable(), newest: z.string().nullable() }).nullable(),
  /** Newest invoice date seen by the last finished walk. */
  newest: z.string().nullable(),
  /** Fingerprints of the invoices in the look-back window: id → [hash, invoice date]. */
  seen: z.record(z.string(), z.tuple([z.string(), z.string()])),
});
export type SuperopsCursor = z.infer<typeof superopsCursor>;

const INVOICE_FIELDS = `invoiceId displayId client site invoiceDate dueDate statusEnum sentToClient discountAmount additionalDiscount totalAmount notes paymentDate paymentMethod paymentReference`;
const INVOICE_QUERY = `query getInvoiceList($input: ListInfoInput!) {
  getInvoiceList(input: $input) {
    invoices { ${INVOICE_FIELDS} }
    listInfo { page pageSize hasMore totalCount }
  }
}`;

const graphqlError = z.object({ message: z.string(), extensions: z.object({ code: z.string().optional(), classification: z.string().optional() }).passthrough().optional() });
const graphqlErrors = z.object({ errors: z.array(graphqlError).min(1) });

function errorsInWords(errors: z.infer<typeof graphqlError>[]): { message: string; code?: string } {
  const code = errors[0]?.extensions?.code ?? errors[0]?.extensions?.classification;
  return { message: `SuperOps: ${errors.map((e) => e.message).join("; ")}`, ...(code ? { code } : {}) };
}

export function describeSuperopsError(status: number, body: unknown): { message: string; code?: string } {
  const parsed = graphqlErrors.safeParse(body);
  const own = parsed.success ? errorsInWords(parsed.data.errors) : undefined;
  const said = own ? ` (${own.message})` : "";
  const code = own?.code ? { code: own.code } : {};
  if (status === 401) return { message: `SuperOps refused the API token: check it, and that it belongs to this subdomain.${said}`, ...code };
  if (status === 403) return { message: `The API token may not read invoices: use a token of a technician with access to billing.${said}`, ...code };
  if (status === 429) return { message: `SuperOps' rate limit was reached. The sync will be tried again later.${said}`, ...code };
  return own ?? { message: `SuperOps answered HTTP ${status}.` };
}

/** The retry policy for SuperOps calls; tests may tighten it. */
export const superopsHttp: { policy?: RetryPolicy } = {};

const invoice = z
  .object({
    invoiceId: z.union([z.string(), z.number()]).transform(String),
    displayId: z.string(),
    client: z.object({ accountId: z.union([z.string(), z.number()]).optional(), name: z.string().optional() }).nullable().optional(),
    invoiceDate: z.string(),
    dueDate: z.string().nullable().optional(),
    statusEnum: z.string().nullable().optional(),
    totalAmount: z.string().nullable().optional(),
    notes: z.string().nullable().optional(),
    paymentDate: z.string().nullable().optional(),
    paymentMethod: z.unknown().optional(),
    paymentReference: z.string().nullable().optional(),
  })
  .passthrough();

const listAnswer = z.object({
  data: z.object({
    getInvoiceList: z.object({
      invoices: z.array(z.object({ invoiceId: z.union([z.string(), z.number()]).transform(String), invoiceDate: z.string() }).passthrough()).nullable(),
      listInfo: z.object({ page: z.number().optional(), hasMore: z.boolean().nullable().optional(), totalCount: z.union([z.number(), z.string()]).nullable().optional() }),
    }),
  }),
});

async function graphql(config: SuperopsConfig, secrets: SuperopsSecrets, query: string, variables: Record<string, unknown>): Promise<unknown> {
  const body = await callJson(
    {
      method: "POST",
      url: config.baseUrl ? checkedBaseUrl(config.baseUrl) : SUPEROPS_ENDPOINTS[config.dataCenter],
      headers: { authorization: `Bearer ${secrets.apiToken}`, CustomerSubDomain: config.subdomain },
      body: { query, variables },
    },
    { provider: "SuperOps", describeError: describeSuperopsError, secrets: [secrets.apiToken], ...(superopsHttp.policy ? { policy: superopsHttp.policy } : {}) },
  );
  // GraphQL reports failures in the body of an HTTP 200.
  const failed = graphqlErrors.safeParse(body);
  if (failed.success) throw new ProviderError(errorsInWords(failed.data.errors).message);
  return body;
}

async function invoicePage(config: SuperopsConfig, secrets: SuperopsSecrets, page: number, pageSize: number) {
  const body = await graphql(config, secrets, INVOICE_QUERY, { input: { page, pageSize, sort: [{ attribute: "invoiceDate", order: "DESC" }] } });
  const parsed = listAnswer.safeParse(body);
  if (!parsed.success) throw new ProviderError(`SuperOps' answer to getInvoiceList is not in the documented shape (${parsed.error.issues[0]?.path.join(".") || "body"}).`);
  return parsed.data.data.getInvoiceList;
}

const dateOf = (value: string) => value.slice(0, 10);
const fingerprint = (data: unknown) => createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 20);

function minusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** The provider records of one invoice: the invoice, and its payment when it is paid; both removed when void. */
function recordsOf(data: { invoiceId: string; statusEnum?: unknown; paymentDate?: unknown }): ProviderRecord[] {
  const id = data.invoiceId;
  if (data.statusEnum === "VOID") {
    return [
      { kind: "record", id: `invoice:${id}`, removed: true, data },
      { kind: "record", id: `payment:${id}`, removed: true, data },
    ];
  }
  if (data.statusEnum === "DRAFT") return [];
  const out: ProviderRecord[] = [{ kind: "record", id: `invoice:${id}`, data }];
  if (data.statusEnum === "PAID" && typeof data.paymentDate === "string" && data.paymentDate) out.push({ kind: "record", id: `payment:${id}`, data });
  return out;
}

export const superopsConnector: RecordConnector<SuperopsConfig, SuperopsSecrets, SuperopsCursor> = {
  type: "superops",
  label: "SuperOps",
  produces: "records",
  configSchema: superopsConfig,
  secretsSchema: superopsSecrets,
  cursorSchema: superopsCursor,

  async test(config, secrets) {
    try {
      const list = await invoicePage(config, secrets, 1, 1);
      const count = list.listInfo.totalCount;
      return { ok: true, message: `Connected to SuperOps (${config.subdomain}); invoices can be read${count !== null && count !== undefined ? ` (${count} in all)` : ""}.` };
    } catch (error) {
      if (error instanceof ProviderError) return { ok: false, message: error.message };
      throw error;
    }
  },

  async fetchNext(config, secrets, cursor): Promise<FetchBatch<SuperopsCursor>> {
    const state: SuperopsCursor = cursor ?? { walk: null, newest: null, seen: {} };
    const walk = state.walk ?? { page: 1, windowStart: state.newest ? minusDays(state.newest, config.lookbackDays) : null, newest: null };
    const list = await invoicePage(config, secrets, walk.page, config.pageSize);
    const invoices = list.invoices ?? [];
    const seen = { ...state.seen };
    const items: ProviderRecord[] = [];
    let newest = walk.newest;
    let pastWindow = false;
    for (const data of invoices) {
      const date = dateOf(data.invoiceDate);
      if (walk.windowStart !== null && date < walk.windowStart) {
        pastWindow = true;
        continue;
      }
      if (newest === null || date > newest) newest = date;
      const hash = fingerprint(data);
      if (seen[data.invoiceId]?.[0] === hash) continue;
      seen[data.invoiceId] = [hash, date];
      items.push(...recordsOf(data));
    }
    const done = pastWindow || !list.listInfo.hasMore || invoices.length === 0;
    if (!done) return { items, cursor: { walk: { ...walk, page: walk.page + 1, newest }, newest: state.newest, seen }, hasMore: true };
    // The walk is over: keep fingerprints only for the window the next walk reads.
    const latest = [state.newest, newest].filter((d): d is string => d !== null).sort().at(-1) ?? null;
    const keepFrom = latest ? minusDays(latest, config.lookbackDays) : null;
    const kept = Object.fromEntries(Object.entries(seen).filter(([, [, date]]) => keepFrom === null || date >= keepFrom));
    return { items, cursor: { walk: null, newest: latest, seen: kept }, hasMore: false };
  },

  importOptions: (config) => (config.accountId ? { accountId: config.accountId } : {}),

  toCanonical(record, config): CanonicalRecord | null {
    if (record.removed) return null;
    const account: ExternalAccount = { id: "receivables", name: "SuperOps receivables", currency: config.currency };
    const result = invoice.safeParse(record.data);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new RecordError(`SuperOps invoice ${record.id}: ${issue?.path.join(".") || "record"} is missing or not as documented.`, issue?.path.join("."), account);
    }
    const inv = result.data;
    const payment = record.id.startsWith("payment:");
    const date = dateOf(payment ? (inv.paymentDate ?? "") : inv.invoiceDate);
    const fields = { externalId: record.id, bookingDate: date };
    const total = inv.totalAmount ? normalizeDecimal(inv.totalAmount.trim()) : null;
    if (total === null) throw new RecordError(`SuperOps invoice ${inv.displayId}: the total "${inv.totalAmount ?? ""}" is not a decimal amount.`, "amount", account, fields);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RecordError(`SuperOps invoice ${inv.displayId}: the ${payment ? "payment" : "invoice"} date "${date}" is not YYYY-MM-DD.`, "bookingDate", account, { ...fields, amount: total });
    const client = inv.client?.name ?? undefined;
    const details: Record<string, string> = { invoice: inv.displayId };
    if (inv.statusEnum) details.status = inv.statusEnum;
    if (inv.dueDate) details.dueDate = inv.dueDate;
    if (inv.client?.accountId !== undefined) details.clientId = String(inv.client.accountId);
    const method = (inv.paymentMethod as { name?: unknown } | null | undefined)?.name;
    if (payment && typeof method === "string") details.paymentMethod = method;
    return {
      account,
      transaction: {
        bookingDate: date,
        amount: payment ? negateDecimal(total) : total,
        currency: config.currency,
        externalId: record.id,
        description: payment ? `Payment of invoice ${inv.displayId}${client ? ` by ${client}` : ""}` : `Invoice ${inv.displayId}${client ? ` to ${client}` : ""}`,
        typeCode: payment ? "payment" : "invoice",
        customerReference: payment && inv.paymentReference ? inv.paymentReference : inv.displayId,
        ...(client ? { counterpartyName: client } : {}),
        ...(!payment && inv.notes ? { details: { ...details, notes: inv.notes } } : { details }),
      },
    };
  },
};
