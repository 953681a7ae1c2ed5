/**
 * Password sign-in (local accounts): the session cookie, one clear message for any wrong email or
 * password, and rate limiting per email and per client address, all on the real test database.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/http/errors";
import { asService, createUser, type TestUser } from "@/test/db";
import { SESSION_COOKIE, SESSION_SECONDS, verifySessionToken } from "./local-session";
import { WRONG_PASSWORD, loginInput, signInWithPassword } from "./login";
import { hashPassword } from "./password";
import { MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_EMAIL, WINDOW_MINUTES, recordFailedLogin } from "./rate-limit";
import type { CookieJar, CookieOptions } from "./session";

const PASSWORD = "correct horse battery staple";
let hash: string;

beforeAll(async () => {
  hash = await hashPassword(PASSWORD);
});

/** A fresh local account with PASSWORD, so no test shares rate-limit state with another. */
async function account(label: string): Promise<TestUser> {
  const user = await createUser(label);
  await asService((db) => db.query("update auth.users set encrypted_password = $2 where id = $1", [user.id, hash]));
  return user;
}

/** Each test signs in from its own address, so the per-client limit never couples tests. */
const clientIp = () => `test-${randomUUID()}`;

class MemoryJar implements CookieJar {
  readonly cookies = new Map<string, { value: string; options: CookieOptions }>();
  getAll() {
    return [...this.cookies].map(([name, c]) => ({ name, value: c.value }));
  }
  set(name: string, value: string, options: CookieOptions) {
    this.cookies.set(name, { value, options });
  }
}

/** The AppError a sign-in fails with (fails the test if it succeeds or throws something else). */
async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("signInWithPassword", () => {
  it("sets a valid, httpOnly session cookie for the right password", async () => {
    const user = await account("login-ok");
    const jar = new MemoryJar();
    const result = await signInWithPassword(jar, { email: user.email, password: PASSWORD }, clientIp());
    expect(result).toEqual({ userId: user.id });

    const cookie = jar.cookies.get(SESSION_COOKIE);
    expect(cookie?.options).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/", maxAge: SESSION_SECONDS });
    const claims = await verifySessionToken(cookie!.value);
    expect(claims).toMatchObject({ sub: user.id, email: user.email, role: "authenticated", aud: "authenticated" });
  });

  it("accepts the email in any case and with spaces once parsed by loginInput", async () => {
    const user = await account("login-case");
    const input = loginInput.parse({ email: `  ${user.email.toUpperCase()} `, password: PASSWORD });
    const jar = new MemoryJar();
    expect(await signInWithPassword(jar, input, clientIp())).toEqual({ userId: user.id });
    expect(jar.cookies.has(SESSION_COOKIE)).toBe(true);
  });

  it("answers a wrong password with 401 and the clear message, and sets no cookie", async () => {
    const user = await account("login-wrong");
    const jar = new MemoryJar();
    const error = await failure(signInWithPassword(jar, { email: user.email, password: "wrong" }, clientIp()));
    expect({ status: error.status, code: error.code, message: error.message }).toEqual({ status: 401, code: "wrong_password", message: WRONG_PASSWORD });
    expect(WRONG_PASSWORD).toBe("That email and password do not match an Inflow account.");
    expect(jar.cookies.size).toBe(0);
  });

  it("answers an unknown email exactly like a wrong password", async () => {
    const jar = new MemoryJar();
    const error = await failure(signInWithPassword(jar, { email: `nobody-${randomUUID()}@test.example`, password: PASSWORD }, clientIp()));
    expect({ status: error.status, code: error.code, message: error.message }).toEqual({ status: 401, code: "wrong_password", message: WRONG_PASSWORD });
    expect(jar.cookies.size).toBe(0);
  });

  it("refuses a user with no password set (e.g. one created by the seed without a hash)", async () => {
    const user = await createUser("login-nohash");
    const error = await failure(signInWithPassword(new MemoryJar(), { email: user.email, password: "" }, clientIp()));
    expect(error.status).toBe(401);
  });
});

describe("sign-in rate limiting", () => {
  it(`answers 429 with Retry-After after ${MAX_FAILURES_PER_EMAIL} failures for one email, even with the right password`, async () => {
    const user = await account("login-limit");
    const ip = clientIp();
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) {
      const error = await failure(signInWithPassword(new MemoryJar(), { email: user.email, password: `wrong-${i}` }, ip));
      expect(error.status).toBe(401);
    }
    // From another address too: the limit is per email.
    for (const from of [ip, clientIp()]) {
      const jar = new MemoryJar();
      const error = await failure(signInWithPassword(jar, { email: user.email, password: PASSWORD }, from));
      expect(error.status).toBe(429);
      expect(error.code).toBe("too_many_attempts");
      expect(error.message).toBe(`Too many failed sign-ins. Try again in ${WINDOW_MINUTES} minutes.`);
      const retryAfter = Number(error.headers["Retry-After"]);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(WINDOW_MINUTES * 60 - 60);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_MINUTES * 60);
      expect(jar.cookies.size).toBe(0);
    }
  });

  it("does not lock out other emails from the same address below the per-client limit", async () => {
    const locked = await account("login-locked");
    const other = await account("login-other");
    const ip = clientIp();
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) await failure(signInWithPassword(new MemoryJar(), { email: locked.email, password: "nope" }, ip));
    expect(await signInWithPassword(new MemoryJar(), { email: other.email, password: PASSWORD }, ip)).toEqual({ userId: other.id });
  });

  it(`answers 429 after ${MAX_FAILURES_PER_CLIENT} failures from one address, whatever the email`, async () => {
    const user = await account("login-client");
    const ip = clientIp();
    await asService(async (db) => {
      for (let i = 0; i < MAX_FAILURES_PER_CLIENT; i++) await recordFailedLogin(db, { email: `guess-${i}-${randomUUID()}@test.example`, clientIp: ip });
    });
    const error = await failure(signInWithPassword(new MemoryJar(), { email: user.email, password: PASSWORD }, ip));
    expect(error.status).toBe(429);
    expect(Number(error.headers["Retry-After"])).toBeGreaterThan(0);
    // The same account from elsewhere is fine.
    expect(await signInWithPassword(new MemoryJar(), { email: user.email, password: PASSWORD }, clientIp())).toEqual({ userId: user.id });
  });

  it("clears an email's failures on success", async () => {
    const user = await account("login-clear");
    const ip = clientIp();
    const failSome = async (n: number) => {
      for (let i = 0; i < n; i++) expect((await failure(signInWithPassword(new MemoryJar(), { email: user.email, password: "nope" }, ip))).status).toBe(401);
    };
    await failSome(MAX_FAILURES_PER_EMAIL - 1);
    expect(await signInWithPassword(new MemoryJar(), { email: user.email, password: PASSWORD }, ip)).toEqual({ userId: user.id });
    const left = await asService(async (db) =>
      (await db.query<{ n: number }>("select count(*)::int as n from inflow_meta.login_attempts where email = $1", [user.email])).rows[0]!.n,
    );
    expect(left).toBe(0);
    // Had they not been cleared, this would add up to more than the limit.
    await failSome(MAX_FAILURES_PER_EMAIL - 1);
    expect(await signInWithPassword(new MemoryJar(), { email: user.email, password: PASSWORD }, ip)).toEqual({ userId: user.id });
  });
});
