import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { replaceCredentials } from "@/lib/connectors/manage";

/**
 * Replaces the connection's credentials (admins): { secrets }, all of them, checked like new ones,
 * encrypted, never answered back (the answer is the connection, as every other route gives it).
 */
export const PUT = tenantRoute<{ id: string }>("connections.manage", async (ctx, params) => {
  const id = z.string().uuid("must be a connection id").parse(params.id);
  const body: unknown = await ctx.request.json().catch(() => null);
  return Response.json(await replaceCredentials(ctx, id, body));
});
