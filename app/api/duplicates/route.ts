import { tenantRoute } from "@/lib/http/route";
import { listDuplicateQueue, queueQuery } from "@/lib/ingest/duplicates";

/** The reviewers' queue: each held row beside the ledger row it resembles, keyset-paged by id. */
export const GET = tenantRoute("imports.read", async (ctx) => {
  const query = queueQuery.parse(Object.fromEntries(ctx.request.nextUrl.searchParams));
  return Response.json(await listDuplicateQueue(ctx, query));
});
