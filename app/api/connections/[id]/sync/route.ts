import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { requestSync } from "@/lib/connectors/jobs";

/**
 * Sync now: queues the sync on the job queue and answers 202 at once ({ state: "queued", jobId,
 * connection }); the history (GET …/history) shows it running and what it did. Refused at once with
 * the reason when it could not run: 403 not an admin, 409 paused or already running, 429 the provider
 * asked to wait (Retry-After).
 */
export const POST = tenantRoute<{ id: string }>("connections.manage", async (ctx, params) => {
  const id = z.string().uuid("must be a connection id").parse(params.id);
  return Response.json(await requestSync(ctx, id), { status: 202 });
});
