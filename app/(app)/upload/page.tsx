import type { Metadata } from "next";
import Link from "next/link";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { withUser } from "@/lib/db/with-user";
import { listAccounts } from "@/lib/db/queries/accounts";
import { NotAllowed, PageHeader } from "@/components/ui";
import { UploadDropzone } from "@/components/upload-dropzone";

export const metadata: Metadata = { title: "Upload" };

export default async function UploadPage() {
  const ctx = await pageContext();
  if (!can(ctx.role, "imports.create")) return <NotAllowed what="uploading files" />;
  const accounts = await withUser(ctx.claims, (db) => listAccounts(db, { tenantId: ctx.tenantId }));
  return (
    <>
      <PageHeader
        title="Upload"
        description="Drop one file or several. Each is read and checked, then waits for your review; nothing reaches the ledger until you commit it."
        actions={<Link href="/imports" className="text-sm text-brand-700 underline">All imports</Link>}
      />
      {accounts.length === 0 && (
        <p role="note" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          This workspace has no internal accounts yet. Files can be uploaded and reviewed, but an admin needs to create an account
          before their rows can be committed to the ledger.
        </p>
      )}
      <UploadDropzone accounts={accounts.map((a) => ({ id: a.id, label: `${a.name} (${a.currency})` }))} />
    </>
  );
}
