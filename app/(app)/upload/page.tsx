import type { Metadata } from "next";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { withUser } from "@/lib/db/with-user";
import { listAccounts } from "@/lib/db/queries/accounts";
import { EmptyState, NotAllowed, PageHeader } from "@/components/ui";
import { UploadDropzone } from "@/components/upload-dropzone";

export const metadata: Metadata = { title: "Upload" };

export default async function UploadPage() {
  const ctx = await pageContext();
  if (!can(ctx.role, "imports.create")) return <NotAllowed what="uploading files" />;
  const accounts = await withUser(ctx.claims, (db) => listAccounts(db, { tenantId: ctx.tenantId }));
  return (
    <>
      <PageHeader title="Upload" description="Drop a CSV export with Date and Amount columns. Each row is checked before it reaches the ledger." />
      {accounts.length === 0 ? (
        <EmptyState title="No accounts yet">An admin needs to create an internal account before files can be imported.</EmptyState>
      ) : (
        <UploadDropzone accounts={accounts.map((a) => ({ id: a.id, label: `${a.name} (${a.currency})` }))} />
      )}
    </>
  );
}
