/**
 * The session interface: who is calling. Supabase Auth (getClaims, never getSession) when configured,
 * local JWT cookies otherwise. Nothing outside lib/auth knows which one is live.
 */
import { env, supabaseConfigured } from "@/lib/env";
import { withUser } from "@/lib/db/with-user";
import { serverRealtime } from "@/lib/supabase";
import { revokeSession } from "@/lib/db/queries/sessions";
import { jwtClaims, type JwtClaims } from "./claims";
import { SESSION_COOKIE, SESSION_SECONDS, createSessionToken, verifySessionToken } from "./local-session";

/** Reading cookies is all that identifying the caller needs. */
export interface CookieReader {
  getAll(): { name: string; value: string }[];
}

/** Signing in and out also writes cookies. */
export interface CookieJar extends CookieReader {
  set(name: string, value: string, options: CookieOptions): void;
}

export interface CookieOptions {
  httpOnly?: boolean;
  sameSite?: "lax" | "strict" | "none";
  secure?: boolean;
  path?: string;
  maxAge?: number;
}

export function sessionCookieOptions(maxAge: number): CookieOptions {
  const e = env();
  return { httpOnly: true, sameSite: "lax", secure: e.NODE_ENV === "production" && e.INFLOW_INSECURE_COOKIES !== "1", path: "/", maxAge };
}

/** Loaded only when Supabase is configured, so the local default never loads its client. */
async function supabaseFor(jar: CookieReader & Partial<CookieJar>) {
  const { createServerClient } = await import("@supabase/ssr");
  const e = env();
  return createServerClient(e.NEXT_PUBLIC_SUPABASE_URL!, e.NEXT_PUBLIC_SUPABASE_ANON_KEY!, {
    realtime: serverRealtime,
    cookies: {
      getAll: () => jar.getAll(),
      setAll: (cookies) => {
        for (const c of cookies) jar.set?.(c.name, c.value, c.options as CookieOptions);
      },
    },
  });
}

export async function getClaims(jar: CookieReader): Promise<JwtClaims | null> {
  if (supabaseConfigured()) {
    const { data, error } = await (await supabaseFor(jar)).auth.getClaims();
    if (error || !data) return null;
    const parsed = jwtClaims.safeParse(data.claims);
    return parsed.success ? parsed.data : null;
  }
  const token = jar.getAll().find((c) => c.name === SESSION_COOKIE)?.value;
  return token ? verifySessionToken(token) : null;
}

/** Starts a session for a user whose password was already verified (local mode). */
export async function startLocalSession(jar: CookieJar, claims: JwtClaims): Promise<void> {
  jar.set(SESSION_COOKIE, await createSessionToken(claims), sessionCookieOptions(SESSION_SECONDS));
}

/** Supabase mode: signs in through Supabase Auth, which sets its own cookies on the jar. */
export async function supabaseSignIn(jar: CookieJar, email: string, password: string): Promise<{ ok: true; userId: string } | { ok: false }> {
  const { data, error } = await (await supabaseFor(jar)).auth.signInWithPassword({ email, password });
  return error || !data.user ? { ok: false } : { ok: true, userId: data.user.id };
}

/**
 * Ends the caller's session on the server, not only in the browser: its session id is recorded as
 * revoked until the token would expire, so a copy of the cookie kept from before is refused
 * (lib/auth/context.ts). With Supabase, its signOut also revokes the refresh token — scope "local",
 * this browser's session only, as local sessions do (Supabase's default, "global", would sign the user
 * out on every device) — while the access token it cannot revoke is listed here like a local one.
 */
export async function signOut(jar: CookieJar): Promise<void> {
  const claims = await getClaims(jar);
  if (supabaseConfigured()) await (await supabaseFor(jar)).auth.signOut({ scope: "local" });
  if (claims?.session_id) {
    const { sub: userId, session_id: sessionId } = claims;
    // A token without exp (not one Inflow or Supabase issues) is remembered for the longest a local one lives.
    const expiresAt = new Date(claims.exp ? claims.exp * 1000 : Date.now() + SESSION_SECONDS * 1000);
    await withUser(claims, (db) => revokeSession(db, { userId, sessionId, expiresAt }));
  }
  jar.set(SESSION_COOKIE, "", sessionCookieOptions(0));
}
