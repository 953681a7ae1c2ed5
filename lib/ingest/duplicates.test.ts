/**
 * The reviewers' duplicate queue on the real database: a CSV backfill, then the same transactions as
 * an OFX download, held as likely duplicates; approve, reject, races, bulk, undo, metrics and audit.
 */
import { describe, expect, it } from "vitest";
import { getImport } from "@/lib/db/queries/pipeline";
import { asService, asUser, createTenant, type TestUser } from "@/test/db";
import { HELD, OFX_LINES, ledgerCounts, likelyDuplicateScenario, type DuplicateScenario } from "@/test/likely-duplicates";
import { revertImport } from "./commit";
import { decideDuplicates, listDuplicateQueue, undoDuplicateDecisions } from "./duplicates";

const caller = (s: DuplicateScenario, user: TestUser) => ({ claims: user.claims, tenantId: s.tenant.id });

async function candidateRows(s: DuplicateScenario) {
  return asService(async (db) => {
    const { rows } = await db.query<{ id: string; status: string; decided_by: string | null; matched: string; inserted: string | null }>(
      `select id::text as id, status, decided_by, matched_transaction_id::text as matched, inserted_transaction_id::text as inserted
         from public.duplicate_candidates where tenant_id = $1 order by id`,
      [s.tenant.id],
    );
    return rows;
  });
}

async function importMetrics(s: DuplicateScenario): Promise<Record<string, unknown>> {
  return asService(async (db) => (await db.query<{ metrics: Record<string, unknown> }>("select metrics from public.imports where id = $1", [s.ofxImportId])).rows[0]!.metrics);
}

async function auditOf(s: DuplicateScenario) {
  return asService(async (db) => {
    const { rows } = await db.query<{ action: string; entity_id: string; actor: string; before: unknown; after: unknown }>(
      "select action, entity_id, actor, before, after from public.audit_log where tenant_id = $1 and entity = 'duplicate_candidate' order by id",
      [s.tenant.id],
    );
    return rows;
  });
}

describe("likely duplicates are held, not imported", () => {
  it("holds every re-worded, day-later OFX line of the backfill and imports only the new one", async () => {
    const s = await likelyDuplicateScenario("dups-hold");
    expect(s.ofxCommit.counts).toMatchObject({ new: 1, likelyDuplicates: HELD, exactDuplicates: 0, blocked: 0, total: OFX_LINES.length });
    expect(s.ofxCommit.imported).toBe(1);
    expect(s.candidateIds).toHaveLength(HELD);
    expect(await ledgerCounts(s)).toEqual({ total: 7, fromCsv: 6, fromOfx: 1 });
    expect((await candidateRows(s)).map((c) => c.status)).toEqual(Array(HELD).fill("pending"));
    expect(await importMetrics(s)).toMatchObject({ imported: 1, flagged: HELD });
  });
});

describe("the queue", () => {
  it("shows each held row beside the ledger row it resembles, with the reason, to a viewer", async () => {
    const s = await likelyDuplicateScenario("dups-queue");
    const page = await listDuplicateQueue(caller(s, s.tenant.members.viewer), { status: "pending", limit: 50 });
    expect(page.rows.map((r) => r.id)).toEqual(s.candidateIds);
    expect(page.nextAfter).toBeNull();
    const first = page.rows[0]!;
    expect(first.held).toEqual({
      importId: s.ofxImportId,
      fileName: "bank-march.ofx",
      rowNo: first.held.rowNo,
      line: first.held.line,
      accountId: s.accountId,
      accountName: "Operating account",
      date: "2025-03-04",
      amount: "-120.50",
      currency: "USD",
      description: "COFFEE BEANS WHOLESALE",
      counterparty: "BEAN CO",
    });
    expect(first.held.line).toBeGreaterThan(1);
    expect(first.matched).toEqual({
      id: first.matched!.id,
      date: "2025-03-03",
      amount: "-120.50",
      currency: "USD",
      description: "Coffee beans wholesale order",
      counterparty: "Bean Co",
      source: "cli:csv",
      importId: s.csvImportId,
      fileName: "backfill-march.csv",
    });
    expect(first.reason).toMatchObject({ sameAmount: true, dateDifferenceDays: 1, matchedSource: "cli:csv", matchedImportId: s.csvImportId });
    expect(first.reason.descriptionSimilarity).toBeGreaterThanOrEqual(0.3);
    expect(first.score).toBeGreaterThanOrEqual(0.3);
    expect(first).toMatchObject({ status: "pending", decidedBy: null, decidedAt: null, insertedTransactionId: null });
    // Every held row is matched to the backfill row with the same amount.
    expect(page.rows.map((r) => [r.held.amount, r.matched?.amount, r.reason.dateDifferenceDays])).toEqual(
      OFX_LINES.slice(0, HELD).map((l) => [l.amount, l.amount, 1]),
    );
  });

  it("pages by id: after the last id of a page comes the next", async () => {
    const s = await likelyDuplicateScenario("dups-page");
    const who = caller(s, s.tenant.members.viewer);
    const one = await listDuplicateQueue(who, { status: "pending", limit: 2 });
    expect(one.rows.map((r) => r.id)).toEqual(s.candidateIds.slice(0, 2));
    expect(one.nextAfter).toBe(String(s.candidateIds[1]));
    const two = await listDuplicateQueue(who, { status: "pending", limit: 2, after: one.nextAfter! });
    expect(two.rows.map((r) => r.id)).toEqual(s.candidateIds.slice(2, 4));
    const three = await listDuplicateQueue(who, { status: "pending", limit: 2, after: two.nextAfter! });
    expect(three.rows.map((r) => r.id)).toEqual(s.candidateIds.slice(4));
    expect(three.nextAfter).toBeNull();
  });

  it("shows another tenant's member nothing of it", async () => {
    const s = await likelyDuplicateScenario("dups-iso");
    const other = await createTenant("dups-other");
    const theirs = await listDuplicateQueue({ claims: other.members.admin.claims, tenantId: s.tenant.id }, { status: "pending", limit: 50 });
    expect(theirs.rows).toEqual([]);
    const result = await decideDuplicates({ claims: other.members.reviewer.claims, tenantId: s.tenant.id }, { ids: s.candidateIds, decision: "approve" });
    expect(result).toEqual({ decided: [], alreadyDecided: [], alreadyInLedger: [], notFound: s.candidateIds });
    expect(await ledgerCounts(s)).toEqual({ total: 7, fromCsv: 6, fromOfx: 1 });
    expect((await candidateRows(s)).map((c) => c.status)).toEqual(Array(HELD).fill("pending"));
  });
});

describe("decisions", () => {
  it("approving one inserts exactly that row into the ledger, under the import and its FITID", async () => {
    const s = await likelyDuplicateScenario("dups-approve");
    const [id] = s.candidateIds;
    const result = await decideDuplicates(caller(s, s.tenant.members.reviewer), { ids: [id!], decision: "approve" });
    expect(result).toEqual({ decided: [id], alreadyDecided: [], alreadyInLedger: [], notFound: [] });
    expect(await ledgerCounts(s)).toEqual({ total: 8, fromCsv: 6, fromOfx: 2 });
    const candidates = await candidateRows(s);
    expect(candidates[0]).toMatchObject({ status: "approved", decided_by: s.tenant.members.reviewer.id });
    expect(candidates[0]!.inserted).not.toBeNull();
    expect(candidates.slice(1).map((c) => c.status)).toEqual(Array(HELD - 1).fill("pending"));
    const inserted = await asService(async (db) =>
      (await db.query("select account_id, booking_date, amount::text, currency, description, counterparty, dedup_key, source, import_id, external_id from public.transactions where id = $1", [candidates[0]!.inserted])).rows[0],
    );
    expect(inserted).toEqual({
      account_id: s.accountId,
      booking_date: "2025-03-04",
      amount: "-120.50",
      currency: "USD",
      description: "COFFEE BEANS WHOLESALE",
      counterparty: "BEAN CO",
      dedup_key: "ext:FIT-0001",
      source: "cli:ofx",
      import_id: s.ofxImportId,
      external_id: "FIT-0001",
    });
    expect(await importMetrics(s)).toMatchObject({ imported: 1, flagged: HELD, approved: 1, rejected: 0 });
    expect(await auditOf(s)).toEqual([
      { action: "duplicate.approve", entity_id: String(id), actor: s.tenant.members.reviewer.id, before: { status: "pending" }, after: { status: "approved", transactionId: candidates[0]!.inserted } },
    ]);
  });

  it("rejecting one inserts nothing and keeps it linked to the row it duplicates", async () => {
    const s = await likelyDuplicateScenario("dups-reject");
    const before = await candidateRows(s);
    const id = s.candidateIds[1]!;
    const result = await decideDuplicates(caller(s, s.tenant.members.reviewer), { ids: [id], decision: "reject" });
    expect(result).toEqual({ decided: [id], alreadyDecided: [], alreadyInLedger: [], notFound: [] });
    expect(await ledgerCounts(s)).toEqual({ total: 7, fromCsv: 6, fromOfx: 1 });
    const after = await candidateRows(s);
    expect(after[1]).toEqual({ ...before[1], status: "rejected", decided_by: s.tenant.members.reviewer.id, inserted: null });
    const matched = await asService(async (db) => (await db.query("select import_id, description from public.transactions where id = $1", [after[1]!.matched])).rows[0]);
    expect(matched).toEqual({ import_id: s.csvImportId, description: "Office rent March" });
    expect(await importMetrics(s)).toMatchObject({ approved: 0, rejected: 1 });
    expect(await auditOf(s)).toEqual([
      { action: "duplicate.reject", entity_id: String(id), actor: s.tenant.members.reviewer.id, before: { status: "pending" }, after: { status: "rejected", transactionId: null } },
    ]);
  });

  it("when two reviewers decide the same duplicate at once, exactly one wins and the other is told", async () => {
    const s = await likelyDuplicateScenario("dups-race");
    const id = s.candidateIds[2]!;
    const [first, second] = await Promise.all([
      decideDuplicates(caller(s, s.tenant.members.reviewer), { ids: [id], decision: "approve" }),
      decideDuplicates(caller(s, s.reviewer2), { ids: [id], decision: "approve" }),
    ]);
    const winners = [first, second].filter((r) => r.decided.length === 1);
    const losers = [first, second].filter((r) => r.decided.length === 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const winnerId = winners[0] === first ? s.tenant.members.reviewer : s.reviewer2;
    expect(losers[0]).toEqual({ decided: [], alreadyDecided: [{ id, status: "approved", decidedBy: winnerId.email }], alreadyInLedger: [], notFound: [] });
    expect(await ledgerCounts(s)).toEqual({ total: 8, fromCsv: 6, fromOfx: 2 });
    expect((await auditOf(s)).map((a) => [a.action, a.actor])).toEqual([["duplicate.approve", winnerId.id]]);
    expect(await importMetrics(s)).toMatchObject({ approved: 1, rejected: 0 });
  });

  it("approve and reject racing on the same duplicate: one decision stands, and the ledger agrees with it", async () => {
    const s = await likelyDuplicateScenario("dups-race2");
    const id = s.candidateIds[0]!;
    const results = await Promise.all([
      decideDuplicates(caller(s, s.tenant.members.reviewer), { ids: [id], decision: "reject" }),
      decideDuplicates(caller(s, s.tenant.members.admin), { ids: [id], decision: "approve" }),
    ]);
    expect(results.map((r) => r.decided.length).sort()).toEqual([0, 1]);
    const [candidate] = await candidateRows(s);
    expect((await ledgerCounts(s)).fromOfx).toBe(candidate!.status === "approved" ? 2 : 1);
  });

  it("decides several in bulk in one go, and a second bulk decision reports what was already decided", async () => {
    const s = await likelyDuplicateScenario("dups-bulk");
    const [a, b, c, d, e] = s.candidateIds as [number, number, number, number, number];
    const bulk = await decideDuplicates(caller(s, s.tenant.members.admin), { ids: [a, b, c], decision: "approve" });
    expect(bulk).toEqual({ decided: [a, b, c], alreadyDecided: [], alreadyInLedger: [], notFound: [] });
    expect(await ledgerCounts(s)).toEqual({ total: 10, fromCsv: 6, fromOfx: 4 });
    const again = await decideDuplicates(caller(s, s.tenant.members.reviewer), { ids: [c, d, e, 999_999_999], decision: "reject" });
    expect(again).toEqual({
      decided: [d, e],
      alreadyDecided: [{ id: c, status: "approved", decidedBy: s.tenant.members.admin.email }],
      alreadyInLedger: [],
      notFound: [999_999_999],
    });
    expect(await ledgerCounts(s)).toEqual({ total: 10, fromCsv: 6, fromOfx: 4 });
    expect((await candidateRows(s)).map((r) => r.status)).toEqual(["approved", "approved", "approved", "rejected", "rejected"]);
    expect(await importMetrics(s)).toMatchObject({ imported: 1, flagged: HELD, approved: 3, rejected: 2 });
    const audit = await auditOf(s);
    expect(audit.map((r) => [r.action, Number(r.entity_id)])).toEqual([
      ["duplicate.approve", a],
      ["duplicate.approve", b],
      ["duplicate.approve", c],
      ["duplicate.reject", d],
      ["duplicate.reject", e],
    ]);
    // Decided rows leave the pending queue and show under their decision, with who decided.
    const approved = await listDuplicateQueue(caller(s, s.tenant.members.viewer), { status: "approved", limit: 50 });
    expect(approved.rows.map((r) => [r.id, r.decidedBy])).toEqual([a, b, c].map((id) => [id, s.tenant.members.admin.email]));
    expect(approved.rows.every((r) => r.insertedTransactionId !== null && r.decidedAt !== null)).toBe(true);
    expect((await listDuplicateQueue(caller(s, s.tenant.members.viewer), { status: "pending", limit: 50 })).rows).toEqual([]);
  });

  it("a held row whose key reached the ledger meanwhile is approved without a second copy", async () => {
    const s = await likelyDuplicateScenario("dups-conflict");
    const id = s.candidateIds[0]!;
    // The same FITID entered the ledger another way (e.g. a later statement, approved elsewhere).
    await asService((db) =>
      db.query(
        `insert into public.transactions (tenant_id, account_id, booking_date, amount, currency, description, source, dedup_key)
         values ($1, $2, '2025-03-04', -120.50, 'USD', 'COFFEE BEANS WHOLESALE', 'test', 'ext:FIT-0001')`,
        [s.tenant.id, s.accountId],
      ),
    );
    const result = await decideDuplicates(caller(s, s.tenant.members.reviewer), { ids: [id], decision: "approve" });
    expect(result).toEqual({ decided: [id], alreadyDecided: [], alreadyInLedger: [id], notFound: [] });
    expect(await ledgerCounts(s)).toEqual({ total: 8, fromCsv: 6, fromOfx: 1 });
    expect((await candidateRows(s))[0]).toMatchObject({ status: "approved", inserted: null });
  });
});

describe("undo", () => {
  it("takes back one's own approval (the inserted row leaves the ledger) and rejection, back to pending", async () => {
    const s = await likelyDuplicateScenario("dups-undo");
    const [a, b] = s.candidateIds as [number, number];
    const reviewer = caller(s, s.tenant.members.reviewer);
    await decideDuplicates(reviewer, { ids: [a], decision: "approve" });
    await decideDuplicates(reviewer, { ids: [b], decision: "reject" });
    const inserted = (await candidateRows(s))[0]!.inserted;
    expect(await ledgerCounts(s)).toEqual({ total: 8, fromCsv: 6, fromOfx: 2 });

    const result = await undoDuplicateDecisions(reviewer, { ids: [a, b] });
    expect(result).toEqual({ undone: [a, b], notUndone: [], notFound: [] });
    expect(await ledgerCounts(s)).toEqual({ total: 7, fromCsv: 6, fromOfx: 1 });
    expect((await candidateRows(s)).slice(0, 2)).toEqual([
      expect.objectContaining({ status: "pending", decided_by: null, inserted: null }),
      expect.objectContaining({ status: "pending", decided_by: null, inserted: null }),
    ]);
    expect(await importMetrics(s)).toMatchObject({ approved: 0, rejected: 0 });
    const audit = await auditOf(s);
    expect(audit.slice(2)).toEqual([
      { action: "duplicate.undo", entity_id: String(a), actor: s.tenant.members.reviewer.id, before: { status: "approved", transactionId: inserted }, after: { status: "pending" } },
      { action: "duplicate.undo", entity_id: String(b), actor: s.tenant.members.reviewer.id, before: { status: "rejected", transactionId: null }, after: { status: "pending" } },
    ]);
    // Back in the queue, it can be decided again.
    expect((await decideDuplicates(reviewer, { ids: [a], decision: "reject" })).decided).toEqual([a]);
  });

  it("does not undo someone else's decision, an old one, or one never made", async () => {
    const s = await likelyDuplicateScenario("dups-undo-no");
    const [a, b, c] = s.candidateIds as [number, number, number];
    await decideDuplicates(caller(s, s.reviewer2), { ids: [a], decision: "approve" });
    await decideDuplicates(caller(s, s.tenant.members.reviewer), { ids: [b], decision: "approve" });
    // b was decided 11 minutes ago.
    await asService((db) => db.query("update public.duplicate_candidates set decided_at = now() - interval '11 minutes' where id = $1", [b]));
    const result = await undoDuplicateDecisions(caller(s, s.tenant.members.reviewer), { ids: [a, b, c] });
    expect(result.undone).toEqual([]);
    expect(result.notFound).toEqual([]);
    expect(result.notUndone.map((n) => [n.id, n.status, n.decidedBy])).toEqual([
      [a, "approved", s.reviewer2.email],
      [b, "approved", s.tenant.members.reviewer.email],
      [c, "pending", null],
    ]);
    expect(await ledgerCounts(s)).toEqual({ total: 9, fromCsv: 6, fromOfx: 3 });
    // Nor can a reviewer remove those ledger rows (or any other) directly: RLS allows only their own recent approvals.
    const deleted = await asUser(s.tenant.members.reviewer, (db) => db.query("delete from public.transactions where tenant_id = $1", [s.tenant.id]));
    expect(deleted.rowCount).toBe(0);
    expect(await ledgerCounts(s)).toEqual({ total: 9, fromCsv: 6, fromOfx: 3 });
  });
});

describe("a decision belongs to whoever made it, in the database too", () => {
  // The undo path only picks the caller's own decisions, but the update policy lets a reviewer write
  // decided_by = themselves: without the guard trigger another reviewer (or an admin) could take over
  // an approval with one UPDATE and then delete its ledger row as "their own" undo.
  const takeOver = (user: TestUser, s: DuplicateScenario, id: number) =>
    asUser(user, (db) => db.query("update public.duplicate_candidates set decided_by = auth.uid(), decided_at = now() where tenant_id = $1 and id = $2", [s.tenant.id, id]));

  it("another reviewer or an admin cannot take over, reopen or repoint someone's decision; its maker still can undo it", async () => {
    const s = await likelyDuplicateScenario("dups-takeover");
    const [a, b] = s.candidateIds as [number, number];
    const owner = s.tenant.members.reviewer;
    await decideDuplicates(caller(s, owner), { ids: [a], decision: "approve" });
    await decideDuplicates(caller(s, owner), { ids: [b], decision: "reject" });
    const before = await candidateRows(s);
    expect(await ledgerCounts(s)).toEqual({ total: 8, fromCsv: 6, fromOfx: 2 });

    for (const intruder of [s.reviewer2, s.tenant.members.admin]) {
      await expect(takeOver(intruder, s, a)).rejects.toThrow(/only the reviewer who decided it/);
      await expect(
        asUser(intruder, (db) => db.query("update public.duplicate_candidates set status = 'pending', decided_by = null, decided_at = null, inserted_transaction_id = null where id = $1", [b])),
      ).rejects.toThrow(/only the reviewer who decided it/);
      // The app's undo refuses too, naming who decided.
      const undo = await undoDuplicateDecisions(caller(s, intruder), { ids: [a] });
      expect(undo.undone).toEqual([]);
      expect(undo.notUndone.map((n) => [n.id, n.status, n.decidedBy])).toEqual([[a, "approved", owner.email]]);
    }
    // The reviewer2 delete of the approved row is still refused by RLS (not theirs).
    const deleted = await asUser(s.reviewer2, (db) => db.query("delete from public.transactions where tenant_id = $1 and import_id = $2", [s.tenant.id, s.ofxImportId]));
    expect(deleted.rowCount).toBe(0);
    // Nor may the maker point their approval at another ledger row (which their undo would then delete).
    const other = before.find((c) => c.id === String(a))!.matched;
    await expect(asUser(owner, (db) => db.query("update public.duplicate_candidates set inserted_transaction_id = $2 where id = $1", [a, other]))).rejects.toThrow(/row this approval inserted/);
    // Nor move a decision's time to stretch the undo window.
    await expect(asUser(owner, (db) => db.query("update public.duplicate_candidates set decided_at = now() + interval '1 day' where id = $1", [a]))).rejects.toThrow(/change the decision time/);

    expect(await candidateRows(s)).toEqual(before);
    expect(await ledgerCounts(s)).toEqual({ total: 8, fromCsv: 6, fromOfx: 2 });
    expect((await undoDuplicateDecisions(caller(s, owner), { ids: [a, b] })).undone).toEqual([a, b]);
    expect(await ledgerCounts(s)).toEqual({ total: 7, fromCsv: 6, fromOfx: 1 });
  });

  it("a decision is made in the caller's own name, and reopened only within the undo window", async () => {
    const s = await likelyDuplicateScenario("dups-own-name");
    const [a, b] = s.candidateIds as [number, number];
    await expect(
      asUser(s.tenant.members.reviewer, (db) => db.query("update public.duplicate_candidates set status = 'rejected', decided_by = null, decided_at = now() where id = $1", [a])),
    ).rejects.toThrow(/in the name of the reviewer/);
    await decideDuplicates(caller(s, s.tenant.members.reviewer), { ids: [b], decision: "reject" });
    await asService((db) => db.query("update public.duplicate_candidates set decided_at = now() - interval '11 minutes' where id = $1", [b]));
    await expect(
      asUser(s.tenant.members.reviewer, (db) => db.query("update public.duplicate_candidates set status = 'pending', decided_by = null, decided_at = null where id = $1", [b])),
    ).rejects.toThrow(/undone only within 10 minutes/);
    expect((await candidateRows(s)).map((c) => c.status).slice(0, 2)).toEqual(["pending", "rejected"]);
  });
});

describe("after a revert", () => {
  it("the reverted import's held rows leave the queue and cannot be decided", async () => {
    const s = await likelyDuplicateScenario("dups-revert");
    const [a] = s.candidateIds as [number];
    await decideDuplicates(caller(s, s.tenant.members.reviewer), { ids: [a], decision: "approve" });
    await asUser(s.tenant.members.uploader, (db) => revertImport(db, { tenantId: s.tenant.id, importId: s.ofxImportId }));
    expect(await ledgerCounts(s)).toEqual({ total: 6, fromCsv: 6, fromOfx: 0 });
    expect((await listDuplicateQueue(caller(s, s.tenant.members.viewer), { status: "pending", limit: 50 })).rows).toEqual([]);
    const result = await decideDuplicates(caller(s, s.tenant.members.reviewer), { ids: s.candidateIds, decision: "approve" });
    expect(result.decided).toEqual([]);
    expect(result.alreadyDecided.map((r) => r.status)).toEqual(Array(HELD).fill("reverted"));
    expect(await ledgerCounts(s)).toEqual({ total: 6, fromCsv: 6, fromOfx: 0 });
  });
});

describe("a decision racing a revert of the same import", () => {
  it("waits for the revert, so no approved row outlives its reverted import", async () => {
    const s = await likelyDuplicateScenario("dups-revert-race");
    const [a] = s.candidateIds as [number];
    let revertDeleted!: () => void;
    const deleted = new Promise<void>((resolve) => (revertDeleted = resolve));
    // revertImport's own steps, held open between removing the import's ledger rows and marking its candidates.
    const revert = asUser(s.tenant.members.uploader, async (db) => {
      await getImport(db, { tenantId: s.tenant.id, importId: s.ofxImportId, forUpdate: true });
      await db.query("delete from public.transactions where tenant_id = $1 and import_id = $2", [s.tenant.id, s.ofxImportId]);
      revertDeleted();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await db.query("update public.duplicate_candidates set status = 'reverted' where tenant_id = $1 and import_id = $2 and status in ('pending', 'approved')", [s.tenant.id, s.ofxImportId]);
      await db.query("update public.imports set status = 'reverted' where tenant_id = $1 and id = $2", [s.tenant.id, s.ofxImportId]);
    });
    await deleted;
    const decision = await decideDuplicates(caller(s, s.tenant.members.reviewer), { ids: [a], decision: "approve" });
    await revert;
    expect(decision).toEqual({ decided: [], alreadyDecided: [{ id: a, status: "reverted", decidedBy: null }], alreadyInLedger: [], notFound: [] });
    expect(await ledgerCounts(s)).toEqual({ total: 6, fromCsv: 6, fromOfx: 0 });
  });
});
