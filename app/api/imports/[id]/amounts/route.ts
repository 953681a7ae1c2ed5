import { idParam } from "@/lib/http/params";
import { tenantRoute } from "@/lib/http/route";
import { reviewAmounts } from "@/lib/ingest/review";

/** Amounts over time of the import's readable rows, for the review page's chart: `{ currency, unit, buckets, otherCurrencies }`. */
export const GET = tenantRoute<{ id: string }>("imports.read", async (ctx, params) => {
  const id = idParam(params.id, "That import");
  return Response.json(await reviewAmounts(ctx, id));
});
