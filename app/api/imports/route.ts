import { tenantRoute } from "@/lib/http/route";
import { receiveUpload } from "@/lib/ingest/upload";

/** Streams one file into the raw store and queues its parse; answers at once with the import id. */
export const POST = tenantRoute("imports.create", async (ctx) => {
  const result = await receiveUpload(ctx, ctx.request);
  return Response.json(result, { status: 202 });
});
