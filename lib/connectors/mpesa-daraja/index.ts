/**
 * M-Pesa through Safaricom's Daraja API: the payments customers make into a paybill or till
 * (shortcode), as C2B confirmations.
 *
 * Daraja does not list past payments; it pushes a confirmation for each one to the ConfirmationURL
 * registered for the shortcode (POST /mpesa/c2b/v1/registerurl). So:
 * - the connection's callback address is Inflow's public address + /api/hooks/mpesa/<token>/confirmation,
 *   the token unguessable and per connection (../hooks.ts); the first sync registers it (and again if
 *   it ever changes — the cursor remembers what was registered). In production Safaricom lets a
 *   shortcode's URLs be registered once: a refusal stops the sync only while no confirmation has
 *   arrived at the address yet;
 * - the callback route stores each confirmation durably, once per receipt number (TransID), and
 *   answers Daraja at once; the sync then reads the stored confirmations after its cursor
 *   (FetchContext.pushed) into the import pipeline, a batch at a time.
 *
 * OAuth: GET /oauth/v1/generate?grant_type=client_credentials with the consumer key and secret as Basic
 * auth gives an access token for `expires_in` seconds (3599); it is reused until a minute before that
 * and fetched anew once when Daraja answers 401. "Test connection" is getting a token.
 *
 * At the boundary: the receipt number is the external id (the exact-duplicate key); TransAmount is
 * read as the exact decimal it was written as (the callback keeps a JSON number's own text); a C2B
 * payment is money received, so positive; TransTime (YYYYMMDDHHmmss) is Kenyan time (Africa/Nairobi,
 * UTC+3 all year), so its date is the booking date and the time is kept with its offset.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { normalizeDecimal } from "@/lib/money/decimal";
import type { ExternalAccount } from "@/lib/schemas/canonical";
import { isoDateFromParts } from "@/lib/formats/shared/dates";
import { callJson, checkedBaseUrl, providerBaseUrl, ProviderHttpError, type RetryPolicy } from "../http";
import { ProviderError, RecordError, type CanonicalRecord, type FetchBatch, type ProviderRecord, type RecordConnector } from "../types";

export const DARAJA_ENVIRONMENTS = { sandbox: "https://sandbox.safaricom.co.ke", production: "https://api.safaricom.co.ke" } as const;

export const mpesaConfig = z.object({
  accountId: z.string().uuid("Choose an account that exists in this workspace").optional(),
  environment: z.enum(["production", "sandbox"]).default("production"),
  /** The paybill or till number payments go to. */
  shortCode: z.string().trim().regex(/^\d{5,7}$/, "Enter the paybill or till number (5 to 7 digits)"),
  /** Inflow's address as Safaricom reaches it (https), for the callback Daraja pushes confirmations to. */
  publicUrl: providerBaseUrl,
  /** What M-Pesa does with a payment when the validation address cannot be reached. */
  responseType: z.enum(["Completed", "Cancelled"]).default("Completed"),
  /** Confirmations per batch (one import each). */
  pageSize: z.number().int().min(1).max(5000).default(500),
  /** Overrides the environment's address (a proxy, or the local test server). */
  baseUrl: providerBaseUrl.optional(),
});
export type MpesaConfig = z.infer<typeof mpesaConfig>;

export const mpesaSecrets = z.object({
  consumerKey: z.string().trim().min(1, "Enter the Daraja app's consumer key"),
  consumerSecret: z.string().trim().min(1, "Enter the Daraja app's consumer secret"),
});
export type MpesaSecrets = z.infer<typeof mpesaSecrets>;

export const mpesaCursor = z.object({
  /** Where the stored confirmations were read up to (null: none yet). */
  position: z.string().nullable(),
  /**
   * A digest of the ConfirmationURL Daraja accepted (see registeredDigest): never the address itself,
   * since cursors are stored where every member can read them and the address's token lets anyone post.
   */
  registered: z.string().nullable(),
});
export type MpesaCursor = z.infer<typeof mpesaCursor>;

/** The retry policy for Daraja calls; tests may tighten it. */
export const mpesaHttp: { policy?: RetryPolicy } = {};

const darajaError = z.object({ requestId: z.string().optional(), errorCode: z.string().optional(), errorMessage: z.string().optional() });

export function describeDarajaError(status: number, body: unknown): { message: string; code?: string } {
  const parsed = darajaError.safeParse(body);
  const own = parsed.success ? parsed.data.errorMessage : undefined;
  const code = parsed.success ? parsed.data.errorCode : undefined;
  const said = own ? ` (Daraja: ${own}${code ? `; ${code}` : ""})` : "";
  const withCode = (message: string) => ({ message, ...(code ? { code } : {}) });
  if (status === 429) return withCode(`Daraja's rate limit was reached. The sync will be tried again later.${said}`);
  if (status === 400 && !own) return withCode("Daraja refused the consumer key and secret. Check both, and that the app belongs to the chosen environment (sandbox or production).");
  if (status === 401 || (own && /invalid (authentication|credentials|access token)/i.test(own))) {
    return withCode(`Daraja refused the credentials. Check the consumer key and secret, and the environment.${said}`);
  }
  if (own) return withCode(`Daraja: ${own}${code ? ` (${code})` : ""}`);
  return withCode(`Daraja answered HTTP ${status}.`);
}

function base(config: MpesaConfig): string {
  return config.baseUrl ? checkedBaseUrl(config.baseUrl) : DARAJA_ENVIRONMENTS[config.environment];
}

const tokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().int().positive() });
const registerResponse = z.object({ ResponseCode: z.union([z.string(), z.number()]), ResponseDescription: z.string().optional() });

/** Access tokens by address and consumer key, reused until a minute before they expire. */
const tokens = new Map<string, { token: string; expiresAt: number }>();

/** Forgets cached access tokens (tests). */
export function forgetDarajaTokens(): void {
  tokens.clear();
}

async function accessToken(config: MpesaConfig, secrets: MpesaSecrets, fresh = false): Promise<{ token: string; expiresIn: number }> {
  const cacheKey = `${base(config)}\n${secrets.consumerKey}\n${secrets.consumerSecret}`;
  const cached = tokens.get(cacheKey);
  if (!fresh && cached && cached.expiresAt - 60_000 > Date.now()) return { token: cached.token, expiresIn: Math.round((cached.expiresAt - Date.now()) / 1000) };
  const basic = Buffer.from(`${secrets.consumerKey}:${secrets.consumerSecret}`).toString("base64");
  const body = await callJson(
    { method: "GET", url: `${base(config)}/oauth/v1/generate?grant_type=client_credentials`, headers: { authorization: `Basic ${basic}` } },
    { provider: "Daraja", describeError: describeDarajaError, secrets: [secrets.consumerSecret, basic], ...(mpesaHttp.policy ? { policy: mpesaHttp.policy } : {}) },
  );
  const parsed = tokenResponse.safeParse(body);
  if (!parsed.success) throw new ProviderError("Daraja's token answer is not in the documented shape (access_token, expires_in).");
  tokens.set(cacheKey, { token: parsed.data.access_token, expiresAt: Date.now() + parsed.data.expires_in * 1000 });
  return { token: parsed.data.access_token, expiresIn: parsed.data.expires_in };
}

/** A Daraja API POST with the app's token; a 401 gets a fresh token once and is tried again. */
async function darajaPost(config: MpesaConfig, secrets: MpesaSecrets, path: string, body: unknown, hide: readonly string[] = []): Promise<unknown> {
  const call = (token: string) =>
    callJson(
      { method: "POST", url: `${base(config)}${path}`, headers: { authorization: `Bearer ${token}` }, body },
      { provider: "Daraja", describeError: describeDarajaError, secrets: [token, secrets.consumerSecret, ...hide], ...(mpesaHttp.policy ? { policy: mpesaHttp.policy } : {}) },
    );
  try {
    return await call((await accessToken(config, secrets)).token);
  } catch (error) {
    if (!(error instanceof ProviderHttpError) || error.status !== 401) throw error;
    return call((await accessToken(config, secrets, true)).token);
  }
}

/** The callback addresses of a connection, from Inflow's public address and the connection's token. */
export function callbackUrls(config: MpesaConfig, token: string): { confirmation: string; validation: string } {
  const root = `${checkedBaseUrl(config.publicUrl)}/api/hooks/mpesa/${encodeURIComponent(token)}`;
  return { confirmation: `${root}/confirmation`, validation: `${root}/validation` };
}

/** What the cursor keeps of the registered address: enough to see it changed, nothing to post with. */
export const registeredDigest = (url: string) => createHash("sha256").update(url).digest("base64url").slice(0, 22);

/** The fields the sync reads from a confirmation; everything else is kept in the raw payload. */
const confirmation = z.object({
  TransactionType: z.string().optional(),
  TransID: z.string().min(1),
  TransTime: z.string(),
  TransAmount: z.union([z.string(), z.number()]),
  BusinessShortCode: z.union([z.string(), z.number()]).transform(String),
  BillRefNumber: z.string().nullable().optional(),
  InvoiceNumber: z.string().nullable().optional(),
  OrgAccountBalance: z.union([z.string(), z.number()]).nullable().optional(),
  ThirdPartyTransID: z.string().nullable().optional(),
  MSISDN: z.union([z.string(), z.number()]).transform(String).nullable().optional(),
  FirstName: z.string().nullable().optional(),
  MiddleName: z.string().nullable().optional(),
  LastName: z.string().nullable().optional(),
});

/** TransTime (YYYYMMDDHHmmss, Kenyan time) as a date and an ISO 8601 timestamp with Kenya's offset. */
export function darajaTime(text: string): { date: string; at: string } | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const date = isoDateFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
  if (!date || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return null;
  return { date, at: `${date}T${m[4]}:${m[5]}:${m[6]}+03:00` };
}

const mpesaAccount = (shortCode: string): ExternalAccount => ({ id: shortCode, kind: "MPESA", currency: "KES", name: `M-Pesa ${shortCode}` });

export const mpesaConnector: RecordConnector<MpesaConfig, MpesaSecrets, MpesaCursor> = {
  type: "mpesa-daraja",
  label: "M-Pesa (Daraja)",
  produces: "records",
  configSchema: mpesaConfig,
  secretsSchema: mpesaSecrets,
  cursorSchema: mpesaCursor,

  async test(config, secrets) {
    try {
      const { expiresIn } = await accessToken(config, secrets, true);
      return { ok: true, message: `Connected to Daraja (${config.baseUrl ? "custom address" : config.environment}): the consumer key and secret were accepted (token valid for ${Math.round(expiresIn / 60)} minutes).` };
    } catch (error) {
      if (error instanceof ProviderError) return { ok: false, message: error.message };
      throw error;
    }
  },

  async fetchNext(config, secrets, cursor, context): Promise<FetchBatch<MpesaCursor>> {
    const pushed = context.pushed;
    if (!pushed) throw new Error("the M-Pesa connector needs the stored confirmations (FetchContext.pushed)");
    let registered = cursor?.registered ?? null;
    const urls = callbackUrls(config, pushed.hookToken);
    if (registered !== registeredDigest(urls.confirmation)) {
      try {
        const answer = registerResponse.safeParse(
          await darajaPost(config, secrets, "/mpesa/c2b/v1/registerurl", {
            ShortCode: config.shortCode,
            ResponseType: config.responseType,
            ConfirmationURL: urls.confirmation,
            ValidationURL: urls.validation,
          }, [pushed.hookToken]),
        );
        if (!answer.success || String(answer.data.ResponseCode) !== "0") {
          const said = answer.success ? answer.data.ResponseDescription : undefined;
          throw new ProviderError(`Daraja did not register the callback address for shortcode ${config.shortCode}${said ? ` (Daraja: ${said})` : ""}.`);
        }
      } catch (error) {
        // Production shortcodes take one registration (later ones are refused). Confirmations already
        // arriving at this address prove it is registered, so they are imported all the same.
        // (The address is never put in a message: its token lets anyone post confirmations.)
        if (!(error instanceof ProviderError) || (await pushed.after(null, 1)).length === 0) throw error;
      }
      registered = registeredDigest(urls.confirmation);
    }
    const stored = await pushed.after(cursor?.position ?? null, config.pageSize);
    const items: ProviderRecord[] = stored.map((c) => ({ kind: "record", id: c.id, data: c.data }));
    return {
      items,
      cursor: { position: stored.at(-1)?.position ?? cursor?.position ?? null, registered },
      hasMore: stored.length === config.pageSize,
    };
  },

  importOptions: (config) => (config.accountId ? { accountId: config.accountId } : {}),

  callbackAddresses(config, token) {
    const urls = callbackUrls(config, token);
    return [
      { label: "Confirmation URL", url: urls.confirmation },
      { label: "Validation URL", url: urls.validation },
    ];
  },

  toCanonical(record): CanonicalRecord | null {
    const parsed = confirmation.safeParse(record.data);
    const shortCode = (record.data as { BusinessShortCode?: unknown } | null)?.BusinessShortCode;
    const account = typeof shortCode === "string" || typeof shortCode === "number" ? mpesaAccount(String(shortCode)) : undefined;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RecordError(`M-Pesa confirmation ${record.id}: ${issue?.path.join(".") || "record"} is missing or not as Daraja documents it.`, issue?.path.join("."), account);
    }
    const c = parsed.data;
    const names = [c.FirstName, c.MiddleName, c.LastName].map((n) => n?.trim()).filter(Boolean).join(" ");
    const reference = c.BillRefNumber?.trim();
    const description = [c.TransactionType ?? "C2B payment", reference ? `ref ${reference}` : null, names ? `from ${names}` : null].filter(Boolean).join(" ");
    const fields = { externalId: c.TransID, description };
    const time = darajaTime(c.TransTime);
    if (!time) throw new RecordError(`M-Pesa confirmation ${c.TransID}: TransTime "${c.TransTime}" is not a time written as YYYYMMDDHHmmss.`, "bookingDate", mpesaAccount(c.BusinessShortCode), fields);
    const amount = typeof c.TransAmount === "string" ? normalizeDecimal(c.TransAmount.trim()) : null;
    if (amount === null) {
      throw new RecordError(`M-Pesa confirmation ${c.TransID}: TransAmount "${String(c.TransAmount)}" is not an exact decimal amount.`, "amount", mpesaAccount(c.BusinessShortCode), { ...fields, bookingDate: time.date });
    }
    const details: Record<string, string> = { transTime: time.at };
    if (c.TransactionType) details.transactionType = c.TransactionType;
    if (c.InvoiceNumber) details.invoiceNumber = c.InvoiceNumber;
    if (c.ThirdPartyTransID) details.thirdPartyTransId = c.ThirdPartyTransID;
    if (c.OrgAccountBalance !== null && c.OrgAccountBalance !== undefined && String(c.OrgAccountBalance) !== "") details.orgAccountBalance = String(c.OrgAccountBalance);
    return {
      account: mpesaAccount(c.BusinessShortCode),
      transaction: {
        bookingDate: time.date,
        amount,
        currency: "KES",
        externalId: c.TransID,
        description,
        ...(reference ? { customerReference: reference } : {}),
        ...(names ? { counterpartyName: names } : {}),
        ...(c.MSISDN ? { counterpartyAccount: c.MSISDN } : {}),
        ...(c.TransactionType ? { typeCode: c.TransactionType } : {}),
        details,
      },
    };
  },
};
