import type { ReactNode } from "react";
import Link from "next/link";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { NAV_ITEMS } from "@/components/nav-items";
import { NavLinks } from "@/components/nav-links";
import { TenantSwitcher } from "@/components/tenant-switcher";
import { SignOutButton } from "@/components/sign-out-button";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const ctx = await pageContext();
  const items = NAV_ITEMS.filter((item) => can(ctx.role, item.permission)).map(({ href, label }) => ({ href, label }));
  return (
    <div className="flex min-h-screen">
      <aside className="flex w-60 shrink-0 flex-col gap-6 border-r border-slate-200 bg-white py-5">
        <Link href="/" className="px-6 text-xl font-semibold tracking-tight text-brand-700">Inflow</Link>
        <TenantSwitcher current={ctx.tenantSlug} options={ctx.memberships.map((m) => ({ slug: m.slug, name: m.name, role: m.role }))} />
        <div className="px-3"><NavLinks items={items} /></div>
        <div className="mt-auto space-y-1 px-6 text-sm">
          <div className="truncate text-slate-700" title={ctx.claims.email}>{ctx.claims.email}</div>
          <div className="text-xs text-slate-500" data-testid="current-role">Role: {ctx.role}</div>
          <SignOutButton />
        </div>
      </aside>
      <main className="min-w-0 flex-1 px-8 py-8">{children}</main>
    </div>
  );
}
