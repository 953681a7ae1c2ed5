/**
 * Managing who belongs to a tenant (admins): add a person by email with a role, change a role, remove
 * someone. The last admin can be neither demoted nor removed (409). Every change is audited in its own
 * transaction. Membership rows are written as the admin (RLS: only admins may); only finding or
 * creating the person's auth.users row uses the service path (auth.users is not tenant data).
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { TenantContext } from "@/lib/auth/context";
import { hashPassword } from "@/lib/auth/password";
import { ROLES, type Role } from "@/lib/auth/permissions";
import { writeAudit } from "@/lib/db/queries/audit";
import {
  deleteMembership,
  findMember,
  insertMembership,
  lockAdminCount,
  updateMembershipRole,
  type Member,
} from "@/lib/db/queries/members";
import { withService } from "@/lib/db/service";
import { withUser } from "@/lib/db/with-user";
import { supabaseConfigured } from "@/lib/env";
import { AppError, notFound } from "@/lib/http/errors";

const role = z.enum(ROLES, "must be one of admin, reviewer, uploader, viewer");

export const addMemberInput = z.object({
  email: z.string().trim().toLowerCase().email("Enter an email address such as name@company.com"),
  role,
});
export const changeRoleInput = z.object({ role });

export interface AddedMember {
  member: Member;
  /** Only when a new local account was created: shown once to the admin, never stored in clear. */
  oneTimePassword?: string;
}

const LAST_ADMIN = "This is the workspace's last admin. Make someone else an admin first.";

/** Finds the person's account, or creates it (local auth only) with a one-time random password. */
async function findOrCreateUser(email: string): Promise<{ userId: string; oneTimePassword?: string }> {
  const existing = await withService(async (db) => {
    const { rows } = await db.query<{ id: string }>("select id from auth.users where lower(email) = $1", [email]);
    return rows[0]?.id;
  });
  if (existing) return { userId: existing };
  if (supabaseConfigured()) {
    throw new AppError(
      501,
      "not_implemented",
      `${email} has no Inflow account yet. With Supabase sign-in, accounts are created in Supabase Auth: invite the person there first, then add them here.`,
    );
  }
  const oneTimePassword = randomBytes(12).toString("base64url");
  const hash = await hashPassword(oneTimePassword);
  const userId = await withService(async (db) => {
    // on conflict: someone created the same email a moment ago; use that account and no password.
    const { rows } = await db.query<{ id: string; created: boolean }>(
      `insert into auth.users (email, encrypted_password) values ($1, $2)
       on conflict (email) do update set email = excluded.email
       returning id, (xmax = 0) as created`,
      [email, hash],
    );
    return rows[0]!;
  });
  return userId.created ? { userId: userId.id, oneTimePassword } : { userId: userId.id };
}

export async function addMember(ctx: TenantContext, input: z.infer<typeof addMemberInput>): Promise<AddedMember> {
  const alreadyIn = await withUser(ctx.claims, (db) =>
    db.query<{ n: number }>("select count(*)::int as n from private.members_of($1) where lower(email) = $2", [ctx.tenantId, input.email]),
  );
  if ((alreadyIn.rows[0]?.n ?? 0) > 0) throw new AppError(409, "already_member", `${input.email} is already a member of this workspace.`);
  const { userId, oneTimePassword } = await findOrCreateUser(input.email);
  const member = await withUser(ctx.claims, async (db) => {
    if (!(await insertMembership(db, { tenantId: ctx.tenantId, userId, role: input.role }))) {
      throw new AppError(409, "already_member", `${input.email} is already a member of this workspace.`);
    }
    await writeAudit(db, {
      tenantId: ctx.tenantId,
      action: "member.add",
      entity: "member",
      entityId: userId,
      after: { email: input.email, role: input.role },
      details: { accountCreated: Boolean(oneTimePassword) },
    });
    return findMember(db, { tenantId: ctx.tenantId, userId });
  });
  return { member: member!, ...(oneTimePassword ? { oneTimePassword } : {}) };
}

export async function changeRole(ctx: TenantContext, userId: string, newRole: Role): Promise<Member> {
  return withUser(ctx.claims, async (db) => {
    const admins = await lockAdminCount(db, { tenantId: ctx.tenantId });
    const member = await findMember(db, { tenantId: ctx.tenantId, userId });
    if (!member) throw notFound("That member");
    if (member.role === newRole) return member;
    if (member.role === "admin" && admins <= 1) throw new AppError(409, "last_admin", LAST_ADMIN);
    await updateMembershipRole(db, { tenantId: ctx.tenantId, userId, role: newRole });
    await writeAudit(db, {
      tenantId: ctx.tenantId,
      action: "member.role",
      entity: "member",
      entityId: userId,
      before: { email: member.email, role: member.role },
      after: { email: member.email, role: newRole },
    });
    return { ...member, role: newRole };
  });
}

export async function removeMember(ctx: TenantContext, userId: string): Promise<void> {
  await withUser(ctx.claims, async (db) => {
    const admins = await lockAdminCount(db, { tenantId: ctx.tenantId });
    const member = await findMember(db, { tenantId: ctx.tenantId, userId });
    if (!member) throw notFound("That member");
    if (member.role === "admin" && admins <= 1) throw new AppError(409, "last_admin", LAST_ADMIN);
    await deleteMembership(db, { tenantId: ctx.tenantId, userId });
    await writeAudit(db, {
      tenantId: ctx.tenantId,
      action: "member.remove",
      entity: "member",
      entityId: userId,
      before: { email: member.email, role: member.role },
    });
  });
}
