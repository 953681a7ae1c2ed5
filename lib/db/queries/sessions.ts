/** Signed-out sessions (public.revoked_sessions), run as the user whose session it is. */
import type { Db } from "@/lib/db/pool";

/** Whether the session was signed out: one primary-key probe. */
export async function isSessionRevoked(db: Db, params: { userId: string; sessionId: string }): Promise<boolean> {
  const { rowCount } = await db.query("select 1 from public.revoked_sessions where user_id = $1 and session_id = $2", [params.userId, params.sessionId]);
  return (rowCount ?? 0) > 0;
}

/**
 * Records a sign-out until the token's own expiry, and forgets the user's revocations whose tokens
 * have expired since (nothing else would: the table stays as small as the sessions still alive).
 */
export async function revokeSession(db: Db, params: { userId: string; sessionId: string; expiresAt: Date }): Promise<void> {
  await db.query(
    "insert into public.revoked_sessions (user_id, session_id, expires_at) values ($1, $2, $3) on conflict (user_id, session_id) do nothing",
    [params.userId, params.sessionId, params.expiresAt],
  );
  await db.query("delete from public.revoked_sessions where user_id = $1 and expires_at < now()", [params.userId]);
}
