import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { connectionDetail, updateConnection } from "@/lib/connectors/manage";

/**
 * One connection (admins): settings and health, and for a provider that pushes to Inflow (M-Pesa)
 * the callback addresses to register with it. Never the credentials; the addresses are in no list.
 */
export const GET = tenantRoute<{ id: string }>("connections.manage", async (ctx, params) => {
  const id = z.string().uuid("must be a connection id").parse(params.id);
  return Response.json(await connectionDetail(ctx, id));
});

/** Changes { name?, schedule?, config? } (config whole, as when creating; clears the cursor when it changes). Credentials: …/credentials. */
export const PATCH = tenantRoute<{ id: string }>("connections.manage", async (ctx, params) => {
  const id = z.string().uuid("must be a connection id").parse(params.id);
  const body: unknown = await ctx.request.json().catch(() => null);
  return Response.json(await updateConnection(ctx, id, body));
});
