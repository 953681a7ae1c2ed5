import type { Metadata } from "next";
import Link from "next/link";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { withUser } from "@/lib/db/with-user";
import { listImports } from "@/lib/db/queries/imports";
import type { ImportStatus } from "@/lib/db/queries/pipeline";
import type { JsonValue } from "@/lib/formats/types";
import { Card, EmptyState, PageHeader } from "@/components/ui";
import { ImportStatusBadge, formatDateTime } from "@/components/import-status";

export const metadata: Metadata = { title: "Imports" };

/** A count from the import's metrics; a dash where the step has not happened yet. */
function metric(metrics: Record<string, JsonValue>, key: string): string {
  const value = metrics[key];
  return typeof value === "number" ? String(value) : "—";
}

export default async function ImportsPage() {
  const ctx = await pageContext();
  const imports = await withUser(ctx.claims, (db) => listImports(db, { tenantId: ctx.tenantId, limit: 200 }));
  const canUpload = can(ctx.role, "imports.create");
  return (
    <>
      <PageHeader
        title="Imports"
        description="Every file brought into this workspace, who brought it and how it went. Open one to review it."
        actions={canUpload ? <Link href="/upload" className="text-sm text-brand-700 underline">Upload files</Link> : undefined}
      />
      {imports.length === 0 ? (
        <EmptyState title="No imports yet">
          Uploaded files and connector syncs will be listed here.
          {canUpload && <> <Link href="/upload" className="underline">Upload a file</Link> to start.</>}
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="min-w-full text-sm" aria-label="Imports">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-4 py-2">File</th><th className="px-4 py-2">Status</th><th className="px-4 py-2">Format</th>
                <th className="px-4 py-2 text-right">Rows</th><th className="px-4 py-2 text-right">Invalid</th>
                <th className="px-4 py-2 text-right">Imported</th><th className="px-4 py-2 text-right">Duplicates skipped</th>
                <th className="px-4 py-2 text-right">Held</th><th className="px-4 py-2 text-right">Excluded</th>
                <th className="px-4 py-2">By</th><th className="px-4 py-2">When</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {imports.map((i) => (
                <tr key={i.id}>
                  <td className="px-4 py-2 font-medium"><Link href={`/imports/${i.id}`} className="text-brand-700 underline">{i.fileName}</Link></td>
                  <td className="whitespace-nowrap px-4 py-2"><ImportStatusBadge status={i.status as ImportStatus} /></td>
                  <td className="px-4 py-2 text-slate-600">{i.format ?? "—"}</td>
                  <td className="num px-4 py-2 text-right">{i.rows}</td>
                  <td className="num px-4 py-2 text-right">{metric(i.metrics, "invalid")}</td>
                  <td className="num px-4 py-2 text-right">{metric(i.metrics, "imported")}</td>
                  <td className="num px-4 py-2 text-right">{metric(i.metrics, "exactDuplicates")}</td>
                  <td className="num px-4 py-2 text-right">{metric(i.metrics, "flagged")}</td>
                  <td className="num px-4 py-2 text-right">{metric(i.metrics, "excluded")}</td>
                  <td className="px-4 py-2 text-slate-600">{i.createdBy ?? "—"}</td>
                  <td className="whitespace-nowrap px-4 py-2 text-slate-600">{formatDateTime(i.createdAt.toISOString())}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}
