/**
 * The connections API end to end against a real OpenSSH server on loopback (test/sftp-server.ts) and
 * the real database: create with password or key, list, test, sync (queued with 202 and run by the
 * real job worker) — new files imported through the
 * pipeline, a broken file reported while the good ones commit, nothing imported twice — and no
 * answer, list or audit row ever carrying a credential.
 */
import fs from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import { decryptJson } from "@/lib/crypto/secrets";
import { CONNECTOR_TYPES } from "@/lib/connectors";
import { CONNECTION_QUEUES, connectionQueue, type SyncJobOutcome } from "@/lib/connectors/jobs";
import type { ConnectionView } from "@/lib/connectors/service";
import type { SyncResult } from "@/lib/connectors/sync";
import { startWorker, stopJobQueue } from "@/lib/ingest/jobs";
import { asService, asUser, createTenant, type TestTenant, type TestUser } from "@/test/db";
import { startSftpServer, type SftpTestServer } from "@/test/sftp-server";
import { GET, POST } from "./route";
import { POST as SYNC } from "./[id]/sync/route";
import { POST as TEST } from "./[id]/test/route";

const SAMPLES = path.resolve("test/fixtures/samples");
const sample = (name: string) => fs.readFileSync(path.join(SAMPLES, name));

let server: SftpTestServer;
let t: TestTenant;
let accountId: string;

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

type Handler<P> = (request: NextRequest, segment: { params: Promise<P> }) => Promise<Response>;

async function call<P extends { id?: string }>(
  handler: Handler<P>,
  user: TestUser,
  options: { method?: string; body?: unknown; id?: string } = {},
): Promise<{ status: number; text: string; json: Json }> {
  const token = await createSessionToken(user.claims);
  const request = new NextRequest("http://localhost/api/connections", {
    method: options.method ?? "POST",
    headers: { host: "localhost", cookie: `${SESSION_COOKIE}=${token}`, "content-type": "application/json" },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const response = await handler(request, { params: Promise.resolve((options.id ? { id: options.id } : {}) as P) });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as Json };
}

function sftpConfig(overrides: Record<string, unknown> = {}) {
  return {
    host: server.host,
    port: server.port,
    username: server.username,
    folder: "drop",
    pattern: "*.{ofx,sta,bai2,csv}",
    settleSeconds: 0,
    filesPerBatch: 2,
    accountId,
    ...overrides,
  };
}

async function create(body: Record<string, unknown>): Promise<ConnectionView> {
  const response = await call(POST, t.members.admin, { body });
  expect(response.status, response.text).toBe(201);
  return response.json as unknown as ConnectionView;
}

/** Sync now: the route queues the sync (202); the worker runs it; the job's output is what it did. */
async function sync(id: string, user: TestUser = t.members.admin) {
  const response = await call(SYNC, user, { id });
  expect(response.status, response.text).toBe(202);
  const jobId = response.json.jobId as string;
  const boss = await connectionQueue();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = await boss.getJobById(CONNECTION_QUEUES.sync, jobId);
    if (job?.state === "completed") {
      const output = job.output as SyncJobOutcome;
      if (!output.ran || !output.result) throw new Error(`the sync did not run: ${JSON.stringify(output)}`);
      // Neither the queued job nor what it answered carries a credential.
      expectNoCredentials(JSON.stringify(job.data) + JSON.stringify(output));
      return { ...response, result: output.result as SyncResult };
    }
    if (job?.state === "failed" || Date.now() > deadline) throw new Error(`sync job ${jobId} is ${job?.state ?? "missing"}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the ledger and the import history hold for a connection. */
async function ledgerOf(connectionId: string) {
  return asService(async (db) => {
    const imports = await db.query<{ file_name: string; status: string }>(
      "select file_name, status from public.imports where tenant_id = $1 and source = $2 order by file_name, created_at",
      [t.id, `connector:sftp:${connectionId}`],
    );
    const transactions = await db.query<{ n: string }>("select count(*)::text as n from public.transactions where tenant_id = $1 and source like $2", [
      t.id,
      `connector:sftp:${connectionId}:%`,
    ]);
    const files = await db.query<{ path: string }>("select path from public.connection_files where tenant_id = $1 and connection_id = $2 order by path, seen_at", [t.id, connectionId]);
    return { imports: imports.rows.map((r) => [r.file_name, r.status]), transactions: Number(transactions.rows[0]!.n), files: files.rows.map((r) => r.path) };
  });
}

function expectNoCredentials(text: string): void {
  expect(text).not.toContain(server.password);
  expect(text).not.toContain("PRIVATE KEY");
  expect(text).not.toContain(server.privateKey.split("\n")[1]!);
  expect(text).not.toMatch(/"secrets?"|secret_ciphertext|"password"|"privateKey"/);
}

beforeAll(async () => {
  await startWorker();
  server = await startSftpServer();
  t = await createTenant("connections-api");
  accountId = await asService(async (db) => {
    const { rows } = await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Operating account', 'USD') returning id", [t.id]);
    return rows[0]!.id;
  });
  server.put("drop/2026-01-bank.ofx", sample("ofx/jseutter-ofxparse__bank_medium.ofx"));
  server.put("drop/2026-01-broken.bai2", sample("bai2/venturehacks-bai2__invalid_checksum_eod.bai2"));
  server.put("drop/2026-01-ing.sta", sample("mt940/wolph-mt940__jejik_ing.sta"));
  server.put("drop/notes.txt", "not a statement\n");
  server.put("keydrop/2026-01-knab.sta", sample("mt940/wolph-mt940__jejik_knab.sta"));
});

afterAll(async () => {
  await server?.stop();
  await stopJobQueue();
});

describe("creating and listing connections", () => {
  let created: ConnectionView;

  beforeAll(async () => {
    created = await create({ name: "Bank drop folder", type: "sftp", schedule: "daily", config: sftpConfig(), secrets: { password: server.password } });
  });

  it("answers the settings and health, never the credentials, and stores them encrypted", async () => {
    expect(created).toMatchObject({ name: "Bank drop folder", type: "sftp", status: "active", schedule: "daily", hasCredentials: true, consecutiveFailures: 0, lastSyncAt: null });
    expect(created.config).toEqual({ ...sftpConfig(), port: server.port });
    expect(new Date(created.nextSyncAt as unknown as string).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expectNoCredentials(JSON.stringify(created));

    const stored = await asService(async (db) => (await db.query<{ secret: Buffer }>("select secret_ciphertext as secret from public.connections where id = $1", [created.id])).rows[0]!.secret);
    expect(stored.includes(Buffer.from(server.password))).toBe(false);
    expect(decryptJson(stored, `${t.id}:${created.id}`)).toEqual({ password: server.password });

    const audit = await asService(async (db) => (await db.query<{ row: string }>("select row_to_json(a)::text as row from public.audit_log a where tenant_id = $1 and entity_id = $2", [t.id, created.id])).rows);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.row).toContain('"action":"connection.create"');
    expectNoCredentials(audit[0]!.row);
  });

  it("lists the tenant's connections to every member, without credentials", async () => {
    for (const user of [t.members.viewer, t.members.admin]) {
      const response = await call(GET, user, { method: "GET" });
      expect(response.status).toBe(200);
      expect((response.json.rows as ConnectionView[]).map((r) => [r.name, r.type])).toEqual([["Bank drop folder", "sftp"]]);
      expectNoCredentials(response.text);
    }
  });

  it("lets only admins create, test or sync", async () => {
    const body = { name: "Sneaky", type: "sftp", config: sftpConfig(), secrets: { password: "x" } };
    for (const user of [t.members.uploader, t.members.reviewer, t.members.viewer]) {
      expect(await call(POST, user, { body })).toMatchObject({ status: 403, json: { error: { code: "forbidden", message: "Your role does not allow you to manage connections." } } });
      expect((await call(TEST, user, { id: created.id })).status).toBe(403);
      expect((await call(SYNC, user, { id: created.id })).status).toBe(403);
    }
  });

  it("names what is wrong with the input, field by field", async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ name: "No secrets", type: "sftp", config: sftpConfig(), secrets: {} }, 422, "secrets.password: Enter a password or a private key"],
      [{ name: "No host", type: "sftp", config: { ...sftpConfig(), host: "" }, secrets: { password: "p" } }, 422, "config.host: Enter the server's host name or address"],
      [{ name: "Bad cron", type: "sftp", schedule: "every tuesday", config: sftpConfig(), secrets: { password: "p" } }, 422, "schedule: Choose manual, hourly, daily, or a cron expression with five fields (minute hour day month weekday)"],
      // The registry grows with each connector; the message lists whatever it holds.
      [{ name: "Ftp", type: "ftp", config: {}, secrets: {} }, 422, `type: Inflow has no connector of type "ftp". Choose one of: ${CONNECTOR_TYPES.join(", ")}.`],
      [{ name: "Other account", type: "sftp", config: { ...sftpConfig(), accountId: "00000000-0000-4000-8000-000000000000" }, secrets: { password: "p" } }, 422, "config.accountId: choose an account that exists in this workspace."],
      [{ name: "Bank drop folder", type: "sftp", config: sftpConfig(), secrets: { password: "p" } }, 409, 'A connection named "Bank drop folder" already exists. Choose another name.'],
    ];
    for (const [body, status, message] of cases) {
      const response = await call(POST, t.members.admin, { body });
      expect([response.status, response.json.error?.message]).toEqual([status, message]);
    }
    const count = await asService(async (db) => (await db.query("select 1 from public.connections where tenant_id = $1", [t.id])).rowCount);
    expect(count).toBe(1);
  });

  it("keeps the ciphertext out of reach of API roles: no select, and the helper answers admins only", async () => {
    const attempt = asUser(t.members.admin, (db) => db.query("select secret_ciphertext from public.connections where tenant_id = $1", [t.id]));
    await expect(attempt).rejects.toMatchObject({ code: "42501" });
    const viaHelper = async (user: TestUser) =>
      asUser(user, async (db) => (await db.query<{ s: Buffer | null }>("select private.connection_secret($1, $2) as s", [t.id, created.id])).rows[0]!.s);
    expect(await viaHelper(t.members.viewer)).toBeNull();
    expect(await viaHelper(t.members.uploader)).toBeNull();
    expect(Buffer.isBuffer(await viaHelper(t.members.admin))).toBe(true);
  });
});

describe("test connection", () => {
  it("signs in with a password or a key, and says in plain words when it cannot", async () => {
    const withPassword = await create({ name: "Test: password", type: "sftp", config: sftpConfig(), secrets: { password: server.password } });
    const withKey = await create({ name: "Test: key", type: "sftp", config: sftpConfig({ folder: "keydrop" }), secrets: { privateKey: server.privateKey } });
    const wrong = await create({ name: "Test: wrong password", type: "sftp", config: sftpConfig(), secrets: { password: "wrong-password" } });

    const answers = [];
    for (const c of [withPassword, withKey, wrong]) {
      const response = await call(TEST, t.members.admin, { id: c.id });
      expect(response.status).toBe(200);
      expectNoCredentials(response.text);
      answers.push(response.json);
    }
    expect(answers).toEqual([
      { ok: true, message: `Signed in to 127.0.0.1 as ${server.username}: 3 files match "*.{ofx,sta,bai2,csv}" in "drop".` },
      { ok: true, message: `Signed in to 127.0.0.1 as ${server.username}: 1 file matches "*.{ofx,sta,bai2,csv}" in "keydrop".` },
      { ok: false, message: `The server refused to sign in as "${server.username}": check the password or the private key.` },
    ]);
    expect((await call(TEST, t.members.admin, { id: "00000000-0000-4000-8000-000000000000" })).status).toBe(404);
  });
});

describe("syncing a drop folder", () => {
  let id: string;

  beforeAll(async () => {
    id = (await create({ name: "Sync: password", type: "sftp", config: sftpConfig(), secrets: { password: server.password } })).id;
  });

  it("imports every new file through the pipeline, reporting the broken one while the good ones commit", async () => {
    const { status, text, result } = await sync(id);
    expect(status, text).toBe(202);
    expectNoCredentials(text);
    expect(result.ok).toBe(true);
    expect(result.files.map((f) => [f.path, f.outcome, f.imported])).toEqual([
      ["drop/2026-01-bank.ofx", "committed", 3],
      ["drop/2026-01-broken.bai2", "failed", 0],
      ["drop/2026-01-ing.sta", "committed", 7],
    ]);
    expect(result.files[1]!.message).toMatch(/control total/i);
    expect(result.counts).toEqual({ files: 3, committed: 2, needsReview: 0, failed: 1, imported: 10 });
    expect(result.unchanged).toBe(0);
    expect(result.connection).toMatchObject({ status: "active", consecutiveFailures: 0, lastError: null });
    expect(result.connection.lastSuccessAt).not.toBeNull();

    expect(await ledgerOf(id)).toEqual({
      imports: [
        ["drop/2026-01-bank.ofx", "committed"],
        ["drop/2026-01-broken.bai2", "failed"],
        ["drop/2026-01-ing.sta", "committed"],
      ],
      transactions: 10,
      files: ["drop/2026-01-bank.ofx", "drop/2026-01-broken.bai2", "drop/2026-01-ing.sta"],
    });
    // The batches of two were walked to the end: the next sync starts from the top again.
    const cursor = await asService(async (db) => (await db.query<{ cursor: unknown }>("select cursor from public.connections where id = $1", [id])).rows[0]!.cursor);
    expect(cursor).toBeNull();
  });

  it("a second sync imports nothing new", async () => {
    const { status, result } = await sync(id);
    expect(status).toBe(202);
    expect(result.files).toEqual([]);
    expect(result.counts).toEqual({ files: 0, committed: 0, needsReview: 0, failed: 0, imported: 0 });
    expect((await ledgerOf(id)).imports).toHaveLength(3);
    expect((await ledgerOf(id)).transactions).toBe(10);
  });

  it("picks up only the new file; the same bytes touched again are not re-imported; changed bytes are", async () => {
    server.put("drop/2026-02-card.csv", sample("csv/bank_us_debit_credit_bom.csv"));
    server.put("drop/2026-01-bank.ofx", sample("ofx/jseutter-ofxparse__bank_medium.ofx"), 120); // touched: new mtime, same bytes
    server.put("drop/2026-01-ing.sta", sample("mt940/wolph-mt940__jejik_triodos.sta"), 60); // replaced: new bytes, same name

    const { status, result } = await sync(id);
    expect(status).toBe(202);
    expect(result.files.map((f) => [f.path, f.outcome, f.imported])).toEqual([
      ["drop/2026-01-ing.sta", "committed", 2],
      ["drop/2026-02-card.csv", "needs_review", 0],
    ]);
    // The card export has a row with an impossible date: it waits in review instead of being committed.
    expect(result.files[1]!.message).toMatch(/^This import cannot be committed yet: 1 row has errors to correct or exclude/);
    expect(result.unchanged).toBe(1);

    const after = await ledgerOf(id);
    expect(after.imports).toEqual([
      ["drop/2026-01-bank.ofx", "committed"],
      ["drop/2026-01-broken.bai2", "failed"],
      ["drop/2026-01-ing.sta", "committed"],
      ["drop/2026-01-ing.sta", "committed"],
      ["drop/2026-02-card.csv", "staged"],
    ]);
    expect(after.transactions).toBe(12);

    // Nothing is fetched again once recorded, including the file waiting in review.
    const again = await sync(id);
    expect(again.result.files).toEqual([]);
    expect(again.result.unchanged).toBe(0);
    expect((await ledgerOf(id)).imports).toHaveLength(5);
  });

  it("syncs with key authentication too", async () => {
    const keyed = await create({ name: "Sync: key", type: "sftp", config: sftpConfig({ folder: "keydrop" }), secrets: { privateKey: server.privateKey } });
    const { status, text, result } = await sync(keyed.id);
    expect(status).toBe(202);
    expectNoCredentials(text);
    expect(result.files.map((f) => [f.path, f.outcome, f.imported])).toEqual([["keydrop/2026-01-knab.sta", "committed", 3]]);
  });

  it("records a failed sync with the provider's words, and marks the connection failing after three in a row", async () => {
    const broken = await create({ name: "Sync: wrong password", type: "sftp", config: sftpConfig(), secrets: { password: "wrong-password" } });
    const statuses: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const { status, text, result } = await sync(broken.id);
      expect(status).toBe(202);
      expect(result.ok).toBe(false);
      expectNoCredentials(text);
      expect(result.error).toEqual({ code: "sync_failed", message: `The server refused to sign in as "${server.username}": check the password or the private key.` });
      expect(result.connection.consecutiveFailures).toBe(n);
      statuses.push(result.connection.status);
    }
    expect(statuses).toEqual(["active", "active", "failing"]);
    expect((await ledgerOf(broken.id)).imports).toEqual([]);
    const audit = await asService(async (db) =>
      (await db.query<{ details: { ok: boolean; error: string } }>("select details from public.audit_log where tenant_id = $1 and entity_id = $2 and action = 'connection.sync'", [t.id, broken.id])).rows,
    );
    expect(audit.map((a) => a.details.ok)).toEqual([false, false, false]);
  });
});
