/**
 * The demo tenant: slug `demo`, one user per role, a few internal accounts, and a second tenant
 * (`northwind`) where the admin is only a viewer, so the tenant switcher has something to switch.
 * Idempotent: running it again changes nothing but the demo passwords.
 */
import type pg from "pg";
import { hashPassword } from "@/lib/auth/password";

export const DEMO_USERS = [
  { email: "admin@example.com", role: "admin" },
  { email: "reviewer@example.com", role: "reviewer" },
  { email: "uploader@example.com", role: "uploader" },
  { email: "viewer@example.com", role: "viewer" },
] as const;

export type DemoRole = (typeof DEMO_USERS)[number]["role"];

async function upsertTenant(db: pg.ClientBase, slug: string, name: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into public.tenants (slug, name) values ($1, $2)
     on conflict (slug) do update set name = excluded.name returning id`,
    [slug, name],
  );
  return rows[0]!.id;
}

async function upsertUser(db: pg.ClientBase, email: string, passwordHash: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into auth.users (email, encrypted_password) values ($1, $2)
     on conflict (email) do update set encrypted_password = excluded.encrypted_password, updated_at = now() returning id`,
    [email, passwordHash],
  );
  return rows[0]!.id;
}

async function addMember(db: pg.ClientBase, tenantId: string, userId: string, role: string): Promise<void> {
  await db.query(
    `insert into public.memberships (tenant_id, user_id, role) values ($1, $2, $3)
     on conflict (tenant_id, user_id) do update set role = excluded.role`,
    [tenantId, userId, role],
  );
}

async function addAccount(db: pg.ClientBase, tenantId: string, name: string, number: string, currency: string, kind: string): Promise<void> {
  await db.query(
    `insert into public.accounts (tenant_id, name, number, currency, kind) values ($1, $2, $3, $4, $5)
     on conflict (tenant_id, name) do nothing`,
    [tenantId, name, number, currency, kind],
  );
}

export async function seedDemo(db: pg.ClientBase, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  const demo = await upsertTenant(db, "demo", "Demo Company");
  const northwind = await upsertTenant(db, "northwind", "Northwind Traders");
  for (const { email, role } of DEMO_USERS) {
    const userId = await upsertUser(db, email, passwordHash);
    await addMember(db, demo, userId, role);
    if (role === "admin") await addMember(db, northwind, userId, "viewer");
  }
  await addAccount(db, demo, "Operating account", "10200123456", "USD", "bank");
  await addAccount(db, demo, "M-Pesa till", "600123", "KES", "mobile_money");
  await addAccount(db, northwind, "Northwind checking", "000012345678", "USD", "bank");
}
