import type { Metadata } from "next";
import { pageContext } from "@/lib/auth/page-context";
import { withUser } from "@/lib/db/with-user";
import { listImports } from "@/lib/db/queries/imports";
import { Card, EmptyState, PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "Imports" };

export default async function ImportsPage() {
  const ctx = await pageContext();
  const imports = await withUser(ctx.claims, (db) => listImports(db, { tenantId: ctx.tenantId, limit: 200 }));
  return (
    <>
      <PageHeader title="Imports" description="Every file brought into this workspace, who brought it and how it went." />
      {imports.length === 0 ? (
        <EmptyState title="No imports yet">Uploaded files and connector syncs will be listed here.</EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="min-w-full text-sm" aria-label="Imports">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-4 py-2">File</th><th className="px-4 py-2">Status</th><th className="px-4 py-2 text-right">Rows</th>
                <th className="px-4 py-2 text-right">Imported</th><th className="px-4 py-2 text-right">Invalid</th>
                <th className="px-4 py-2">By</th><th className="px-4 py-2">When</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {imports.map((i) => (
                <tr key={i.id}>
                  <td className="px-4 py-2 font-medium">{i.fileName}</td>
                  <td className="px-4 py-2">{i.status}</td>
                  <td className="num px-4 py-2 text-right">{i.rowsRead}</td>
                  <td className="num px-4 py-2 text-right">{i.rowsImported}</td>
                  <td className="num px-4 py-2 text-right">{i.rowsInvalid}</td>
                  <td className="px-4 py-2 text-slate-600">{i.createdBy ?? "—"}</td>
                  <td className="whitespace-nowrap px-4 py-2 text-slate-600">{i.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}
