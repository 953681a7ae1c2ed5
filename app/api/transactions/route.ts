import { tenantRoute } from "@/lib/http/route";
import { withUser } from "@/lib/db/with-user";
import { listTransactions } from "@/lib/db/queries/transactions";

export const GET = tenantRoute("ledger.read", async (ctx) => {
  const rows = await withUser(ctx.claims, (db) => listTransactions(db, { tenantId: ctx.tenantId, limit: 500 }));
  return Response.json({ rows });
});
