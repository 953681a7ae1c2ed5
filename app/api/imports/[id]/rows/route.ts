import { z } from "zod";
import { ROW_STATUSES } from "@/lib/db/queries/staged-rows";
import { idParam } from "@/lib/http/params";
import { tenantRoute } from "@/lib/http/route";
import { reviewRows } from "@/lib/ingest/review";

const query = z.object({
  status: z.enum([...ROW_STATUSES, "warnings"]).optional(),
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/** Staged rows, keyset-paged on the row number: `?status=…&after=<rowNo>&limit=…` → `{ rows, nextAfter }`. */
export const GET = tenantRoute<{ id: string }>("imports.read", async (ctx, params) => {
  const id = idParam(params.id, "That import");
  const { status, after, limit } = query.parse(Object.fromEntries(ctx.request.nextUrl.searchParams));
  return Response.json(await reviewRows(ctx, id, { ...(status ? { filter: status } : {}), after, limit }));
});
