import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { withUser } from "@/lib/db/with-user";
import { listAudit } from "@/lib/db/queries/audit";

const auditQuery = z.object({
  action: z.string().min(1).max(100).optional(),
  entity: z.string().min(1).max(100).optional(),
  entityId: z.string().min(1).max(200).optional(),
  before: z.string().regex(/^\d{1,18}$/, "must be a number taken from the previous page").optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The audit log, newest first, keyset-paged by `before` (admins only). */
export const GET = tenantRoute("audit.read", async (ctx) => {
  const query = auditQuery.parse(Object.fromEntries(ctx.request.nextUrl.searchParams));
  const rows = await withUser(ctx.claims, (db) => listAudit(db, { tenantId: ctx.tenantId, ...query }));
  const last = rows[rows.length - 1];
  return Response.json({ rows, nextBefore: rows.length === query.limit && last ? last.id : null });
});
