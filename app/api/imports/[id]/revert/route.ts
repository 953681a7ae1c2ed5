import { idParam } from "@/lib/http/params";
import { tenantRoute } from "@/lib/http/route";
import { requestRevert } from "@/lib/ingest/imports";

/** Removes the import's rows from the ledger; the raw file and the record of the import stay. */
export const POST = tenantRoute<{ id: string }>("imports.create", async (ctx, { id }) => Response.json(await requestRevert(ctx, idParam(id, "That import"))));
