import type { Metadata } from "next";
import { Suspense } from "react";
import { pageContext } from "@/lib/auth/page-context";
import { withUser } from "@/lib/db/with-user";
import { listAccounts } from "@/lib/db/queries/accounts";
import { ledgerFilterOptions } from "@/lib/db/queries/transactions";
import { PageHeader } from "@/components/ui";
import { TransactionLedger } from "@/components/transaction-ledger";

export const metadata: Metadata = { title: "Transactions" };

export default async function TransactionsPage() {
  const ctx = await pageContext();
  const options = await withUser(ctx.claims, async (db) => {
    const accounts = await listAccounts(db, { tenantId: ctx.tenantId });
    const { sources, imports } = await ledgerFilterOptions(db, { tenantId: ctx.tenantId });
    return { accounts: accounts.map(({ id, name, currency }) => ({ id, name, currency })), sources, imports };
  });
  return (
    <>
      <PageHeader
        title="Transactions"
        description="The ledger, newest first. Amounts are exact, as the source stated them. Filters are kept in the address, so you can share a view."
      />
      <Suspense fallback={<p role="status" className="text-sm text-slate-600">Loading transactions…</p>}>
        <TransactionLedger options={options} />
      </Suspense>
    </>
  );
}
