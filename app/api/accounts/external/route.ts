import { tenantRoute } from "@/lib/http/route";
import { externalAccounts } from "@/lib/ingest/mappings";

/** External accounts named by staged imports: mapping state, rows waiting, suggestions by number. */
export const GET = tenantRoute("imports.read", async (ctx) => Response.json({ externalAccounts: await externalAccounts(ctx) }));
