"use client";

/**
 * The amounts chart of the review page, kept current: drawn first from what the server read with the
 * page, then read again (its own query key) whenever a correction or exclusion changes which rows count.
 */
import { useQuery } from "@tanstack/react-query";
import type { AmountsView } from "@/lib/ingest/review";
import { AmountsOverTime } from "./review-charts";
import { fetchJson } from "./import-status";

export const amountsQueryKey = (importId: string) => ["import", importId, "amounts"] as const;

export function AmountsChart({ importId, initial }: { importId: string; initial: AmountsView }) {
  const query = useQuery({
    queryKey: amountsQueryKey(importId),
    queryFn: () => fetchJson<AmountsView>(`/api/imports/${importId}/amounts`),
    initialData: initial,
    staleTime: Infinity,
  });
  const a = query.data;
  return <AmountsOverTime buckets={a.buckets} currency={a.currency || "amounts"} unit={a.unit} otherCurrencies={a.otherCurrencies} />;
}
