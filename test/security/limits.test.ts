/**
 * Limits and sessions, through the real route handlers: the upload size limit (413, nothing kept),
 * content read for what it is rather than what its name says, sign-in rate limiting, the session
 * cookie's attributes in production, and mutations refused from other origins on every mutating route.
 */
import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as logout } from "@/app/api/auth/logout/route";
import { POST as switchTenant } from "@/app/api/auth/tenant/route";
import { GET as listImportsRoute, POST as upload } from "@/app/api/imports/route";
import { GET as getImport } from "@/app/api/imports/[id]/route";
import { SESSION_COOKIE, SESSION_SECONDS } from "@/lib/auth/local-session";
import { pageContext } from "@/lib/auth/page-context";
import { hashPassword } from "@/lib/auth/password";
import { MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_EMAIL, recordFailedLogin } from "@/lib/auth/rate-limit";
import { SETTINGS, dataDir, resetEnvCache } from "@/lib/env";
import { startWorker, stopJobQueue } from "@/lib/ingest/jobs";
import { asService, createTenant, createUser, type TestTenant, type TestUser } from "@/test/db";
import { addAccount, count, jsonRequest, multipartRequest, waitFor } from "@/test/pipeline/helpers";
import { PUBLIC_ROUTES, ROUTES, send, type Caller } from "./routes";
import { seedWorld, type World } from "./world";

// Pages read the request's cookies through next/headers; here they are the ones a test hands over.
const pageCookies = vi.hoisted(() => ({ value: "" }));
vi.mock("next/headers", async (original) => {
  const { RequestCookies } = await import("next/dist/compiled/@edge-runtime/cookies");
  return { ...(await original<object>()), cookies: async () => new RequestCookies(new Headers({ cookie: pageCookies.value })) };
});

let tenant: TestTenant;
let accountId: string;

beforeAll(async () => {
  tenant = await createTenant("limits");
  accountId = await addAccount(tenant, "Limits account", "USD");
  await startWorker();
});

afterAll(async () => {
  await stopJobQueue();
});

const uploadAs = async (name: string, bytes: Uint8Array<ArrayBuffer>, fields: Record<string, string> = {}) =>
  upload(await multipartRequest(tenant.members.uploader, tenant, { name, bytes }, fields), { params: Promise.resolve({}) });

const tempFiles = () => {
  const dir = dataDir("raw", tenant.id);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith(".upload-")) : [];
};
const rawFiles = () => {
  const dir = dataDir("raw", tenant.id);
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
};

interface View {
  status: string;
  format: string | null;
  error: { code: string; message: string } | null;
  dryRun: { total: number } | null;
}

async function settled(importId: string): Promise<View> {
  return waitFor(`import ${importId} to be staged or failed`, async () => {
    const response = await getImport(await jsonRequest(tenant.members.viewer, tenant, "GET", `http://localhost/api/imports/${importId}`), { params: Promise.resolve({ id: importId }) });
    const view = (await response.json()) as View;
    return ["staged", "failed"].includes(view.status) ? view : undefined;
  });
}

describe("upload size limit", () => {
  it("answers 413 past the limit (streamed, and declared up front), keeping no temporary file, no raw file and no import", async () => {
    const previous = process.env.INFLOW_UPLOAD_LIMIT_BYTES;
    process.env.INFLOW_UPLOAD_LIMIT_BYTES = "2048";
    try {
      const importsBefore = await count("select count(*) as n from public.imports where tenant_id = $1", [tenant.id]);
      const filesBefore = rawFiles();
      const big = new TextEncoder().encode(`Date,Description,Amount\n${"2025-01-01,Too big,1.00\n".repeat(400)}`);
      // Streamed: the multipart body carries no Content-Length, so busboy's limit stops it mid-file.
      const streamed = await uploadAs("big.csv", big, { accountId });
      expect(streamed.status).toBe(413);
      expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe("too_large");
      // Declared: a Content-Length far past the limit is refused before a byte is read.
      const declared = await multipartRequest(tenant.members.uploader, tenant, { name: "big.csv", bytes: big });
      const withLength = new NextRequest(declared.url, {
        method: "POST",
        headers: { ...Object.fromEntries(declared.headers), "content-length": String(10 * 1024 * 1024) },
        body: declared.body,
        duplex: "half",
      } as ConstructorParameters<typeof NextRequest>[1]);
      expect((await upload(withLength, { params: Promise.resolve({}) })).status).toBe(413);

      expect(tempFiles()).toEqual([]);
      expect(rawFiles()).toEqual(filesBefore);
      expect(await count("select count(*) as n from public.imports where tenant_id = $1", [tenant.id])).toBe(importsBefore);
    } finally {
      if (previous === undefined) delete process.env.INFLOW_UPLOAD_LIMIT_BYTES;
      else process.env.INFLOW_UPLOAD_LIMIT_BYTES = previous;
    }
  });
});

describe("refused uploads", () => {
  it("an upload refused with 422 (another workspace's account, a field that is not valid) keeps no raw file, no temporary file and no import", async () => {
    const other = await createTenant("limits-other");
    const othersAccount = await addAccount(other, "Other's account", "USD");
    const imports = () => count("select count(*) as n from public.imports where tenant_id = $1", [tenant.id]);
    const importsBefore = await imports();
    const filesBefore = rawFiles();
    const bytes = new TextEncoder().encode(`Date,Description,Amount\n2025-06-01,Refused ${randomUUID()},1.00\n`);
    const refusals = [
      await uploadAs("refused.csv", bytes, { accountId: othersAccount }),
      await uploadAs("refused.csv", bytes, { accountId, dateOrder: "sometimes" }),
      await uploadAs("refused.csv", bytes, { accountId: "not-an-id" }),
    ];
    expect(await Promise.all(refusals.map(async (r) => `${r.status} ${((await r.json()) as { error: { code: string } }).error.code}`))).toEqual(Array(3).fill("422 validation"));
    expect(rawFiles()).toEqual(filesBefore);
    expect(tempFiles()).toEqual([]);
    expect(await imports()).toBe(importsBefore);
  });

  it("refusing an upload of bytes an earlier import holds leaves that import's raw file in place", async () => {
    const bytes = new TextEncoder().encode(`Date,Description,Amount,Currency\n2025-06-02,Kept ${randomUUID()},2.00,USD\n`);
    const first = await uploadAs("kept.csv", bytes, { accountId });
    expect(first.status).toBe(202);
    const { importId } = (await first.json()) as { importId: string };
    const withFile = rawFiles();
    expect((await uploadAs("kept-again.csv", bytes, { accountId: "not-an-id" })).status).toBe(422);
    expect(rawFiles()).toEqual(withFile);
    expect((await settled(importId)).status).toBe("staged");
  });
});

describe("content, not the file name", () => {
  it("reads a CSV named .ofx as the CSV it is", async () => {
    const csv = "Date,Description,Amount,Currency\n2025-05-01,Renamed statement line one,-12.34,USD\n2025-05-02,Renamed statement line two,56.78,USD\n";
    const response = await uploadAs("statement.ofx", new TextEncoder().encode(csv), { accountId });
    expect(response.status).toBe(202);
    const view = await settled(((await response.json()) as { importId: string }).importId);
    expect({ status: view.status, total: view.dryRun?.total }).toEqual({ status: "staged", total: 2 });
    expect(view.format).not.toBe("ofx");
  });

  it("refuses a PNG named .csv, saying what it is, and stages nothing", async () => {
    // The PNG signature and an IHDR chunk: the first bytes of every PNG file.
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89]);
    const response = await uploadAs("bank.csv", png, { accountId });
    expect(response.status).toBe(202);
    const { importId } = (await response.json()) as { importId: string };
    const view = await settled(importId);
    expect(view.status).toBe("failed");
    expect(view.error?.message).toMatch(/^bank\.csv/);
    expect(view.error?.message).toMatch(/PNG|image/i);
    expect(await count("select count(*) as n from public.staged_rows where import_id = $1", [importId])).toBe(0);
  });
});

describe("file names", () => {
  it("a file name with a path in it is kept as its last part; the raw file is named by its hash only", async () => {
    const response = await uploadAs("../../../etc/passwd.csv", new TextEncoder().encode("Date,Description,Amount,Currency\n2025-05-03,Path name,1.00,USD\n"), { accountId });
    expect(response.status).toBe(202);
    const { importId } = (await response.json()) as { importId: string };
    const stored = await asService(async (db) => (await db.query<{ file_name: string; raw_key: string }>("select file_name, raw_key from public.imports where id = $1", [importId])).rows[0]!);
    expect(stored.file_name).toBe("passwd.csv");
    expect(stored.raw_key).toMatch(new RegExp(`^${tenant.id}/[0-9a-f]{64}$`));
    expect(rawFiles().filter((f) => !/^[0-9a-f]{64}$/.test(f))).toEqual([]);
    await settled(importId);
  });
});

describe("sign-in", () => {
  const PASSWORD = "limits correct horse";

  async function loginRequest(email: string, password: string, ip: string, headers: Record<string, string> = {}): Promise<Response> {
    return login(
      new NextRequest("http://localhost/api/auth/login", {
        method: "POST",
        headers: { host: "localhost", "content-type": "application/json", "x-forwarded-for": ip, ...headers },
        body: JSON.stringify({ email, password }),
      }),
    );
  }

  beforeAll(async () => {
    const hash = await hashPassword(PASSWORD);
    await asService((db) => db.query("update auth.users set encrypted_password = $2 where id = any($1)", [Object.values(tenant.members).map((m) => m.id), hash]));
  });

  it(`after ${MAX_FAILURES_PER_EMAIL} wrong passwords answers 429 with Retry-After, and refuses even the right password`, async () => {
    const email = tenant.members.viewer.email;
    const ip = `limits-${Date.now()}`;
    const statuses: number[] = [];
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) statuses.push((await loginRequest(email, `wrong-${i}`, ip)).status);
    expect(statuses).toEqual(Array(MAX_FAILURES_PER_EMAIL).fill(401));
    const limited = await loginRequest(email, PASSWORD, ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("set-cookie") ?? "").not.toContain(SESSION_COOKIE);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("too_many_attempts");
    // From another address too: the limit is on the account.
    expect((await loginRequest(email, PASSWORD, `${ip}-elsewhere`)).status).toBe(429);
  });

  it(`counts failures per address by the hop the proxy added, so a made-up first X-Forwarded-For hop does not escape the limit of ${MAX_FAILURES_PER_CLIENT}`, async () => {
    const proxySaw = `198.51.100.${Date.now() % 250}`;
    await asService(async (db) => {
      for (let i = 0; i < MAX_FAILURES_PER_CLIENT; i++) await recordFailedLogin(db, { email: `guess-${i}-${Date.now()}@test.example`, clientIp: proxySaw });
    });
    const spoofed = await loginRequest(tenant.members.uploader.email, PASSWORD, `203.0.113.${Date.now() % 250}, ${proxySaw}`);
    expect(spoofed.status).toBe(429);
    expect(Number(spoofed.headers.get("retry-after"))).toBeGreaterThan(0);
    // Someone else behind the same kind of proxy, seen from another address, signs in.
    expect((await loginRequest(tenant.members.uploader.email, PASSWORD, `203.0.113.9, ${proxySaw}-other`)).status).toBe(200);
  });

  it("in production sets the session and workspace cookies httpOnly, SameSite=Lax and Secure (and not Secure in development)", async () => {
    const saved = { node: process.env.NODE_ENV, insecure: process.env.INFLOW_INSECURE_COOKIES };
    const setCookies = async (mode: "production" | "development", insecure?: "1") => {
      (process.env as Record<string, string>).NODE_ENV = mode;
      if (insecure) process.env.INFLOW_INSECURE_COOKIES = insecure;
      else delete process.env.INFLOW_INSECURE_COOKIES;
      resetEnvCache();
      const signedIn = await loginRequest(tenant.members.admin.email, PASSWORD, `cookies-${mode}-${Date.now()}`);
      expect(signedIn.status).toBe(200);
      const session = signedIn.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
      const token = session!.split(";")[0]!.slice(SESSION_COOKIE.length + 1);
      const switched = await switchTenant(
        new NextRequest("http://localhost/api/auth/tenant", {
          method: "POST",
          headers: { host: "localhost", "content-type": "application/json", cookie: `${SESSION_COOKIE}=${token}` },
          body: JSON.stringify({ slug: tenant.slug }),
        }),
      );
      expect(switched.status).toBe(200);
      return [session!, switched.headers.getSetCookie()[0]!];
    };
    try {
      for (const cookie of await setCookies("production")) {
        const attributes = cookie.split(";").map((p) => p.trim().toLowerCase());
        expect(attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "secure", "path=/"]));
      }
      for (const cookie of await setCookies("development")) {
        const attributes = cookie.split(";").map((p) => p.trim().toLowerCase());
        expect(attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax"]));
        expect(attributes).not.toContain("secure");
      }
      // The documented way to serve a production build over plain HTTP on an address other than localhost.
      for (const cookie of await setCookies("production", "1")) {
        const attributes = cookie.split(";").map((p) => p.trim().toLowerCase());
        expect(attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax"]));
        expect(attributes).not.toContain("secure");
      }
    } finally {
      (process.env as Record<string, string | undefined>).NODE_ENV = saved.node;
      if (saved.insecure !== undefined) process.env.INFLOW_INSECURE_COOKIES = saved.insecure;
      resetEnvCache();
    }
  });
});

describe("sign-out", () => {
  const PASSWORD = "sign-out correct horse";
  let user: TestUser;

  beforeAll(async () => {
    user = await createUser("sign-out");
    await asService(async (db) => {
      await db.query("update auth.users set encrypted_password = $2 where id = $1", [user.id, await hashPassword(PASSWORD)]);
      await db.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'viewer')", [tenant.id, user.id]);
    });
  });

  const signIn = async (): Promise<string> => {
    const response = await login(
      new NextRequest("http://localhost/api/auth/login", {
        method: "POST",
        headers: { host: "localhost", "content-type": "application/json", "x-forwarded-for": `sign-out-${randomUUID()}` },
        body: JSON.stringify({ email: user.email, password: PASSWORD }),
      }),
    );
    expect(response.status).toBe(200);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    return cookie.split(";")[0]!;
  };
  const listImports = async (cookie: string) =>
    (await listImportsRoute(new NextRequest("http://localhost/api/imports", { headers: { host: "localhost", cookie } }), { params: Promise.resolve({}) })).status;
  /** Where a page sends the holder of this cookie: "rendered", or the redirect's target. */
  const openPage = async (cookie: string): Promise<string> => {
    pageCookies.value = cookie;
    try {
      await pageContext();
      return "rendered";
    } catch (error) {
      const digest = (error as { digest?: string }).digest ?? String(error);
      return digest.startsWith("NEXT_REDIRECT") ? `redirect ${digest.split(";")[2]}` : digest;
    }
  };

  it("ends the session on the server: the old cookie replayed afterwards gets 401 from the API and is sent to sign-in by a page", async () => {
    const cookie = await signIn();
    const other = await signIn(); // the same user in another browser
    expect([await listImports(cookie), await openPage(cookie)]).toEqual([200, "rendered"]);

    const out = await logout(new NextRequest("http://localhost/api/auth/logout", { method: "POST", headers: { host: "localhost", cookie } }));
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toMatch(/^inflow-session=;.*Max-Age=0/i);

    // The browser forgot the cookie; a copy kept from before (another tab, a proxy log, a stolen one) is refused.
    expect([await listImports(cookie), await openPage(cookie)]).toEqual([401, "redirect /sign-in"]);
    // Only that session ended: the same user signed in elsewhere carries on.
    expect([await listImports(other), await openPage(other)]).toEqual([200, "rendered"]);
    // Recorded until the token's own expiry, no longer.
    const [row] = await asService(async (db) => (await db.query<{ left: number }>("select extract(epoch from expires_at - now())::int as left from public.revoked_sessions where user_id = $1", [user.id])).rows);
    expect(row!.left).toBeGreaterThan(SESSION_SECONDS - 120);
    expect(row!.left).toBeLessThanOrEqual(SESSION_SECONDS);
  });
});

describe("settings", () => {
  it("every INFLOW_ setting lib/env.ts declares is read only through env() (validated, one place) and documented in README", () => {
    const declared = SETTINGS.filter((name) => name.startsWith("INFLOW_"));
    expect(declared).toContain("INFLOW_INSECURE_COOKIES");
    const readAround: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(full);
        else if (/\.(ts|tsx|mjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && full !== "lib/env.ts") {
          const text = fs.readFileSync(full, "utf8");
          for (const name of declared) if (new RegExp(`process\\.env(\\.${name}\\b|\\[["']${name}["']\\])`).test(text)) readAround.push(`${full}: ${name}`);
        }
      }
    };
    for (const dir of ["lib", "app"]) walk(dir);
    expect(readAround).toEqual([]);
    const readme = fs.readFileSync("README.md", "utf8");
    expect(declared.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});

describe("mutations from other origins", () => {
  let world: World;
  beforeAll(async () => {
    world = await seedWorld("origin", 6161);
  }, 60_000);

  const mutating = [...ROUTES, ...PUBLIC_ROUTES.filter((r) => r.crossOrigin === "refused")].filter((r) => r.method !== "GET");

  const CROSS: { name: string; headers: Record<string, string> }[] = [
    { name: "Origin of another site", headers: { origin: "https://evil.example" } },
    { name: "Origin of a sibling port", headers: { origin: "http://localhost:8080" } },
    { name: "Origin null", headers: { origin: "null" } },
    { name: "no Origin, Sec-Fetch-Site cross-site", headers: { "sec-fetch-site": "cross-site" } },
    { name: "no Origin, Sec-Fetch-Site same-site", headers: { "sec-fetch-site": "same-site" } },
    { name: "same Origin but Sec-Fetch-Site cross-site", headers: { origin: "http://localhost", "sec-fetch-site": "cross-site" } },
  ];

  it("every POST, PUT, PATCH and DELETE is refused with 403 cross_origin, by a member allowed to do it, and changes nothing", async () => {
    const admin: Caller = { name: "admin", user: world.tenant.members.admin };
    const auditBefore = await count("select count(*) as n from public.audit_log where tenant_id = $1", [world.tenant.id]);
    const got: string[] = [];
    for (const r of mutating) {
      for (const cross of CROSS) {
        const answer = await send(r.route, r.method, r.call(world), admin, cross.headers);
        const code = answer.status === 403 ? (JSON.parse(answer.text) as { error: { code: string } }).error.code : answer.text.slice(0, 80);
        got.push(`${r.method} ${r.route} [${cross.name}] ${answer.status} ${code}`);
      }
    }
    expect(got).toEqual(mutating.flatMap((r) => CROSS.map((cross) => `${r.method} ${r.route} [${cross.name}] 403 cross_origin`)));
    expect(await count("select count(*) as n from public.audit_log where tenant_id = $1", [world.tenant.id])).toBe(auditBefore);
    // The member the DELETE would have removed is still there.
    expect(await count("select count(*) as n from public.memberships where tenant_id = $1 and user_id = $2", [world.tenant.id, world.extra.id])).toBe(1);
  });

  it("the same calls from this origin (browser) or with no browser headers (a script) get past the check", async () => {
    const admin: Caller = { name: "admin", user: world.tenant.members.admin };
    // Only calls that change nothing: the check is what is under test, not the handler.
    const harmless = mutating.filter((r) => ["imports", "accounts", "members", "connections"].includes(r.route) && r.method === "POST");
    expect(harmless.length).toBeGreaterThan(0);
    for (const r of harmless) {
      const browserOrScript: Record<string, string>[] = [{ origin: "http://localhost", "sec-fetch-site": "same-origin" }, {}];
      for (const headers of browserOrScript) {
        const answer = await send(r.route, r.method, r.call(world), admin, headers);
        expect(answer.status, `${r.method} ${r.route} ${JSON.stringify(headers)}`).not.toBe(403);
      }
    }
  });
});
