import type { Metadata } from "next";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { NotAllowed, PageHeader } from "@/components/ui";
import { AuditLog } from "@/components/audit-log";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditLogPage() {
  const ctx = await pageContext();
  if (!can(ctx.role, "audit.read")) return <NotAllowed what="viewing the audit log" />;
  return (
    <>
      <PageHeader title="Audit log" description="Every action in this workspace, newest first: who, when, and what changed." />
      <AuditLog />
    </>
  );
}
