import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { connectionHistory } from "@/lib/connectors/jobs";

/** The connection's health, whether a sync is queued or running, and its last syncs with their imports and metrics (admins). */
export const GET = tenantRoute<{ id: string }>("connections.manage", async (ctx, params) => {
  const id = z.string().uuid("must be a connection id").parse(params.id);
  return Response.json(await connectionHistory(ctx, id));
});
