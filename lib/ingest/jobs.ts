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
import { withService } from "@/lib/db/service";
import { withUser } from "@/lib/db/with-user";
import { clearStaging, getImport, setImportState } from "@/lib/db/queries/pipeline";
import { rawFileStore } from "@/lib/storage/raw-store";
import { StagingSupersededError, stageImport } from "./stage";
import { CommitBlockedError, commitImport } from "./commit";

export const QUEUES = { parse: "import-parse", commit: "import-commit" } as const;

export const importJob = z.object({ tenantId: z.string().uuid(), importId: z.string().uuid(), claims: jwtClaims });
export type ImportJob = z.infer<typeof importJob>;

const globalForBoss = globalThis as typeof globalThis & {
  __inflowBoss?: Promise<PgBoss>;
  /** This process's worker id per queue, once startWorker has registered it (see enqueue). */
  __inflowWorkers?: Partial<Record<keyof typeof QUEUES, string>>;
};

/** INFLOW_JOB_EXPIRE_SECONDS when set (tests use seconds), else undefined. */
function configuredExpireSeconds(): number | undefined {
  const configured = Number(process.env.INFLOW_JOB_EXPIRE_SECONDS);
  return process.env.INFLOW_JOB_EXPIRE_SECONDS && Number.isFinite(configured) && configured > 0 ? configured : undefined;
}

const BASE_EXPIRE_SECONDS = 15 * 60;
/** Pessimistic rates (a quarter or less of what one busy 2-core machine does) for sizing expiries. */
const SLOWEST_PARSE_BYTES_PER_SECOND = 128 * 1024;
const SLOWEST_COMMIT_ROWS_PER_SECOND = 2_000;

/** What a job has to get through: the raw file's bytes for a parse, the staged rows for a commit. */
export interface JobSize {
  bytes?: number;
  rows?: number;
}

/**
 * How long a job may run before pg-boss counts its worker as dead and runs it again. pg-boss 10 has no
 * heartbeat, so a fixed expiry re-runs a long job while it is still running, the new run takes the
 * staging over and starts from the top, and a big enough file never finishes (a 1 GB CSV stages for
 * about half an hour on a 2-core machine; the old fixed 15 minutes gave up after six such restarts).
 * So the expiry grows with the job: 15 minutes, or the job's size at a pessimistic rate if longer.
 * The price: a worker that dies in the middle of a big job is noticed that much later.
 * INFLOW_JOB_EXPIRE_SECONDS, when set, is used as it is.
 */
export function expireSecondsFor(size: JobSize = {}): number {
  const configured = configuredExpireSeconds();
  if (configured !== undefined) return configured;
  const byBytes = (size.bytes ?? 0) / SLOWEST_PARSE_BYTES_PER_SECOND;
  const byRows = (size.rows ?? 0) / SLOWEST_COMMIT_ROWS_PER_SECOND;
  return Math.max(BASE_EXPIRE_SECONDS, Math.ceil(byBytes), Math.ceil(byRows));
}

/**
 * How often pg-boss's maintenance runs, which is when an expired active job (its worker died) is put
 * back for a retry. Unset: pg-boss's own default (2 minutes). Tests set it to seconds.
 */
function maintenanceSeconds(): { maintenanceIntervalSeconds?: number } {
  const configured = Number(process.env.INFLOW_JOB_MAINTENANCE_SECONDS);
  return Number.isFinite(configured) && configured >= 1 ? { maintenanceIntervalSeconds: configured } : {};
}

/**
 * The Postgres schema holding pg-boss's tables: "pgboss" unless INFLOW_JOB_SCHEMA names another. Workers
 * see only the jobs of their own schema, so a test that kills its worker processes gives them a schema of
 * their own and never kills a job another test file queued.
 */
export function jobSchema(): string {
  const configured = process.env.INFLOW_JOB_SCHEMA;
  if (configured === undefined || configured === "") return "pgboss";
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(configured)) throw new Error(`INFLOW_JOB_SCHEMA must be a lower-case SQL identifier, not "${configured}"`);
  return configured;
}

/**
 * When a failed or expired job is retried: after 2 s, doubling with each retry, unless
 * INFLOW_JOB_RETRY_DELAY_SECONDS says otherwise (0: at once and without backing off, for tests).
 */
function retryPolicy(): { retryDelay: number; retryBackoff: boolean } {
  const configured = Number(process.env.INFLOW_JOB_RETRY_DELAY_SECONDS);
  const retryDelay = process.env.INFLOW_JOB_RETRY_DELAY_SECONDS && Number.isFinite(configured) && configured >= 0 ? Math.floor(configured) : 2;
  // pg-boss backs off from at least one second; a delay of 0 means no backing off at all.
  return { retryDelay, retryBackoff: retryDelay > 0 };
}

async function startBoss(): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: await databaseUrl(), max: 4, schema: jobSchema(), ...maintenanceSeconds() });
  boss.on("error", (error: Error) => console.error(`job queue error: ${error.message}`));
  await boss.start();
  for (const name of Object.values(QUEUES)) {
    await createQueueOnce(boss, name, { retryLimit: 5, ...retryPolicy(), expireInSeconds: expireSecondsFor() });
  }
  return boss;
}

/**
 * Creates a queue unless it exists. pg-boss's createQueue is idempotent but not safe against itself:
 * two creators at the same moment deadlock attaching their queues' partitions to the job table (seen
 * with two `inflow worker` processes starting on a new database), and the loser would exit. Retrying
 * the deadlock victim was not enough: six job queues creating four queues at once deadlocked five
 * times in a row (lib/ingest/jobs-queues.test.ts failed so). So creators take turns: each holds an
 * advisory lock in a transaction of its own while pg-boss creates the queue on its connections. A
 * transaction lock, not a session one, because a transaction-mode pooler (Supabase's) would keep a
 * session lock on its server connection after ours was released; a transaction's lock ends with it.
 */
export async function createQueueOnce(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, "name">): Promise<void> {
  await withService(async (db) => {
    await db.query("select pg_advisory_xact_lock(hashtext('inflow: pg-boss create_queue'))");
    await boss.createQueue(name, { name, ...options });
  });
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
  globalForBoss.__inflowWorkers = undefined;
  if (boss) await (await boss).stop({ graceful: true, wait: true });
}

export async function enqueue(queue: keyof typeof QUEUES, job: ImportJob, size: JobSize = {}): Promise<void> {
  // One job per import and step at a time: a second request while one is queued is the same job.
  // The expiry and retry delay go on each job: a queue keeps the options it was first created with.
  const boss = await jobQueue();
  await boss.send(QUEUES[queue], job, { singletonKey: job.importId, expireInSeconds: expireSecondsFor(size), ...retryPolicy() });
  // A worker in this process (the app's default) fetches now instead of at its next poll, up to 0.5 s
  // later per step (pg-boss polls no faster). Workers in other processes still find the job by polling.
  const local = globalForBoss.__inflowWorkers?.[queue];
  if (local) boss.notifyWorker(local);
}

export async function runParseJob(job: ImportJob): Promise<void> {
  try {
    await stageImport(job, await rawFileStore());
  } catch (error) {
    // A newer run of this job (it was retried after it expired) does the staging: nothing left to do here.
    if (!(error instanceof StagingSupersededError)) throw error;
    console.warn(error.message);
  }
}

export async function runCommitJob(job: ImportJob): Promise<void> {
  const { tenantId, importId, claims } = job;
  try {
    await withUser(claims, (db) => commitImport(db, { tenantId, importId }));
  } catch (error) {
    // Something changed since the request (a mapping removed, a row re-flagged): back to review, no retry.
    if (!(error instanceof CommitBlockedError)) throw error;
    await withUser(claims, (db) =>
      setImportState(db, { tenantId, importId, status: "staged", progress: { phase: "staged" }, error: { code: error.code, message: error.message } }),
    );
  }
}

/** One line per job run, so an operator (and the concurrency test) can tell which worker ran which job. */
async function logged(queue: string, jobId: string, job: ImportJob, run: (job: ImportJob) => Promise<void>): Promise<void> {
  const started = Date.now();
  await run(job);
  console.log(`${queue} job ${jobId} for import ${job.importId} done in ${Date.now() - started} ms`);
}

/**
 * The last attempt of a job failed: no retry will move the import on, so it must not stay "parsing"
 * or "committing" forever (seen when a broken build failed every parse). Staging is cleared and the
 * import failed; a commit goes back to staged, so it can be requested again. Both with the error.
 */
export async function giveUp(queue: keyof typeof QUEUES, job: ImportJob, attempts: number, error: unknown): Promise<void> {
  const { tenantId, importId, claims } = job;
  const reason = error instanceof Error ? error.message : String(error);
  await withUser(claims, async (db) => {
    const imp = await getImport(db, { tenantId, importId, forUpdate: true });
    if (queue === "parse" && (imp?.status === "uploaded" || imp?.status === "parsing")) {
      await clearStaging(db, { tenantId, importId });
      const message = `${imp.fileName} could not be read into staging after ${attempts} attempts: ${reason}. Upload it again, or ask an admin to look at the worker's log.`;
      await setImportState(db, { tenantId, importId, status: "failed", progress: { phase: "failed" }, error: { code: "job_failed", message }, metricsPatch: { failed: 1 } });
    }
    if (queue === "commit" && imp?.status === "committing") {
      const message = `The commit failed after ${attempts} attempts and nothing was committed: ${reason}. Request the commit again.`;
      await setImportState(db, { tenantId, importId, status: "staged", progress: { phase: "staged" }, error: { code: "job_failed", message } });
    }
  });
}

/** Registers the handlers; returns once the worker is polling. */
export async function startWorker(): Promise<void> {
  const boss = await jobQueue();
  const options = { pollingIntervalSeconds: 0.5, batchSize: 1, includeMetadata: true as const };
  const handle = (queue: keyof typeof QUEUES, run: (job: ImportJob) => Promise<void>) => async ([job]: PgBoss.JobWithMetadata<ImportJob>[]) => {
    if (!job) return;
    const data = importJob.parse(job.data);
    try {
      await logged(QUEUES[queue], job.id, data, run);
    } catch (error) {
      if (job.retryCount >= job.retryLimit) await giveUp(queue, data, job.retryCount + 1, error);
      throw error;
    }
  };
  globalForBoss.__inflowWorkers = {
    parse: await boss.work<ImportJob>(QUEUES.parse, options, handle("parse", runParseJob)),
    commit: await boss.work<ImportJob>(QUEUES.commit, options, handle("commit", runCommitJob)),
  };
  // Connection syncs and their schedule; loaded lazily because the connectors import this module.
  const { startConnectionWorker } = await import("@/lib/connectors/jobs");
  await startConnectionWorker();
}
