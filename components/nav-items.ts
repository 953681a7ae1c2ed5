import type { Permission } from "@/lib/auth/permissions";

export interface NavItem {
  href: string;
  label: string;
  permission: Permission;
}

/** The navigation, in order; each role sees only the items its permissions allow. */
export const NAV_ITEMS: NavItem[] = [
  { href: "/", label: "Overview", permission: "ledger.read" },
  { href: "/upload", label: "Upload", permission: "imports.create" },
  { href: "/imports", label: "Imports", permission: "imports.read" },
  { href: "/transactions", label: "Transactions", permission: "ledger.read" },
  { href: "/duplicates", label: "Duplicate review", permission: "duplicates.decide" },
  { href: "/accounts", label: "Accounts", permission: "ledger.read" },
  { href: "/connections", label: "Connections", permission: "connections.manage" },
  { href: "/members", label: "Members", permission: "members.manage" },
  { href: "/audit", label: "Audit log", permission: "audit.read" },
];
