/**
 * What each tenant role may do: the one place the app decides it. RLS policies in
 * supabase/migrations enforce the same rules inside Postgres; this table drives the API wrapper
 * (403 before any work) and what the navigation shows.
 */
export const ROLES = ["admin", "reviewer", "uploader", "viewer"] as const;
export type Role = (typeof ROLES)[number];

const EVERYONE: readonly Role[] = ROLES;

export const PERMISSIONS = {
  "ledger.read": EVERYONE,
  "imports.read": EVERYONE,
  "imports.create": ["admin", "uploader"],
  "duplicates.decide": ["admin", "reviewer"],
  "accounts.manage": ["admin"],
  "members.manage": ["admin"],
  "connections.manage": ["admin"],
  "audit.read": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
