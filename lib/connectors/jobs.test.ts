/**
 * Sync jobs against the real database, a real OpenSSH server on loopback and a local HTTP server for
 * the webhook: when a connection is next due (hourly, daily, cron), retry delays and their bounds,
 * one sync at a time, the provider's limit respected, health after failures and successes, the
 * webhook sent once per failing streak, pause and resume, the due scan, and the history of syncs.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import { AppError } from "@/lib/http/errors";
import { stopJobQueue } from "@/lib/ingest/jobs";
import { asService, createTenant, type TestTenant, type TestUser } from "@/test/db";
import { startSftpServer, type SftpTestServer } from "@/test/sftp-server";
import { POST as PAUSE } from "@/app/api/connections/[id]/pause/route";
import { POST as RESUME } from "@/app/api/connections/[id]/resume/route";
import { GET as HISTORY } from "@/app/api/connections/[id]/history/route";
import { GET as GET_NOTIFY, PUT as PUT_NOTIFY } from "@/app/api/connections/notifications/route";
import { CONNECTION_QUEUES, connectionHistory, enqueueDueSyncs, requestSync, runConnectionSyncJob, scheduleNextAttempt, type SyncJobOutcome } from "./jobs";
import type { FailingMessage } from "./notify";
import { RETRY, checkSchedule, nextAttemptAt, nextScheduledRun, retryDelaySeconds } from "./schedule";
import { createConnection } from "./service";

const SAMPLES = path.resolve("test/fixtures/samples");

let server: SftpTestServer;
let t: TestTenant;
let accountId: string;
const adminCtx = () => ({ claims: t.members.admin.claims, tenantId: t.id });

/** A port on loopback where nothing listens: the SFTP connector fails at once with "connection refused". */
let closedPort: number;

async function newConnection(name: string, options: { folder?: string; schedule?: string; port?: number } = {}): Promise<string> {
  const created = await createConnection(adminCtx(), {
    name,
    type: "sftp",
    schedule: options.schedule ?? "manual",
    config: { host: server.host, port: options.port ?? server.port, username: server.username, folder: options.folder ?? "empty", pattern: "*", settleSeconds: 0, accountId },
    secrets: { password: server.password },
  });
  return created.id;
}

const setPort = (id: string, port: number) =>
  asService((db) => db.query("update public.connections set config = jsonb_set(config, '{port}', to_jsonb($2::int)) where id = $1", [id, port]));

const health = (id: string) =>
  asService(
    async (db) =>
      (
        await db.query<{ status: string; consecutive_failures: number; last_success_at: Date | null; next_sync_at: Date | null; last_error: { message: string } | null }>(
          "select status, consecutive_failures, last_success_at, next_sync_at, last_error from public.connections where id = $1",
          [id],
        )
      ).rows[0]!,
  );

const runManual = (id: string) => runConnectionSyncJob({ tenantId: t.id, connectionId: id, claims: t.members.admin.claims, trigger: "manual" });

async function call<P>(handler: (r: NextRequest, s: { params: Promise<P> }) => Promise<Response>, user: TestUser, params: P, init: { method?: string; body?: unknown } = {}) {
  const token = await createSessionToken(user.claims);
  const request = new NextRequest("http://localhost/api/connections", {
    method: init.method ?? "POST",
    headers: { host: "localhost", cookie: `${SESSION_COOKIE}=${token}`, "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const response = await handler(request, { params: Promise.resolve(params) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> & { error?: { message: string } } };
}

/** A local webhook receiver; answers with `status` (changeable) and keeps every JSON body it got. */
function startWebhook() {
  const received: FailingMessage[] = [];
  let status = 204;
  const srv = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      received.push(JSON.parse(body) as FailingMessage);
      res.statusCode = status;
      res.end();
    });
  });
  return new Promise<{ url: string; received: FailingMessage[]; answer: (s: number) => void; close: () => Promise<void> }>((resolve) => {
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/hooks/inflow`,
        received,
        answer: (s) => (status = s),
        close: () => new Promise((done) => srv.close(() => done())),
      });
    });
  });
}

beforeAll(async () => {
  server = await startSftpServer();
  t = await createTenant("connection-jobs");
  accountId = await asService(async (db) => {
    const { rows } = await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Operating account', 'USD') returning id", [t.id]);
    return rows[0]!.id;
  });
  server.put("empty/.keep", "");
  const probe = http.createServer();
  closedPort = await new Promise<number>((resolve) => probe.listen(0, "127.0.0.1", () => resolve((probe.address() as AddressInfo).port)));
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  // Jobs this file queued must not be run later by another file's worker.
  await asService((db) => db.query("delete from pgboss.job where name = $1 and data->>'tenantId' = $2", [CONNECTION_QUEUES.sync, t.id])).catch(() => undefined);
  await stopJobQueue();
  await server?.stop();
});

describe("when a connection is next due", () => {
  const from = new Date("2026-03-14T10:17:42.500Z"); // a Saturday
  it.each([
    ["manual", null],
    ["hourly", "2026-03-14T11:17:42.500Z"],
    ["daily", "2026-03-15T10:17:42.500Z"],
    ["*/15 * * * *", "2026-03-14T10:30:00.000Z"],
    ["17 * * * *", "2026-03-14T11:17:00.000Z"],
    ["0 6 * * *", "2026-03-15T06:00:00.000Z"],
    ["0 6 * * 1-5", "2026-03-16T06:00:00.000Z"], // weekdays: Monday
    ["30 2 1 * *", "2026-04-01T02:30:00.000Z"],
    ["0 0 1 jan *", "2027-01-01T00:00:00.000Z"],
    ["0 9 13 * fri", "2026-03-20T09:00:00.000Z"], // day 13 or a Friday: cron's "either" rule
    ["0 12 * * 0,7", "2026-03-15T12:00:00.000Z"], // 0 and 7 are both Sunday
    ["0 0 29 2 *", "2028-02-29T00:00:00.000Z"],
  ])("%s → %s (UTC)", (schedule, expected) => {
    expect(nextScheduledRun(schedule, from)?.toISOString() ?? null).toBe(expected);
  });

  it("refuses cron expressions that name impossible times, in words, and stores next_sync_at on creation", async () => {
    expect(checkSchedule("61 * * * *")).toEqual({ ok: false, message: "The minute 61 is out of range (0–59)." });
    expect(checkSchedule("0 0 * * 5-1")).toEqual({ ok: false, message: 'The weekday range "5-1" runs backwards.' });
    expect(checkSchedule("0 0 * * funday")).toEqual({ ok: false, message: '"funday" is not a valid weekday.' });
    await expect(newConnection("Bad cron", { schedule: "0 25 * * *" })).rejects.toMatchObject({ issues: [{ path: ["schedule"], message: "The hour 25 is out of range (0–23)." }] });

    const before = new Date();
    const id = await newConnection("Quarter-hourly", { schedule: "*/15 * * * *" });
    const stored = (await health(id)).next_sync_at!;
    expect(stored.getUTCMinutes() % 15).toBe(0);
    expect(stored.getUTCSeconds()).toBe(0);
    expect(stored.getTime()).toBeGreaterThan(before.getTime());
    expect(stored.getTime()).toBeLessThanOrEqual(before.getTime() + 15 * 60_000);
  });
});

describe("retries", () => {
  it("back off exponentially from a minute to an hour, jittered within the upper half of each step", () => {
    const steps = [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600];
    steps.forEach((step, i) => {
      const failures = i + 1;
      expect([retryDelaySeconds(failures, () => 0), retryDelaySeconds(failures, () => 0.999999)]).toEqual([step / 2, step]);
      for (let n = 0; n < 50; n++) {
        const delay = retryDelaySeconds(failures);
        expect(delay).toBeGreaterThanOrEqual(step / 2);
        expect(delay).toBeLessThanOrEqual(step);
      }
    });
    expect(RETRY.capSeconds).toBe(3600);
  });

  it("retry before the schedule, manual connections give up after five, never before the provider allows", () => {
    const now = new Date("2026-03-14T10:00:00.000Z");
    const at = (schedule: string, failures: number, allowed: Date | null = null) =>
      nextAttemptAt({ schedule, consecutiveFailures: failures, nextAllowedSyncAt: allowed, now, random: () => 1 })?.toISOString() ?? null;
    expect(at("manual", 0)).toBeNull();
    expect(at("manual", 1)).toBe("2026-03-14T10:01:00.000Z");
    expect(at("manual", 4)).toBe("2026-03-14T10:08:00.000Z");
    expect(at("manual", 5)).toBeNull();
    expect(at("hourly", 0)).toBe("2026-03-14T11:00:00.000Z");
    expect(at("hourly", 3)).toBe("2026-03-14T10:04:00.000Z");
    expect(at("*/5 * * * *", 3)).toBe("2026-03-14T10:04:00.000Z");
    expect(at("*/2 * * * *", 3)).toBe("2026-03-14T10:02:00.000Z"); // the schedule comes first
    expect(at("daily", 12)).toBe("2026-03-14T11:00:00.000Z"); // capped at an hour
    const allowed = new Date("2026-03-14T10:30:00.000Z");
    expect(at("hourly", 1, allowed)).toBe(allowed.toISOString());
    expect(at("hourly", 0, allowed)).toBe("2026-03-14T11:00:00.000Z");
  });
});

describe("health and the webhook", () => {
  let hook: Awaited<ReturnType<typeof startWebhook>>;

  beforeAll(async () => {
    hook = await startWebhook();
  });
  afterAll(async () => {
    await hook?.close();
  });

  it("lets admins set the webhook URL and no one else", async () => {
    expect(await call(PUT_NOTIFY, t.members.admin, {}, { method: "PUT", body: { webhookUrl: "ftp://example.com" } })).toMatchObject({
      status: 422,
      json: { error: { message: "webhookUrl: Enter a web address starting with https:// (or http://)" } },
    });
    for (const role of ["viewer", "uploader", "reviewer"] as const) {
      expect((await call(PUT_NOTIFY, t.members[role], {}, { method: "PUT", body: { webhookUrl: hook.url } })).status).toBe(403);
    }
    expect(await call(PUT_NOTIFY, t.members.admin, {}, { method: "PUT", body: { webhookUrl: hook.url } })).toEqual({ status: 200, json: { webhookUrl: hook.url } });
    expect(await call(GET_NOTIFY, t.members.admin, {}, { method: "GET" })).toEqual({ status: 200, json: { webhookUrl: hook.url } });
    const settings = await asService(async (db) => (await db.query<{ s: Record<string, unknown> }>("select settings as s from public.tenants where id = $1", [t.id])).rows[0]!.s);
    expect(settings.connectionWebhookUrl).toBe(hook.url);
  });

  it("counts failures, backs off, marks failing and posts the webhook once per failing streak", async () => {
    const id = await newConnection("Flaky drop folder", { port: closedPort });
    const expected = `${server.host}:${closedPort} refused the connection`;
    const timeline: [number, string, number][] = [];
    for (let n = 1; n <= 4; n++) {
      const started = Date.now();
      const outcome = await runManual(id);
      expect(outcome).toMatchObject({ ran: true, ok: false });
      const h = await health(id);
      timeline.push([h.consecutive_failures, h.status, hook.received.length]);
      expect(h.last_error?.message).toContain(expected);
      // The next attempt: jittered within the upper half of the step after n failures.
      const step = 60 * 2 ** (n - 1);
      const wait = (h.next_sync_at!.getTime() - started) / 1000;
      expect(wait).toBeGreaterThanOrEqual(step / 2 - 1);
      expect(wait).toBeLessThanOrEqual(step + 5);
    }
    expect(timeline).toEqual([
      [1, "active", 0],
      [2, "active", 0],
      [3, "failing", 1],
      [4, "failing", 1],
    ]);
    const message = hook.received[0]!;
    expect(message).toMatchObject({
      event: "connection.failing",
      tenant: { id: t.id },
      connection: { id, name: "Flaky drop folder", type: "sftp", consecutiveFailures: 3, lastSuccessAt: null },
    });
    expect(message.message).toMatch(/^The connection "Flaky drop folder" has failed 3 syncs in a row: 127\.0\.0\.1:\d+ refused the connection/);
    expect(JSON.stringify(message)).not.toContain(server.password);

    // A success ends the streak: health is reset.
    await setPort(id, server.port);
    expect(await runManual(id)).toMatchObject({ ran: true, ok: true, nextSyncAt: null });
    const healed = await health(id);
    expect([healed.status, healed.consecutive_failures, healed.last_error, healed.next_sync_at]).toEqual(["active", 0, null, null]);
    expect(healed.last_success_at).not.toBeNull();

    // A new streak is a new message — and a receiver that fails is tried again on the next failure.
    await setPort(id, closedPort);
    hook.answer(500);
    for (let n = 1; n <= 3; n++) await runManual(id);
    expect(hook.received).toHaveLength(2);
    hook.answer(200);
    const fourth = await runManual(id);
    expect(fourth).toMatchObject({ ran: true, ok: false, notified: { sent: true, status: 200 } });
    expect(hook.received).toHaveLength(3);
    expect(hook.received[2]!.connection.consecutiveFailures).toBe(4);
    await runManual(id);
    expect(hook.received).toHaveLength(3);

    const audit = await asService(async (db) =>
      (await db.query<{ details: { sent: boolean } }>("select details from public.audit_log where entity_id = $1 and action = 'connection.notify' order by id", [id])).rows.map((r) => r.details.sent),
    );
    expect(audit).toEqual([true, false, true]);
  });
});

describe("one sync at a time, and the provider's limit", () => {
  it("runs one sync of a connection at a time; the other job steps aside", async () => {
    server.put("busy/statement.ofx", fs.readFileSync(path.join(SAMPLES, "ofx/jseutter-ofxparse__bank_medium.ofx")));
    const id = await newConnection("Busy folder", { folder: "busy" });
    const outcomes = await Promise.all([runManual(id), runManual(id)]);
    expect(outcomes.map((o) => (o.ran ? "ran" : o.reason)).sort()).toEqual(["ran", "running"]);
    const ran = outcomes.find((o): o is Extract<SyncJobOutcome, { ran: true }> => o.ran)!;
    expect(ran.result?.counts).toMatchObject({ files: 1, committed: 1, imported: 3 });
    const imports = await asService(async (db) => (await db.query("select 1 from public.imports where source = $1", [`connector:sftp:${id}`])).rowCount);
    expect(imports).toBe(1);
  });

  it("queues one sync per connection however often Sync now is pressed, and refuses when the provider asked to wait", async () => {
    const id = await newConnection("Pressed twice", { port: closedPort });
    const first = await requestSync(adminCtx(), id);
    const second = await requestSync(adminCtx(), id);
    expect(first.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.jobId).toBeNull();
    const jobs = await asService(async (db) => (await db.query("select 1 from pgboss.job where name = $1 and singleton_key = $2 and state = 'created'", [CONNECTION_QUEUES.sync, id])).rowCount);
    expect(jobs).toBe(1);

    const until = new Date(Date.now() + 120_000);
    await asService((db) => db.query("update public.connections set next_allowed_sync_at = $2, next_sync_at = now() - interval '1 minute' where id = $1", [id, until]));
    const refusal = await requestSync(adminCtx(), id).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(AppError);
    expect([(refusal as AppError).status, (refusal as AppError).message]).toEqual([429, `The provider asked us to wait before the next sync: try again after ${until.toISOString()}.`]);
    // A retry that falls inside the provider's wait is moved to its end.
    await asService((db) => db.query("update public.connections set consecutive_failures = 1 where id = $1", [id]));
    expect((await scheduleNextAttempt(adminCtx(), id, new Date(), () => 0))?.toISOString()).toBe(until.toISOString());
  });
});

describe("the due scan", () => {
  it("queues due connections as their admin, skipping paused, rate-limited, not yet due and already queued ones", async () => {
    const due = await newConnection("Due now", { schedule: "hourly", port: closedPort });
    const later = await newConnection("Due later", { schedule: "hourly", port: closedPort });
    const paused = await newConnection("Due but paused", { schedule: "hourly", port: closedPort });
    const limited = await newConnection("Due but limited", { schedule: "hourly", port: closedPort });
    await asService(async (db) => {
      await db.query("update public.connections set next_sync_at = now() - interval '5 minutes' where id = any($1)", [[due, paused, limited]]);
      await db.query("update public.connections set status = 'paused' where id = $1", [paused]);
      await db.query("update public.connections set next_allowed_sync_at = now() + interval '10 minutes' where id = $1", [limited]);
    });
    await enqueueDueSyncs();
    await enqueueDueSyncs(); // already queued: not twice
    const jobs = await asService(
      async (db) =>
        (
          await db.query<{ key: string; data: { trigger: string; claims: { sub: string } } }>(
            "select singleton_key as key, data from pgboss.job where name = $1 and singleton_key = any($2)",
            [CONNECTION_QUEUES.sync, [due, later, paused, limited]],
          )
        ).rows,
    );
    expect(jobs.map((j) => [j.key, j.data.trigger, j.data.claims.sub])).toEqual([[due, "due", t.members.admin.id]]);

    // A due job that finds the connection no longer due (another sync ran) steps aside.
    expect(await runConnectionSyncJob({ tenantId: t.id, connectionId: later, claims: t.members.admin.claims, trigger: "due" })).toEqual({ ran: false, reason: "not_due" });
  });
});

describe("pause, resume and history", () => {
  it("pauses and resumes (admins only); paused connections are neither synced nor scheduled", async () => {
    const id = await newConnection("Pausable", { schedule: "daily", folder: "busy" });
    await asService((db) => db.query("update public.connections set next_sync_at = now() - interval '1 hour' where id = $1", [id]));
    for (const role of ["viewer", "uploader", "reviewer"] as const) {
      expect((await call(PAUSE, t.members[role], { id })).status).toBe(403);
    }
    const paused = await call(PAUSE, t.members.admin, { id });
    expect([paused.status, paused.json.status]).toEqual([200, "paused"]);
    await expect(requestSync(adminCtx(), id)).rejects.toMatchObject({ status: 409, message: "This connection is paused. Resume it before syncing." });
    expect(await runManual(id)).toEqual({ ran: false, reason: "paused" });

    const before = Date.now();
    const resumed = await call(RESUME, t.members.admin, { id });
    expect([resumed.status, resumed.json.status]).toEqual([200, "active"]);
    // Its time passed while paused: due at once.
    expect(new Date(resumed.json.nextSyncAt as string).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(resumed.json.nextSyncAt as string).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const audit = await asService(async (db) => (await db.query<{ action: string }>("select action from public.audit_log where entity_id = $1 and action like 'connection.%' order by id", [id])).rows);
    expect(audit.map((a) => a.action)).toEqual(["connection.create", "connection.pause", "connection.resume"]);
  });

  it("lists the syncs newest first with their counts, errors and imports with metrics", async () => {
    server.put("history/a.sta", fs.readFileSync(path.join(SAMPLES, "mt940/wolph-mt940__jejik_triodos.sta")));
    const id = await newConnection("With history", { folder: "history", port: closedPort });
    await runManual(id);
    await setPort(id, server.port);
    await runManual(id);
    const response = await call(HISTORY, t.members.admin, { id }, { method: "GET" });
    expect(response.status).toBe(200);
    const history = await connectionHistory(adminCtx(), id);
    expect(history.pending).toBeNull();
    expect(history.syncs.map((s) => [s.ok, s.counts.files, s.counts.imported, s.imports.map((i) => [i.fileName, i.status, i.metrics.imported])])).toEqual([
      [true, 1, 2, [["history/a.sta", "committed", 2]]],
      [false, 0, 0, []],
    ]);
    expect(history.syncs[1]!.error).toContain("refused the connection");
    expect(history.syncs[0]!.by).toBe(t.members.admin.email);
    expect((await call(HISTORY, t.members.viewer, { id }, { method: "GET" })).status).toBe(403);
  });
});
