import type { Metadata } from "next";
import { GatedEmptyPage } from "@/components/gated-empty-page";

export const metadata: Metadata = { title: "Duplicate review" };

export default function DuplicateReviewPage() {
  return (
    <GatedEmptyPage title="Duplicate review" permission="duplicates.decide" what="deciding on likely duplicates" empty="No likely duplicates waiting">
      When an import holds rows that look like ones already in the ledger, they wait here for a reviewer to approve or reject.
    </GatedEmptyPage>
  );
}
