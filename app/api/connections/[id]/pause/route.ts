import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { pauseConnection } from "@/lib/connectors/jobs";

/** Pauses the connection (admins): no scheduled sync, retry or "Sync now" until resumed. Answers the connection. */
export const POST = tenantRoute<{ id: string }>("connections.manage", async (ctx, params) => {
  const id = z.string().uuid("must be a connection id").parse(params.id);
  return Response.json(await pauseConnection(ctx, id));
});
