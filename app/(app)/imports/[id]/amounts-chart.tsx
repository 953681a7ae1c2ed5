/**
 * Amounts over time for the review page, streamed in after the page (Suspense): one aggregate over the
 * import's readable rows (lib/ingest/review.ts reviewAmounts). The client chart keeps it current after
 * corrections and exclusions.
 */
import type { TenantContext } from "@/lib/auth/context";
import { reviewAmounts } from "@/lib/ingest/review";
import { AmountsChart as LiveAmountsChart } from "@/components/amounts-chart";

export async function AmountsChart({ ctx, importId }: { ctx: Pick<TenantContext, "claims" | "tenantId">; importId: string }) {
  return <LiveAmountsChart importId={importId} initial={await reviewAmounts(ctx, importId)} />;
}
