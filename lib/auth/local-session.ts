/**
 * Local sessions (Supabase not configured): a JWT with the Supabase claim shape, signed HS256 and kept
 * in an httpOnly cookie. The key comes from INFLOW_JWT_SECRET, else one generated under .data/secrets.
 */
import fs from "node:fs";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT, jwtVerify } from "jose";
import { dataDir, env } from "@/lib/env";
import { jwtClaims, type JwtClaims } from "./claims";

export const SESSION_COOKIE = "inflow-session";
export const SESSION_SECONDS = 8 * 60 * 60;

let key: Uint8Array | undefined;

function signingKey(): Uint8Array {
  if (key) return key;
  let secret = env().INFLOW_JWT_SECRET;
  if (!secret) {
    const file = dataDir("secrets", "jwt-secret");
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // "wx" fails if another process created it first; then we read theirs.
      try {
        fs.writeFileSync(file, randomBytes(48).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
    secret = fs.readFileSync(file, "utf8").trim();
  }
  key = new TextEncoder().encode(secret);
  return key;
}

/** Each token gets a session id of its own, so signing out can revoke exactly it. */
export async function createSessionToken(claims: JwtClaims): Promise<string> {
  return new SignJWT({ ...claims, session_id: claims.session_id ?? randomUUID() })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(`${SESSION_SECONDS}s`)
    .sign(signingKey());
}

/**
 * The claims of a valid, unexpired token, or null for anything else — a token without a session id
 * too, since signing out could not revoke it. Whether the session was signed out is asked of the
 * database by the caller (lib/auth/context.ts), in the transaction it opens anyway.
 */
export async function verifySessionToken(token: string): Promise<JwtClaims | null> {
  try {
    const { payload } = await jwtVerify(token, signingKey(), { algorithms: ["HS256"] });
    const parsed = jwtClaims.safeParse(payload);
    return parsed.success && parsed.data.session_id ? parsed.data : null;
  } catch {
    return null;
  }
}
