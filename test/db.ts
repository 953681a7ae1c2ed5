/**
 * Database test helpers: make tenants and users on the real test database (service path), and act as
 * a given user (withUser, RLS enforced) or as the anonymous caller.
 */
import { randomUUID } from "node:crypto";
import { claimsFor, type JwtClaims } from "@/lib/auth/claims";
import type { Role } from "@/lib/auth/permissions";
import { withService } from "@/lib/db/service";
import { withAnon, withUser } from "@/lib/db/with-user";
import type { Db } from "@/lib/db/pool";

export interface TestUser {
  id: string;
  email: string;
  claims: JwtClaims;
}

export interface TestTenant {
  id: string;
  slug: string;
  members: Record<Role, TestUser>;
}

export async function createUser(label: string): Promise<TestUser> {
  const email = `${label}-${randomUUID().slice(0, 8)}@test.example`;
  const id = await withService(async (db) => {
    const { rows } = await db.query<{ id: string }>("insert into auth.users (email) values ($1) returning id", [email]);
    return rows[0]!.id;
  });
  return { id, email, claims: claimsFor(id, email) };
}

/** A tenant with one member per role. */
export async function createTenant(label: string): Promise<TestTenant> {
  const slug = `${label}-${randomUUID().slice(0, 8)}`;
  const id = await withService(async (db) => {
    const { rows } = await db.query<{ id: string }>("insert into public.tenants (slug, name) values ($1, $2) returning id", [slug, label]);
    return rows[0]!.id;
  });
  const members = {} as Record<Role, TestUser>;
  for (const role of ["admin", "reviewer", "uploader", "viewer"] as const) {
    const user = await createUser(`${label}-${role}`);
    await withService((db) => db.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, $3)", [id, user.id, role]));
    members[role] = user;
  }
  return { id, slug, members };
}

export const asUser = <T>(user: TestUser, fn: (db: Db) => Promise<T>) => withUser(user.claims, fn);
export const asAnon = <T>(fn: (db: Db) => Promise<T>) => withAnon(fn);
export const asService = <T>(fn: (db: Db) => Promise<T>) => withService(fn);
