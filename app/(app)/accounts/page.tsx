import type { Metadata } from "next";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { PageHeader } from "@/components/ui";
import { AccountManager } from "@/components/account-manager";

export const metadata: Metadata = { title: "Accounts" };

export default async function AccountsPage() {
  const ctx = await pageContext();
  const canManage = can(ctx.role, "accounts.manage");
  return (
    <>
      <PageHeader
        title="Accounts"
        description={
          canManage
            ? "Internal accounts with their ledger balances, and the accounts named in statements that need to be mapped onto them."
            : "Internal accounts with their ledger balances, and the accounts named in statements. Only an admin can change them."
        }
      />
      <AccountManager canManage={canManage} />
    </>
  );
}
