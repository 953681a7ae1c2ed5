import { z } from "zod";
import { tenantRoute } from "@/lib/http/route";
import { ledgerFilterSchema } from "@/lib/db/queries/transactions";
import { ledgerBatches, ledgerCsvStream, ledgerParquetStream } from "@/lib/export/ledger";

const exportQuery = ledgerFilterSchema.extend({
  format: z.enum(["csv", "parquet"], "must be csv or parquet"),
});

/** The filtered ledger as a streamed CSV or Parquet download (same filters as GET /api/transactions). */
export const GET = tenantRoute("ledger.read", async (ctx) => {
  const { format, ...filter } = exportQuery.parse(Object.fromEntries(ctx.request.nextUrl.searchParams));
  const batches = ledgerBatches(ctx.claims, ctx.tenantId, filter);
  const stamp = new Date().toISOString().slice(0, 10);
  const fileName = `transactions-${ctx.tenantSlug}-${stamp}.${format}`;
  const body = format === "csv" ? ledgerCsvStream(batches) : ledgerParquetStream(batches);
  return new Response(body, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/vnd.apache.parquet",
      "content-disposition": `attachment; filename="${fileName}"`,
      "cache-control": "no-store",
    },
  });
});
