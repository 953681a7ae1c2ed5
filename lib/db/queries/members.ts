/** The people in a tenant, with their emails (auth.users is read through a membership-checked helper). */
import type { Db } from "@/lib/db/pool";
import type { Role } from "@/lib/auth/permissions";

export interface Member {
  userId: string;
  email: string;
  role: Role;
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

export async function findMember(db: Db, params: { tenantId: string; userId: string }): Promise<Member | undefined> {
  const { rows } = await db.query<Member>(
    `select user_id as "userId", email, role::text as role, joined_at as "joinedAt"
       from private.members_of($1) where user_id = $2::uuid`,
    [params.tenantId, params.userId],
  );
  return rows[0];
}

/**
 * Locks the tenant's memberships (admins may update them) and answers how many admins there are, so two
 * admins demoting each other at once cannot leave the tenant without one.
 */
export async function lockAdminCount(db: Db, params: { tenantId: string }): Promise<number> {
  const { rows } = await db.query<{ role: string }>("select role::text as role from public.memberships where tenant_id = $1 for update", [params.tenantId]);
  return rows.filter((r) => r.role === "admin").length;
}

export async function insertMembership(db: Db, params: { tenantId: string; userId: string; role: Role }): Promise<boolean> {
  const { rowCount } = await db.query(
    "insert into public.memberships (tenant_id, user_id, role) values ($1, $2, $3) on conflict (tenant_id, user_id) do nothing",
    [params.tenantId, params.userId, params.role],
  );
  return rowCount === 1;
}

export async function updateMembershipRole(db: Db, params: { tenantId: string; userId: string; role: Role }): Promise<void> {
  await db.query("update public.memberships set role = $3 where tenant_id = $1 and user_id = $2", [params.tenantId, params.userId, params.role]);
}

export async function deleteMembership(db: Db, params: { tenantId: string; userId: string }): Promise<void> {
  await db.query("delete from public.memberships where tenant_id = $1 and user_id = $2", [params.tenantId, params.userId]);
}
