import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { getConnection } from "@/lib/db/queries/connections";
import { withUser } from "@/lib/db/with-user";
import { NotAllowed } from "@/components/ui";
import { ConnectionDetail } from "@/components/connection-detail";

export const metadata: Metadata = { title: "Connection" };

export default async function ConnectionPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await pageContext();
  if (!can(ctx.role, "connections.manage")) return <NotAllowed what="managing connections" />;
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const row = await withUser(ctx.claims, (db) => getConnection(db, { tenantId: ctx.tenantId, id }));
  if (!row) notFound();
  return <ConnectionDetail id={id} name={row.name} />;
}
