import type { Metadata } from "next";
import { pageContext } from "@/lib/auth/page-context";
import { withUser } from "@/lib/db/with-user";
import { listTransactions } from "@/lib/db/queries/transactions";
import { Card, EmptyState, PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "Transactions" };

export default async function TransactionsPage() {
  const ctx = await pageContext();
  const rows = await withUser(ctx.claims, (db) => listTransactions(db, { tenantId: ctx.tenantId, limit: 500 }));
  return (
    <>
      <PageHeader title="Transactions" description="The ledger, newest first. Amounts are exact, as the source stated them." />
      {rows.length === 0 ? (
        <EmptyState title="The ledger is empty">Committed imports appear here.</EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="min-w-full text-sm" aria-label="Transactions">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-4 py-2">Date</th>
                <th className="px-4 py-2">Description</th>
                <th className="px-4 py-2">Account</th>
                <th className="px-4 py-2 text-right">Amount</th>
                <th className="px-4 py-2">Source</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="num whitespace-nowrap px-4 py-2">{r.bookingDate}</td>
                  <td className="px-4 py-2">{r.description}</td>
                  <td className="px-4 py-2 text-slate-600">{r.accountName ?? "—"}</td>
                  <td className={`num whitespace-nowrap px-4 py-2 text-right ${r.amount.startsWith("-") ? "text-red-700" : ""}`}>
                    {r.amount} {r.currency}
                  </td>
                  <td className="px-4 py-2 text-slate-500">{r.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}
