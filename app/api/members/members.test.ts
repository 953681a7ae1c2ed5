/** /api/members: admins add, re-role and remove members; the last admin stays; audited; others get 403/404. */
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import { verifyPassword } from "@/lib/auth/password";
import { listAudit } from "@/lib/db/queries/audit";
import type { Member } from "@/lib/db/queries/members";
import { asService, asUser, createTenant, createUser, type TestUser } from "@/test/db";
import { GET, POST } from "./route";
import { DELETE, PATCH } from "./[userId]/route";

type Json = { members?: Member[]; member?: Member; oneTimePassword?: string; error?: { code: string; message: string } };

async function call(user: TestUser, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const token = await createSessionToken(user.claims);
  const request = new NextRequest(`http://localhost${path}`, {
    method,
    headers: { host: "localhost", cookie: `${SESSION_COOKIE}=${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const userId = path.split("/")[3] ?? "";
  const response =
    method === "GET" ? await GET(request, { params: Promise.resolve({}) })
    : method === "POST" ? await POST(request, { params: Promise.resolve({}) })
    : method === "PATCH" ? await PATCH(request, { params: Promise.resolve({ userId }) })
    : await DELETE(request, { params: Promise.resolve({ userId }) });
  return { status: response.status, json: response.status === 204 ? {} : ((await response.json()) as Json) };
}

describe("/api/members", () => {
  it("adds an existing person, changes their role and removes them, each audited", async () => {
    const t = await createTenant("members-api");
    const admin = t.members.admin;
    const person = await createUser("members-api-person");

    const added = await call(admin, "POST", "/api/members", { email: person.email.toUpperCase(), role: "viewer" });
    expect(added.status).toBe(201);
    expect(added.json.member).toMatchObject({ userId: person.id, email: person.email, role: "viewer" });
    expect(added.json.oneTimePassword).toBeUndefined();

    const again = await call(admin, "POST", "/api/members", { email: person.email, role: "admin" });
    expect(again).toEqual({ status: 409, json: { error: { code: "already_member", message: `${person.email} is already a member of this workspace.` } } });

    const changed = await call(admin, "PATCH", `/api/members/${person.id}`, { role: "reviewer" });
    expect(changed.status).toBe(200);
    expect(changed.json.member!.role).toBe("reviewer");

    const listed = await call(admin, "GET", "/api/members");
    expect(listed.json.members!.map((m) => [m.email, m.role]).sort()).toContainEqual([person.email, "reviewer"]);
    expect(listed.json.members).toHaveLength(5);

    expect((await call(admin, "DELETE", `/api/members/${person.id}`)).status).toBe(204);
    expect((await call(admin, "GET", "/api/members")).json.members).toHaveLength(4);
    expect((await call(admin, "DELETE", `/api/members/${person.id}`)).status).toBe(404);

    const audit = await asUser(admin, (db) => listAudit(db, { tenantId: t.id, limit: 10, entity: "member" }));
    expect(audit.map((a) => [a.action, a.actor, a.entityId, a.before, a.after])).toEqual([
      ["member.remove", admin.email, person.id, { email: person.email, role: "reviewer" }, null],
      ["member.role", admin.email, person.id, { email: person.email, role: "viewer" }, { email: person.email, role: "reviewer" }],
      ["member.add", admin.email, person.id, null, { email: person.email, role: "viewer" }],
    ]);
  });

  it("creates a local account with a one-time password for an unknown email", async () => {
    const t = await createTenant("members-new");
    const email = `new-${t.slug}@test.example`;
    const added = await call(t.members.admin, "POST", "/api/members", { email, role: "uploader" });
    expect(added.status).toBe(201);
    expect(added.json.member).toMatchObject({ email, role: "uploader" });
    const password = added.json.oneTimePassword!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const stored = await asService((db) => db.query<{ encrypted_password: string }>("select encrypted_password from auth.users where email = $1", [email]));
    expect(stored.rows[0]!.encrypted_password).not.toContain(password);
    expect(await verifyPassword(password, stored.rows[0]!.encrypted_password)).toBe(true);
  });

  it("never demotes or removes the last admin, and lets it go once another admin exists", async () => {
    const t = await createTenant("members-last");
    const admin = t.members.admin;
    const message = "This is the workspace's last admin. Make someone else an admin first.";
    expect(await call(admin, "PATCH", `/api/members/${admin.id}`, { role: "viewer" })).toEqual({ status: 409, json: { error: { code: "last_admin", message } } });
    expect(await call(admin, "DELETE", `/api/members/${admin.id}`)).toEqual({ status: 409, json: { error: { code: "last_admin", message } } });
    expect((await call(admin, "PATCH", `/api/members/${t.members.viewer.id}`, { role: "admin" })).status).toBe(200);
    expect((await call(admin, "PATCH", `/api/members/${admin.id}`, { role: "viewer" })).json.member!.role).toBe("viewer");
    // The new admin is now the last one.
    expect((await call(t.members.viewer, "DELETE", `/api/members/${t.members.viewer.id}`)).status).toBe(409);
  });

  it("answers 403 to every other role and 404 for another tenant's member", async () => {
    const t = await createTenant("members-403");
    const other = await createTenant("members-other");
    for (const role of ["reviewer", "uploader", "viewer"] as const) {
      const user = t.members[role];
      const expected = { status: 403, json: { error: { code: "forbidden", message: "Your role does not allow you to manage members." } } };
      expect(await call(user, "GET", "/api/members")).toEqual(expected);
      expect(await call(user, "POST", "/api/members", { email: "x@test.example", role: "admin" })).toEqual(expected);
      expect(await call(user, "PATCH", `/api/members/${user.id}`, { role: "admin" })).toEqual(expected);
      expect(await call(user, "DELETE", `/api/members/${t.members.admin.id}`)).toEqual(expected);
    }
    const foreign = other.members.viewer.id;
    expect((await call(t.members.admin, "PATCH", `/api/members/${foreign}`, { role: "admin" })).status).toBe(404);
    expect((await call(t.members.admin, "DELETE", `/api/members/${foreign}`)).status).toBe(404);
    expect((await call(t.members.admin, "DELETE", "/api/members/not-a-uuid")).status).toBe(404);
    const stillThere = await asService((db) => db.query("select role from public.memberships where tenant_id = $1 and user_id = $2", [other.id, foreign]));
    expect(stillThere.rows).toEqual([{ role: "viewer" }]);
  });

  it("answers 422 naming the field for a bad email or role", async () => {
    const t = await createTenant("members-422");
    const bad = await call(t.members.admin, "POST", "/api/members", { email: "not-an-email", role: "owner" });
    expect(bad.status).toBe(422);
    expect(bad.json.error!.message).toBe("email: Enter an email address such as name@company.com");
  });
});
