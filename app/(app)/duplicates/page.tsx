import type { Metadata } from "next";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { NotAllowed, PageHeader } from "@/components/ui";
import { DuplicateQueue } from "@/components/duplicate-queue";

export const metadata: Metadata = { title: "Duplicate review" };

export default async function DuplicateReviewPage() {
  const ctx = await pageContext();
  if (!can(ctx.role, "duplicates.decide")) {
    return (
      <>
        <PageHeader title="Duplicate review" />
        <NotAllowed what="deciding on likely duplicates" />
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Duplicate review"
        description="Rows held at commit because they look like a row already in the ledger. Approve to add the row anyway, reject to keep it out."
      />
      <DuplicateQueue />
    </>
  );
}
