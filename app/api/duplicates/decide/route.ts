import { tenantRoute } from "@/lib/http/route";
import { notFound } from "@/lib/http/errors";
import { decideBody, decideDuplicates, nothingDecidedMessage } from "@/lib/ingest/duplicates";

/**
 * Approves or rejects duplicates in one transaction. A candidate someone else decided first is listed
 * in `alreadyDecided`; 409 when none could be decided, 404 when none is in this workspace.
 */
export const POST = tenantRoute("duplicates.decide", async (ctx) => {
  const body = decideBody.parse(await ctx.request.json().catch(() => ({})));
  const result = await decideDuplicates(ctx, body);
  if (result.decided.length > 0) return Response.json(result);
  if (result.alreadyDecided.length === 0) throw notFound(body.ids.length === 1 ? "That duplicate" : "Those duplicates");
  return Response.json({ ...result, error: { code: "already_decided", message: nothingDecidedMessage(result) } }, { status: 409 });
});
