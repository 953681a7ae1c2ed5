/** Local sessions: the signed JWT cookie, reading it back, and signing out. */
import fs from "node:fs";
import { SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { dataDir, env } from "@/lib/env";
import { createUser } from "@/test/db";
import { claimsFor } from "./claims";
import { SESSION_COOKIE, SESSION_SECONDS, createSessionToken, verifySessionToken } from "./local-session";
import { getClaims, signOut, startLocalSession, type CookieJar, type CookieOptions } from "./session";

const USER = "3f2c5a8e-2b1d-4c7e-9f00-0123456789ab";

afterEach(() => {
  vi.useRealTimers();
});

/** The key local sessions are signed with (after a token was made, so a generated one exists). */
function signingKeyOnDisk(): Uint8Array {
  return new TextEncoder().encode(env().INFLOW_JWT_SECRET ?? fs.readFileSync(dataDir("secrets", "jwt-secret"), "utf8").trim());
}

function jar(initial: Record<string, string> = {}): CookieJar & { set: ReturnType<typeof vi.fn<(name: string, value: string, options: CookieOptions) => void>> } {
  const values = new Map(Object.entries(initial));
  const set = vi.fn((name: string, value: string) => {
    values.set(name, value);
  });
  return { getAll: () => [...values].map(([name, value]) => ({ name, value })), set };
}

describe("local session tokens", () => {
  it("round-trips the Supabase claim shape with an 8-hour expiry", async () => {
    const token = await createSessionToken(claimsFor(USER, "someone@example.com"));
    const claims = await verifySessionToken(token);
    expect(claims).toMatchObject({ sub: USER, email: "someone@example.com", role: "authenticated", aud: "authenticated" });
    expect(claims!.exp! - claims!.iat!).toBe(SESSION_SECONDS);
  });

  it("gives every token a session id of its own, and rejects one without (signing out could not revoke it)", async () => {
    const [one, two] = await Promise.all([createSessionToken(claimsFor(USER)), createSessionToken(claimsFor(USER))]);
    const ids = [(await verifySessionToken(one))?.session_id, (await verifySessionToken(two))?.session_id];
    expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id ?? ""))).toBe(true);
    expect(ids[0]).not.toBe(ids[1]);
    const withoutId = await new SignJWT({ ...claimsFor(USER) }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt().setExpirationTime("1h").sign(signingKeyOnDisk());
    expect(await verifySessionToken(withoutId)).toBeNull();
  });

  it("rejects an expired token", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() - (SESSION_SECONDS + 1) * 1000);
    const token = await createSessionToken(claimsFor(USER));
    vi.useRealTimers();
    expect(await verifySessionToken(token)).toBeNull();
  });

  it("rejects a token whose claims are not the expected shape", async () => {
    expect(await verifySessionToken(await createSessionToken({ ...claimsFor(USER), sub: "not-a-uuid" }))).toBeNull();
  });

  it("rejects a token with one character of the signature changed", async () => {
    const token = await createSessionToken(claimsFor(USER));
    const at = token.lastIndexOf(".") + 1; // the signature's first character: all six of its bits count
    const changed = token[at] === "A" ? "B" : "A";
    expect(await verifySessionToken(token.slice(0, at) + changed + token.slice(at + 1))).toBeNull();
  });
});

describe("session cookie", () => {
  it("getClaims reads the session cookie, and answers null without one", async () => {
    const token = await createSessionToken(claimsFor(USER));
    expect(await getClaims(jar({ [SESSION_COOKIE]: token }))).toMatchObject({ sub: USER });
    expect(await getClaims(jar())).toBeNull();
    expect(await getClaims(jar({ [SESSION_COOKIE]: "junk" }))).toBeNull();
  });

  it("startLocalSession sets an httpOnly, lax cookie; signOut empties it with maxAge 0", async () => {
    const user = await createUser("session-cookie"); // signing out records the session against the user
    const cookies = jar();
    await startLocalSession(cookies, user.claims);
    expect(cookies.set).toHaveBeenCalledWith(SESSION_COOKIE, expect.any(String), expect.objectContaining({ httpOnly: true, sameSite: "lax", path: "/", maxAge: SESSION_SECONDS }));
    expect(await getClaims(cookies)).toMatchObject({ sub: user.id });

    await signOut(cookies);
    expect(cookies.set).toHaveBeenLastCalledWith(SESSION_COOKIE, "", expect.objectContaining({ httpOnly: true, maxAge: 0 }));
    expect(await getClaims(cookies)).toBeNull();
  });
});
