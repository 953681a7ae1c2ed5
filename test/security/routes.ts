/**
 * Every API route and method, as one table the security tests share: which permission each needs,
 * a request built from a tenant's ids, and the status a member and an outsider get. The completeness
 * check in isolation.test.ts fails when a route file exists that MODULES does not list, so a new
 * route must be added here (and so gets the isolation, role and origin checks).
 */
import { NextRequest } from "next/server";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import type { Permission } from "@/lib/auth/permissions";
import type { TestUser } from "@/test/db";
import type { World } from "./world";

import * as accountMappings from "@/app/api/account-mappings/route";
import * as accountsExternal from "@/app/api/accounts/external/route";
import * as accounts from "@/app/api/accounts/route";
import * as audit from "@/app/api/audit/route";
import * as authLogin from "@/app/api/auth/login/route";
import * as authLogout from "@/app/api/auth/logout/route";
import * as authTenant from "@/app/api/auth/tenant/route";
import * as connectionCredentials from "@/app/api/connections/[id]/credentials/route";
import * as connectionHistory from "@/app/api/connections/[id]/history/route";
import * as connectionOne from "@/app/api/connections/[id]/route";
import * as connectionPause from "@/app/api/connections/[id]/pause/route";
import * as connectionResume from "@/app/api/connections/[id]/resume/route";
import * as connectionSync from "@/app/api/connections/[id]/sync/route";
import * as connectionTest from "@/app/api/connections/[id]/test/route";
import * as connectionNotifications from "@/app/api/connections/notifications/route";
import * as connections from "@/app/api/connections/route";
import * as duplicatesDecide from "@/app/api/duplicates/decide/route";
import * as duplicates from "@/app/api/duplicates/route";
import * as duplicatesUndo from "@/app/api/duplicates/undo/route";
import * as health from "@/app/api/health/route";
import * as mpesaConfirmation from "@/app/api/hooks/mpesa/[token]/confirmation/route";
import * as mpesaValidation from "@/app/api/hooks/mpesa/[token]/validation/route";
import * as importAccount from "@/app/api/imports/[id]/account/route";
import * as importCommit from "@/app/api/imports/[id]/commit/route";
import * as importIssues from "@/app/api/imports/[id]/issues/route";
import * as importAmounts from "@/app/api/imports/[id]/amounts/route";
import * as importRevert from "@/app/api/imports/[id]/revert/route";
import * as importOne from "@/app/api/imports/[id]/route";
import * as importRow from "@/app/api/imports/[id]/rows/[rowNo]/route";
import * as importExclude from "@/app/api/imports/[id]/rows/exclude/route";
import * as importRows from "@/app/api/imports/[id]/rows/route";
import * as imports from "@/app/api/imports/route";
import * as memberOne from "@/app/api/members/[userId]/route";
import * as members from "@/app/api/members/route";
import * as transactionsExport from "@/app/api/transactions/export/route";
import * as transactions from "@/app/api/transactions/route";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Handler = (request: NextRequest, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;
type RouteModule = Partial<Record<Method, unknown>>;

/** The route files, by their path under app/api; the completeness check compares this with the disk. */
export const MODULES: Record<string, RouteModule> = {
  "account-mappings": accountMappings,
  "accounts/external": accountsExternal,
  accounts,
  audit,
  "auth/login": authLogin,
  "auth/logout": authLogout,
  "auth/tenant": authTenant,
  "connections/[id]/credentials": connectionCredentials,
  "connections/[id]/history": connectionHistory,
  "connections/[id]": connectionOne,
  "connections/[id]/pause": connectionPause,
  "connections/[id]/resume": connectionResume,
  "connections/[id]/sync": connectionSync,
  "connections/[id]/test": connectionTest,
  "hooks/mpesa/[token]/confirmation": mpesaConfirmation,
  "hooks/mpesa/[token]/validation": mpesaValidation,
  "connections/notifications": connectionNotifications,
  connections,
  "duplicates/decide": duplicatesDecide,
  duplicates,
  "duplicates/undo": duplicatesUndo,
  health,
  "imports/[id]/account": importAccount,
  "imports/[id]/commit": importCommit,
  "imports/[id]/issues": importIssues,
  "imports/[id]/amounts": importAmounts,
  "imports/[id]/revert": importRevert,
  "imports/[id]": importOne,
  "imports/[id]/rows/[rowNo]": importRow,
  "imports/[id]/rows/exclude": importExclude,
  "imports/[id]/rows": importRows,
  imports,
  "members/[userId]": memberOne,
  members,
  "transactions/export": transactionsExport,
  transactions,
};

export interface Call {
  /** Path parameters of the dynamic segments. */
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

export interface RouteCase {
  route: string;
  method: Method;
  /** The permission the route requires; "session" = any signed-in user, "public" = anyone. */
  permission: Permission | "session" | "public";
  /** The request, built from the ids of the tenant it aims at. */
  call: (w: World) => Call;
  /** Status for a member of the tenant whose role allows it, calling with that tenant's own ids. */
  member: number;
  /**
   * Status for an admin of B, in B, calling with A's ids: 404 where the ids name one of A's things;
   * for list routes the same status as a member (then the answer is B's, never A's).
   */
  crossTenant: number;
  /** A different request for the cross-tenant call, when the member's would change B with A's values. */
  crossCall?: (a: World) => Call;
}

export const jsonBody = (value: unknown): Call => ({ body: value });

/**
 * Every route and method. Members' calls are chosen to leave the world as seeded (a 422 for an
 * invalid body, a 409 for a blocked commit, an idempotent set), except where marked, and cross-tenant
 * calls run before A's own members', so A's things still exist when B asks for them.
 */
export const ROUTES: RouteCase[] = [
  { route: "account-mappings", method: "GET", permission: "imports.read", call: () => ({}), member: 200, crossTenant: 200 },
  { route: "account-mappings", method: "POST", permission: "accounts.manage", call: (w) => jsonBody({ ...w.mapping, accountId: w.accountId }), member: 201, crossTenant: 422 },
  { route: "account-mappings", method: "DELETE", permission: "accounts.manage", call: (w) => jsonBody({ ...w.mapping, externalId: `${w.mapping.externalId}-never-mapped` }), member: 404, crossTenant: 404, crossCall: (a) => jsonBody(a.mapping) },
  { route: "accounts/external", method: "GET", permission: "imports.read", call: () => ({}), member: 200, crossTenant: 200 },
  { route: "accounts", method: "GET", permission: "ledger.read", call: () => ({}), member: 200, crossTenant: 200 },
  { route: "accounts", method: "POST", permission: "accounts.manage", call: () => jsonBody({}), member: 422, crossTenant: 422 },
  { route: "audit", method: "GET", permission: "audit.read", call: (w) => ({ query: { entityId: w.committedImportId } }), member: 200, crossTenant: 200 },
  // Secrets that fail the SQL connector's schema: a 422 naming the field, nothing replaced.
  { route: "connections/[id]/credentials", method: "PUT", permission: "connections.manage", call: (w) => ({ params: { id: w.sqlConnectionId }, body: { secrets: {} } }), member: 422, crossTenant: 404 },
  { route: "connections/[id]", method: "GET", permission: "connections.manage", call: (w) => ({ params: { id: w.sqlConnectionId } }), member: 200, crossTenant: 404 },
  { route: "connections/[id]", method: "PATCH", permission: "connections.manage", call: (w) => ({ params: { id: w.sqlConnectionId }, body: { schedule: "every full moon" } }), member: 422, crossTenant: 404 },
  { route: "connections/[id]/history", method: "GET", permission: "connections.manage", call: (w) => ({ params: { id: w.sftpConnectionId } }), member: 200, crossTenant: 404 },
  { route: "connections/[id]/pause", method: "POST", permission: "connections.manage", call: (w) => ({ params: { id: w.sqlConnectionId } }), member: 200, crossTenant: 404 },
  { route: "connections/[id]/resume", method: "POST", permission: "connections.manage", call: (w) => ({ params: { id: w.sqlConnectionId } }), member: 200, crossTenant: 404 },
  // Queues a real sync of the SFTP connection (it fails: nothing listens on port 1), run by the worker.
  { route: "connections/[id]/sync", method: "POST", permission: "connections.manage", call: (w) => ({ params: { id: w.sftpConnectionId } }), member: 202, crossTenant: 404 },
  { route: "connections/[id]/test", method: "POST", permission: "connections.manage", call: (w) => ({ params: { id: w.sqlConnectionId } }), member: 200, crossTenant: 404 },
  { route: "connections/notifications", method: "GET", permission: "connections.manage", call: () => ({}), member: 200, crossTenant: 200 },
  { route: "connections/notifications", method: "PUT", permission: "connections.manage", call: (w) => jsonBody({ webhookUrl: w.webhookUrl }), member: 200, crossTenant: 422, crossCall: () => jsonBody({ webhookUrl: "not a url" }) },
  { route: "connections", method: "GET", permission: "imports.read", call: () => ({}), member: 200, crossTenant: 200 },
  { route: "connections", method: "POST", permission: "connections.manage", call: (w) => jsonBody({ name: w.sftpName, type: "sftp", config: { host: "127.0.0.1", username: "x", accountId: w.accountId }, secrets: { password: "x" } }), member: 409, crossTenant: 422 },
  { route: "duplicates/decide", method: "POST", permission: "duplicates.decide", call: () => jsonBody({ ids: [2_000_000_000], decision: "reject" }), member: 404, crossTenant: 404, crossCall: (a) => jsonBody({ ids: a.candidateIds, decision: "approve" }) },
  { route: "duplicates", method: "GET", permission: "imports.read", call: () => ({}), member: 200, crossTenant: 200 },
  { route: "duplicates/undo", method: "POST", permission: "duplicates.decide", call: () => jsonBody({ ids: [2_000_000_000] }), member: 404, crossTenant: 404, crossCall: (a) => jsonBody({ ids: a.candidateIds }) },
  { route: "imports/[id]/account", method: "PATCH", permission: "imports.create", call: (w) => ({ params: { id: w.stagedImportId }, body: { accountId: w.accountId } }), member: 200, crossTenant: 404 },
  { route: "imports/[id]/commit", method: "POST", permission: "imports.create", call: (w) => ({ params: { id: w.stagedImportId } }), member: 409, crossTenant: 404 },
  { route: "imports/[id]/issues", method: "GET", permission: "imports.read", call: (w) => ({ params: { id: w.stagedImportId } }), member: 200, crossTenant: 404 },
  { route: "imports/[id]/amounts", method: "GET", permission: "imports.read", call: (w) => ({ params: { id: w.stagedImportId } }), member: 200, crossTenant: 404 },
  { route: "imports/[id]/revert", method: "POST", permission: "imports.create", call: (w) => ({ params: { id: w.stagedImportId } }), member: 409, crossTenant: 404, crossCall: (a) => ({ params: { id: a.committedImportId } }) },
  { route: "imports/[id]", method: "GET", permission: "imports.read", call: (w) => ({ params: { id: w.committedImportId } }), member: 200, crossTenant: 404 },
  { route: "imports/[id]/rows/[rowNo]", method: "PATCH", permission: "imports.create", call: (w) => ({ params: { id: w.stagedImportId, rowNo: "2" }, body: { field: "no_such_field", value: "1" } }), member: 422, crossTenant: 404, crossCall: (a) => ({ params: { id: a.stagedImportId, rowNo: "2" }, body: { field: "amount", value: "1.00" } }) },
  { route: "imports/[id]/rows/exclude", method: "POST", permission: "imports.create", call: (w) => ({ params: { id: w.stagedImportId }, body: { rowNos: [999], excluded: true } }), member: 200, crossTenant: 404, crossCall: (a) => ({ params: { id: a.stagedImportId }, body: { rowNos: "errors", excluded: true } }) },
  { route: "imports/[id]/rows", method: "GET", permission: "imports.read", call: (w) => ({ params: { id: w.stagedImportId } }), member: 200, crossTenant: 404 },
  // A body that is not multipart: the real uploads are in the limits tests below.
  { route: "imports", method: "POST", permission: "imports.create", call: () => jsonBody({}), member: 415, crossTenant: 415 },
  { route: "imports", method: "GET", permission: "imports.read", call: () => ({}), member: 200, crossTenant: 200 },
  { route: "members/[userId]", method: "PATCH", permission: "members.manage", call: (w) => ({ params: { userId: w.extra.id }, body: { role: "viewer" } }), member: 200, crossTenant: 404 },
  // Removes the extra member: the last call of A's admin on this route, after every cross-tenant try.
  { route: "members/[userId]", method: "DELETE", permission: "members.manage", call: (w) => ({ params: { userId: w.extra.id } }), member: 204, crossTenant: 404 },
  { route: "members", method: "GET", permission: "members.manage", call: () => ({}), member: 200, crossTenant: 200 },
  { route: "members", method: "POST", permission: "members.manage", call: () => jsonBody({ email: "not an email", role: "viewer" }), member: 422, crossTenant: 422 },
  { route: "transactions/export", method: "GET", permission: "ledger.read", call: (w) => ({ query: { format: "csv", importId: w.committedImportId } }), member: 200, crossTenant: 200 },
  { route: "transactions", method: "GET", permission: "ledger.read", call: (w) => ({ query: { accountId: w.accountId } }), member: 200, crossTenant: 200 },
  // Without a tenant: switching workspace needs a session and membership of the tenant named.
  { route: "auth/tenant", method: "POST", permission: "session", call: (w) => jsonBody({ slug: w.tenant.slug }), member: 200, crossTenant: 404 },
];

export interface PublicRoute {
  route: string;
  method: Method;
  /** What anyone gets, asking about A. */
  status: number;
  call: (w: World) => Call;
  /**
   * "refused": a browser endpoint, refused from other origins like every tenant route. "not-checked":
   * called server to server (a provider's callback), authenticated by its path token, never by a
   * cookie, so there is nothing ambient for another site to borrow.
   */
  crossOrigin: "refused" | "not-checked";
}

/** Routes anyone may call: each with what anyone gets. */
export const PUBLIC_ROUTES: PublicRoute[] = [
  { route: "health", method: "GET", status: 200, call: () => ({}), crossOrigin: "refused" },
  // A wrong password for an email of A: the one message for any failed sign-in, nothing about A.
  { route: "auth/login", method: "POST", status: 401, call: (w) => jsonBody({ email: w.tenant.members.admin.email, password: "wrong password" }), crossOrigin: "refused" },
  { route: "auth/logout", method: "POST", status: 200, call: () => ({}), crossOrigin: "refused" },
  // Daraja's callbacks: a token Inflow did not issue is an address that does not exist — A's own
  // connection id included (the token is derived from it, never equal to it).
  { route: "hooks/mpesa/[token]/confirmation", method: "POST", status: 404, call: (w) => ({ params: { token: w.sftpConnectionId }, body: { TransID: "RKTQDM7W6S" } }), crossOrigin: "not-checked" },
  { route: "hooks/mpesa/[token]/validation", method: "POST", status: 404, call: (w) => ({ params: { token: w.sftpConnectionId }, body: { TransID: "RKTQDM7W6S" } }), crossOrigin: "not-checked" },
];

// ---- calling the handlers ----

export interface Caller {
  name: string;
  user?: TestUser;
  cookies?: Record<string, string>;
  headers?: Record<string, string>;
}

function url(route: string, c: Call): string {
  let p = route;
  for (const [k, v] of Object.entries(c.params ?? {})) p = p.replace(`[${k}]`, encodeURIComponent(v));
  const q = new URLSearchParams(c.query ?? {}).toString();
  return `http://localhost/api/${p}${q ? `?${q}` : ""}`;
}

function handlerOf(route: string, method: Method): Handler {
  const handler = MODULES[route]?.[method];
  if (typeof handler !== "function") throw new Error(`${method} ${route}: no such handler`);
  return handler as Handler;
}

const tokens = new Map<string, string>();
async function sessionOf(user: TestUser): Promise<string> {
  let token = tokens.get(user.id);
  if (!token) tokens.set(user.id, (token = await createSessionToken(user.claims)));
  return token;
}

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
  /** Everything the caller sent: values in it are theirs, not a leak when echoed. */
  sent: string;
}

export async function send(route: string, method: Method, c: Call, who: Caller, extraHeaders: Record<string, string> = {}): Promise<Answer> {
  const cookies = { ...(who.user ? { [SESSION_COOKIE]: await sessionOf(who.user) } : {}), ...who.cookies };
  const cookie = Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
  const body = c.body === undefined ? undefined : JSON.stringify(c.body);
  const target = url(route, c);
  const request = new NextRequest(target, {
    method,
    headers: {
      host: "localhost",
      ...(cookie ? { cookie } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...who.headers,
      ...extraHeaders,
    },
    ...(body === undefined ? {} : { body }),
  });
  const response = await handlerOf(route, method)(request, { params: Promise.resolve(c.params ?? {}) });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers, sent: `${target} ${body ?? ""}` };
}
