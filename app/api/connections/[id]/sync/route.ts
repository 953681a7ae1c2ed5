import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { syncConnection } from "@/lib/connectors/sync";

/**
 * Sync now. For the time being the sync runs inside this request and answers when it is done: 200
 * with what each file became, or 502 with the provider's error (and what was imported before it).
 */
export const POST = tenantRoute<{ id: string }>("connections.manage", async (ctx, params) => {
  const id = z.string().uuid("must be a connection id").parse(params.id);
  const result = await syncConnection(ctx, id);
  return Response.json(result, { status: result.ok ? 200 : 502 });
});
