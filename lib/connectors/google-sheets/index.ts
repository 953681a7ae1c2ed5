/**
 * Google Sheets: one tab of a spreadsheet read as a ledger, a row per transaction, incrementally by
 * row. Access is a Google Cloud service account (client_email + private key): a JWT signed with the
 * key (RS256) is exchanged at Google's token endpoint for an access token (the OAuth2 JWT bearer
 * grant), cached until shortly before it expires, and fetched anew once when the Sheets API answers
 * 401. The spreadsheet must be shared with the service account's address (Viewer is enough).
 *
 * Cells are read with valueRenderOption=FORMATTED_VALUE: every cell is the text the sheet shows, so
 * an amount is read as an exact decimal from what a person sees ("1,500.00", "(12.50)", "1.234,56"
 * with the configured decimal separator) and never passes through a JS number, and a date is read
 * under the configured day/month order. (UNFORMATTED_VALUE would answer amounts as JSON numbers.)
 * A row whose date or amount cannot be read becomes a row with an error naming the sheet row and
 * column, for a reviewer to correct or exclude; it is never dropped.
 *
 * The cursor ("Fivetran style", by row): the header as read, the sheet row number of the last row
 * synced, and for every synced row its key and a digest of its cells. Each sync:
 * 1. reads the rows already synced again (header row … last row) and compares them with the digests;
 * 2. unchanged — the usual case, a sheet only appended to — it reads only the rows after the cursor,
 *    a page at a time (`pageSize` rows), so new rows arrive as new batches;
 * 3. changed — someone edited, deleted, inserted or sorted rows above the cursor — it reads the whole
 *    tab and sends the difference by row key: rows with a new key are added, rows whose key stayed but
 *    whose cells changed are sent again as modified (their ledger row is updated in place, audited),
 *    rows whose key is gone are removed from the ledger (audited with their last values).
 *
 * Why by key and not by row number: finance sheets get sorted and have rows inserted; a row number
 * would turn a sort into hundreds of edits. A row's key is its reference (the reference column, when
 * configured: edits to its amount or date then update that one ledger row), or else the content of
 * its mapped cells (date, amount, description, account, currency) with an occurrence number, so two
 * genuinely identical rows stay two; editing such a row's amount replaces its ledger row (the old one
 * removed, the new one added) — both visible in the audit log. A sheet that shrank is handled the same
 * way: the rows gone are removed, and the sync result says how many.
 *
 * Limits: the cursor holds one short entry per row, so this suits sheets of up to some tens of
 * thousands of rows; the whole synced part is read again on every sync (Sheets quotas count
 * requests, not cells, and this is how edits are seen without a change feed).
 */
import { createHash } from "node:crypto";
import { importPKCS8, SignJWT } from "jose";
import { z } from "zod";
import { parseTableDate } from "@/lib/formats/tabular/dates";
import { parseAmount } from "@/lib/formats/tabular/numbers";
import type { ExternalAccount } from "@/lib/schemas/canonical";
import { callJson, checkedBaseUrl, providerBaseUrl, ProviderHttpError, type RetryPolicy } from "../http";
import { ProviderError, RecordError, type CanonicalRecord, type FetchBatch, type ProviderRecord, type RecordConnector } from "../types";

export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
export const SHEETS_API = "https://sheets.googleapis.com";
const SCOPE = "https://www.googleapis.com/auth/spreadsheets.readonly";

/** A column by its header text (case and spaces ignored) or by its letter (A, B, … AA). */
const column = z.string().trim().min(1, "Name the column by its header or its letter").max(200);

/** The id from a spreadsheet's address (…/spreadsheets/d/<id>/edit) or the id itself. */
const spreadsheetId = z.preprocess(
  (value) => (typeof value === "string" ? (/\/spreadsheets\/d\/([A-Za-z0-9_-]+)/.exec(value)?.[1] ?? value.trim()) : value),
  z.string().regex(/^[A-Za-z0-9_-]{10,200}$/, "Paste the spreadsheet's address or its id (the part after /d/ in the address)"),
);

export const sheetsConfig = z.object({
  accountId: z.string().uuid("Choose an account that exists in this workspace").optional(),
  spreadsheetId,
  /** The tab's name as shown at the bottom of the spreadsheet. */
  sheet: z.string().trim().min(1, "Name the tab").max(100).default("Sheet1"),
  headerRow: z.number().int().min(1).max(1000).default(1),
  dateColumn: column,
  amountColumn: column,
  descriptionColumn: column.optional(),
  /** A column with a unique reference per row (invoice or receipt number): edits then update the row in place. */
  referenceColumn: column.optional(),
  /** A column naming each row's account; without it every row belongs to `account`. */
  accountColumn: column.optional(),
  currencyColumn: column.optional(),
  /** The external account of every row when there is no account column; default: the tab's name. */
  account: z.string().trim().min(1).max(200).optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, "Use a three-letter currency code such as KES").optional(),
  dateOrder: z.enum(["DMY", "MDY", "YMD"]).default("DMY"),
  decimalSeparator: z.enum([".", ","]).default("."),
  /** Rows per batch (one import each). */
  pageSize: z.number().int().min(1).max(10_000).default(1000),
  /** Overrides Google's addresses (token at <address>/token, Sheets at <address>/v4): a proxy, or the local test server. */
  baseUrl: providerBaseUrl.optional(),
});
export type SheetsConfig = z.infer<typeof sheetsConfig>;

/** The private_key of a pasted JSON key file, or the text as it is. */
function keyFromKeyFile(value: string): string {
  if (!value.trim().startsWith("{")) return value;
  try {
    const parsed = JSON.parse(value) as { private_key?: unknown };
    return typeof parsed.private_key === "string" ? parsed.private_key : value;
  } catch {
    return value;
  }
}

export const sheetsSecrets = z.object({
  clientEmail: z.string().trim().email("Enter the service account's client_email (…@….iam.gserviceaccount.com)"),
  // The key file writes newlines as \n inside JSON; a pasted key may keep them escaped. The whole
  // JSON key file pasted here is read for its private_key.
  privateKey: z
    .string()
    .transform((value) => keyFromKeyFile(value).replace(/\\n/g, "\n").trim())
    .refine((value) => /^-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----$/.test(value), "Paste the service account's private_key (-----BEGIN PRIVATE KEY----- …)"),
});
export type SheetsSecrets = z.infer<typeof sheetsSecrets>;

export const sheetsCursor = z.object({
  header: z.array(z.string()),
  /** The sheet row number of the last row synced (the header row before any). */
  lastRow: z.number().int().min(0),
  /** One entry per sheet row after the header up to lastRow: "<key>\t<digest>", or "" for an empty row. */
  rows: z.array(z.string()),
  /** Whether the rows after lastRow have been looked at since the last check (the next fetch checks again). */
  caughtUp: z.boolean(),
});
export type SheetsCursor = z.infer<typeof sheetsCursor>;

/** The retry policy for Google calls; tests may tighten it. */
export const sheetsHttp: { policy?: RetryPolicy } = {};

const googleApiError = z.object({ error: z.object({ code: z.number().optional(), message: z.string().optional(), status: z.string().optional() }) });
const oauthError = z.object({ error: z.string(), error_description: z.string().optional() });

export function describeGoogleError(status: number, body: unknown): { message: string; code?: string } {
  const oauth = oauthError.safeParse(body);
  if (oauth.success) {
    const own = oauth.data.error_description ? `${oauth.data.error}: ${oauth.data.error_description}` : oauth.data.error;
    const advice =
      oauth.data.error === "invalid_grant"
        ? "Google refused the service account's key. Check the client_email and private key (from the same key file), that the key was not deleted, and that this server's clock is right."
        : oauth.data.error === "invalid_client" || oauth.data.error === "unauthorized_client"
          ? "Google does not know this service account. Check the client_email."
          : "Google refused to issue an access token.";
    return { message: `${advice} (Google: ${own})`, code: oauth.data.error };
  }
  const api = googleApiError.safeParse(body);
  const own = api.success ? api.data.error.message : undefined;
  const code = api.success ? api.data.error.status : undefined;
  const said = own ? ` (Google: ${own})` : "";
  const withCode = (message: string) => ({ message, ...(code ? { code } : {}) });
  if (status === 403 || code === "PERMISSION_DENIED") return withCode(`The service account may not read this spreadsheet. Share it with the service account's address (Viewer is enough), and check that the Sheets API is enabled for its project.${said}`);
  if (status === 404 || code === "NOT_FOUND") return withCode(`Google found no spreadsheet with this id. Check the spreadsheet id.${said}`);
  if (status === 429 || code === "RESOURCE_EXHAUSTED") return withCode(`Google's Sheets API quota was reached. The sync will be tried again later.${said}`);
  if (status === 400 && own && /parse range/i.test(own)) return withCode(`The spreadsheet has no tab with this name. Check the tab's name.${said}`);
  return withCode(own ? `Google: ${own}` : `Google answered HTTP ${status}.`);
}

const tokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().int().positive(), token_type: z.string().optional() });
const valueRange = z.object({ range: z.string().optional(), majorDimension: z.string().optional(), values: z.array(z.array(z.unknown())).optional() });
const spreadsheetMeta = z.object({
  properties: z.object({ title: z.string() }).optional(),
  sheets: z.array(z.object({ properties: z.object({ title: z.string(), gridProperties: z.object({ rowCount: z.number().int(), columnCount: z.number().int() }).optional() }) })).default([]),
});

const addresses = (config: SheetsConfig) => {
  const base = config.baseUrl ? checkedBaseUrl(config.baseUrl) : undefined;
  return { token: base ? `${base}/token` : GOOGLE_TOKEN_URL, sheets: base ?? SHEETS_API };
};

/** Access tokens by service account and token address, reused until a minute before they expire. */
const tokens = new Map<string, { token: string; expiresAt: number }>();

/** Forgets cached access tokens (tests). */
export function forgetGoogleTokens(): void {
  tokens.clear();
}

async function accessToken(config: SheetsConfig, secrets: SheetsSecrets, fresh = false): Promise<string> {
  const { token: tokenUrl } = addresses(config);
  const cacheKey = `${tokenUrl}\n${secrets.clientEmail}\n${createHash("sha256").update(secrets.privateKey).digest("hex")}`;
  const cached = tokens.get(cacheKey);
  if (!fresh && cached && cached.expiresAt - 60_000 > Date.now()) return cached.token;
  let key: CryptoKey;
  try {
    key = await importPKCS8(secrets.privateKey, "RS256");
  } catch {
    throw new ProviderError("The private key could not be read. Paste the private_key from the service account's JSON key file, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----.");
  }
  const assertion = await new SignJWT({ scope: SCOPE })
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(secrets.clientEmail)
    .setAudience(tokenUrl)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(key);
  const body = await callJson(
    { method: "POST", url: tokenUrl, form: { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion } },
    { provider: "Google", describeError: describeGoogleError, secrets: [assertion], ...(sheetsHttp.policy ? { policy: sheetsHttp.policy } : {}) },
  );
  const parsed = tokenResponse.safeParse(body);
  if (!parsed.success) throw new ProviderError("Google's token answer is not in the documented shape (access_token, expires_in).");
  tokens.set(cacheKey, { token: parsed.data.access_token, expiresAt: Date.now() + parsed.data.expires_in * 1000 });
  return parsed.data.access_token;
}

/** A Sheets API GET with the service account's token; a 401 gets a fresh token once and is tried again. */
async function sheetsGet(config: SheetsConfig, secrets: SheetsSecrets, path: string, query: Record<string, string>): Promise<unknown> {
  const url = new URL(`${addresses(config).sheets}${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const call = (token: string) =>
    callJson(
      { method: "GET", url: url.toString(), headers: { authorization: `Bearer ${token}` } },
      { provider: "Google Sheets", describeError: describeGoogleError, secrets: [token], ...(sheetsHttp.policy ? { policy: sheetsHttp.policy } : {}) },
    );
  try {
    return await call(await accessToken(config, secrets));
  } catch (error) {
    if (!(error instanceof ProviderHttpError) || error.status !== 401) throw error;
    return call(await accessToken(config, secrets, true));
  }
}

/** A tab name in A1 notation: always quoted, quotes doubled. */
const quoted = (sheet: string) => `'${sheet.replace(/'/g, "''")}'`;

async function meta(config: SheetsConfig, secrets: SheetsSecrets): Promise<{ title: string; rowCount: number }> {
  const body = await sheetsGet(config, secrets, `/v4/spreadsheets/${encodeURIComponent(config.spreadsheetId)}`, { fields: "properties.title,sheets.properties(title,gridProperties)" });
  const parsed = spreadsheetMeta.safeParse(body);
  if (!parsed.success) throw new ProviderError("Google's answer about the spreadsheet is not in the documented shape.");
  const tab = parsed.data.sheets.find((s) => s.properties.title === config.sheet);
  if (!tab) {
    const names = parsed.data.sheets.map((s) => `"${s.properties.title}"`).join(", ");
    throw new ProviderError(`The spreadsheet has no tab named "${config.sheet}". Its tabs are: ${names || "none"}.`);
  }
  return { title: parsed.data.properties?.title ?? config.spreadsheetId, rowCount: tab.properties.gridProperties?.rowCount ?? 0 };
}

/** Rows `from`…`to` (sheet row numbers, all columns) as the sheet shows them; trailing empty rows and cells are left out by Google. */
async function readRows(config: SheetsConfig, secrets: SheetsSecrets, from: number, to: number): Promise<string[][]> {
  if (to < from) return [];
  const range = `${quoted(config.sheet)}!${from}:${to}`;
  const body = await sheetsGet(config, secrets, `/v4/spreadsheets/${encodeURIComponent(config.spreadsheetId)}/values/${encodeURIComponent(range)}`, {
    majorDimension: "ROWS",
    valueRenderOption: "FORMATTED_VALUE",
  });
  const parsed = valueRange.safeParse(body);
  if (!parsed.success) throw new ProviderError("Google's answer with the sheet's values is not in the documented shape (values).");
  // FORMATTED_VALUE answers strings; anything else is written out as JSON would, never computed on.
  return (parsed.data.values ?? []).map((row) => row.map((cell) => (typeof cell === "string" ? cell : cell === null || cell === undefined ? "" : String(cell))));
}

/** Column letters (A, Z, AA…) to a 0-based index. */
function letterIndex(letters: string): number {
  let n = 0;
  for (const c of letters.toUpperCase()) n = n * 26 + (c.charCodeAt(0) - 64);
  return n - 1;
}

/** A 0-based index to column letters (0 → A, 26 → AA). */
export function columnLetters(index: number): string {
  let out = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

const normHeader = (text: string) => text.trim().toLowerCase().replace(/\s+/g, " ");

function columnIndex(header: readonly string[], name: string, setting: string): number {
  const wanted = normHeader(name);
  const byHeader = header.findIndex((h) => normHeader(h) === wanted);
  if (byHeader >= 0) return byHeader;
  if (/^[A-Za-z]{1,3}$/.test(name.trim())) return letterIndex(name.trim());
  const shown = header.filter((h) => h.trim()).map((h) => `"${h}"`).join(", ");
  throw new ProviderError(`The ${setting} "${name}" is neither a header in the header row nor a column letter. The headers are: ${shown || "none (is the header row right?)"}.`);
}

interface Columns {
  date: number;
  amount: number;
  description?: number;
  reference?: number;
  account?: number;
  currency?: number;
}

function columnsOf(config: SheetsConfig, header: readonly string[]): Columns {
  const optional = (name: string | undefined, setting: string) => (name === undefined ? undefined : columnIndex(header, name, setting));
  const out: Columns = { date: columnIndex(header, config.dateColumn, "date column"), amount: columnIndex(header, config.amountColumn, "amount column") };
  const description = optional(config.descriptionColumn, "description column");
  const reference = optional(config.referenceColumn, "reference column");
  const account = optional(config.accountColumn, "account column");
  const currency = optional(config.currencyColumn, "currency column");
  if (description !== undefined) out.description = description;
  if (reference !== undefined) out.reference = reference;
  if (account !== undefined) out.account = account;
  if (currency !== undefined) out.currency = currency;
  return out;
}

const digest = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("base64url");
const isEmpty = (cells: readonly string[]) => cells.every((c) => c.trim() === "");

/** What a record carries: the row as the sheet showed it, with its header, so it can be re-mapped later. */
interface RowData {
  row: number;
  header: string[];
  cells: string[];
}

interface KeyedRow {
  key: string;
  digest: string;
  data: RowData;
}

/**
 * Keys for rows in sheet order (see the header comment): the reference, or the mapped cells' content,
 * each with its occurrence number when it repeats. Empty rows get no key.
 */
function keyRows(config: SheetsConfig, header: string[], firstRow: number, rows: readonly string[][], seen: Map<string, number> = new Map()): (KeyedRow | null)[] {
  const cols = columnsOf(config, header);
  return rows.map((cells, index) => {
    if (isEmpty(cells)) return null;
    const cell = (i: number | undefined) => (i === undefined ? "" : (cells[i] ?? "").trim());
    const reference = cell(cols.reference);
    const base = reference
      ? `ref:${reference}`
      : `row:${digest([cell(cols.date), cell(cols.amount), cell(cols.description), cell(cols.account), cell(cols.currency)]).slice(0, 22)}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { key: n === 1 ? base : `${base}#${n}`, digest: digest(cells).slice(0, 16), data: { row: firstRow + index, header, cells: [...cells] } };
  });
}

const entryOf = (row: KeyedRow | null) => (row ? `${row.key}\t${row.digest}` : "");
const keyOfEntry = (entry: string) => entry.split("\t")[0] ?? "";

function recordOf(row: KeyedRow): ProviderRecord {
  return { kind: "record", id: row.key, data: row.data };
}

/** The occurrence counts of the keys already synced, so appended rows continue their numbering. */
function occurrences(entries: readonly string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const entry of entries) {
    if (!entry) continue;
    const base = keyOfEntry(entry).replace(/#\d+$/, "");
    seen.set(base, (seen.get(base) ?? 0) + 1);
  }
  return seen;
}

export const sheetsConnector: RecordConnector<SheetsConfig, SheetsSecrets, SheetsCursor> = {
  type: "google-sheets",
  label: "Google Sheets",
  produces: "records",
  configSchema: sheetsConfig,
  secretsSchema: sheetsSecrets,
  cursorSchema: sheetsCursor,

  async test(config, secrets) {
    try {
      const { title, rowCount } = await meta(config, secrets);
      const [header = []] = await readRows(config, secrets, config.headerRow, Math.min(config.headerRow, rowCount));
      columnsOf(config, header);
      return { ok: true, message: `Connected to "${title}", tab "${config.sheet}": the header row has ${header.filter((h) => h.trim()).length} columns and the mapped ones were found.` };
    } catch (error) {
      if (error instanceof ProviderError) return { ok: false, message: error.message };
      throw error;
    }
  },

  async fetchNext(config, secrets, cursor): Promise<FetchBatch<SheetsCursor>> {
    const { rowCount } = await meta(config, secrets);
    const h = config.headerRow;

    if (cursor && cursor.caughtUp) {
      // Step 1: the rows already synced, read again and compared.
      const again = await readRows(config, secrets, h, Math.min(cursor.lastRow, rowCount));
      const header = again[0] ?? [];
      const body = again.slice(1);
      const sameHeader = JSON.stringify(header) === JSON.stringify(cursor.header);
      const entries = sameHeader ? keyRows(config, header, h + 1, body).map(entryOf) : [];
      while (entries.length < cursor.rows.length) entries.push("");
      if (!sameHeader || JSON.stringify(entries) !== JSON.stringify(cursor.rows)) return resync(config, secrets, cursor, rowCount);
    }

    // Step 2: the rows after the cursor, a page at a time.
    const first = cursor ? cursor.lastRow + 1 : h;
    const to = Math.min(first + config.pageSize - (cursor ? 1 : 0), rowCount);
    const read = await readRows(config, secrets, first, to);
    const header = cursor?.header ?? read[0] ?? [];
    const from = cursor ? first : h + 1;
    const rows = cursor ? read : read.slice(1);
    const keyed = keyRows(config, header, from, rows, occurrences(cursor?.rows ?? []));
    // Google leaves out trailing empty rows: a page read to its last row may have more behind it. (So
    // rows after a gap of more empty rows than a page holds are not seen: keep the ledger contiguous.)
    const full = to < rowCount && first + read.length - 1 === to;
    const taken = keyed.slice(0, keyed.findLastIndex((r) => r !== null) + 1);
    return {
      items: taken.filter((r): r is KeyedRow => r !== null).map(recordOf),
      cursor: {
        header,
        lastRow: taken.length ? from + taken.length - 1 : (cursor?.lastRow ?? h),
        rows: [...(cursor?.rows ?? []), ...taken.map(entryOf)],
        caughtUp: !full,
      },
      hasMore: full,
    };
  },

  importOptions: (config) => (config.accountId ? { accountId: config.accountId } : {}),

  toCanonical(record, config): CanonicalRecord | null {
    if (record.removed) return null;
    const data = record.data as Partial<RowData> | null;
    if (!data || !Array.isArray(data.cells) || !Array.isArray(data.header) || typeof data.row !== "number") {
      throw new RecordError(`Sheet record ${record.id} is not in the shape the Google Sheets connector wrote.`);
    }
    const { header, cells, row } = data as RowData;
    let cols: Columns;
    try {
      cols = columnsOf(config, header);
    } catch (error) {
      throw new RecordError(`Row ${row}: ${(error as Error).message}`);
    }
    const cell = (i: number | undefined) => (i === undefined ? "" : (cells[i] ?? "").trim());
    const name = (i: number) => (header[i]?.trim() ? `"${header[i]!.trim()}"` : columnLetters(i));
    const account: ExternalAccount = { id: cell(cols.account) || config.account || config.sheet };
    const description = cell(cols.description);
    const reference = cell(cols.reference);
    const fields: Record<string, string> = { bookingDate: cell(cols.date), amount: cell(cols.amount), description, externalId: record.id };
    const date = parseTableDate(cell(cols.date), config.dateOrder);
    if (!date.ok) throw new RecordError(`Row ${row}, column ${name(cols.date)}: the date is ${date.reason}.`, "bookingDate", account, fields);
    const amount = parseAmount(cell(cols.amount), config.decimalSeparator);
    if (!amount.ok) throw new RecordError(`Row ${row}, column ${name(cols.amount)}: the amount is ${amount.reason}, not a number with "${config.decimalSeparator}" as the decimal separator.`, "amount", account, { ...fields, bookingDate: date.date });
    const currency = cell(cols.currency).toUpperCase() || amount.amount.currency || config.currency;
    if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) {
      throw new RecordError(`Row ${row}, column ${cols.currency === undefined ? "currency" : name(cols.currency)}: "${currency}" is not a three-letter currency code.`, "currency", account, { ...fields, bookingDate: date.date, amount: amount.amount.value });
    }
    return {
      account: { ...account, ...(currency ? { currency } : {}) },
      transaction: {
        bookingDate: date.date,
        amount: amount.amount.value,
        ...(currency ? { currency } : {}),
        externalId: record.id,
        description,
        ...(reference ? { customerReference: reference } : {}),
        details: { sheetRow: String(row) },
      },
    };
  },
};

/**
 * Step 3: rows above the cursor changed. The whole tab is read and compared with what was synced,
 * by row key: new keys added, changed rows sent again (modified), keys gone removed.
 */
async function resync(config: SheetsConfig, secrets: SheetsSecrets, cursor: SheetsCursor, rowCount: number): Promise<FetchBatch<SheetsCursor>> {
  const h = config.headerRow;
  const all = await readRows(config, secrets, h, rowCount);
  const header = all[0] ?? [];
  const keyed = keyRows(config, header, h + 1, all.slice(1));
  const lastIndex = keyed.findLastIndex((r) => r !== null);
  const taken = keyed.slice(0, lastIndex + 1);
  const before = new Map(cursor.rows.filter(Boolean).map((entry) => [keyOfEntry(entry), entry]));
  const items: ProviderRecord[] = [];
  const now = new Set<string>();
  for (const row of taken) {
    if (!row) continue;
    now.add(row.key);
    // New, or the same key with other cells: sent (again); unchanged rows are left out.
    if (before.get(row.key) !== entryOf(row)) items.push(recordOf(row));
  }
  for (const key of before.keys()) {
    if (!now.has(key)) items.push({ kind: "record", id: key, removed: true, data: { removedFromSheet: true, key } });
  }
  return {
    items,
    cursor: { header, lastRow: h + taken.length, rows: taken.map(entryOf), caughtUp: true },
    hasMore: false,
  };
}
