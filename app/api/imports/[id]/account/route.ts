import { z } from "zod";
import { idParam } from "@/lib/http/params";
import { tenantRoute } from "@/lib/http/route";
import { setImportAccount } from "@/lib/ingest/mappings";

const body = z.object({ accountId: z.string().uuid("choose an account that exists in this workspace").nullable() });

/** The internal account for a file that names none (a CSV export); re-classifies the import. */
export const PATCH = tenantRoute<{ id: string }>("imports.create", async (ctx, params) => {
  const id = idParam(params.id, "That import");
  const { accountId } = body.parse(await ctx.request.json().catch(() => ({})));
  return Response.json(await setImportAccount(ctx, id, accountId));
});
