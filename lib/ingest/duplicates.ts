/**
 * Step 5, the reviewers' side of likely duplicates: the queue, decisions (approve inserts the held row
 * into the ledger, reject keeps it out, linked to the row it duplicates), and undoing one's own recent
 * decisions. Each call is one transaction under the caller's claims, audited per candidate.
 */
import { z } from "zod";
import type { TenantContext } from "@/lib/auth/context";
import { withUser } from "@/lib/db/with-user";
import {
  auditCandidates,
  candidateStates,
  insertApproved,
  listCandidates,
  lockCandidateImports,
  lockUndoable,
  refreshDecisionMetrics,
  reopenCandidates,
  settlePending,
  type CandidateState,
  type DuplicateCandidate,
} from "@/lib/db/queries/duplicates";

type Caller = Pick<TenantContext, "claims" | "tenantId">;

/** Bulk decisions are bounded so one request stays one short transaction. */
export const MAX_DECISION_IDS = 500;
/** How long a reviewer can take back their own decision (also in the reviewers' delete policy on transactions). */
export const UNDO_WINDOW_MINUTES = 10;

const candidateId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const candidateIds = z
  .array(candidateId, "list the duplicates to decide by id, e.g. [12, 13]")
  .min(1, "choose at least one duplicate")
  .max(MAX_DECISION_IDS, `decide at most ${MAX_DECISION_IDS} duplicates at a time`)
  .transform((ids) => [...new Set(ids)]);
const keysetId = z.string().regex(/^\d{1,18}$/, "must be a number taken from the previous page");

export const queueQuery = z.object({
  status: z.enum(["pending", "approved", "rejected"]).default("pending"),
  after: keysetId.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type QueueQuery = z.infer<typeof queueQuery>;

export const decideBody = z.object({ ids: candidateIds, decision: z.enum(["approve", "reject"]) });
export type DecideBody = z.infer<typeof decideBody>;

export const undoBody = z.object({ ids: candidateIds });
export type UndoBody = z.infer<typeof undoBody>;

export interface QueuePage {
  rows: DuplicateCandidate[];
  /** Pass as `after` for the next page; null on the last page. */
  nextAfter: string | null;
}

export function listDuplicateQueue(ctx: Caller, query: QueueQuery): Promise<QueuePage> {
  return withUser(ctx.claims, async (db) => {
    const rows = await listCandidates(db, { tenantId: ctx.tenantId, status: query.status, after: query.after, limit: query.limit });
    const last = rows[rows.length - 1];
    return { rows, nextAfter: rows.length === query.limit && last ? String(last.id) : null };
  });
}

export interface DecisionResult {
  decided: number[];
  /** Decided by someone (or earlier) before this request: who and how. */
  alreadyDecided: { id: number; status: CandidateState["status"]; decidedBy: string | null }[];
  /** Approved ids whose row was already in the ledger under the same key, so nothing was inserted. */
  alreadyInLedger: number[];
  /** Ids that are not in this workspace's queue. */
  notFound: number[];
}

export function decideDuplicates(ctx: Caller, body: DecideBody): Promise<DecisionResult> {
  const { tenantId } = ctx;
  return withUser(ctx.claims, async (db) => {
    const importIds = await lockCandidateImports(db, { tenantId, ids: body.ids });
    const settled = await settlePending(db, { tenantId, ids: body.ids, decision: body.decision });
    const decidedIds = settled.map((c) => c.id);
    const inserted = body.decision === "approve" ? await insertApproved(db, { tenantId, ids: decidedIds }) : new Map<number, string>();
    const status = body.decision === "approve" ? "approved" : "rejected";
    await auditCandidates(db, {
      tenantId,
      action: body.decision === "approve" ? "duplicate.approve" : "duplicate.reject",
      entries: settled.map((c) => ({
        id: c.id,
        before: { status: "pending" },
        after: { status, transactionId: inserted.get(c.id) ?? null },
        details: { importId: c.importId, rowNo: c.rowNo, duplicateOf: c.matchedTransactionId },
      })),
    });
    await refreshDecisionMetrics(db, { tenantId, importIds });

    const decided = new Set(decidedIds);
    const states = await candidateStates(db, { tenantId, ids: body.ids.filter((id) => !decided.has(id)) });
    const seen = new Set(states.map((s) => s.id));
    return {
      decided: decidedIds,
      alreadyDecided: states.map((s) => ({ id: s.id, status: s.status, decidedBy: s.decidedBy })),
      alreadyInLedger: body.decision === "approve" ? decidedIds.filter((id) => !inserted.has(id)) : [],
      notFound: body.ids.filter((id) => !decided.has(id) && !seen.has(id)),
    };
  });
}

export interface UndoResult {
  undone: number[];
  /** Not the caller's decision, older than the undo window, or not decided at all. */
  notUndone: { id: number; status: CandidateState["status"]; decidedBy: string | null; decidedAt: Date | null }[];
  notFound: number[];
}

export function undoDuplicateDecisions(ctx: Caller, body: UndoBody): Promise<UndoResult> {
  const { tenantId } = ctx;
  return withUser(ctx.claims, async (db) => {
    const importIds = await lockCandidateImports(db, { tenantId, ids: body.ids });
    const undoable = await lockUndoable(db, { tenantId, ids: body.ids, windowMinutes: UNDO_WINDOW_MINUTES });
    await reopenCandidates(db, { tenantId, candidates: undoable });
    await auditCandidates(db, {
      tenantId,
      action: "duplicate.undo",
      entries: undoable.map((c) => ({
        id: c.id,
        before: { status: c.status, transactionId: c.insertedTransactionId },
        after: { status: "pending" },
        details: { importId: c.importId },
      })),
    });
    await refreshDecisionMetrics(db, { tenantId, importIds });

    const undone = new Set(undoable.map((c) => c.id));
    const states = await candidateStates(db, { tenantId, ids: body.ids.filter((id) => !undone.has(id)) });
    const seen = new Set(states.map((s) => s.id));
    return {
      undone: [...undone],
      notUndone: states,
      notFound: body.ids.filter((id) => !undone.has(id) && !seen.has(id)),
    };
  });
}

const describeState = (s: { id: number; status: string; decidedBy: string | null }) =>
  s.status === "pending" ? `#${s.id} is still waiting for a decision` : `#${s.id} was already ${s.status}${s.decidedBy ? ` by ${s.decidedBy}` : ""}`;

/** Why nothing was decided, in words a reviewer understands (the 409 answer). */
export function nothingDecidedMessage(result: DecisionResult): string {
  const shown = result.alreadyDecided.slice(0, 5).map(describeState);
  const more = result.alreadyDecided.length - shown.length;
  return `Nothing was decided: someone decided ${result.alreadyDecided.length === 1 ? "this duplicate" : "these duplicates"} first (${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}).`;
}

export function nothingUndoneMessage(result: UndoResult): string {
  const shown = result.notUndone.slice(0, 5).map(describeState);
  return `Nothing was undone: you can undo only your own decisions of the last ${UNDO_WINDOW_MINUTES} minutes (${shown.join("; ")}).`;
}
