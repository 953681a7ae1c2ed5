/**
 * Crash safety, shared by the suite (test/reliability/crash.test.ts, a few dozen kills) and
 * `npm run soak` (test/reliability/soak-main.ts, hundreds): a large generated CSV is imported with the
 * job worker in its own process (`inflow worker`), the worker is killed with SIGKILL at a random moment
 * of parsing, staging or committing, a new worker is started, and pg-boss retries the job once it has
 * expired. After every kill the import's rows are in the ledger all or not at all; after the retry all
 * of them are there exactly once, and the import's metrics and its audit entries agree with the ledger.
 *
 * Phases as seen from outside the worker, by what it has committed so far:
 *   parse   the parse job runs and no batch is staged yet (detection, the CSV's first pass, first rows)
 *   stage   batches of rows are being staged, then statements, profile and classification
 *   commit  the commit job runs (one transaction)
 * The moment is drawn from a seeded generator (printed, so a failure can be replayed) as a fraction of
 * the phase's duration, measured on a first import that is not interrupted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { withService } from "@/lib/db/service";
import { databaseUrl } from "@/lib/db/pool";
import { requestCommit } from "@/lib/ingest/imports";
import { jobSchema, stopJobQueue } from "@/lib/ingest/jobs";
import { createImportFromStoredFile, uploadFields } from "@/lib/ingest/upload";
import { rawFileStore, type StoredFile } from "@/lib/storage/raw-store";
import { createTenant, type TestTenant } from "@/test/db";

export type Phase = "parse" | "stage" | "commit";
export const PHASES: readonly Phase[] = ["parse", "stage", "commit"];
/** Where the kill actually landed, from the state the worker had committed just before it. */
export type Landed = Phase | "between" | "after";

export interface SoakOptions {
  /** Rows in the generated file. */
  rows: number;
  /** Imports to run, with one or two kills each. */
  iterations: number;
  seed: number;
  /**
   * Least seconds after its start at which a job counts as dead and is retried. The harness raises it
   * to 2.5 times the longest job it measured: a job that outlives its expiry is retried while it runs,
   * which is safe (the newer staging run takes over) but wasted work.
   */
  expireSeconds?: number;
  /** Delete each import's ledger and staged rows once checked, so a long soak does not fill the disk. */
  cleanUp?: boolean;
  log?: (line: string) => void;
}

export interface KillRecord {
  iteration: number;
  target: Phase;
  fraction: number;
  landed: Landed;
  /** Ledger rows of the import right after the kill: 0 or all of them. */
  ledgerAfterKill: number;
}

export interface IterationResult {
  importId: string;
  kills: KillRecord[];
  /** Retries pg-boss made of the import's two jobs. */
  retries: number;
  ms: number;
}

/** A violated guarantee: the message says which one, for which import and seed. */
export class CrashSafetyError extends Error {}

/** mulberry32: small, seeded, good enough to spread kill moments. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A bank CSV with `rows` distinct transactions (amounts exact, some negative, dates over a year). */
export function generateCsv(rows: number, seed: number): string {
  const random = rng(seed);
  const lines = ["Date,Description,Reference,Amount"];
  for (let i = 0; i < rows; i++) {
    const month = String(1 + Math.floor(random() * 12)).padStart(2, "0");
    const day = String(1 + Math.floor(random() * 28)).padStart(2, "0");
    const cents = 1 + Math.floor(random() * 999_999);
    const sign = random() < 0.6 ? "-" : "";
    lines.push(`2025-${month}-${day},Payment ${i} to supplier ${Math.floor(random() * 500)},REF${seed}-${i},${sign}${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`);
  }
  return lines.join("\n") + "\n";
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new CrashSafetyError(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface ImportState {
  status: string;
  records: number;
  commitActive: boolean;
}

/**
 * Drives imports through worker processes it starts and kills. The caller's process queues the jobs
 * (as the web app does) in a job schema of its own, which the workers are given too.
 */
export class CrashHarness {
  readonly file: string;
  private readonly dir: string;
  private tenant!: TestTenant;
  private stored!: StoredFile;
  private worker: ChildProcess | undefined;
  private readonly children = new Set<ChildProcess>();
  private expireSeconds: number;
  private readonly log: (line: string) => void;
  /** Measured on an import nobody interrupts, in ms. */
  durations: Record<Phase, number> = { parse: 0, stage: 0, commit: 0 };

  constructor(private readonly options: SoakOptions) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "inflow-crash-"));
    this.file = path.join(this.dir, `bulk-${options.rows}.csv`);
    // Generous while measuring; set from the measurements afterwards.
    this.expireSeconds = 60;
    this.log = options.log ?? (() => undefined);
  }

  private get schema(): string {
    return jobSchema();
  }

  /** A fresh tenant, the generated file in its raw store, a first worker, and the phases measured. */
  async setUp(): Promise<void> {
    process.env.INFLOW_JOB_EXPIRE_SECONDS = String(this.expireSeconds);
    process.env.INFLOW_JOB_RETRY_DELAY_SECONDS = "0";
    process.env.INFLOW_JOB_MAINTENANCE_SECONDS = "1";
    // Jobs of an earlier run of this harness are of no interest: start from an empty job schema.
    await withService((db) => db.query(`drop schema if exists ${this.schema} cascade`));
    fs.writeFileSync(this.file, generateCsv(this.options.rows, this.options.seed));
    this.tenant = await createTenant("crash");
    this.stored = await (await rawFileStore()).put(this.tenant.id, fs.createReadStream(this.file));
    this.worker = await this.startWorker();
    const started = Date.now();
    await this.calibrate();
    const longestJob = Math.max(this.durations.parse + this.durations.stage, this.durations.commit);
    this.expireSeconds = Math.max(this.options.expireSeconds ?? 4, Math.ceil((2.5 * longestJob) / 1000));
    // The expiry travels with each job, from the process that queues it: this one.
    process.env.INFLOW_JOB_EXPIRE_SECONDS = String(this.expireSeconds);
    this.log(
      `crash harness: ${this.options.rows} rows; uninterrupted import: parse ${this.durations.parse} ms, stage ${this.durations.stage} ms, ` +
        `commit ${this.durations.commit} ms (${Date.now() - started} ms with queueing); jobs expire after ${this.expireSeconds} s`,
    );
  }

  async tearDown(): Promise<void> {
    for (const child of this.children) child.kill("SIGKILL");
    await Promise.all([...this.children].map(exited));
    await stopJobQueue();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ["bin/inflow.mjs", "worker"], {
      env: {
        ...process.env,
        DATABASE_URL: await databaseUrl(),
        INFLOW_JOB_SCHEMA: this.schema,
        INFLOW_JOB_EXPIRE_SECONDS: String(this.expireSeconds),
        INFLOW_JOB_RETRY_DELAY_SECONDS: "0",
        INFLOW_JOB_MAINTENANCE_SECONDS: "1",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    // Ready once it says so: a kill before then would test nothing.
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8");
        if (out.includes("Inflow worker is processing jobs")) resolve();
      });
      child.once("exit", (code, signal) => reject(new CrashSafetyError(`the worker exited before it was ready (${signal ?? code})`)));
    });
    return child;
  }

  private async newImport(): Promise<string> {
    const ctx = { claims: this.tenant.members.uploader.claims, tenantId: this.tenant.id };
    // A new account per import, so every import's rows are new to the ledger and the same file serves all.
    const accountId = await withService(async (db) =>
      (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, $2, 'USD') returning id", [this.tenant.id, `Bulk ${randomUUID()}`])).rows[0]!.id,
    );
    const fields = uploadFields.parse({ accountId });
    const { importId } = await createImportFromStoredFile(ctx, { fileName: path.basename(this.file), stored: this.stored, fields, source: "upload" }, { enqueueParse: true });
    return importId;
  }

  private state(importId: string): Promise<ImportState> {
    return withService(async (db) => {
      const { rows } = await db.query<{ status: string; records: number | null; active: boolean; failed: string | null }>(
        `select i.status, (i.progress ->> 'records')::int as records,
                exists (select 1 from ${this.schema}.job j where j.name = 'import-commit' and j.singleton_key = i.id::text and j.state = 'active') as active,
                (select j.name || ': ' || coalesce(j.output ->> 'message', j.output::text) from ${this.schema}.job j
                  where j.singleton_key = i.id::text and j.state = 'failed' limit 1) as failed
           from public.imports i where i.id = $1`,
        [importId],
      );
      const row = rows[0]!;
      // A job that used up its retries will never move the import on: say why at once.
      if (row.failed) throw new CrashSafetyError(`import ${importId}: a job used up its retries (${row.failed})`);
      return { status: row.status, records: row.records ?? 0, commitActive: row.active };
    });
  }

  private phaseOf(s: ImportState): Landed {
    if (s.status === "uploaded") return "between";
    if (s.status === "parsing") return s.records > 0 ? "stage" : "parse";
    if (s.status === "staged") return "between";
    if (s.status === "committing") return s.commitActive ? "commit" : "between";
    return "after";
  }

  /** Waits until the import is in `phase` (or past it), polling finely; answers the time it was seen. */
  private async reach(importId: string, phase: Phase, timeoutMs: number): Promise<ImportState> {
    const order: Landed[] = ["between", "parse", "stage", "commit", "after"];
    return until(
      `import ${importId} to reach ${phase}`,
      async () => {
        const s = await this.state(importId);
        const landed = this.phaseOf(s);
        if (landed === phase) return s;
        if (s.status === "failed") throw new CrashSafetyError(`import ${importId} failed: ${JSON.stringify(s)}`);
        // Past it already (a phase shorter than the polling interval): the caller kills where it is.
        if (order.indexOf(landed) > order.indexOf(phase) && landed !== "between") return s;
        if (phase !== "commit" && (s.status === "staged" || s.status === "committing" || s.status === "committed")) return s;
        return undefined;
      },
      timeoutMs,
      10,
    );
  }

  private get patience(): number {
    // A killed job waits out its expiry, the maintenance interval and a retry delay, then runs again.
    return (this.expireSeconds + 10) * 1000 + 4 * (this.durations.parse + this.durations.stage + this.durations.commit);
  }

  private async waitStatus(importId: string, status: string): Promise<void> {
    await until(
      `import ${importId} to be ${status}`,
      async () => {
        const s = await this.state(importId);
        if (s.status === "failed") throw new CrashSafetyError(`import ${importId} failed: ${JSON.stringify(s)}`);
        return s.status === status ? true : undefined;
      },
      this.patience * 2,
    );
  }

  private async commit(importId: string): Promise<void> {
    const ctx = { claims: this.tenant.members.uploader.claims, tenantId: this.tenant.id };
    const requested = await requestCommit(ctx, importId);
    if (requested.dryRun.new !== this.options.rows || requested.dryRun.blocked !== 0) {
      throw new CrashSafetyError(`import ${importId}: expected ${this.options.rows} new rows and nothing blocked, the dry run says ${JSON.stringify(requested.dryRun)}`);
    }
  }

  /**
   * Imports nobody interrupts: the phase durations the kill moments are drawn from. The first run of a
   * fresh worker is slower (modules load on first use) and a busy machine slows any one run, so each
   * phase keeps the shorter of two measurements.
   */
  private async calibrate(): Promise<void> {
    const first = await this.measure();
    const second = await this.measure();
    this.durations = { parse: Math.min(first.parse, second.parse), stage: Math.min(first.stage, second.stage), commit: Math.min(first.commit, second.commit) };
  }

  private async measure(): Promise<Record<Phase, number>> {
    const importId = await this.newImport();
    const parseSeen = await this.reach(importId, "parse", 60_000);
    const t0 = Date.now();
    if (this.phaseOf(parseSeen) === "parse") await this.reach(importId, "stage", 120_000);
    const t1 = Date.now();
    await this.waitStatus(importId, "staged");
    const t2 = Date.now();
    await this.commit(importId);
    await this.reach(importId, "commit", 60_000);
    const t3 = Date.now();
    await this.waitStatus(importId, "committed");
    const t4 = Date.now();
    await this.verify(importId);
    if (this.options.cleanUp) await this.cleanUp(importId);
    return { parse: t1 - t0, stage: t2 - t1, commit: t4 - t3 };
  }

  /**
   * One import with a kill at a random moment of each phase in `targets` (in pipeline order; drawn at
   * random when not given), a new worker after each, then the checks.
   */
  async iteration(n: number, random: () => number, targets?: Phase[]): Promise<IterationResult> {
    const started = Date.now();
    const plan = targets ?? drawPlan(random);
    const importId = await this.newImport();
    const kills: KillRecord[] = [];

    for (const target of plan) {
      const fraction = random();
      const context = `seed ${this.options.seed}, iteration ${n}, import ${importId}, kill in ${target} at ${fraction.toFixed(3)}`;
      if (target === "commit" && (await this.stagedOrBeyond(importId, context)) === "staged") await this.commit(importId);
      await this.reach(importId, target, this.patience);
      await sleep(Math.floor(fraction * this.durations[target]));
      const before = await this.state(importId);
      this.worker!.kill("SIGKILL");
      await exited(this.worker!);

      // All or nothing: whatever the dead worker had under way is either entirely in the ledger or not at all.
      const ledgerAfterKill = await this.ledgerRows(importId);
      if (ledgerAfterKill !== 0 && ledgerAfterKill !== this.options.rows) {
        throw new CrashSafetyError(`${context}: ${ledgerAfterKill} of ${this.options.rows} rows in the ledger after the kill`);
      }
      kills.push({ iteration: n, target, fraction, landed: this.phaseOf(before), ledgerAfterKill });
      this.worker = await this.startWorker();
    }

    const context = `seed ${this.options.seed}, iteration ${n}, import ${importId}, kills ${JSON.stringify(kills.map((k) => [k.target, Number(k.fraction.toFixed(3)), k.landed]))}`;
    if ((await this.stagedOrBeyond(importId, context)) === "staged") await this.commit(importId);
    await this.waitStatus(importId, "committed");
    const retries = await this.verify(importId, context);
    if (this.options.cleanUp) await this.cleanUp(importId);
    return { importId, kills, retries, ms: Date.now() - started };
  }

  private stagedOrBeyond(importId: string, context: string): Promise<string> {
    return until(
      `${context}: staging to finish`,
      async () => {
        const s = await this.state(importId);
        if (s.status === "failed") throw new CrashSafetyError(`${context}: the import failed: ${JSON.stringify(s)}`);
        return ["staged", "committing", "committed"].includes(s.status) ? s.status : undefined;
      },
      this.patience * 2,
    );
  }

  private ledgerRows(importId: string): Promise<number> {
    return withService(async (db) => Number((await db.query<{ n: string }>("select count(*) as n from public.transactions where import_id = $1", [importId])).rows[0]!.n));
  }

  /**
   * The import is committed with every row exactly once, and its metrics and audit entries say so.
   * Answers how many retries its jobs needed.
   */
  private async verify(importId: string, context = `seed ${this.options.seed}, import ${importId}`): Promise<number> {
    const rows = this.options.rows;
    // The commit's transaction ends before the worker tells pg-boss the job is done: wait for that too.
    await until(
      `${context}: both jobs to be completed`,
      () => withService(async (db) => ((await db.query(`select 1 from ${this.schema}.job where singleton_key = $1 and state <> 'completed'`, [importId])).rowCount === 0 ? true : undefined)),
      this.patience,
    );
    const facts = await withService(async (db) => {
      const { rows: found } = await db.query<{
        status: string;
        ledger: number;
        keys: number;
        account_rows: number;
        staged: number;
        staged_distinct: number;
        imported: number | null;
        parsed: number | null;
        commits: number;
        audited_imported: number | null;
        jobs: { name: string; state: string; retries: number }[];
      }>(
        `select i.status,
                (select count(*)::int from public.transactions t where t.import_id = i.id) as ledger,
                (select count(distinct (t.account_id, t.dedup_key))::int from public.transactions t where t.import_id = i.id) as keys,
                (select count(*)::int from public.transactions t where t.tenant_id = i.tenant_id and t.account_id = i.account_id) as account_rows,
                (select count(*)::int from public.staged_rows s where s.import_id = i.id) as staged,
                (select count(distinct s.row_no)::int from public.staged_rows s where s.import_id = i.id) as staged_distinct,
                (i.metrics ->> 'imported')::int as imported,
                (i.metrics ->> 'parsed')::int as parsed,
                (select count(*)::int from public.audit_log a where a.tenant_id = i.tenant_id and a.action = 'import.commit' and a.entity_id = i.id::text) as commits,
                (select (a.after ->> 'imported')::int from public.audit_log a where a.tenant_id = i.tenant_id and a.action = 'import.commit' and a.entity_id = i.id::text limit 1) as audited_imported,
                (select coalesce(jsonb_agg(jsonb_build_object('name', j.name, 'state', j.state, 'retries', j.retry_count)), '[]') from ${this.schema}.job j where j.singleton_key = i.id::text) as jobs
           from public.imports i where i.id = $1`,
        [importId],
      );
      return found[0]!;
    });
    const expected = {
      status: "committed",
      ledger: rows,
      keys: rows,
      account_rows: rows,
      staged: rows,
      staged_distinct: rows,
      imported: rows,
      parsed: rows,
      commits: 1,
      audited_imported: rows,
    };
    const { jobs, ...actual } = facts;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new CrashSafetyError(`${context}: the import does not agree with its ledger: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`);
    }
    const names = jobs.map((j) => `${j.name}:${j.state}`).sort();
    if (JSON.stringify(names) !== JSON.stringify(["import-commit:completed", "import-parse:completed"])) {
      throw new CrashSafetyError(`${context}: expected one completed parse job and one completed commit job, found ${JSON.stringify(jobs)}`);
    }
    return jobs.reduce((sum, j) => sum + j.retries, 0);
  }

  private async cleanUp(importId: string): Promise<void> {
    await withService(async (db) => {
      await db.query("delete from public.transactions where import_id = $1", [importId]);
      await db.query("delete from public.staged_rows where import_id = $1", [importId]);
    });
  }
}

/** The soak's plan for one import: a kill in a random phase, and half the time another one in its commit. */
function drawPlan(random: () => number): Phase[] {
  const first = PHASES[Math.floor(random() * PHASES.length)]!;
  return first !== "commit" && random() < 0.5 ? [first, "commit"] : [first];
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
}

export interface SoakSummary {
  seed: number;
  rows: number;
  iterations: number;
  killCount: number;
  kills: Record<Landed, number>;
  killsByTarget: Record<Phase, number>;
  /** Kills after which the ledger held none of the import's rows, and all of them. */
  ledgerAfterKill: { none: number; all: number };
  committedExactlyOnce: number;
  retries: number;
  calibration: Record<Phase, number>;
  ms: number;
}

/** Runs `iterations` kills (or until `deadline`), throwing at the first violated guarantee. */
export async function runSoak(options: SoakOptions & { deadline?: number; plan?: (n: number) => Phase[]; onIteration?: (r: IterationResult) => void }): Promise<SoakSummary> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  log(`crash soak: seed ${options.seed} (replay with --seed ${options.seed}), ${options.iterations} iterations of ${options.rows} rows`);
  const harness = new CrashHarness(options);
  const summary: SoakSummary = {
    seed: options.seed,
    rows: options.rows,
    iterations: 0,
    killCount: 0,
    kills: { parse: 0, stage: 0, commit: 0, between: 0, after: 0 },
    killsByTarget: { parse: 0, stage: 0, commit: 0 },
    ledgerAfterKill: { none: 0, all: 0 },
    committedExactlyOnce: 0,
    retries: 0,
    calibration: { parse: 0, stage: 0, commit: 0 },
    ms: 0,
  };
  try {
    await harness.setUp();
    summary.calibration = { ...harness.durations };
    const random = rng(options.seed);
    for (let n = 1; n <= options.iterations; n++) {
      if (options.deadline && Date.now() > options.deadline) break;
      const result = await harness.iteration(n, random, options.plan?.(n));
      summary.iterations = n;
      for (const kill of result.kills) {
        summary.killCount++;
        summary.kills[kill.landed]++;
        summary.killsByTarget[kill.target]++;
        if (kill.ledgerAfterKill === 0) summary.ledgerAfterKill.none++;
        else summary.ledgerAfterKill.all++;
      }
      summary.committedExactlyOnce++;
      summary.retries += result.retries;
      options.onIteration?.(result);
    }
  } finally {
    summary.ms = Date.now() - started;
    await harness.tearDown();
  }
  return summary;
}

export function formatSummary(s: SoakSummary): string {
  return [
    `crash soak, seed ${s.seed}: ${s.iterations} imports of ${s.rows} rows, ${s.killCount} workers killed (SIGKILL) during them, in ${(s.ms / 1000).toFixed(1)} s`,
    `  kills landed in: parse ${s.kills.parse}, stage ${s.kills.stage}, commit ${s.kills.commit}, between jobs ${s.kills.between}, after the job ${s.kills.after}`,
    `  ledger right after the kill: none of the rows ${s.ledgerAfterKill.none}, all of them ${s.ledgerAfterKill.all}, partial 0`,
    `  committed exactly once after the retry, metrics and audit agreeing: ${s.committedExactlyOnce}/${s.iterations}; job retries ${s.retries}`,
    `  uninterrupted import: parse ${s.calibration.parse} ms, stage ${s.calibration.stage} ms, commit ${s.calibration.commit} ms`,
  ].join("\n");
}
