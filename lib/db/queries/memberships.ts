/** Memberships: which tenants a user belongs to, with which role. */
import type { Db } from "@/lib/db/pool";
import { isRole, type Role } from "@/lib/auth/permissions";

export interface TenantMembership {
  tenantId: string;
  slug: string;
  name: string;
  role: Role;
}

/** The user's tenants, oldest membership first (the default tenant). RLS also limits the rows. */
export async function listMembershipsOfUser(db: Db, params: { userId: string }): Promise<TenantMembership[]> {
  const { rows } = await db.query<{ tenant_id: string; slug: string; name: string; role: string }>(
    `select m.tenant_id, t.slug, t.name, m.role::text as role
       from public.memberships m join public.tenants t on t.id = m.tenant_id
      where m.user_id = $1
      order by m.created_at, t.slug`,
    [params.userId],
  );
  return rows.flatMap((r) => (isRole(r.role) ? [{ tenantId: r.tenant_id, slug: r.slug, name: r.name, role: r.role }] : []));
}
