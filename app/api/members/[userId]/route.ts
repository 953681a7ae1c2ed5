import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { notFound } from "@/lib/http/errors";
import { changeRole, changeRoleInput, removeMember } from "@/lib/members/manage";

const userId = z.string().uuid();

function memberId(raw: string): string {
  const parsed = userId.safeParse(raw);
  if (!parsed.success) throw notFound("That member");
  return parsed.data;
}

/** Changes a member's role; 409 when it would leave the workspace without an admin. */
export const PATCH = tenantRoute<{ userId: string }>("members.manage", async (ctx, params) => {
  const id = memberId(params.userId);
  const { role } = changeRoleInput.parse(await ctx.request.json().catch(() => ({})));
  return Response.json({ member: await changeRole(ctx, id, role) });
});

/** Removes a member from the workspace (their account stays); 409 for the last admin. */
export const DELETE = tenantRoute<{ userId: string }>("members.manage", async (ctx, params) => {
  await removeMember(ctx, memberId(params.userId));
  return new Response(null, { status: 204 });
});
