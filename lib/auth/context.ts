/**
 * Resolves who is calling and in which tenant: the one place both route handlers and server
 * components get `{ userId, tenantId, role }`. The tenant is the one asked for (header or cookie)
 * if the user belongs to it; a tenant they do not belong to is reported as not found, so its
 * existence is not revealed.
 */
import type { JwtClaims } from "./claims";
import type { Role } from "./permissions";
import { getClaims, type CookieReader } from "./session";
import { withUser } from "@/lib/db/with-user";
import { listMembershipsOfUser, type TenantMembership } from "@/lib/db/queries/memberships";
import { isSessionRevoked } from "@/lib/db/queries/sessions";
import { notFound, unauthorized } from "@/lib/http/errors";

export const TENANT_COOKIE = "inflow-tenant";
export const TENANT_HEADER = "x-inflow-tenant";

export interface TenantContext {
  claims: JwtClaims;
  userId: string;
  tenantId: string;
  tenantSlug: string;
  role: Role;
  memberships: TenantMembership[];
}

export async function resolveTenantContext(jar: CookieReader, requestedSlug?: string | null): Promise<TenantContext> {
  const claims = await getClaims(jar);
  if (!claims) throw unauthorized();
  // A signed-out session's token is still validly signed until it expires: ask in the same transaction.
  const memberships = await withUser(claims, async (db) => {
    if (claims.session_id && (await isSessionRevoked(db, { userId: claims.sub, sessionId: claims.session_id }))) return null;
    return listMembershipsOfUser(db, { userId: claims.sub });
  });
  if (!memberships) throw unauthorized();
  const slug = requestedSlug ?? jar.getAll().find((c) => c.name === TENANT_COOKIE)?.value;
  const chosen = slug ? memberships.find((m) => m.slug === slug) : memberships[0];
  // An explicit header naming a tenant you are not in is a 404; a stale cookie falls back to your first tenant.
  const active = chosen ?? (requestedSlug ? undefined : memberships[0]);
  if (!active) throw notFound("That workspace");
  return { claims, userId: claims.sub, tenantId: active.tenantId, tenantSlug: active.slug, role: active.role, memberships };
}
