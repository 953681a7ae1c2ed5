import { z } from "zod";
import { idParam } from "@/lib/http/params";
import { tenantRoute } from "@/lib/http/route";
import { correctRow } from "@/lib/ingest/review";

const params = z.object({ rowNo: z.coerce.number().int().min(1) });
const body = z.object({ field: z.string().min(1), value: z.union([z.string(), z.boolean(), z.null()]) });

/** Corrects one field of a staged row: re-validated at once, the parsed original kept. */
export const PATCH = tenantRoute<{ id: string; rowNo: string }>("imports.create", async (ctx, segment) => {
  const { rowNo } = params.parse(segment);
  const input = body.parse(await ctx.request.json().catch(() => ({})));
  return Response.json(await correctRow(ctx, idParam(segment.id, "That import"), rowNo, input));
});
