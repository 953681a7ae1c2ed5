import { idParam } from "@/lib/http/params";
import { tenantRoute } from "@/lib/http/route";
import { getImportView } from "@/lib/ingest/imports";

/** The import's status, progress, profile, metrics and dry run. */
export const GET = tenantRoute<{ id: string }>("imports.read", async (ctx, { id }) => Response.json(await getImportView(ctx, idParam(id, "That import"))));
