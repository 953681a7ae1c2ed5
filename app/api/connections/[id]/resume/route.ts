import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { resumeConnection } from "@/lib/connectors/jobs";

/** Resumes a paused connection (admins); a scheduled one whose time passed is due at once. Answers the connection. */
export const POST = tenantRoute<{ id: string }>("connections.manage", async (ctx, params) => {
  const id = z.string().uuid("must be a connection id").parse(params.id);
  return Response.json(await resumeConnection(ctx, id));
});
