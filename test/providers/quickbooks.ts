/**
 * A local QuickBooks Online (and Intuit OAuth2 token endpoint) for tests, speaking the documented
 * request and response shapes:
 * - POST /oauth2/v1/tokens/bearer, Basic client credentials, form body grant_type=refresh_token →
 *   {token_type, access_token, expires_in, refresh_token, x_refresh_token_expires_in}. The refresh
 *   token ROTATES: each refresh issues a new one and retires the one used, as Intuit does. Refusals
 *   are {"error":"invalid_grant"} (400) and {"error":"invalid_client"} (401);
 * - GET /v3/company/{realmId}/query?query=select * from <Entity> [where MetaData.LastUpdatedTime >
 *   '<t>'] orderby MetaData.LastUpdatedTime startposition N maxresults M&minorversion=… →
 *   {QueryResponse: {<Entity>: [...], startPosition, maxResults}, time};
 * - GET /v3/company/{realmId}/cdc?entities=A,B&changedSince=<t> → {CDCResponse: [{QueryResponse:
 *   [{<Entity>: [...]}, …]}], time}, deleted entities as {Id, status: "Deleted", domain, MetaData};
 *   changedSince older than 30 days is refused;
 * - GET /v3/company/{realmId}/companyinfo/{realmId} → {CompanyInfo: {...}, time};
 * - every API call needs `Authorization: Bearer <live access token>`; an expired or unknown token is
 *   answered 401 with Intuit's lower-case fault body ({"fault":{"error":[{message, detail, code:"3200"}]}}).
 * The server clock moves one second per change, so `time` and MetaData.LastUpdatedTime order exactly.
 */
import { randomBytes } from "node:crypto";
import { startJsonServer, type Answer, type JsonServer, type RecordedRequest } from "./http";

export type QboEntity = "Purchase" | "Deposit" | "SalesReceipt" | "Payment" | "BillPayment" | "Invoice";
type QboObject = Record<string, unknown> & { Id: string; MetaData: { CreateTime: string; LastUpdatedTime: string } };

export function qboFault(status: number, type: string, code: string, message: string, detail: string): Answer {
  return { status, body: { Fault: { Error: [{ Message: message, Detail: detail, code, element: "" }], type }, time: new Date().toISOString() } };
}

export interface QuickbooksTestServer extends JsonServer {
  realmId: string;
  clientId: string;
  clientSecret: string;
  /** The one refresh token the server takes now. */
  refreshToken(): string;
  /** A live access token (issued directly, as if the person had just connected). */
  issueAccessToken(): string;
  /** Makes every access token issued so far stop working (401), as after their hour is up. */
  expireAccessTokens(): void;
  add(entity: QboEntity, fields: Record<string, unknown>): QboObject;
  modify(entity: QboEntity, id: string, fields: Record<string, unknown>): QboObject;
  remove(entity: QboEntity, id: string): void;
  /** API calls (not token calls), by kind. */
  calls(kind: "query" | "cdc" | "companyinfo" | "token"): RecordedRequest[];
}

export async function startQuickbooksServer(): Promise<QuickbooksTestServer> {
  const realmId = "9130356871234567";
  const clientId = `AB${randomBytes(10).toString("hex")}`;
  const clientSecret = `qbo-secret-${randomBytes(12).toString("hex")}`;
  let refresh = `RT1-${randomBytes(12).toString("hex")}`;
  const liveTokens = new Set<string>();
  let clock = Date.now() - 3600_000;
  const tick = () => new Date((clock += 1000)).toISOString();
  const now = () => new Date(clock).toISOString();
  const objects = new Map<QboEntity, Map<string, QboObject>>();
  const deleted: { entity: QboEntity; Id: string; at: string }[] = [];
  let nextId = 100;

  const issue = () => {
    const token = `eyJ-${randomBytes(16).toString("hex")}`;
    liveTokens.add(token);
    return token;
  };
  const unauthorized: Answer = {
    status: 401,
    body: {
      warnings: null,
      intuitObject: null,
      fault: { error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail: "Token expired", code: "3200", element: null }], type: "AUTHENTICATION" },
      time: new Date().toISOString(),
    },
  };

  function token(request: RecordedRequest): Answer {
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
    if (request.headers.authorization !== expected) return { status: 401, body: { error: "invalid_client" } };
    if (!String(request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return { status: 400, body: { error: "invalid_request" } };
    const form = new URLSearchParams(typeof request.body === "string" ? request.body : "");
    if (form.get("grant_type") !== "refresh_token") return { status: 400, body: { error: "unsupported_grant_type" } };
    if (form.get("refresh_token") !== refresh) return { status: 400, body: { error: "invalid_grant" } };
    refresh = `RT1-${randomBytes(12).toString("hex")}`;
    return { status: 200, body: { token_type: "bearer", access_token: issue(), expires_in: 3600, refresh_token: refresh, x_refresh_token_expires_in: 8_726_400 } };
  }

  const QUERY = /^select \* from (\w+)(?: where MetaData\.LastUpdatedTime > '([^']+)')? orderby MetaData\.LastUpdatedTime startposition (\d+) maxresults (\d+)$/i;

  const server = await startJsonServer((request) => {
    if (request.path === "/oauth2/v1/tokens/bearer" && request.method === "POST") return token(request);
    const prefix = `/v3/company/${realmId}`;
    if (!request.path.startsWith(prefix) || request.method !== "GET") return qboFault(400, "ValidationFault", "4000", "message=Invalid URI", `no endpoint ${request.path}`);
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
    if (!bearer || !liveTokens.has(bearer)) return unauthorized;
    if (!request.query.get("minorversion")) return qboFault(400, "ValidationFault", "4001", "minorversion is required by this test server", "");
    const path = request.path.slice(prefix.length);
    if (path === `/companyinfo/${realmId}`) return { status: 200, body: { CompanyInfo: { Id: "1", CompanyName: "Inflow Test Books", Country: "US" }, time: now() } };
    if (path === "/query") {
      const match = QUERY.exec(request.query.get("query") ?? "");
      if (!match) return qboFault(400, "ValidationFault", "4000", "Error parsing query", `QueryParserError: ${request.query.get("query")}`);
      const entity = match[1] as QboEntity;
      const since = match[2];
      const start = Number(match[3]);
      const max = Number(match[4]);
      if (max > 1000) return qboFault(400, "ValidationFault", "4000", "Error parsing query", "maxresults must be at most 1000");
      const all = [...(objects.get(entity)?.values() ?? [])]
        .filter((o) => since === undefined || Date.parse(o.MetaData.LastUpdatedTime) > Date.parse(since))
        .sort((a, b) => Date.parse(a.MetaData.LastUpdatedTime) - Date.parse(b.MetaData.LastUpdatedTime));
      const page = all.slice(start - 1, start - 1 + max);
      return { status: 200, body: { QueryResponse: page.length ? { [entity]: page, startPosition: start, maxResults: page.length } : {}, time: now() } };
    }
    if (path === "/cdc") {
      const since = Date.parse(request.query.get("changedSince") ?? "");
      if (Number.isNaN(since) || clock - since > 30 * 24 * 3600_000) return qboFault(400, "ValidationFault", "4000", "changedSince must be within the last 30 days", "");
      const entities = (request.query.get("entities") ?? "").split(",") as QboEntity[];
      const groups = entities.map((entity) => {
        const changed = [...(objects.get(entity)?.values() ?? [])].filter((o) => Date.parse(o.MetaData.LastUpdatedTime) > since);
        const gone = deleted.filter((d) => d.entity === entity && Date.parse(d.at) > since).map((d) => ({ domain: "QBO", status: "Deleted", Id: d.Id, MetaData: { LastUpdatedTime: d.at } }));
        const list = [...changed, ...gone];
        return list.length ? { [entity]: list, startPosition: 1, maxResults: list.length } : {};
      });
      return { status: 200, body: { CDCResponse: [{ QueryResponse: groups }], time: now() } };
    }
    return qboFault(400, "ValidationFault", "4000", "message=Invalid URI", `no endpoint ${request.path}`);
  });

  const table = (entity: QboEntity) => {
    let t = objects.get(entity);
    if (!t) objects.set(entity, (t = new Map()));
    return t;
  };

  return {
    ...server,
    realmId,
    clientId,
    clientSecret,
    refreshToken: () => refresh,
    issueAccessToken: issue,
    expireAccessTokens: () => liveTokens.clear(),
    add(entity, fields) {
      const at = tick();
      const o: QboObject = { Id: String(nextId++), SyncToken: "0", domain: "QBO", sparse: false, CurrencyRef: { value: "USD", name: "United States Dollar" }, ...fields, MetaData: { CreateTime: at, LastUpdatedTime: at } };
      table(entity).set(o.Id, o);
      return o;
    },
    modify(entity, id, fields) {
      const before = table(entity).get(id);
      if (!before) throw new Error(`no ${entity} ${id}`);
      const o: QboObject = { ...before, ...fields, SyncToken: String(Number(before.SyncToken) + 1), MetaData: { ...before.MetaData, LastUpdatedTime: tick() } };
      table(entity).set(id, o);
      return o;
    },
    remove(entity, id) {
      if (!table(entity).delete(id)) throw new Error(`no ${entity} ${id}`);
      deleted.push({ entity, Id: id, at: tick() });
    },
    calls: (kind) =>
      server.requests.filter((r) => (kind === "token" ? r.path === "/oauth2/v1/tokens/bearer" : r.path === `/v3/company/${realmId}/${kind}` || (kind === "companyinfo" && r.path.includes("/companyinfo/")))),
  };
}
