/**
 * A local Google for tests, speaking the documented shapes of the two services a Sheets connection uses:
 * - POST /token (OAuth2 JWT bearer grant, form-encoded grant_type + assertion): the assertion's RS256
 *   signature is checked with the service account's public key, and its iss, aud, scope, iat and exp;
 *   answers {access_token, expires_in, token_type: "Bearer"} or {error, error_description} (400);
 * - GET /v4/spreadsheets/{id}?fields=… → {spreadsheetId, properties: {title}, sheets: [{properties:
 *   {title, gridProperties: {rowCount, columnCount}}}]};
 * - GET /v4/spreadsheets/{id}/values/{range} with A1 row ranges ('Tab'!5:9) → {range, majorDimension:
 *   "ROWS", values}: cells as the sheet shows them (FORMATTED_VALUE), trailing empty rows and cells
 *   left out, and a range past the grid refused as Google does ("exceeds grid limits");
 * - errors as {error: {code, message, status}}: 401 UNAUTHENTICATED for a missing or expired token,
 *   403 PERMISSION_DENIED for a spreadsheet not shared with the account, 404 NOT_FOUND, 400
 *   INVALID_ARGUMENT for a range it cannot parse.
 */
import { generateKeyPairSync, randomBytes, verify, type KeyObject } from "node:crypto";
import { startJsonServer, type Answer, type JsonServer } from "./http";

export interface GoogleTestServer extends JsonServer {
  clientEmail: string;
  /** PKCS#8 PEM, as in a service account's JSON key file. */
  privateKey: string;
  spreadsheetId: string;
  /** The tab's cells as shown, row 1 first; edit freely between syncs. */
  rows: string[][];
  sheetTitle: string;
  /** Spreadsheets the service account may not read. */
  notShared: Set<string>;
  /** Every access token issued so far stops working (as if it expired). */
  expireTokens(): void;
  tokenRequests(): number;
  /** The ranges asked of the values endpoint, decoded ('Sales'!2:4). */
  valueRanges(): string[];
}

export function googleError(code: number, status: string, message: string): Answer {
  return { status: code, body: { error: { code, message, status } } };
}

const GRID_ROWS = 1000;

function base64url(text: string): Buffer {
  return Buffer.from(text, "base64url");
}

function checkAssertion(assertion: string, publicKey: KeyObject, clientEmail: string, audience: string): string | undefined {
  const parts = assertion.split(".");
  if (parts.length !== 3) return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
  const [head, claims, signature] = parts as [string, string, string];
  const header = JSON.parse(base64url(head).toString("utf8")) as { alg?: string };
  if (header.alg !== "RS256") return "Invalid JWT: algorithm must be RS256.";
  if (!verify("RSA-SHA256", Buffer.from(`${head}.${claims}`), publicKey, base64url(signature))) return "Invalid JWT Signature.";
  const c = JSON.parse(base64url(claims).toString("utf8")) as { iss?: string; aud?: string; scope?: string; iat?: number; exp?: number };
  const now = Math.floor(Date.now() / 1000);
  if (c.iss !== clientEmail) return "Invalid JWT Signature.";
  if (c.aud !== audience) return "Invalid JWT: Failed audience check.";
  if (!c.scope?.split(" ").includes("https://www.googleapis.com/auth/spreadsheets.readonly")) return "Invalid OAuth scope or ID token audience provided.";
  if (typeof c.iat !== "number" || typeof c.exp !== "number" || c.exp - c.iat > 3600 || c.iat > now + 300 || c.exp < now) {
    return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
  }
  return undefined;
}

/** 'Tab'!5:9 → tab and rows; undefined when it is not a row range this server knows. */
function parseRange(range: string): { sheet: string; from: number; to: number } | undefined {
  const m = /^'((?:[^']|'')+)'!(\d+):(\d+)$/.exec(range);
  if (!m) return undefined;
  return { sheet: m[1]!.replace(/''/g, "'"), from: Number(m[2]), to: Number(m[3]) };
}

export async function startGoogleServer(): Promise<GoogleTestServer> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const clientEmail = `inflow-sync@inflow-test-${randomBytes(3).toString("hex")}.iam.gserviceaccount.com`;
  const spreadsheetId = `1${randomBytes(20).toString("base64url")}`;
  const valid = new Set<string>();
  let tokenCount = 0;
  const state = { rows: [] as string[][], sheetTitle: "Sales" };
  const notShared = new Set<string>();
  let url = "";

  const server = await startJsonServer((request) => {
    if (request.method === "POST" && request.path === "/token") {
      if (!String(request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
        return { status: 400, body: { error: "invalid_request", error_description: "Invalid Content-Type" } };
      }
      const form = new URLSearchParams(typeof request.body === "string" ? request.body : "");
      if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") return { status: 400, body: { error: "unsupported_grant_type", error_description: "Invalid grant_type: " + form.get("grant_type") } };
      const problem = checkAssertion(form.get("assertion") ?? "", publicKey, clientEmail, `${url}/token`);
      if (problem) return { status: 400, body: { error: "invalid_grant", error_description: problem } };
      tokenCount++;
      const token = `ya29.test-${randomBytes(16).toString("hex")}`;
      valid.add(token);
      return { status: 200, body: { access_token: token, expires_in: 3599, token_type: "Bearer" } };
    }
    if (request.method !== "GET") return googleError(404, "NOT_FOUND", "Not Found");
    const auth = String(request.headers.authorization ?? "");
    if (!auth.startsWith("Bearer ") || !valid.has(auth.slice(7))) {
      return googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.");
    }
    const m = /^\/v4\/spreadsheets\/([^/]+)(?:\/values\/(.+))?$/.exec(request.path);
    if (!m) return googleError(404, "NOT_FOUND", "Not Found");
    const id = decodeURIComponent(m[1]!);
    if (id !== spreadsheetId) return googleError(404, "NOT_FOUND", "Requested entity was not found.");
    if (notShared.has(id)) return googleError(403, "PERMISSION_DENIED", "The caller does not have permission");
    const width = Math.max(26, ...state.rows.map((r) => r.length));
    if (m[2] === undefined) {
      return {
        status: 200,
        body: {
          spreadsheetId,
          properties: { title: "Inflow test sales", locale: "en_GB", timeZone: "Africa/Nairobi" },
          sheets: [
            { properties: { sheetId: 0, title: state.sheetTitle, index: 0, sheetType: "GRID", gridProperties: { rowCount: Math.max(GRID_ROWS, state.rows.length), columnCount: width } } },
            { properties: { sheetId: 1, title: "Notes", index: 1, sheetType: "GRID", gridProperties: { rowCount: 100, columnCount: 26 } } },
          ],
        },
      };
    }
    const range = decodeURIComponent(m[2]);
    const parsed = parseRange(range);
    if (!parsed || parsed.from < 1 || parsed.to < parsed.from || (parsed.sheet !== state.sheetTitle && parsed.sheet !== "Notes")) {
      return googleError(400, "INVALID_ARGUMENT", `Unable to parse range: ${range}`);
    }
    if (request.query.get("valueRenderOption") !== "FORMATTED_VALUE" || request.query.get("majorDimension") !== "ROWS") {
      return googleError(400, "INVALID_ARGUMENT", "This test server answers only FORMATTED_VALUE by ROWS");
    }
    const gridRows = parsed.sheet === "Notes" ? 100 : Math.max(GRID_ROWS, state.rows.length);
    if (parsed.to > gridRows) return googleError(400, "INVALID_ARGUMENT", `Range ('${parsed.sheet}'!${parsed.from}:${parsed.to}) exceeds grid limits. Max rows: ${gridRows}, max columns: ${width}`);
    const source = parsed.sheet === "Notes" ? [] : state.rows;
    const values = source.slice(parsed.from - 1, parsed.to).map((row) => {
      const cells = [...row];
      while (cells.length && cells.at(-1) === "") cells.pop();
      return cells;
    });
    while (values.length && values.at(-1)!.length === 0) values.pop();
    return { status: 200, body: { range: `'${parsed.sheet}'!A${parsed.from}:Z${parsed.to}`, majorDimension: "ROWS", ...(values.length ? { values } : {}) } };
  });
  url = server.url;

  return {
    ...server,
    clientEmail,
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    spreadsheetId,
    get rows() {
      return state.rows;
    },
    set rows(value: string[][]) {
      state.rows = value;
    },
    get sheetTitle() {
      return state.sheetTitle;
    },
    set sheetTitle(value: string) {
      state.sheetTitle = value;
    },
    notShared,
    expireTokens: () => valid.clear(),
    tokenRequests: () => tokenCount,
    valueRanges: () =>
      server.requests.filter((r) => r.path.includes("/values/")).map((r) => decodeURIComponent(r.path.slice(r.path.indexOf("/values/") + "/values/".length))),
  };
}
