/**
 * Amounts over time for the review page, streamed in after the page (Suspense): one aggregate over the
 * import's readable rows, per day, week or month depending on the date range, summed exactly in SQL.
 */
import type { TenantContext } from "@/lib/auth/context";
import { withUser } from "@/lib/db/with-user";
import { AmountsOverTime, type AmountBucket } from "@/components/review-charts";

type Unit = "day" | "week" | "month";

function unitFor(range: { from: string; to: string } | null): Unit {
  if (!range) return "day";
  const days = (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000;
  return days <= 92 ? "day" : days <= 730 ? "week" : "month";
}

export async function AmountsChart({ ctx, importId, dateRange }: { ctx: Pick<TenantContext, "claims" | "tenantId">; importId: string; dateRange: { from: string; to: string } | null }) {
  const unit = unitFor(dateRange);
  const rows = await withUser(ctx.claims, async (db) => {
    // The guard keeps the casts to rows whose values are a real date and an exact decimal; rows with
    // errors are left out (their values are as the file had them).
    const { rows } = await db.query<{ currency: string; start: string; credits: string; debits: string; count: number }>(
      `with r as (
         select coalesce(record ->> 'bookingDate', record ->> 'date') as d,
                coalesce(record ->> 'amount', record ->> 'total') as a,
                coalesce(record ->> 'currency', '') as c
           from public.staged_rows
          where tenant_id = $1 and import_id = $2 and kind in ('transaction', 'sales_line') and not has_error
            and coalesce(record ->> 'bookingDate', record ->> 'date') ~ '^\\d{4}-\\d{2}-\\d{2}$'
            and coalesce(record ->> 'amount', record ->> 'total') ~ '^-?\\d+(\\.\\d+)?$')
       select c as currency, date_trunc($3, d::date)::date::text as start,
              coalesce(sum(a::numeric) filter (where a::numeric > 0), 0)::text as credits,
              coalesce(sum(a::numeric) filter (where a::numeric < 0), 0)::text as debits,
              count(*)::int as count
         from r group by 1, 2 order by 1, 2`,
      [ctx.tenantId, importId, unit],
    );
    return rows;
  });
  if (rows.length === 0) return null;
  const perCurrency = new Map<string, number>();
  for (const r of rows) perCurrency.set(r.currency, (perCurrency.get(r.currency) ?? 0) + r.count);
  const [main] = [...perCurrency.entries()].sort((a, b) => b[1] - a[1])[0] ?? [""];
  const buckets: AmountBucket[] = rows.filter((r) => r.currency === main).map(({ start, credits, debits, count }) => ({ start, credits, debits, count }));
  const others = [...perCurrency.keys()].filter((c) => c !== main && c !== "");
  return <AmountsOverTime buckets={buckets} currency={main || "amounts"} unit={unit} otherCurrencies={others} />;
}
