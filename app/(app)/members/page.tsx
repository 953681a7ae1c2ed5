import type { Metadata } from "next";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { withUser } from "@/lib/db/with-user";
import { listMembers } from "@/lib/db/queries/members";
import { NotAllowed, PageHeader } from "@/components/ui";
import { MembersManager } from "./members-manager";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const ctx = await pageContext();
  if (!can(ctx.role, "members.manage")) return <NotAllowed what="managing members" />;
  const members = await withUser(ctx.claims, (db) => listMembers(db, { tenantId: ctx.tenantId }));
  return (
    <>
      <PageHeader title="Members" description="People in this workspace and what each may do. Every change is recorded in the audit log." />
      <MembersManager initial={members.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() }))} currentUserId={ctx.userId} />
    </>
  );
}
