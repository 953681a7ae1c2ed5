/**
 * Commits into the same account take turns. The unique dedup index stops a second copy of a row with
 * the same key, but a copy from another source (a provider's record of a transaction a file brought,
 * under another key) is recognised only by classification reading the ledger — and two commits running
 * side by side each read the ledger without the other's rows, so both inserted their copy. With this
 * lock, taken before the commit classifies, the later commit waits and then sees the earlier one's
 * rows, holding its copies as likely duplicates.
 *
 * Transaction-scoped advisory locks, so they end with the commit's transaction, whatever kills it.
 * An import into one chosen account locks that account (and the tenant in shared mode); an import whose
 * rows are spread over mapped accounts locks the whole tenant. Both take the tenant lock first, so two
 * commits never wait for each other in opposite orders.
 */
import type { Db } from "@/lib/db/pool";

const TENANT_SPACE = "inflow.commit.tenant";
const ACCOUNT_SPACE = "inflow.commit.account";

export async function lockCommitTarget(db: Db, params: { tenantId: string; accountId: string | null }): Promise<void> {
  if (params.accountId) {
    await db.query("select pg_advisory_xact_lock_shared(hashtext($1), hashtext($2))", [TENANT_SPACE, params.tenantId]);
    await db.query("select pg_advisory_xact_lock(hashtext($1), hashtext($2))", [ACCOUNT_SPACE, params.accountId]);
  } else {
    await db.query("select pg_advisory_xact_lock(hashtext($1), hashtext($2))", [TENANT_SPACE, params.tenantId]);
  }
}
