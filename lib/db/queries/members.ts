/** The people in a tenant, with their emails (auth.users is read through a membership-checked helper). */
import type { Db } from "@/lib/db/pool";

export interface Member {
  userId: string;
  email: string;
  role: string;
  joinedAt: Date;
}

export async function listMembers(db: Db, params: { tenantId: string }): Promise<Member[]> {
  const { rows } = await db.query<Member>(
    `select user_id as "userId", email, role::text as role, joined_at as "joinedAt"
       from private.members_of($1) order by role, email`,
    [params.tenantId],
  );
  return rows;
}
