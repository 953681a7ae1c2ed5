import { z } from "zod";
import { idParam } from "@/lib/http/params";
import { tenantRoute } from "@/lib/http/route";
import { reviewIssues } from "@/lib/ingest/review";

const query = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/** The import's own issues (those on no row's line), paged: `{ issues, nextAfter }`. */
export const GET = tenantRoute<{ id: string }>("imports.read", async (ctx, params) => {
  const id = idParam(params.id, "That import");
  const { after, limit } = query.parse(Object.fromEntries(ctx.request.nextUrl.searchParams));
  return Response.json(await reviewIssues(ctx, id, { after, limit }));
});
