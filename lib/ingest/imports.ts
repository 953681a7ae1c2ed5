/**
 * What the API offers about one import: its state with the dry run, and the commit request. Route
 * handlers call these; each runs under the caller's claims.
 */
import type { TenantContext } from "@/lib/auth/context";
import { withUser } from "@/lib/db/with-user";
import { getImport, setImportState, type ImportRecord } from "@/lib/db/queries/pipeline";
import { AppError, notFound } from "@/lib/http/errors";
import { dryRun, type DryRun } from "./classify";
import { CommitBlockedError, revertImport } from "./commit";
import { enqueue } from "./jobs";

type Caller = Pick<TenantContext, "claims" | "tenantId">;

export interface ImportView extends Omit<ImportRecord, "rawKey"> {
  dryRun: DryRun | null;
}

export async function getImportView(ctx: Caller, importId: string): Promise<ImportView> {
  return withUser(ctx.claims, async (db) => {
    const imp = await getImport(db, { tenantId: ctx.tenantId, importId });
    if (!imp) throw notFound("That import");
    const staged = ["staged", "committing", "committed", "reverted"].includes(imp.status);
    const { rawKey: _hidden, ...visible } = imp;
    return { ...visible, dryRun: staged ? await dryRun(db, { tenantId: ctx.tenantId, importId }) : null };
  });
}

/** Checks nothing blocks, marks the import committing and queues the commit job. */
export async function requestCommit(ctx: Caller, importId: string): Promise<{ status: "committing" | "committed"; dryRun: DryRun }> {
  const outcome = await withUser(ctx.claims, async (db) => {
    const imp = await getImport(db, { tenantId: ctx.tenantId, importId, forUpdate: true });
    if (!imp) throw notFound("That import");
    if (imp.status === "committed" || imp.status === "committing") {
      return { status: imp.status, dryRun: await dryRun(db, { tenantId: ctx.tenantId, importId }), queue: false };
    }
    if (imp.status !== "staged") throw new AppError(409, "not_committable", `This import is ${imp.status}; only a staged import can be committed.`);
    // The classification is current: staging, corrections, exclusions and mappings each classify again
    // in their own transaction. The commit job classifies once more under the import's lock (the ledger
    // may have changed meanwhile) and sends the import back to review if something blocks it then, so
    // a third pass here would only repeat the staging's work (a second or more per 100,000 rows).
    const counts = await dryRun(db, { tenantId: ctx.tenantId, importId });
    if (counts.blocked > 0) throw new CommitBlockedError(counts);
    await setImportState(db, { tenantId: ctx.tenantId, importId, status: "committing", progress: { phase: "committing" }, error: null });
    return { status: "committing" as const, dryRun: counts, queue: true };
  });
  if (outcome.queue) await enqueue("commit", { tenantId: ctx.tenantId, importId, claims: ctx.claims }, { rows: outcome.dryRun.total });
  return { status: outcome.status, dryRun: outcome.dryRun };
}

export function requestRevert(ctx: Caller, importId: string): Promise<{ removed: number }> {
  return withUser(ctx.claims, (db) => revertImport(db, { tenantId: ctx.tenantId, importId }));
}
