import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { testConnection } from "@/lib/connectors/service";

/** "Test connection": { ok, message } with the provider's own answer in plain words; changes nothing. */
export const POST = tenantRoute<{ id: string }>("connections.manage", async (ctx, params) => {
  const id = z.string().uuid("must be a connection id").parse(params.id);
  return Response.json(await testConnection(ctx, id));
});
