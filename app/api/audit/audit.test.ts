/** GET /api/audit: admins read every action newest first, filtered and keyset-paged; nobody else reads it. */
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import type { AuditRow } from "@/lib/db/queries/audit";
import { decideDuplicates } from "@/lib/ingest/duplicates";
import type { TestUser } from "@/test/db";
import { likelyDuplicateScenario } from "@/test/likely-duplicates";
import { GET } from "./route";

async function get(user: TestUser, query: string): Promise<{ status: number; json: { rows?: AuditRow[]; nextBefore?: string | null; error?: { code: string; message: string } } }> {
  const token = await createSessionToken(user.claims);
  const request = new NextRequest(`http://localhost/api/audit${query}`, { headers: { host: "localhost", cookie: `${SESSION_COOKIE}=${token}` } });
  const response = await GET(request, { params: Promise.resolve({}) });
  return { status: response.status, json: (await response.json()) as never };
}

describe("GET /api/audit", () => {
  it("returns the duplicate decisions to an admin, newest first, filtered by action and entity, paged by id", async () => {
    const s = await likelyDuplicateScenario("audit-api");
    const [a, b, c] = s.candidateIds as [number, number, number];
    const reviewer = { claims: s.tenant.members.reviewer.claims, tenantId: s.tenant.id };
    await decideDuplicates(reviewer, { ids: [a, b], decision: "approve" });
    await decideDuplicates(reviewer, { ids: [c], decision: "reject" });

    const decisions = await get(s.tenant.members.admin, "/api/audit?action=duplicate.approve");
    expect(decisions.status).toBe(200);
    expect(decisions.json.rows!.map((r) => [r.action, r.entity, r.entityId, r.actor, r.before])).toEqual([
      ["duplicate.approve", "duplicate_candidate", String(b), s.tenant.members.reviewer.email, { status: "pending" }],
      ["duplicate.approve", "duplicate_candidate", String(a), s.tenant.members.reviewer.email, { status: "pending" }],
    ]);
    expect(decisions.json.rows!.map((r) => (r.after as { status: string }).status)).toEqual(["approved", "approved"]);
    expect(decisions.json.nextBefore).toBeNull();

    const rejected = await get(s.tenant.members.admin, `/api/audit?entityId=${c}`);
    expect(rejected.json.rows!.map((r) => [r.action, r.after])).toEqual([["duplicate.reject", { status: "rejected", transactionId: null }]]);

    // Everything in the tenant: 3 decisions, 2 commits, 2 uploads — newest first, two at a time.
    const seen: string[] = [];
    let before: string | null | undefined = undefined;
    for (let page = 0; page < 10; page++) {
      const response = await get(s.tenant.members.admin, `/api/audit?limit=2${before ? `&before=${before}` : ""}`);
      seen.push(...response.json.rows!.map((r) => r.action));
      before = response.json.nextBefore;
      if (!before) break;
    }
    expect(seen).toEqual(["duplicate.reject", "duplicate.approve", "duplicate.approve", "import.commit", "import.upload", "import.commit", "import.upload"]);
  });

  it("answers 403 to a reviewer (and a viewer)", async () => {
    const s = await likelyDuplicateScenario("audit-api-403");
    for (const user of [s.tenant.members.reviewer, s.tenant.members.viewer]) {
      const response = await get(user, "");
      expect(response).toEqual({ status: 403, json: { error: { code: "forbidden", message: "Your role does not allow you to view the audit log." } } });
    }
  });
});
