/**
 * Connection syncs as background jobs on pg-boss, next to the import jobs (lib/ingest/jobs.ts).
 *
 * - `connection-sync`: one sync of one connection, run under the claims of a tenant admin (the person
 *   who pressed "Sync now", or for scheduled syncs the connection's creator while still an admin, else
 *   the tenant's longest-standing admin) so RLS and the admins-only credential read apply as in a request.
 *   The queue is "stately" with the connection id as key: at most one sync queued and one running per
 *   connection; the sync's advisory lock (./sync.ts) refuses a second one that slips through.
 * - `connection-sync-due`: every minute (a pg-boss schedule), enqueues the connections whose
 *   next_sync_at has come and whom the provider allows (next_allowed_sync_at), not paused, with no sync
 *   already queued or running.
 *
 * After every sync the job sets next_sync_at from the schedule, or after a failure from a backed-off,
 * jittered retry (./schedule.ts), never before the provider allows; the third failure in a row sends
 * the tenant's webhook (./notify.ts). Provider failures are retried this way, not by pg-boss; pg-boss's
 * own retries cover a worker that died or a database that was away.
 */
import type PgBoss from "pg-boss";
import { z } from "zod";
import type { TenantContext } from "@/lib/auth/context";
import { claimsFor, jwtClaims } from "@/lib/auth/claims";
import { listAudit, writeAudit } from "@/lib/db/queries/audit";
import { getConnection } from "@/lib/db/queries/connections";
import { withService } from "@/lib/db/service";
import { withUser } from "@/lib/db/with-user";
import { AppError, notFound } from "@/lib/http/errors";
import { createQueueOnce, jobQueue, jobSchema } from "@/lib/ingest/jobs";
import { NOTIFY_AFTER, notifyIfFailing, type NotifyOutcome } from "./notify";
import { nextAttemptAt } from "./schedule";
import { loadConnection, toView, type ConnectionView } from "./service";
import { sourceOf, syncConnection, type SyncResult } from "./sync";

type Ctx = Pick<TenantContext, "claims" | "tenantId">;

export const CONNECTION_QUEUES = { sync: "connection-sync", due: "connection-sync-due" } as const;
/** How often the due connections are looked for: every minute, the finest a cron schedule names. */
const DUE_CRON = "* * * * *";

export const connectionSyncJob = z.object({
  tenantId: z.string().uuid(),
  connectionId: z.string().uuid(),
  claims: jwtClaims,
  /** manual: someone pressed "Sync now"; due: the schedule or a retry came due. */
  trigger: z.enum(["manual", "due"]),
});
export type ConnectionSyncJob = z.infer<typeof connectionSyncJob>;

function expireSeconds(): number {
  const configured = Number(process.env.INFLOW_JOB_EXPIRE_SECONDS);
  return Number.isFinite(configured) && configured > 0 ? configured : 30 * 60;
}

/** The pg-boss instances whose connection queues exist already (a stopped and restarted queue is a new instance). */
const prepared = new WeakSet<PgBoss>();

/** The job queue with the connection queues created (idempotent). */
export async function connectionQueue(): Promise<PgBoss> {
  const boss = await jobQueue();
  if (prepared.has(boss)) return boss;
  await createQueueOnce(boss, CONNECTION_QUEUES.sync, {
    policy: "stately",
    retryLimit: 3,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: expireSeconds(),
  });
  await createQueueOnce(boss, CONNECTION_QUEUES.due, { retryLimit: 0, expireInSeconds: 300 });
  prepared.add(boss);
  return boss;
}

export type SyncJobState = "queued" | "running" | null;

/** Whether a sync of this connection is queued or running (pg-boss's job table; read on the service path, after the caller was authorised). */
export async function syncJobState(connectionId: string): Promise<SyncJobState> {
  await connectionQueue();
  const { rows } = await withService((db) =>
    db.query<{ state: string }>(
      `select state::text from ${jobSchema()}.job where name = $1 and singleton_key = $2 and state in ('created', 'retry', 'active')
        order by case state when 'active' then 0 else 1 end limit 1`,
      [CONNECTION_QUEUES.sync, connectionId],
    ),
  );
  const state = rows[0]?.state;
  return state === undefined ? null : state === "active" ? "running" : "queued";
}

async function send(job: ConnectionSyncJob): Promise<string | null> {
  const boss = await connectionQueue();
  return boss.send(CONNECTION_QUEUES.sync, job, { singletonKey: job.connectionId, expireInSeconds: expireSeconds() });
}

export interface SyncRequested {
  /** queued now, or already queued (the same sync answers both requests). */
  state: "queued";
  jobId: string | null;
  connection: ConnectionView;
}

/**
 * "Sync now": checks what the sync itself would refuse (not an admin, paused, provider asked to wait,
 * already running) so the person hears it at once, then queues the sync and answers.
 */
export async function requestSync(ctx: Ctx, connectionId: string): Promise<SyncRequested> {
  // Loading the credentials is the admin check: only admins can read them back.
  const { row } = await loadConnection(ctx, connectionId);
  if (row.status === "paused") throw new AppError(409, "paused", "This connection is paused. Resume it before syncing.");
  if (row.nextAllowedSyncAt && row.nextAllowedSyncAt.getTime() > Date.now()) {
    const seconds = Math.ceil((row.nextAllowedSyncAt.getTime() - Date.now()) / 1000);
    throw new AppError(429, "rate_limited", `The provider asked us to wait before the next sync: try again after ${row.nextAllowedSyncAt.toISOString()}.`, {
      "Retry-After": String(seconds),
    });
  }
  if ((await syncJobState(connectionId)) === "running") {
    throw new AppError(409, "sync_running", "A sync of this connection is already running. Wait for it to finish.");
  }
  const jobId = await send({ tenantId: ctx.tenantId, connectionId, claims: ctx.claims, trigger: "manual" });
  return { state: "queued", jobId, connection: toView(row) };
}

export type SyncJobOutcome =
  | {
      ran: true;
      ok: boolean;
      /** What the sync did (each file, counts, the connection after it); null when it failed on our side midway. */
      result: SyncResult | null;
      error: string | null;
      nextSyncAt: string | null;
      notified?: NotifyOutcome;
    }
  | { ran: false; reason: "gone" | "paused" | "not_due" | "rate_limited" | "running" | "forbidden"; message?: string };

/** One sync job: the sync, then the next attempt and, on a third failure, the notification. */
export async function runConnectionSyncJob(job: ConnectionSyncJob, now: () => Date = () => new Date()): Promise<SyncJobOutcome> {
  const ctx: Ctx = { claims: job.claims, tenantId: job.tenantId };
  const before = await withUser(ctx.claims, (db) => getConnection(db, { tenantId: job.tenantId, id: job.connectionId }));
  if (!before) return { ran: false, reason: "gone" };
  if (before.status === "paused") return { ran: false, reason: "paused" };
  // A scheduled job queued behind one that just ran finds the connection no longer due.
  if (job.trigger === "due" && (!before.nextSyncAt || before.nextSyncAt.getTime() > now().getTime())) return { ran: false, reason: "not_due" };

  let result: SyncResult | undefined;
  let fault: unknown;
  try {
    result = await syncConnection(ctx, job.connectionId);
  } catch (error) {
    if (error instanceof AppError) {
      if (error.code === "sync_running") return { ran: false, reason: "running", message: error.message };
      if (error.code === "paused") return { ran: false, reason: "paused", message: error.message };
      if (error.code === "rate_limited") return { ran: false, reason: "rate_limited", message: error.message };
      if (error.status === 403) return { ran: false, reason: "forbidden", message: error.message };
      if (error.status === 404) return { ran: false, reason: "gone" };
    }
    fault = error;
  }

  const after = await withUser(ctx.claims, (db) => getConnection(db, { tenantId: job.tenantId, id: job.connectionId }));
  if (!after) return { ran: false, reason: "gone" };
  // The sync failed before recording anything (database away, a bug before the first fetch): pg-boss retries it.
  if (fault !== undefined && after.lastSyncAt?.getTime() === before.lastSyncAt?.getTime()) throw fault;

  const nextSyncAt = await scheduleNextAttempt(ctx, job.connectionId, now());
  const notified = after.consecutiveFailures > 0 ? await notifyIfFailing(ctx, job.connectionId) : undefined;
  return {
    ran: true,
    ok: result?.ok ?? false,
    result: result ?? null,
    error: result?.error?.message ?? (fault !== undefined ? (after.lastError?.message ?? "The sync failed.") : null),
    nextSyncAt: nextSyncAt?.toISOString() ?? null,
    ...(notified ? { notified } : {}),
  };
}

/** Sets next_sync_at from the schedule, the failure streak and the provider's limit; answers it. */
export async function scheduleNextAttempt(ctx: Ctx, connectionId: string, now: Date, random?: () => number): Promise<Date | null> {
  return withUser(ctx.claims, async (db) => {
    const row = await getConnection(db, { tenantId: ctx.tenantId, id: connectionId, forUpdate: true });
    if (!row) throw notFound("That connection");
    const next = nextAttemptAt({
      schedule: row.schedule,
      consecutiveFailures: row.consecutiveFailures,
      nextAllowedSyncAt: row.nextAllowedSyncAt,
      now,
      ...(random ? { random } : {}),
    });
    await db.query("update public.connections set next_sync_at = $3 where tenant_id = $1 and id = $2", [ctx.tenantId, connectionId, next]);
    return next;
  });
}

interface DueRow {
  tenantId: string;
  connectionId: string;
  runnerId: string | null;
}

/**
 * Queues a sync of every connection that is due: next_sync_at has come, the provider allows it, not
 * paused, and no sync of it is queued or running. Crosses tenants, so it reads on the service path;
 * each sync itself runs as an admin of its own tenant. Answers how many were queued.
 */
export async function enqueueDueSyncs(now: Date = new Date()): Promise<number> {
  await connectionQueue();
  const due = await withService(async (db) => {
    const { rows } = await db.query<DueRow>(
      `select c.tenant_id as "tenantId", c.id as "connectionId", runner.user_id as "runnerId"
         from public.connections c
         left join lateral (
           select m.user_id from public.memberships m
            where m.tenant_id = c.tenant_id and m.role = 'admin'
            order by (m.user_id = c.created_by) desc, m.created_at, m.user_id limit 1
         ) runner on true
        where c.status <> 'paused' and c.next_sync_at <= $1
          and (c.next_allowed_sync_at is null or c.next_allowed_sync_at <= $1)
          and not exists (select 1 from ${jobSchema()}.job j where j.name = $2 and j.singleton_key = c.id::text and j.state in ('created', 'retry', 'active'))
        order by c.next_sync_at
        limit 500`,
      [now, CONNECTION_QUEUES.sync],
    );
    return rows;
  });
  let queued = 0;
  for (const row of due) {
    // A tenant without admins: nobody may read the credentials, so nothing can sync until one is named.
    if (!row.runnerId) continue;
    const id = await send({ tenantId: row.tenantId, connectionId: row.connectionId, claims: claimsFor(row.runnerId), trigger: "due" });
    if (id) queued++;
  }
  return queued;
}

/** Registers the connection workers and the every-minute schedule; called by startWorker. */
export async function startConnectionWorker(): Promise<void> {
  const boss = await connectionQueue();
  const options = { pollingIntervalSeconds: 1, batchSize: 1 };
  await boss.work<ConnectionSyncJob>(CONNECTION_QUEUES.sync, options, async ([job]) => (job ? runConnectionSyncJob(connectionSyncJob.parse(job.data)) : undefined));
  await boss.work(CONNECTION_QUEUES.due, options, async () => ({ queued: await enqueueDueSyncs() }));
  await boss.schedule(CONNECTION_QUEUES.due, DUE_CRON);
}

/** Pauses a connection (admins): no scheduled sync, retry or "Sync now" until resumed; a sync already running finishes. */
export async function pauseConnection(ctx: Ctx, connectionId: string): Promise<ConnectionView> {
  return withUser(ctx.claims, async (db) => {
    const row = await getConnection(db, { tenantId: ctx.tenantId, id: connectionId, forUpdate: true });
    if (!row) throw notFound("That connection");
    if (row.status === "paused") return toView(row);
    const { rowCount } = await db.query("update public.connections set status = 'paused' where tenant_id = $1 and id = $2", [ctx.tenantId, connectionId]);
    if (!rowCount) throw new AppError(403, "forbidden", "Your role does not allow you to manage connections.");
    await writeAudit(db, { tenantId: ctx.tenantId, action: "connection.pause", entity: "connection", entityId: connectionId, before: { status: row.status }, after: { status: "paused" } });
    return toView((await getConnection(db, { tenantId: ctx.tenantId, id: connectionId }))!);
  });
}

/**
 * Resumes a paused connection (admins). Its health is kept (failing stays failing until a sync
 * succeeds); a scheduled connection whose time passed while paused is due at once.
 */
export async function resumeConnection(ctx: Ctx, connectionId: string, now: Date = new Date()): Promise<ConnectionView> {
  return withUser(ctx.claims, async (db) => {
    const row = await getConnection(db, { tenantId: ctx.tenantId, id: connectionId, forUpdate: true });
    if (!row) throw notFound("That connection");
    if (row.status !== "paused") return toView(row);
    const status = row.consecutiveFailures >= NOTIFY_AFTER ? "failing" : "active";
    const scheduled = row.schedule === "manual" ? null : row.nextSyncAt && row.nextSyncAt > now ? row.nextSyncAt : now;
    const nextSyncAt = row.nextAllowedSyncAt && scheduled && row.nextAllowedSyncAt > scheduled ? row.nextAllowedSyncAt : scheduled;
    const { rowCount } = await db.query("update public.connections set status = $3, next_sync_at = $4 where tenant_id = $1 and id = $2", [
      ctx.tenantId,
      connectionId,
      status,
      nextSyncAt,
    ]);
    if (!rowCount) throw new AppError(403, "forbidden", "Your role does not allow you to manage connections.");
    await writeAudit(db, { tenantId: ctx.tenantId, action: "connection.resume", entity: "connection", entityId: connectionId, before: { status: "paused" }, after: { status } });
    return toView((await getConnection(db, { tenantId: ctx.tenantId, id: connectionId }))!);
  });
}

export interface SyncHistoryImport {
  id: string;
  fileName: string;
  status: string;
  format: string | null;
  metrics: Record<string, unknown>;
  createdAt: Date;
}

export interface SyncHistoryEntry {
  at: Date;
  by: string | null;
  ok: boolean;
  error: string | null;
  counts: { files: number; committed: number; needsReview: number; failed: number; imported: number; unchanged: number };
  imports: SyncHistoryImport[];
}

export interface SyncHistory {
  connection: ConnectionView;
  /** A sync queued or running right now. */
  pending: SyncJobState;
  syncs: SyncHistoryEntry[];
}

const count = (details: Record<string, unknown>, key: string): number => (typeof details[key] === "number" ? details[key] : 0);

/**
 * The connection's last syncs, newest first, each with what it did (from its audit row) and the
 * imports it made with their metrics (the imports whose source is this connection). Admins only:
 * the audit log is theirs.
 */
export async function connectionHistory(ctx: Ctx, connectionId: string, limit = 50): Promise<SyncHistory> {
  const { row, audit, imports } = await withUser(ctx.claims, async (db) => {
    const row = await getConnection(db, { tenantId: ctx.tenantId, id: connectionId });
    if (!row) throw notFound("That connection");
    const audit = await listAudit(db, { tenantId: ctx.tenantId, limit, action: "connection.sync", entityId: connectionId });
    const ids = audit.flatMap((a) => {
      const details = (a.details ?? {}) as { imports?: unknown };
      return Array.isArray(details.imports) ? details.imports.filter((i): i is string => typeof i === "string") : [];
    });
    const { rows: imports } = await db.query<SyncHistoryImport>(
      `select id, file_name as "fileName", status, format, metrics, created_at as "createdAt"
         from public.imports where tenant_id = $1 and source = $2 and id = any($3::uuid[])`,
      [ctx.tenantId, sourceOf(row.type, connectionId), ids],
    );
    return { row, audit, imports };
  });
  const byId = new Map(imports.map((i) => [i.id, i]));
  const syncs = audit.map((a): SyncHistoryEntry => {
    const details = (a.details ?? {}) as Record<string, unknown>;
    const ids = Array.isArray(details.imports) ? (details.imports as unknown[]) : [];
    return {
      at: a.at,
      by: a.actor,
      ok: details.ok === true,
      error: typeof details.error === "string" ? details.error : null,
      counts: {
        files: count(details, "files"),
        committed: count(details, "committed"),
        needsReview: count(details, "needsReview"),
        failed: count(details, "failed"),
        imported: count(details, "imported"),
        unchanged: count(details, "unchanged"),
      },
      imports: ids.flatMap((id) => (typeof id === "string" && byId.has(id) ? [byId.get(id)!] : [])),
    };
  });
  return { connection: toView(row), pending: await syncJobState(connectionId), syncs };
}
