import { idParam } from "@/lib/http/params";
import { tenantRoute } from "@/lib/http/route";
import { requestCommit } from "@/lib/ingest/imports";

/** Queues the atomic commit; 409 with the reasons while anything blocks it. */
export const POST = tenantRoute<{ id: string }>("imports.create", async (ctx, { id }) =>
  Response.json(await requestCommit(ctx, idParam(id, "That import")), { status: 202 }),
);
