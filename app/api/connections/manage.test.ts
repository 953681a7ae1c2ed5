/**
 * Changing a connection after it was saved, through the route handlers against the real database and
 * a local Daraja (test/providers/daraja.ts): the M-Pesa callback addresses shown to the tenant's admins
 * and to nobody else (never in a list), credentials replaced (checked by the connector's schema,
 * encrypted, used by the next test, never answered back, audited without a value), and settings
 * changed (checked like new ones, the cursor cleared, audited).
 */
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import { POST as confirm } from "@/app/api/hooks/mpesa/[token]/confirmation/route";
import { decryptJson } from "@/lib/crypto/secrets";
import { hookToken } from "@/lib/connectors/hooks";
import { forgetDarajaTokens } from "@/lib/connectors/mpesa-daraja";
import { secretContext } from "@/lib/connectors/service";
import { asService, createTenant, type TestTenant, type TestUser } from "@/test/db";
import { confirmation, startDarajaServer, type DarajaTestServer } from "@/test/providers/daraja";
import { GET as LIST, POST as CREATE } from "./route";
import { GET as ONE, PATCH } from "./[id]/route";
import { PUT as CREDENTIALS } from "./[id]/credentials/route";
import { GET as HISTORY } from "./[id]/history/route";
import { POST as TEST } from "./[id]/test/route";

type Json = Record<string, unknown> & { error?: { code: string; message: string } };
type Handler = (request: NextRequest, segment: { params: Promise<{ id: string }> }) => Promise<Response>;

const PUBLIC = "https://inflow.example.co.ke";
const OLD_SECRET = "old-consumer-secret-4b1d";
let daraja: DarajaTestServer;
let t: TestTenant;
let accountId: string;
let id: string;
let sqlId: string;

async function call(handler: Handler, user: TestUser, options: { method: string; id?: string; body?: unknown }): Promise<{ status: number; text: string; json: Json }> {
  const token = await createSessionToken(user.claims);
  const request = new NextRequest("http://localhost/api/connections", {
    method: options.method,
    headers: { host: "localhost", cookie: `${SESSION_COOKIE}=${token}`, "content-type": "application/json" },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const response = await handler(request, { params: Promise.resolve({ id: options.id ?? "" }) });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as Json };
}

const mpesaConfig = (overrides: Record<string, unknown> = {}) => ({ environment: "sandbox", baseUrl: daraja.url, shortCode: daraja.shortCode, publicUrl: PUBLIC, accountId, ...overrides });

async function auditOf(action: string) {
  return asService(async (db) => (await db.query<{ before: unknown; after: unknown; details: unknown }>("select before, after, details from public.audit_log where tenant_id = $1 and entity_id = $2 and action = $3 order by id", [t.id, id, action])).rows);
}

beforeAll(async () => {
  daraja = await startDarajaServer();
  forgetDarajaTokens();
  t = await createTenant("connections-manage");
  accountId = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'M-Pesa paybill', 'KES') returning id", [t.id])).rows[0]!.id);
  const created = await call(CREATE, t.members.admin, {
    method: "POST",
    body: { name: "Paybill", type: "mpesa-daraja", config: mpesaConfig(), secrets: { consumerKey: daraja.consumerKey, consumerSecret: OLD_SECRET } },
  });
  expect(created.status, created.text).toBe(201);
  id = created.json.id as string;
  const sql = await call(CREATE, t.members.admin, { method: "POST", body: { name: "Books database", type: "sql", config: { table: "ledger", cursorColumn: "id", idColumn: "id", amountColumn: "amount", dateColumn: "booked_on", currency: "USD", accountId }, secrets: { connectionString: "postgres://u:p@127.0.0.1:1/db" } } });
  expect(sql.status, sql.text).toBe(201);
  sqlId = sql.json.id as string;
});

afterAll(async () => {
  await daraja?.close();
});

describe("M-Pesa callback addresses", () => {
  it("are shown to the tenant's admins, and they are the addresses Daraja's confirmations are accepted at", async () => {
    const detail = await call(ONE, t.members.admin, { method: "GET", id });
    expect(detail.status, detail.text).toBe(200);
    const token = hookToken(id);
    expect(detail.json.callbacks).toEqual([
      { label: "Confirmation URL", url: `${PUBLIC}/api/hooks/mpesa/${token}/confirmation` },
      { label: "Validation URL", url: `${PUBLIC}/api/hooks/mpesa/${token}/validation` },
    ]);
    expect(detail.json).toMatchObject({ id, name: "Paybill", type: "mpesa-daraja", status: "active" });
    expect(detail.text).not.toContain(OLD_SECRET);

    // The path of the shown address is the one the callback route accepts for this connection.
    const shown = new URL((detail.json.callbacks as { url: string }[])[0]!.url);
    const pathToken = decodeURIComponent(shown.pathname.split("/")[4]!);
    const answer = await confirm(
      new Request(shown, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(confirmation({ TransID: "RKTQDM7W6S", TransAmount: "10.00", TransTime: "20260115103000", BusinessShortCode: daraja.shortCode })) }),
      { params: Promise.resolve({ token: pathToken }) },
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ ResultCode: 0, ResultDesc: "Accepted" });
  });

  it("are shown to no other role, and in no list or history", async () => {
    const token = hookToken(id);
    for (const role of ["reviewer", "uploader", "viewer"] as const) {
      const response = await call(ONE, t.members[role], { method: "GET", id });
      expect(response.status, role).toBe(403);
      expect(response.text).not.toContain(token);
      // Every member may list the connections: the list never carries the addresses.
      const list = await call(LIST, t.members[role], { method: "GET" });
      expect(list.status).toBe(200);
      expect(list.text).toContain(id);
      expect(list.text).not.toContain(token.split(".")[1]!);
      expect(list.text).not.toContain("callbacks");
    }
    const adminList = await call(LIST, t.members.admin, { method: "GET" });
    expect(adminList.text).not.toContain(token.split(".")[1]!);
    const history = await call(HISTORY, t.members.admin, { method: "GET", id });
    expect(history.status).toBe(200);
    expect(history.text).not.toContain(token.split(".")[1]!);
  });

  it("are none for a connector the provider does not push to", async () => {
    const detail = await call(ONE, t.members.admin, { method: "GET", id: sqlId });
    expect(detail.status, detail.text).toBe(200);
    expect(detail.json.callbacks).toBeNull();
  });
});

describe("replacing credentials", () => {
  it("checks them with the connector's schema, stores them encrypted, uses them, and never answers or audits a value", async () => {
    const before = await call(TEST, t.members.admin, { method: "POST", id });
    expect(before.json.ok, before.text).toBe(false);
    expect(before.json.message).toMatch(/Daraja refused the consumer key and secret/);

    for (const role of ["reviewer", "uploader", "viewer"] as const) {
      const refused = await call(CREDENTIALS, t.members[role], { method: "PUT", id, body: { secrets: { consumerKey: daraja.consumerKey, consumerSecret: daraja.consumerSecret } } });
      expect(refused.status, role).toBe(403);
    }
    const invalid = await call(CREDENTIALS, t.members.admin, { method: "PUT", id, body: { secrets: { consumerKey: daraja.consumerKey, consumerSecret: "  " } } });
    expect(invalid.status).toBe(422);
    expect(invalid.json.error?.message).toBe("secrets.consumerSecret: Enter the Daraja app's consumer secret");

    const replaced = await call(CREDENTIALS, t.members.admin, { method: "PUT", id, body: { secrets: { consumerKey: daraja.consumerKey, consumerSecret: daraja.consumerSecret } } });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.json).toMatchObject({ id, hasCredentials: true });
    expect(replaced.text).not.toContain(daraja.consumerSecret);
    expect(replaced.text).not.toContain(daraja.consumerKey);

    const stored = await asService(async (db) => (await db.query<{ secret_ciphertext: Buffer }>("select secret_ciphertext from public.connections where id = $1", [id])).rows[0]!.secret_ciphertext);
    expect(stored.toString("latin1")).not.toContain(daraja.consumerSecret);
    expect(decryptJson(stored, secretContext(t.id, id))).toEqual({ consumerKey: daraja.consumerKey, consumerSecret: daraja.consumerSecret });

    const after = await call(TEST, t.members.admin, { method: "POST", id });
    expect(after.json, after.text).toMatchObject({ ok: true });

    const audit = await auditOf("connection.credentials_replaced");
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toEqual({ fields: ["consumerKey", "consumerSecret"] });
    const allAudit = JSON.stringify(await asService(async (db) => (await db.query("select before, after, details from public.audit_log where tenant_id = $1", [t.id])).rows));
    for (const value of [daraja.consumerSecret, OLD_SECRET, daraja.consumerKey]) expect(allAudit).not.toContain(value);
  });
});

describe("changing settings", () => {
  it("checks them like new ones, refuses credentials and type there, clears the cursor, and audits the change", async () => {
    await asService((db) => db.query(`update public.connections set cursor = '{"position": "7", "registered": "x"}' where id = $1`, [id]));

    const badShortCode = await call(PATCH, t.members.admin, { method: "PATCH", id, body: { config: mpesaConfig({ shortCode: "12" }) } });
    expect(badShortCode.status).toBe(422);
    expect(badShortCode.json.error?.message).toBe("config.shortCode: Enter the paybill or till number (5 to 7 digits)");
    const withSecrets = await call(PATCH, t.members.admin, { method: "PATCH", id, body: { secrets: { consumerKey: "x", consumerSecret: "y" } } });
    expect(withSecrets.status).toBe(422);
    expect(withSecrets.json.error?.message).toMatch(/^secrets: credentials are replaced on their own/);
    const withType = await call(PATCH, t.members.admin, { method: "PATCH", id, body: { type: "sql" } });
    expect(withType.status).toBe(422);
    const taken = await call(PATCH, t.members.admin, { method: "PATCH", id, body: { name: "Books database" } });
    expect(taken.status).toBe(409);
    const reviewer = await call(PATCH, t.members.reviewer, { method: "PATCH", id, body: { name: "Hijacked" } });
    expect(reviewer.status).toBe(403);
    // Nothing above changed anything.
    const unchanged = await asService(async (db) => (await db.query<{ name: string; cursor: unknown }>("select name, cursor from public.connections where id = $1", [id])).rows[0]!);
    expect(unchanged).toEqual({ name: "Paybill", cursor: { position: "7", registered: "x" } });

    const changed = await call(PATCH, t.members.admin, { method: "PATCH", id, body: { name: "Paybill 600984", schedule: "daily", config: mpesaConfig({ publicUrl: "https://pay.example.co.ke" }) } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).toMatchObject({ name: "Paybill 600984", schedule: "daily", config: { publicUrl: "https://pay.example.co.ke", shortCode: daraja.shortCode, pageSize: 500 } });
    expect(changed.json.nextSyncAt).not.toBeNull();
    const row = await asService(async (db) => (await db.query<{ cursor: unknown }>("select cursor from public.connections where id = $1", [id])).rows[0]!);
    expect(row.cursor).toBeNull();

    // The addresses follow the new public address; the credentials are the ones replaced before.
    const detail = await call(ONE, t.members.admin, { method: "GET", id });
    expect((detail.json.callbacks as { url: string }[])[0]!.url).toBe(`https://pay.example.co.ke/api/hooks/mpesa/${hookToken(id)}/confirmation`);
    expect((await call(TEST, t.members.admin, { method: "POST", id })).json).toMatchObject({ ok: true });

    // A name-only change leaves the cursor alone.
    await asService((db) => db.query(`update public.connections set cursor = '{"position": "9", "registered": null}' where id = $1`, [id]));
    const renamed = await call(PATCH, t.members.admin, { method: "PATCH", id, body: { name: "Paybill (Nairobi)" } });
    expect(renamed.status, renamed.text).toBe(200);
    const kept = await asService(async (db) => (await db.query<{ cursor: unknown }>("select cursor from public.connections where id = $1", [id])).rows[0]!);
    expect(kept.cursor).toEqual({ position: "9", registered: null });

    const audit = await auditOf("connection.update");
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({
      before: { name: "Paybill", schedule: "manual", config: { publicUrl: PUBLIC } },
      after: { name: "Paybill 600984", schedule: "daily", config: { publicUrl: "https://pay.example.co.ke" } },
      details: { cursorCleared: true },
    });
    expect(audit[1]).toEqual({ before: { name: "Paybill 600984" }, after: { name: "Paybill (Nairobi)" }, details: null });
  });
});
