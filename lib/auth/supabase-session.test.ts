/**
 * Signing out with Supabase Auth configured, against a local stand-in for the Supabase Auth server
 * (its JWKS and logout endpoints on loopback): the access token is ES256-signed, so Supabase's client
 * verifies it locally and would accept it until it expires whatever the server did at sign-out.
 * Inflow calls Supabase's signOut for this browser only (scope=local, with the user's token) and
 * records the token's session_id, so a copy of the cookies kept from before is refused.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { createTenant, type TestTenant } from "@/test/db";
import { resolveTenantContext } from "./context";
import { getClaims, signOut, type CookieJar } from "./session";

const KID = "inflow-test-key";
let server: http.Server;
let url: string;
let privateKey: CryptoKey;
const requests: { method: string; path: string; authorization: string | undefined }[] = [];
let tenant: TestTenant;
const saved = { url: process.env.NEXT_PUBLIC_SUPABASE_URL, key: process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY };

beforeAll(async () => {
  const pair = await generateKeyPair("ES256", { extractable: true });
  privateKey = pair.privateKey as CryptoKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: "ES256", use: "sig" };
  server = http.createServer((req, res) => {
    const path = req.url ?? "";
    requests.push({ method: req.method ?? "", path, authorization: req.headers.authorization });
    req.resume();
    if (req.method === "GET" && path.startsWith("/auth/v1/.well-known/jwks.json")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    } else if (req.method === "POST" && path.startsWith("/auth/v1/logout")) {
      res.writeHead(204).end();
    } else {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "not here" }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tenant = await createTenant("supabase-signout");
  process.env.NEXT_PUBLIC_SUPABASE_URL = url;
  process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY = "anon-key-for-tests";
  resetEnvCache();
});

afterAll(async () => {
  for (const [name, value] of [["NEXT_PUBLIC_SUPABASE_URL", saved.url], ["NEXT_PUBLIC_SUPABASE_ANON_KEY", saved.key]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetEnvCache();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

class MemoryJar implements CookieJar {
  constructor(readonly values = new Map<string, string>()) {}
  getAll() {
    return [...this.values].map(([name, value]) => ({ name, value }));
  }
  set(name: string, value: string, options: { maxAge?: number }) {
    if (value === "" || options.maxAge === 0) this.values.delete(name);
    else this.values.set(name, value);
  }
}

/** The cookies @supabase/ssr keeps after a sign-in: the session as base64url JSON under sb-<ref>-auth-token. */
async function signedInJar(): Promise<{ jar: MemoryJar; token: string; sessionId: string }> {
  const user = tenant.members.viewer;
  const sessionId = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ sub: user.id, email: user.email, role: "authenticated", aud: "authenticated", session_id: sessionId })
    .setProtectedHeader({ alg: "ES256", kid: KID, typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
  const session = {
    access_token: token,
    refresh_token: "refresh-token-for-tests",
    token_type: "bearer",
    expires_in: 3600,
    expires_at: now + 3600,
    user: { id: user.id, aud: "authenticated", role: "authenticated", email: user.email, app_metadata: {}, user_metadata: {}, created_at: new Date().toISOString() },
  };
  const ref = new URL(url).hostname.split(".")[0];
  const jar = new MemoryJar(new Map([[`sb-${ref}-auth-token`, `base64-${Buffer.from(JSON.stringify(session)).toString("base64url")}`]]));
  return { jar, token, sessionId };
}

async function statusOf(jar: MemoryJar): Promise<number> {
  try {
    await resolveTenantContext(jar);
    return 200;
  } catch (error) {
    if (error instanceof AppError) return error.status;
    throw error;
  }
}

describe("sign-out with Supabase Auth", () => {
  it("calls Supabase's logout for this session only, and a copy of the cookies kept from before is refused though the token still verifies", async () => {
    const { jar, token, sessionId } = await signedInJar();
    const other = await signedInJar(); // the same user in another browser
    const kept = new MemoryJar(new Map(jar.values));
    expect(await statusOf(jar)).toBe(200);

    requests.length = 0;
    await signOut(jar);
    expect(requests.filter((r) => r.method === "POST")).toEqual([{ method: "POST", path: "/auth/v1/logout?scope=local", authorization: `Bearer ${token}` }]);
    expect(jar.getAll()).toEqual([]); // Supabase's cookies and Inflow's are gone from this browser

    // Supabase's client still accepts the access token (it verifies the signature locally, until exp) …
    expect(await getClaims(kept)).toMatchObject({ sub: tenant.members.viewer.id, session_id: sessionId });
    // … Inflow does not.
    expect(await statusOf(kept)).toBe(401);
    expect(await statusOf(other.jar)).toBe(200);
  });
});
