import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { withUser } from "@/lib/db/with-user";
import { cursorOf, ledgerCursor, ledgerFilterSchema, ledgerTotals, listTransactions } from "@/lib/db/queries/transactions";

const pageQuery = ledgerFilterSchema.extend({
  cursor: ledgerCursor.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * The ledger, filtered (q, accountId, from, to, min, max, source, importId), newest first, keyset-paged
 * by `cursor`. The first page (no cursor) also carries the filter's totals per currency, summed in SQL.
 */
export const GET = tenantRoute("ledger.read", async (ctx) => {
  const { cursor, limit, ...filter } = pageQuery.parse(Object.fromEntries(ctx.request.nextUrl.searchParams));
  const { rows, totals } = await withUser(ctx.claims, async (db) => ({
    rows: await listTransactions(db, { tenantId: ctx.tenantId, filter, after: cursor, limit }),
    totals: cursor ? undefined : await ledgerTotals(db, { tenantId: ctx.tenantId, filter }),
  }));
  const last = rows[rows.length - 1];
  return Response.json({ rows, nextCursor: rows.length === limit && last ? cursorOf(last) : null, ...(totals ? { totals } : {}) });
});
