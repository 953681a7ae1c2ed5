/**
 * The duplicate queue over HTTP: real route handlers, real session cookies, the real database. The
 * likely duplicates come from a CSV backfill followed by the same transactions as an OFX download.
 */
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import type { DuplicateCandidate } from "@/lib/db/queries/duplicates";
import type { ImportSummary } from "@/lib/db/queries/imports";
import type { DecisionResult, UndoResult } from "@/lib/ingest/duplicates";
import { createTenant, type TestUser } from "@/test/db";
import { HELD, ledgerCounts, likelyDuplicateScenario } from "@/test/likely-duplicates";
import { GET as importsGET } from "../imports/route";
import { POST as decidePOST } from "./decide/route";
import { GET as queueGET } from "./route";
import { POST as undoPOST } from "./undo/route";

const noParams = { params: Promise.resolve({}) };

async function call(
  route: (request: NextRequest, segment: typeof noParams) => Promise<Response>,
  user: TestUser,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const token = await createSessionToken(user.claims);
  const request = new NextRequest(`http://localhost${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { host: "localhost", cookie: `${SESSION_COOKIE}=${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const response = await route(request, noParams);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const queueRows = (json: Record<string, unknown>) => json.rows as DuplicateCandidate[];

describe("GET /api/duplicates", () => {
  it("gives a viewer the pending queue side by side, and pages by id", async () => {
    const s = await likelyDuplicateScenario("http-dups-queue");
    const all = await call(queueGET, s.tenant.members.viewer, "/api/duplicates");
    expect(all.status).toBe(200);
    expect(queueRows(all.json).map((r) => r.id)).toEqual(s.candidateIds);
    expect(queueRows(all.json).map((r) => [r.held.date, r.matched?.date, r.held.amount, r.held.fileName, r.matched?.fileName])).toEqual([
      ["2025-03-04", "2025-03-03", "-120.50", "bank-march.ofx", "backfill-march.csv"],
      ["2025-03-06", "2025-03-05", "-2000.00", "bank-march.ofx", "backfill-march.csv"],
      ["2025-03-08", "2025-03-07", "1500.00", "bank-march.ofx", "backfill-march.csv"],
      ["2025-03-11", "2025-03-10", "-89.99", "bank-march.ofx", "backfill-march.csv"],
      ["2025-03-13", "2025-03-12", "-45.20", "bank-march.ofx", "backfill-march.csv"],
    ]);
    const page = await call(queueGET, s.tenant.members.viewer, `/api/duplicates?status=pending&limit=3&after=${s.candidateIds[0]}`);
    expect(queueRows(page.json).map((r) => r.id)).toEqual(s.candidateIds.slice(1, 4));
    expect(page.json.nextAfter).toBe(String(s.candidateIds[3]));
  });

  it("answers 422 for a status it does not know", async () => {
    const s = await likelyDuplicateScenario("http-dups-422");
    const bad = await call(queueGET, s.tenant.members.viewer, "/api/duplicates?status=maybe");
    expect(bad.status).toBe(422);
    expect((bad.json.error as { code: string }).code).toBe("validation");
  });

  it("shows another tenant's member none of the queue, and lets them decide none of it", async () => {
    const s = await likelyDuplicateScenario("http-dups-iso");
    const other = await createTenant("http-dups-other");
    const theirs = await call(queueGET, other.members.admin, "/api/duplicates");
    expect(theirs).toEqual({ status: 200, json: { rows: [], nextAfter: null } });
    const decide = await call(decidePOST, other.members.reviewer, "/api/duplicates/decide", { ids: s.candidateIds, decision: "approve" });
    expect(decide.status).toBe(404);
    expect(await ledgerCounts(s)).toEqual({ total: 7, fromCsv: 6, fromOfx: 1 });
  });
});

describe("POST /api/duplicates/decide", () => {
  it("refuses a viewer and an uploader with 403, deciding nothing", async () => {
    const s = await likelyDuplicateScenario("http-dups-403");
    for (const user of [s.tenant.members.viewer, s.tenant.members.uploader]) {
      const response = await call(decidePOST, user, "/api/duplicates/decide", { ids: [s.candidateIds[0]], decision: "approve" });
      expect(response).toEqual({ status: 403, json: { error: { code: "forbidden", message: "Your role does not allow you to decide on duplicates." } } });
    }
    expect(await ledgerCounts(s)).toEqual({ total: 7, fromCsv: 6, fromOfx: 1 });
  });

  it("answers 422 for an empty list or an unknown decision", async () => {
    const s = await likelyDuplicateScenario("http-dups-body");
    const empty = await call(decidePOST, s.tenant.members.reviewer, "/api/duplicates/decide", { ids: [], decision: "approve" });
    expect(empty.status).toBe(422);
    expect((empty.json.error as { message: string }).message).toBe("ids: choose at least one duplicate");
    const missing = await call(decidePOST, s.tenant.members.reviewer, "/api/duplicates/decide", { decision: "approve" });
    expect((missing.json.error as { message: string }).message).toBe("ids: list the duplicates to decide by id, e.g. [12, 13]");
    expect((await call(decidePOST, s.tenant.members.reviewer, "/api/duplicates/decide", { ids: [s.candidateIds[0]], decision: "keep" })).status).toBe(422);
  });

  it("two reviewers deciding the same duplicate at once: one 200, one 409 naming who decided it", async () => {
    const s = await likelyDuplicateScenario("http-dups-race");
    const id = s.candidateIds[0]!;
    const [a, b] = await Promise.all([
      call(decidePOST, s.tenant.members.reviewer, "/api/duplicates/decide", { ids: [id], decision: "approve" }),
      call(decidePOST, s.reviewer2, "/api/duplicates/decide", { ids: [id], decision: "reject" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
    const winnerUser = a.status === 200 ? s.tenant.members.reviewer : s.reviewer2;
    const winningStatus = a.status === 200 ? "approved" : "rejected";
    expect(winner.json).toEqual({ decided: [id], alreadyDecided: [], alreadyInLedger: [], notFound: [] });
    expect(loser.json).toEqual({
      decided: [],
      alreadyDecided: [{ id, status: winningStatus, decidedBy: winnerUser.email }],
      alreadyInLedger: [],
      notFound: [],
      error: { code: "already_decided", message: `Nothing was decided: someone decided this duplicate first (#${id} was already ${winningStatus} by ${winnerUser.email}).` },
    });
    expect((await ledgerCounts(s)).fromOfx).toBe(winningStatus === "approved" ? 2 : 1);
  });

  it("bulk approve and reject, undo, and the import history's approved/rejected counts follow", async () => {
    const s = await likelyDuplicateScenario("http-dups-bulk");
    const [a, b, c, d, e] = s.candidateIds as [number, number, number, number, number];
    const approve = await call(decidePOST, s.tenant.members.reviewer, "/api/duplicates/decide", { ids: [a, b, c], decision: "approve" });
    expect(approve.status).toBe(200);
    expect((approve.json as unknown as DecisionResult).decided).toEqual([a, b, c]);
    const reject = await call(decidePOST, s.tenant.members.admin, "/api/duplicates/decide", { ids: [d, e], decision: "reject" });
    expect((reject.json as unknown as DecisionResult).decided).toEqual([d, e]);
    expect(await ledgerCounts(s)).toEqual({ total: 10, fromCsv: 6, fromOfx: 4 });

    const history = async () => {
      const response = await call(importsGET, s.tenant.members.viewer, "/api/imports");
      expect(response.status).toBe(200);
      return response.json.rows as (Omit<ImportSummary, "createdAt"> & { createdAt: string })[];
    };
    const [ofx, csv] = await history();
    expect(ofx).toMatchObject({
      id: s.ofxImportId,
      fileName: "bank-march.ofx",
      format: "ofx",
      status: "committed",
      rows: 6,
      source: "cli",
      createdBy: s.tenant.members.uploader.email,
      metrics: { parsed: 6, imported: 1, flagged: HELD, exactDuplicates: 0, approved: 3, rejected: 2 },
    });
    expect(csv).toMatchObject({ id: s.csvImportId, fileName: "backfill-march.csv", format: "csv", status: "committed", rows: 6, metrics: { imported: 6, flagged: 0 } });
    expect(typeof ofx!.metrics.bytes).toBe("number");
    expect(new Date(ofx!.createdAt).getTime()).toBeGreaterThanOrEqual(new Date(csv!.createdAt).getTime());

    // The admin cannot undo the reviewer's approval; the reviewer can.
    const notMine = await call(undoPOST, s.tenant.members.admin, "/api/duplicates/undo", { ids: [a] });
    expect(notMine.status).toBe(409);
    expect((notMine.json as unknown as UndoResult).undone).toEqual([]);
    const undo = await call(undoPOST, s.tenant.members.reviewer, "/api/duplicates/undo", { ids: [a] });
    expect(undo.status).toBe(200);
    expect(undo.json).toEqual({ undone: [a], notUndone: [], notFound: [] });
    expect(await ledgerCounts(s)).toEqual({ total: 9, fromCsv: 6, fromOfx: 3 });
    expect((await history())[0]!.metrics).toMatchObject({ approved: 2, rejected: 2 });
    expect(queueRows((await call(queueGET, s.tenant.members.viewer, "/api/duplicates?status=pending")).json).map((r) => r.id)).toEqual([a]);
  });
});

describe("GET /api/imports", () => {
  it("pages the history newest first by the last import id", async () => {
    const s = await likelyDuplicateScenario("http-imports-page");
    const first = await call(importsGET, s.tenant.members.viewer, "/api/imports?limit=1");
    expect((first.json.rows as ImportSummary[]).map((r) => r.id)).toEqual([s.ofxImportId]);
    expect(first.json.nextBefore).toBe(s.ofxImportId);
    const second = await call(importsGET, s.tenant.members.viewer, `/api/imports?limit=1&before=${s.ofxImportId}`);
    expect((second.json.rows as ImportSummary[]).map((r) => r.id)).toEqual([s.csvImportId]);
    const third = await call(importsGET, s.tenant.members.viewer, `/api/imports?limit=1&before=${s.csvImportId}`);
    expect(third.json).toEqual({ rows: [], nextBefore: null });
  });
});
