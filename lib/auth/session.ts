/**
 * The session interface: who is calling. Supabase Auth (getClaims, never getSession) when configured,
 * local JWT cookies otherwise. Nothing outside lib/auth knows which one is live.
 */
import { env, supabaseConfigured } from "@/lib/env";
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

export async function signOut(jar: CookieJar): Promise<void> {
  if (supabaseConfigured()) await (await supabaseFor(jar)).auth.signOut();
  jar.set(SESSION_COOKIE, "", sessionCookieOptions(0));
}
