import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { withUser } from "@/lib/db/with-user";
import { listImports } from "@/lib/db/queries/imports";
import { receiveUpload } from "@/lib/ingest/upload";

/** Streams one file into the raw store and queues its parse; answers at once with the import id. */
export const POST = tenantRoute("imports.create", async (ctx) => {
  const result = await receiveUpload(ctx, ctx.request);
  return Response.json(result, { status: 202 });
});

const historyQuery = z.object({
  before: z.string().uuid("must be an import id taken from the previous page").optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** The import history, newest first: status, format, rows, metrics, who and when; keyset-paged by `before`. */
export const GET = tenantRoute("imports.read", async (ctx) => {
  const query = historyQuery.parse(Object.fromEntries(ctx.request.nextUrl.searchParams));
  const rows = await withUser(ctx.claims, (db) => listImports(db, { tenantId: ctx.tenantId, ...query }));
  const last = rows[rows.length - 1];
  return Response.json({ rows, nextBefore: rows.length === query.limit && last ? last.id : null });
});
