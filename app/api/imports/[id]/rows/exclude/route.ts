import { z } from "zod";
import { idParam } from "@/lib/http/params";
import { tenantRoute } from "@/lib/http/route";
import { excludeRows } from "@/lib/ingest/review";

const body = z.object({
  rowNos: z.union([z.literal("errors"), z.array(z.number().int().min(1)).min(1).max(10_000)]),
  excluded: z.boolean(),
});

/** Excludes rows from the import (or includes them again); `rowNos: "errors"` means every row with an error. */
export const POST = tenantRoute<{ id: string }>("imports.create", async (ctx, params) => {
  const id = idParam(params.id, "That import");
  const input = body.parse(await ctx.request.json().catch(() => ({})));
  return Response.json(await excludeRows(ctx, id, input));
});
