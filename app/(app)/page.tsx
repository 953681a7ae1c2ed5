import Link from "next/link";
import type { Metadata } from "next";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { withUser } from "@/lib/db/with-user";
import { countTransactions } from "@/lib/db/queries/transactions";
import { listImports } from "@/lib/db/queries/imports";
import { listAccounts } from "@/lib/db/queries/accounts";
import { Card, EmptyState, PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const ctx = await pageContext();
  // One client runs one query at a time: these run in sequence inside the same transaction.
  const { transactions, imports, accounts } = await withUser(ctx.claims, async (db) => ({
    transactions: await countTransactions(db, { tenantId: ctx.tenantId }),
    imports: await listImports(db, { tenantId: ctx.tenantId, limit: 5 }),
    accounts: await listAccounts(db, { tenantId: ctx.tenantId }),
  }));
  const stats = [
    { label: "Transactions in the ledger", value: transactions.toLocaleString("en-US") },
    { label: "Imports", value: imports.length === 5 ? "5+" : String(imports.length) },
    { label: "Internal accounts", value: String(accounts.length) },
  ];
  return (
    <>
      <PageHeader title="Overview" description={`${ctx.memberships.find((m) => m.tenantId === ctx.tenantId)?.name ?? ""} · signed in as ${ctx.role}`} />
      <div className="mb-8 grid gap-4 sm:grid-cols-3">
        {stats.map((s) => (
          <Card key={s.label} className="p-5">
            <div className="text-sm text-slate-600">{s.label}</div>
            <div className="num mt-1 text-2xl font-semibold">{s.value}</div>
          </Card>
        ))}
      </div>
      {transactions === 0 && (
        <EmptyState title="Nothing imported yet">
          {can(ctx.role, "imports.create") ? (
            <>Drop a bank statement or sales export on the <Link className="text-brand-700 underline" href="/upload">Upload</Link> page to get started.</>
          ) : (
            <>When your team uploads statements, the ledger and import history will appear here.</>
          )}
        </EmptyState>
      )}
    </>
  );
}
