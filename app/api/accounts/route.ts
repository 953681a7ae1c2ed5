import { tenantRoute } from "@/lib/http/route";
import { accountsWithBalances, createAccount, newAccountInput } from "@/lib/ingest/mappings";

/** The tenant's internal accounts with their ledger balances. */
export const GET = tenantRoute("ledger.read", async (ctx) => Response.json({ accounts: await accountsWithBalances(ctx) }));

/** Creates an internal account (admins). */
export const POST = tenantRoute("accounts.manage", async (ctx) => {
  const input = newAccountInput.parse(await ctx.request.json().catch(() => ({})));
  return Response.json({ account: await createAccount(ctx, input) }, { status: 201 });
});
