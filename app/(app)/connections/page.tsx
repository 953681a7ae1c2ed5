import type { Metadata } from "next";
import Link from "next/link";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { NotAllowed, PageHeader } from "@/components/ui";
import { ConnectionList } from "@/components/connection-list";
import { ConnectionNotifications } from "@/components/connection-notifications";

export const metadata: Metadata = { title: "Connections" };

export default async function ConnectionsPage() {
  const ctx = await pageContext();
  if (!can(ctx.role, "connections.manage")) return <NotAllowed what="managing connections" />;
  return (
    <>
      <PageHeader
        title="Connections"
        description="SFTP folders, banks and payment providers synced into the same import steps as uploads: each sync is an import you can review."
        actions={<Link href="/connections/new" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white">Add a connection</Link>}
      />
      <ConnectionList />
      <ConnectionNotifications />
    </>
  );
}
