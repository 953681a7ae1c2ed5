/**
 * The JWT claim shape Supabase issues and PostgREST hands to Postgres. Local sessions use the same
 * shape, so `auth.uid()` and `auth.jwt()` behave identically on both.
 */
import { z } from "zod";

export const jwtClaims = z.object({
  sub: z.string().uuid(),
  email: z.string().email().optional(),
  role: z.literal("authenticated"),
  aud: z.string().default("authenticated"),
  iat: z.number().int().optional(),
  exp: z.number().int().optional(),
  /** One per sign-in (Supabase's access tokens carry it too): what signing out revokes (public.revoked_sessions). */
  session_id: z.string().uuid().optional(),
});

export type JwtClaims = z.infer<typeof jwtClaims>;

export function claimsFor(userId: string, email?: string): JwtClaims {
  return { sub: userId, email, role: "authenticated", aud: "authenticated" };
}
