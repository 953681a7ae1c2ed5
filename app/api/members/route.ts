import { tenantRoute } from "@/lib/http/route";
import { withUser } from "@/lib/db/with-user";
import { listMembers } from "@/lib/db/queries/members";
import { addMember, addMemberInput } from "@/lib/members/manage";

/** The workspace's members with email, role and since when (admins). */
export const GET = tenantRoute("members.manage", async (ctx) => {
  const members = await withUser(ctx.claims, (db) => listMembers(db, { tenantId: ctx.tenantId }));
  return Response.json({ members });
});

/**
 * Adds a person by email with a role. An email without an account: in local-auth mode the account is
 * created and its one-time password answered once (`oneTimePassword`); with Supabase Auth, 501.
 */
export const POST = tenantRoute("members.manage", async (ctx) => {
  const input = addMemberInput.parse(await ctx.request.json().catch(() => ({})));
  return Response.json(await addMember(ctx, input), { status: 201 });
});
