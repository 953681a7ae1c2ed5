import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { AppError } from "@/lib/http/errors";
import { importSimpleCsvUpload } from "@/lib/ingest/simple-upload";

const fields = z.object({ accountId: z.string().uuid("Choose an account for this file").optional() });

/** The skeleton's upload: one CSV file, parsed and committed straight away. */
export const POST = tenantRoute("imports.create", async (ctx) => {
  const form = await ctx.request.formData();
  const file = form.get("file");
  if (!(file instanceof File)) throw new AppError(422, "validation", "file: attach a CSV file in the field named \"file\".");
  const { accountId } = fields.parse({ accountId: form.get("accountId") || undefined });
  const result = await importSimpleCsvUpload(ctx, { file, accountId });
  return Response.json(result, { status: 201 });
});
