import type { Metadata } from "next";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { withUser } from "@/lib/db/with-user";
import { listMembers } from "@/lib/db/queries/members";
import { Card, NotAllowed, PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const ctx = await pageContext();
  if (!can(ctx.role, "members.manage")) return <NotAllowed what="managing members" />;
  const members = await withUser(ctx.claims, (db) => listMembers(db, { tenantId: ctx.tenantId }));
  return (
    <>
      <PageHeader title="Members" description="People in this workspace and what each may do." />
      <Card className="overflow-x-auto">
        <table className="min-w-full text-sm" aria-label="Members">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr><th className="px-4 py-2">Email</th><th className="px-4 py-2">Role</th><th className="px-4 py-2">Since</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {members.map((m) => (
              <tr key={m.userId}>
                <td className="px-4 py-2">{m.email}</td>
                <td className="px-4 py-2">{m.role}</td>
                <td className="px-4 py-2 text-slate-600">{m.joinedAt.toISOString().slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </>
  );
}
