import { tenantRoute } from "@/lib/http/route";
import { createConnection, listConnectionViews } from "@/lib/connectors/service";

/** The tenant's connections with their health; every member may see them, never their credentials. */
export const GET = tenantRoute("imports.read", async (ctx) => Response.json({ rows: await listConnectionViews(ctx) }));

/** Creates a connection: { name, type, schedule, config, secrets }. Credentials are encrypted and never answered back. */
export const POST = tenantRoute("connections.manage", async (ctx) => {
  const body: unknown = await ctx.request.json().catch(() => null);
  return Response.json(await createConnection(ctx, body), { status: 201 });
});
