import { tenantRoute } from "@/lib/http/route";
import { notFound } from "@/lib/http/errors";
import { nothingUndoneMessage, undoBody, undoDuplicateDecisions } from "@/lib/ingest/duplicates";

/** Takes back the caller's own decisions of the last minutes; 409 when none of them can be undone. */
export const POST = tenantRoute("duplicates.decide", async (ctx) => {
  const body = undoBody.parse(await ctx.request.json().catch(() => ({})));
  const result = await undoDuplicateDecisions(ctx, body);
  if (result.undone.length > 0) return Response.json(result);
  if (result.notUndone.length === 0) throw notFound(body.ids.length === 1 ? "That duplicate" : "Those duplicates");
  return Response.json({ ...result, error: { code: "not_undoable", message: nothingUndoneMessage(result) } }, { status: 409 });
});
