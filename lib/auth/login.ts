/** Password sign-in for both auth backends, with rate limiting and one clear message for a wrong password. */
import { z } from "zod";
import { withService } from "@/lib/db/service";
import { supabaseConfigured } from "@/lib/env";
import { AppError } from "@/lib/http/errors";
import { claimsFor } from "./claims";
import { verifyPassword } from "./password";
import { clearFailedLogins, recordFailedLogin, secondsUntilLoginAllowed } from "./rate-limit";
import { startLocalSession, supabaseSignIn, type CookieJar } from "./session";

export const loginInput = z.object({
  email: z.string().trim().toLowerCase().email("Enter an email address such as you@company.com"),
  password: z.string().min(1, "Enter your password"),
});

export const WRONG_PASSWORD = "That email and password do not match an Inflow account.";

export async function signInWithPassword(jar: CookieJar, input: z.infer<typeof loginInput>, clientIp: string): Promise<{ userId: string }> {
  const who = { email: input.email, clientIp };
  const wait = await withService((db) => secondsUntilLoginAllowed(db, who));
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60);
    throw new AppError(429, "too_many_attempts", `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, {
      "Retry-After": String(wait),
    });
  }

  const userId = supabaseConfigured() ? await viaSupabase(jar, input) : await viaLocalAccount(jar, input);
  if (!userId) {
    await withService((db) => recordFailedLogin(db, who));
    throw new AppError(401, "wrong_password", WRONG_PASSWORD);
  }
  await withService((db) => clearFailedLogins(db, who));
  return { userId };
}

async function viaSupabase(jar: CookieJar, input: z.infer<typeof loginInput>): Promise<string | null> {
  const result = await supabaseSignIn(jar, input.email, input.password);
  return result.ok ? result.userId : null;
}

async function viaLocalAccount(jar: CookieJar, input: z.infer<typeof loginInput>): Promise<string | null> {
  const user = await withService(async (db) => {
    const { rows } = await db.query<{ id: string; encrypted_password: string | null }>(
      "select id, encrypted_password from auth.users where lower(email) = $1",
      [input.email],
    );
    return rows[0];
  });
  // Compare against a real hash even for unknown emails, so timing does not reveal which emails exist.
  const hash = user?.encrypted_password ?? "$2b$10$CwTycUXWue0Thq9StjUM0uJ8.6V6rM1O8x0oQ7o7F6k0bKQbCzG7e";
  const ok = await verifyPassword(input.password, hash);
  if (!user || !ok) return null;
  await startLocalSession(jar, claimsFor(user.id, input.email));
  return user.id;
}
