/**
 * The auth wrapper every tenant route goes through: real NextRequests with real session cookies of
 * users in the test database, and the handler's view of who is calling.
 */
import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { NextRequest } from "next/server";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { claimsFor } from "@/lib/auth/claims";
import { TENANT_COOKIE, TENANT_HEADER } from "@/lib/auth/context";
import { SESSION_COOKIE, SESSION_SECONDS, createSessionToken } from "@/lib/auth/local-session";
import type { Permission, Role } from "@/lib/auth/permissions";
import type { ErrorBody } from "./errors";
import { tenantRoute, type RouteContext } from "./route";
import { asService, createTenant, createUser, type TestTenant, type TestUser } from "@/test/db";

let a: TestTenant;
let b: TestTenant;
/** Admin of A and viewer of B: a person in two tenants. */
let twoTenants: TestUser;
/** Signed up, member of nothing. */
let loner: TestUser;

beforeAll(async () => {
  a = await createTenant("route-a");
  b = await createTenant("route-b");
  twoTenants = await createUser("route-two");
  loner = await createUser("route-loner");
  await asService(async (db) => {
    await db.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $3, 'admin'), ($2, $3, 'viewer')", [a.id, b.id, twoTenants.id]);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

interface RequestOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
}

function request({ method = "GET", token, headers = {}, cookies = {} }: RequestOptions = {}): NextRequest {
  const jar = { ...(token === undefined ? {} : { [SESSION_COOKIE]: token }), ...cookies };
  const cookie = Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
  return new NextRequest("http://localhost/api/test", { method, headers: { host: "localhost", ...(cookie ? { cookie } : {}), ...headers } });
}

const tokenFor = (user: TestUser) => createSessionToken(user.claims);

/** A route under `permission` whose handler records what it was given. */
function probe<P extends Record<string, string>>(permission: Permission, answer?: (ctx: RouteContext, params: P) => Promise<Response>) {
  const calls: { ctx: RouteContext; params: P }[] = [];
  const route = tenantRoute<P>(permission, async (ctx, params) => {
    calls.push({ ctx, params });
    return answer ? answer(ctx, params) : Response.json({ ok: true });
  });
  return { route, calls };
}

const noParams = { params: Promise.resolve({}) };

async function bodyOf(response: Response): Promise<ErrorBody> {
  return (await response.json()) as ErrorBody;
}

describe("tenantRoute: who is calling", () => {
  it("answers 401 without a session cookie, and never runs the handler", async () => {
    const { route, calls } = probe("ledger.read");
    const response = await route(request(), noParams);
    expect(response.status).toBe(401);
    expect(await bodyOf(response)).toEqual({ error: { code: "unauthorized", message: "Please sign in to continue." } });
    expect(calls).toHaveLength(0);
  });

  it.each([
    ["garbage", async () => "not-a-jwt"],
    ["signed with another key", async () => new SignJWT({ ...claimsFor(a.members.admin.id) }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(randomBytes(32))],
    ["unsigned (alg none)", async () => `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(claimsFor(a.members.admin.id))).toString("base64url")}.`],
    ["tampered payload", async () => {
      const [header, , signature] = (await tokenFor(a.members.viewer)).split(".");
      return `${header}.${Buffer.from(JSON.stringify(claimsFor(a.members.admin.id))).toString("base64url")}.${signature}`;
    }],
    ["expired", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() - (SESSION_SECONDS + 60) * 1000);
      const token = await tokenFor(a.members.admin);
      vi.useRealTimers();
      return token;
    }],
  ])("answers 401 for a token that is %s", async (_name, make) => {
    const { route, calls } = probe("ledger.read");
    const response = await route(request({ token: await make() }), noParams);
    expect(response.status).toBe(401);
    expect((await bodyOf(response)).error.code).toBe("unauthorized");
    expect(calls).toHaveLength(0);
  });

  it("answers 404 for a signed-in user who belongs to no tenant", async () => {
    const { route, calls } = probe("ledger.read");
    const response = await route(request({ token: await tokenFor(loner) }), noParams);
    expect(response.status).toBe(404);
    expect(calls).toHaveLength(0);
  });
});

describe("tenantRoute: what the role may do", () => {
  const ROLE_CASES: { permission: Permission; role: Role; status: number }[] = [
    { permission: "imports.create", role: "viewer", status: 403 },
    { permission: "imports.create", role: "reviewer", status: 403 },
    { permission: "imports.create", role: "uploader", status: 200 },
    { permission: "imports.create", role: "admin", status: 200 },
    { permission: "accounts.manage", role: "uploader", status: 403 },
    { permission: "accounts.manage", role: "admin", status: 200 },
    { permission: "duplicates.decide", role: "reviewer", status: 200 },
    { permission: "duplicates.decide", role: "uploader", status: 403 },
    { permission: "ledger.read", role: "viewer", status: 200 },
  ];

  it.each(ROLE_CASES)("$permission as $role → $status", async ({ permission, role, status }) => {
    const { route, calls } = probe(permission);
    const response = await route(request({ token: await tokenFor(a.members[role]) }), noParams);
    expect(response.status).toBe(status);
    expect(calls).toHaveLength(status === 200 ? 1 : 0);
  });

  it("tells a viewer plainly what their role does not allow", async () => {
    const { route } = probe("imports.create");
    const response = await route(request({ method: "POST", token: await tokenFor(a.members.viewer) }), noParams);
    expect(response.status).toBe(403);
    expect(await bodyOf(response)).toEqual({ error: { code: "forbidden", message: "Your role does not allow you to upload files." } });
  });

  it("gives the handler the caller's user, tenant and role, and the route params", async () => {
    const { route, calls } = probe<{ id: string }>("imports.create");
    const response = await route(request({ token: await tokenFor(a.members.uploader) }), { params: Promise.resolve({ id: "42" }) });
    expect(response.status).toBe(200);
    expect(calls).toHaveLength(1);
    const { ctx, params } = calls[0]!;
    expect({ userId: ctx.userId, tenantId: ctx.tenantId, tenantSlug: ctx.tenantSlug, role: ctx.role }).toEqual({
      userId: a.members.uploader.id,
      tenantId: a.id,
      tenantSlug: a.slug,
      role: "uploader",
    });
    expect(ctx.claims.sub).toBe(a.members.uploader.id);
    expect(ctx.memberships.map((m) => m.tenantId)).toEqual([a.id]);
    expect(params).toEqual({ id: "42" });
  });
});

describe("tenantRoute: which tenant", () => {
  it("answers 404 when the header names a tenant the user is not in", async () => {
    const { route, calls } = probe("ledger.read");
    const response = await route(request({ token: await tokenFor(a.members.admin), headers: { [TENANT_HEADER]: b.slug } }), noParams);
    expect(response.status).toBe(404);
    expect(await bodyOf(response)).toEqual({ error: { code: "not_found", message: "That workspace was not found." } });
    expect(calls).toHaveLength(0);
  });

  it("answers the same 404 for a tenant that does not exist at all (no existence oracle)", async () => {
    const { route } = probe("ledger.read");
    const response = await route(request({ token: await tokenFor(a.members.admin), headers: { [TENANT_HEADER]: "no-such-tenant" } }), noParams);
    expect(response.status).toBe(404);
    expect(await bodyOf(response)).toEqual({ error: { code: "not_found", message: "That workspace was not found." } });
  });

  it("uses the role the user has in the tenant the header picks", async () => {
    const token = await tokenFor(twoTenants);
    const asAdminOfA = probe("accounts.manage");
    const inA = await asAdminOfA.route(request({ token, headers: { [TENANT_HEADER]: a.slug } }), noParams);
    expect(inA.status).toBe(200);
    expect(asAdminOfA.calls[0]!.ctx).toMatchObject({ tenantId: a.id, role: "admin" });

    const asViewerOfB = probe("accounts.manage");
    const inB = await asViewerOfB.route(request({ token, headers: { [TENANT_HEADER]: b.slug } }), noParams);
    expect(inB.status).toBe(403);
    expect(asViewerOfB.calls).toHaveLength(0);
  });

  it("follows the tenant cookie, and falls back to the first tenant when the cookie is stale", async () => {
    const token = await tokenFor(twoTenants);
    const viaCookie = probe("ledger.read");
    await viaCookie.route(request({ token, cookies: { [TENANT_COOKIE]: b.slug } }), noParams);
    expect(viaCookie.calls[0]!.ctx).toMatchObject({ tenantId: b.id, role: "viewer" });

    const stale = probe("ledger.read");
    const response = await stale.route(request({ token: await tokenFor(a.members.viewer), cookies: { [TENANT_COOKIE]: b.slug } }), noParams);
    expect(response.status).toBe(200);
    expect(stale.calls[0]!.ctx).toMatchObject({ tenantId: a.id, role: "viewer" });
  });
});

describe("tenantRoute: errors", () => {
  it("maps a zod error from the handler to 422 with the field path", async () => {
    const schema = z.object({ rows: z.array(z.object({ amount: z.string() })) });
    const { route } = probe("imports.create", async () => Response.json(schema.parse({ rows: [{ amount: "1.00" }, { amount: 5 }] })));
    const response = await route(request({ method: "POST", token: await tokenFor(a.members.uploader) }), noParams);
    expect(response.status).toBe(422);
    const body = await bodyOf(response);
    expect(body.error.code).toBe("validation");
    expect(body.error.issues?.map((i) => i.path)).toEqual(["rows.1.amount"]);
    expect(body.error.message).toMatch(/^rows\.1\.amount: /);
  });

  it("maps an unexpected error to a 500 that leaks nothing", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const secret = "password=hunter2 at db.internal:5432";
    const { route } = probe("ledger.read", async () => {
      throw new Error(secret);
    });
    const response = await route(request({ token: await tokenFor(a.members.viewer) }), noParams);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: "Something went wrong on our side. Please try again." } });
    expect(text).not.toContain("hunter2");
    expect(text).not.toMatch(/stack|\bat \w|\.ts\b/);
    // It is logged on the server instead.
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it("refuses a POST from another origin with 403 before looking at the session", async () => {
    const { route, calls } = probe("imports.create");
    const response = await route(
      request({ method: "POST", token: await tokenFor(a.members.uploader), headers: { origin: "https://evil.example", host: "localhost" } }),
      noParams,
    );
    expect(response.status).toBe(403);
    expect((await bodyOf(response)).error.code).toBe("cross_origin");
    expect(calls).toHaveLength(0);
  });

  it("lets a same-origin POST, and a POST with no Origin (a script), through", async () => {
    const token = await tokenFor(a.members.uploader);
    const { route, calls } = probe("imports.create");
    expect((await route(request({ method: "POST", token, headers: { origin: "http://localhost", host: "localhost" } }), noParams)).status).toBe(200);
    expect((await route(request({ method: "POST", token }), noParams)).status).toBe(200);
    expect(calls).toHaveLength(2);
  });
});
