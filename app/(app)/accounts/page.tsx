import type { Metadata } from "next";
import { pageContext } from "@/lib/auth/page-context";
import { withUser } from "@/lib/db/with-user";
import { listAccounts } from "@/lib/db/queries/accounts";
import { Card, EmptyState, PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "Accounts" };

export default async function AccountsPage() {
  const ctx = await pageContext();
  const accounts = await withUser(ctx.claims, (db) => listAccounts(db, { tenantId: ctx.tenantId }));
  return (
    <>
      <PageHeader title="Accounts" description="Internal accounts and their balances from committed transactions." />
      {accounts.length === 0 ? (
        <EmptyState title="No accounts yet">An admin can create internal accounts that statements are mapped onto.</EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="min-w-full text-sm" aria-label="Accounts">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr><th className="px-4 py-2">Name</th><th className="px-4 py-2">Number</th><th className="px-4 py-2">Kind</th>
                <th className="px-4 py-2 text-right">Transactions</th><th className="px-4 py-2 text-right">Balance</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {accounts.map((a) => (
                <tr key={a.id}>
                  <td className="px-4 py-2 font-medium">{a.name}</td>
                  <td className="num px-4 py-2 text-slate-600">{a.number ?? "—"}</td>
                  <td className="px-4 py-2 text-slate-600">{a.kind.replace("_", " ")}</td>
                  <td className="num px-4 py-2 text-right">{a.transactionCount}</td>
                  <td className="num px-4 py-2 text-right">{a.balance} {a.currency}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}
