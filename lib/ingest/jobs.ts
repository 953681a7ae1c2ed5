/**
 * Background jobs on pg-boss, on the same Postgres: parsing/staging and committing imports. The worker
 * runs inside the app's server process by default (instrumentation.ts) and as `inflow worker` on other
 * machines. Jobs carry the claims of the user who started them and run under them (RLS applies).
 * Retries back off exponentially; a job whose worker died is retried after it expires, and both
 * handlers are idempotent (staging restarts clean, commit is one transaction guarded by the status).
 */
import PgBoss from "pg-boss";
import { z } from "zod";
import { jwtClaims } from "@/lib/auth/claims";
import { databaseUrl } from "@/lib/db/pool";
import { withUser } from "@/lib/db/with-user";
import { setImportState } from "@/lib/db/queries/pipeline";
import { rawFileStore } from "@/lib/storage/raw-store";
import { stageImport } from "./stage";
import { CommitBlockedError, commitImport } from "./commit";

export const QUEUES = { parse: "import-parse", commit: "import-commit" } as const;

export const importJob = z.object({ tenantId: z.string().uuid(), importId: z.string().uuid(), claims: jwtClaims });
export type ImportJob = z.infer<typeof importJob>;

const globalForBoss = globalThis as typeof globalThis & { __inflowBoss?: Promise<PgBoss> };

function expireSeconds(): number {
  const configured = Number(process.env.INFLOW_JOB_EXPIRE_SECONDS);
  return Number.isFinite(configured) && configured > 0 ? configured : 15 * 60;
}

/**
 * How often pg-boss's maintenance runs, which is when an expired active job (its worker died) is put
 * back for a retry. Unset: pg-boss's own default (2 minutes). Tests set it to seconds.
 */
function maintenanceSeconds(): { maintenanceIntervalSeconds?: number } {
  const configured = Number(process.env.INFLOW_JOB_MAINTENANCE_SECONDS);
  return Number.isFinite(configured) && configured >= 1 ? { maintenanceIntervalSeconds: configured } : {};
}

async function startBoss(): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: await databaseUrl(), max: 4, schema: "pgboss", ...maintenanceSeconds() });
  boss.on("error", (error: Error) => console.error(`job queue error: ${error.message}`));
  await boss.start();
  for (const name of Object.values(QUEUES)) {
    await boss.createQueue(name, { name, retryLimit: 5, retryDelay: 2, retryBackoff: true, expireInSeconds: expireSeconds() });
  }
  return boss;
}

export function jobQueue(): Promise<PgBoss> {
  globalForBoss.__inflowBoss ??= startBoss();
  globalForBoss.__inflowBoss.catch(() => {
    globalForBoss.__inflowBoss = undefined;
  });
  return globalForBoss.__inflowBoss;
}

export async function stopJobQueue(): Promise<void> {
  const boss = globalForBoss.__inflowBoss;
  globalForBoss.__inflowBoss = undefined;
  if (boss) await (await boss).stop({ graceful: true, wait: true });
}

export async function enqueue(queue: keyof typeof QUEUES, job: ImportJob): Promise<void> {
  // One job per import and step at a time: a second request while one is queued is the same job.
  // The expiry goes on each job: a queue keeps the options it was first created with.
  await (await jobQueue()).send(QUEUES[queue], job, { singletonKey: job.importId, expireInSeconds: expireSeconds() });
}

export async function runParseJob(job: ImportJob): Promise<void> {
  await stageImport(job, await rawFileStore());
}

export async function runCommitJob(job: ImportJob): Promise<void> {
  const { tenantId, importId, claims } = job;
  try {
    await withUser(claims, (db) => commitImport(db, { tenantId, importId, userId: claims.sub }));
  } catch (error) {
    // Something changed since the request (a mapping removed, a row re-flagged): back to review, no retry.
    if (!(error instanceof CommitBlockedError)) throw error;
    await withUser(claims, (db) =>
      setImportState(db, { tenantId, importId, status: "staged", progress: { phase: "staged" }, error: { code: error.code, message: error.message } }),
    );
  }
}

/** Registers the handlers; returns once the worker is polling. */
export async function startWorker(): Promise<void> {
  const boss = await jobQueue();
  const options = { pollingIntervalSeconds: 0.5, batchSize: 1 };
  await boss.work<ImportJob>(QUEUES.parse, options, async ([job]) => {
    if (job) await runParseJob(importJob.parse(job.data));
  });
  await boss.work<ImportJob>(QUEUES.commit, options, async ([job]) => {
    if (job) await runCommitJob(importJob.parse(job.data));
  });
  // Connection syncs and their schedule; loaded lazily because the connectors import this module.
  const { startConnectionWorker } = await import("@/lib/connectors/jobs");
  await startConnectionWorker();
}
