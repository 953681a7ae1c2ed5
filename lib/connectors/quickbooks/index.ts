/**
 * QuickBooks Online: a company's money movements (purchases, deposits, sales receipts, bill payments),
 * its customer payments and its invoices, read through the Accounting API with OAuth2 (./oauth2.ts:
 * access tokens refreshed, Intuit's rotating refresh tokens kept before use).
 *
 * How it syncs:
 * - The first sync pages through every chosen entity with the query endpoint
 *   (`select * from Purchase orderby MetaData.LastUpdatedTime startposition N maxresults M`), one page
 *   per batch, remembering the server `time` of its first answer.
 * - Every later sync asks Change Data Capture (GET /cdc?entities=…&changedSince=<server time of the
 *   last committed batch>) for what changed since, deletions included (`status: "Deleted"`): changed
 *   entities update their ledger row, deleted ones leave the ledger. Changes made while the first
 *   sync paged are caught by the CDC that follows it (it starts from the time the paging began).
 * - CDC looks back at most 30 days and answers at most 1,000 objects. A cursor older than that, or an
 *   answer that hit the cap, falls back to paging with `where MetaData.LastUpdatedTime > '<since>'`:
 *   nothing changed is skipped, but a deletion inside that window cannot be seen (Intuit reports
 *   deletions only through CDC).
 *
 * At the boundary (toCanonical), each entity becomes one row of the QuickBooks account it moved:
 * Purchase (AccountRef, money out; a credit-card credit is money in), Deposit and SalesReceipt
 * (DepositToAccountRef, money in), Payment (DepositToAccountRef or Undeposited Funds, money in),
 * BillPayment (the bank or card account paid from, money out) and Invoice (Accounts Receivable,
 * the amount invoiced; its open balance and due date in the details). The external id is
 * "<Entity>:<Id>", unique across entity types.
 *
 * Amounts: QuickBooks sends them as JSON numbers. They are read as the shortest decimal that
 * round-trips to the parsed double (String(n)), which is exactly the decimal QuickBooks wrote whenever
 * it has at most 15 significant digits (every IEEE double distinguishes all 15-digit decimals); money
 * amounts in QuickBooks (at most 2 decimals below 10^13) always do. A number with more digits, or in
 * exponent form, may already have lost digits in JSON.parse, so it is refused as a RecordError (the
 * row waits for review) instead of being rounded silently. A reviver reading the source text would
 * need Node's JSON.parse source access, which the supported Node 20 lacks.
 */
import { z } from "zod";
import { negateDecimal, normalizeDecimal } from "@/lib/money/decimal";
import type { ExternalAccount } from "@/lib/schemas/canonical";
import { callJson, checkedBaseUrl, providerBaseUrl, type RetryPolicy } from "../http";
import { oauth2SecretFields, OAuth2Session } from "../oauth2";
import { ProviderError, RecordError, type CanonicalRecord, type FetchBatch, type ProviderRecord, type RecordConnector, type SecretsStore } from "../types";

export const QUICKBOOKS_ENVIRONMENTS = { production: "https://quickbooks.api.intuit.com", sandbox: "https://sandbox-quickbooks.api.intuit.com" } as const;
export const INTUIT_TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer";

/** The entities Inflow reads, in the order the first sync pages through them. */
export const QUICKBOOKS_ENTITIES = ["Purchase", "Deposit", "SalesReceipt", "Payment", "BillPayment", "Invoice"] as const;
type Entity = (typeof QUICKBOOKS_ENTITIES)[number];
const isEntity = (value: string): value is Entity => (QUICKBOOKS_ENTITIES as readonly string[]).includes(value);

/** CDC looks back 30 days; a day's margin for clocks and a sync that runs long. */
const CDC_WINDOW_MS = 29 * 24 * 3600_000;
/** CDC answers at most this many objects: an answer that reaches it may be missing some. */
const CDC_CAP = 1000;

export const quickbooksConfig = z.object({
  accountId: z.string().uuid("Choose an account that exists in this workspace").optional(),
  realmId: z.string().trim().regex(/^\d{1,32}$/, "Enter the company ID (realm ID): digits only, as shown under Settings › Account and settings › Billing & subscription"),
  environment: z.enum(["production", "sandbox"]).default("production"),
  /** Intuit's API minor version (query parameter minorversion). */
  minorVersion: z.number().int().min(1).max(999).default(75),
  /** Comma-separated entity names to import. */
  entities: z
    .string()
    .trim()
    .default(QUICKBOOKS_ENTITIES.join(","))
    .refine((value) => value.split(",").map((e) => e.trim()).every(isEntity), `List entities separated by commas, from: ${QUICKBOOKS_ENTITIES.join(", ")}`),
  /** Entities per query page (QuickBooks allows up to 1000). */
  pageSize: z.number().int().min(1).max(1000).default(500),
  /** Overrides the environment's address (a proxy, or the local test server). */
  baseUrl: providerBaseUrl.optional(),
  /** Overrides Intuit's token endpoint (the local test server). */
  tokenUrl: providerBaseUrl.optional(),
});
export type QuickbooksConfig = z.infer<typeof quickbooksConfig>;

export const quickbooksSecrets = z.object(oauth2SecretFields);
export type QuickbooksSecrets = z.infer<typeof quickbooksSecrets>;

export const quickbooksCursor = z.discriminatedUnion("phase", [
  z.object({
    phase: z.literal("query"),
    /** Index into the configured entities, and the next STARTPOSITION (1-based). */
    entity: z.number().int().min(0),
    position: z.number().int().min(1),
    /** Lower bound on MetaData.LastUpdatedTime (exclusive); null on the first sync. */
    since: z.string().nullable(),
    /** Server time of the first page: CDC resumes from here when the paging is done. */
    until: z.string().nullable(),
  }),
  z.object({ phase: z.literal("cdc"), since: z.string() }),
]);
export type QuickbooksCursor = z.infer<typeof quickbooksCursor>;

/** Intuit's fault body; 401s come in lower case ({"fault":{"error":[…]}}), others capitalised. */
const faultError = z.object({ message: z.string().optional(), detail: z.string().optional(), code: z.string().optional() });
const faultBody = z.object({ fault: z.object({ error: z.array(faultError).default([]), type: z.string().optional() }) });

function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
}

export function describeQuickbooksError(status: number, body: unknown): { message: string; code?: string } {
  const parsed = faultBody.safeParse(lowerKeys(body));
  const first = parsed.success ? parsed.data.fault.error[0] : undefined;
  const code = first?.code;
  const own = [first?.message, first?.detail].filter(Boolean).join(": ");
  const said = own ? ` (QuickBooks: ${own}${code ? `; code ${code}` : ""})` : "";
  const withCode = code ? { code } : {};
  if (status === 401) return { message: `QuickBooks refused the access token.${said}`, ...withCode };
  if (status === 403) return { message: `The QuickBooks user who connected Inflow may not read this company's data: reconnect as a company admin.${said}`, ...withCode };
  if (status === 429) return { message: `QuickBooks' rate limit for this company was reached. The sync will be tried again later.${said}`, ...withCode };
  return { message: own ? `QuickBooks: ${own}${code ? ` (code ${code})` : ""}` : `QuickBooks answered HTTP ${status}.`, ...withCode };
}

/** The retry policy for QuickBooks calls; tests may tighten it. */
export const quickbooksHttp: { policy?: RetryPolicy } = {};

function entitiesOf(config: QuickbooksConfig): Entity[] {
  return config.entities.split(",").map((e) => e.trim()).filter(isEntity);
}

function session(config: QuickbooksConfig, secrets: QuickbooksSecrets, store: SecretsStore | undefined): OAuth2Session<QuickbooksSecrets> {
  return new OAuth2Session(
    {
      name: "QuickBooks",
      tokenUrl: config.tokenUrl ? checkedBaseUrl(config.tokenUrl) : INTUIT_TOKEN_URL,
      reconnect: "reconnect the company (a new refresh token from Intuit) in this connection's credentials",
      policy: quickbooksHttp.policy,
    },
    secrets,
    store ? (next) => store.saveSecrets(next) : undefined,
  );
}

async function get(config: QuickbooksConfig, tokens: OAuth2Session<QuickbooksSecrets>, path: string, query: Record<string, string>): Promise<unknown> {
  const url = new URL(`${config.baseUrl ? checkedBaseUrl(config.baseUrl) : QUICKBOOKS_ENVIRONMENTS[config.environment]}/v3/company/${config.realmId}${path}`);
  for (const [key, value] of Object.entries({ ...query, minorversion: String(config.minorVersion) })) url.searchParams.set(key, value);
  return tokens.call((accessToken) =>
    callJson(
      { method: "GET", url: url.toString(), headers: { authorization: `Bearer ${accessToken}` } },
      { provider: "QuickBooks", describeError: describeQuickbooksError, secrets: tokens.hidden, ...(quickbooksHttp.policy ? { policy: quickbooksHttp.policy } : {}) },
    ),
  );
}

function parsed<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new ProviderError(`QuickBooks' answer to ${what} is not in the documented shape (${result.error.issues[0]?.path.join(".") || "body"}: ${result.error.issues[0]?.message ?? "?"}).`);
  return result.data;
}

const entityObject = z.object({ Id: z.string().min(1) }).passthrough();
const queryAnswer = z.object({ QueryResponse: z.record(z.string(), z.unknown()), time: z.string() });
const cdcAnswer = z.object({
  CDCResponse: z.array(z.object({ QueryResponse: z.array(z.record(z.string(), z.unknown())).default([]) })),
  time: z.string(),
});
const companyAnswer = z.object({ CompanyInfo: z.object({ CompanyName: z.string().optional(), LegalName: z.string().optional(), Country: z.string().optional() }).passthrough() });

function recordsOf(entity: Entity, list: unknown, what: string): ProviderRecord[] {
  if (list === undefined) return [];
  const items = parsed(z.array(entityObject), list, what);
  return items.map((data) => ({ kind: "record", id: `${entity}:${data.Id}`, ...(data.status === "Deleted" ? { removed: true } : {}), data }));
}

/** The paging phase: one page of one entity per batch. */
async function queryPage(config: QuickbooksConfig, tokens: OAuth2Session<QuickbooksSecrets>, cursor: Extract<QuickbooksCursor, { phase: "query" }>): Promise<FetchBatch<QuickbooksCursor>> {
  const entities = entitiesOf(config);
  const entity = entities[cursor.entity];
  if (!entity) return { items: [], cursor: { phase: "cdc", since: cursor.until ?? cursor.since ?? new Date().toISOString() }, hasMore: false };
  // Values go into QuickBooks' SQL-like query; `since` is a server time QuickBooks sent, checked anyway.
  if (cursor.since !== null && !/^[0-9T:.+\-Z]+$/.test(cursor.since)) throw new ProviderError(`The stored QuickBooks sync position "${cursor.since}" is not a time.`);
  const where = cursor.since === null ? "" : ` where MetaData.LastUpdatedTime > '${cursor.since}'`;
  const query = `select * from ${entity}${where} orderby MetaData.LastUpdatedTime startposition ${cursor.position} maxresults ${config.pageSize}`;
  const answer = parsed(queryAnswer, await get(config, tokens, "/query", { query }), `the ${entity} query`);
  const items = recordsOf(entity, answer.QueryResponse[entity], `the ${entity} query`);
  const until = cursor.until ?? answer.time;
  const next: QuickbooksCursor =
    items.length >= config.pageSize
      ? { ...cursor, until, position: cursor.position + items.length }
      : cursor.entity + 1 < entities.length
        ? { ...cursor, until, entity: cursor.entity + 1, position: 1 }
        : // Paging done: CDC from when it began catches what changed meanwhile.
          { phase: "cdc", since: until };
  return { items, cursor: next, hasMore: true };
}

export const quickbooksConnector: RecordConnector<QuickbooksConfig, QuickbooksSecrets, QuickbooksCursor> = {
  type: "quickbooks",
  label: "QuickBooks Online",
  produces: "records",
  configSchema: quickbooksConfig,
  secretsSchema: quickbooksSecrets,
  cursorSchema: quickbooksCursor,

  async test(config, secrets, store) {
    try {
      const tokens = session(config, secrets, store);
      const info = parsed(companyAnswer, await get(config, tokens, `/companyinfo/${config.realmId}`, {}), "companyinfo").CompanyInfo;
      const name = info.CompanyName ?? info.LegalName;
      return { ok: true, message: `Connected to QuickBooks company ${config.realmId}${name ? ` (${name})` : ""}; ${entitiesOf(config).join(", ")} can be read.` };
    } catch (error) {
      if (error instanceof ProviderError) return { ok: false, message: error.message };
      throw error;
    }
  },

  async fetchNext(config, secrets, cursor, context): Promise<FetchBatch<QuickbooksCursor>> {
    const tokens = session(config, secrets, context.saveSecrets ? { saveSecrets: context.saveSecrets } : undefined);
    if (cursor === null) return queryPage(config, tokens, { phase: "query", entity: 0, position: 1, since: null, until: null });
    if (cursor.phase === "query") return queryPage(config, tokens, cursor);
    // Past CDC's look-back: page through what changed since instead.
    if (Date.now() - Date.parse(cursor.since) > CDC_WINDOW_MS) return queryPage(config, tokens, { phase: "query", entity: 0, position: 1, since: cursor.since, until: null });
    const entities = entitiesOf(config);
    const answer = parsed(cdcAnswer, await get(config, tokens, "/cdc", { entities: entities.join(","), changedSince: cursor.since }), "change data capture");
    const items: ProviderRecord[] = [];
    for (const group of answer.CDCResponse.flatMap((r) => r.QueryResponse)) {
      for (const entity of entities) items.push(...recordsOf(entity, group[entity], "change data capture"));
    }
    if (items.length >= CDC_CAP) {
      // The answer may be cut short: keep its deletions (each one is true) and page through the rest.
      return { items: items.filter((i) => i.removed), cursor: { phase: "query", entity: 0, position: 1, since: cursor.since, until: answer.time }, hasMore: true };
    }
    return { items, cursor: { phase: "cdc", since: answer.time }, hasMore: false };
  },

  importOptions: (config) => (config.accountId ? { accountId: config.accountId } : {}),

  toCanonical(record): CanonicalRecord | null {
    if (record.removed) return null;
    const [entity] = record.id.split(":");
    if (!entity || !isEntity(entity)) throw new RecordError(`QuickBooks record ${record.id} is of a kind Inflow does not read.`);
    return reshape(entity, record.id, record.data);
  },
};

const ref = z.object({ value: z.string().min(1), name: z.string().optional() });
const base = z.object({
  Id: z.string(),
  TxnDate: z.string(),
  TotalAmt: z.number(),
  CurrencyRef: ref.optional(),
  DocNumber: z.string().optional(),
  PrivateNote: z.string().optional(),
  ExchangeRate: z.number().optional(),
  MetaData: z.object({ LastUpdatedTime: z.string().optional() }).optional(),
});
const purchase = base.extend({ AccountRef: ref, PaymentType: z.string().optional(), Credit: z.boolean().optional(), EntityRef: ref.optional() });
const deposit = base.extend({ DepositToAccountRef: ref });
const salesReceipt = base.extend({ DepositToAccountRef: ref.optional(), CustomerRef: ref.optional(), PaymentRefNum: z.string().optional() });
const payment = base.extend({ DepositToAccountRef: ref.optional(), CustomerRef: ref, PaymentRefNum: z.string().optional() });
const billPayment = base.extend({
  PayType: z.string(),
  VendorRef: ref.optional(),
  CheckPayment: z.object({ BankAccountRef: ref }).optional(),
  CreditCardPayment: z.object({ CCAccountRef: ref }).optional(),
});
const invoice = base.extend({ CustomerRef: ref, DueDate: z.string().optional(), Balance: z.number().optional() });

/** A QuickBooks JSON number as the exact decimal it was written as, or null when that cannot be known (see the header). */
export function quickbooksDecimal(value: number): string | null {
  if (!Number.isFinite(value)) return null;
  const text = String(value);
  if (/e/i.test(text)) return null;
  if (text.replace(/^-/, "").replace(".", "").replace(/^0+/, "").length > 15) return null;
  return normalizeDecimal(text);
}

/** Where a payment lands when no deposit account is named (QuickBooks' own default). */
const UNDEPOSITED: z.infer<typeof ref> = { value: "UndepositedFunds", name: "Undeposited Funds" };
const RECEIVABLE: z.infer<typeof ref> = { value: "AccountsReceivable", name: "Accounts Receivable" };

function reshape(entity: Entity, id: string, data: unknown): CanonicalRecord {
  const schema = { Purchase: purchase, Deposit: deposit, SalesReceipt: salesReceipt, Payment: payment, BillPayment: billPayment, Invoice: invoice }[entity];
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new RecordError(`QuickBooks ${entity} ${id}: ${issue?.path.join(".") || "record"} is missing or not as documented.`, issue?.path.join("."));
  }
  const t = result.data as z.infer<typeof base> & Record<string, unknown>;
  const currency = t.CurrencyRef?.value;
  let accountRef: z.infer<typeof ref>;
  let sign: 1 | -1 = 1;
  let counterparty: string | undefined;
  let reference: string | undefined = t.DocNumber;
  const details: Record<string, string> = { entity };
  if (entity === "Purchase") {
    const p = t as unknown as z.infer<typeof purchase>;
    accountRef = p.AccountRef;
    sign = p.Credit ? 1 : -1;
    counterparty = p.EntityRef?.name;
    if (p.PaymentType) details.paymentType = p.PaymentType;
  } else if (entity === "Deposit") {
    accountRef = (t as unknown as z.infer<typeof deposit>).DepositToAccountRef;
  } else if (entity === "SalesReceipt") {
    const r = t as unknown as z.infer<typeof salesReceipt>;
    accountRef = r.DepositToAccountRef ?? UNDEPOSITED;
    counterparty = r.CustomerRef?.name;
    reference = r.PaymentRefNum ?? reference;
  } else if (entity === "Payment") {
    const p = t as unknown as z.infer<typeof payment>;
    accountRef = p.DepositToAccountRef ?? UNDEPOSITED;
    counterparty = p.CustomerRef.name;
    reference = p.PaymentRefNum ?? reference;
  } else if (entity === "BillPayment") {
    const b = t as unknown as z.infer<typeof billPayment>;
    const from = b.CheckPayment?.BankAccountRef ?? b.CreditCardPayment?.CCAccountRef;
    if (!from) throw new RecordError(`QuickBooks BillPayment ${id} names no bank or credit card account it was paid from.`, "CheckPayment.BankAccountRef");
    accountRef = from;
    sign = -1;
    counterparty = b.VendorRef?.name;
    details.payType = b.PayType;
  } else {
    const inv = t as unknown as z.infer<typeof invoice>;
    accountRef = RECEIVABLE;
    counterparty = inv.CustomerRef.name;
    if (inv.DueDate) details.dueDate = inv.DueDate;
    if (inv.Balance !== undefined) {
      const open = quickbooksDecimal(inv.Balance);
      if (open !== null) details.balance = open;
    }
  }
  const account: ExternalAccount = { id: accountRef.value, ...(accountRef.name ? { name: accountRef.name } : {}), ...(currency ? { currency } : {}) };
  const fields = { bookingDate: t.TxnDate, externalId: id };
  const amount = quickbooksDecimal(t.TotalAmt);
  if (amount === null) throw new RecordError(`QuickBooks ${entity} ${id}: the amount ${t.TotalAmt} has more digits than can be read exactly.`, "amount", account, fields);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(t.TxnDate)) throw new RecordError(`QuickBooks ${entity} ${id}: the date "${t.TxnDate}" is not YYYY-MM-DD.`, "bookingDate", account, { ...fields, amount });
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) throw new RecordError(`QuickBooks ${entity} ${id}: the currency "${currency}" is not a three-letter code.`, "currency", account, { ...fields, amount });
  if (t.ExchangeRate !== undefined && t.ExchangeRate !== 1) details.exchangeRate = String(t.ExchangeRate);
  if (t.MetaData?.LastUpdatedTime) details.lastUpdated = t.MetaData.LastUpdatedTime;
  const description = t.PrivateNote || [entity, t.DocNumber, counterparty].filter(Boolean).join(" ");
  return {
    account,
    transaction: {
      bookingDate: t.TxnDate,
      amount: sign === -1 ? negateDecimal(amount) : amount,
      ...(currency ? { currency } : {}),
      externalId: id,
      description,
      typeCode: entity,
      ...(reference ? { customerReference: reference } : {}),
      ...(counterparty ? { counterpartyName: counterparty } : {}),
      details,
    },
  };
}
