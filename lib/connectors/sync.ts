/**
 * One sync of a connection: fetch batches after the stored cursor, and turn each fetched file into an
 * import exactly like an upload (raw file kept, parsed, staged, classified, committed, audited), with
 * the source "connector:<type>:<connectionId>".
 *
 * Exactly once, across crashes: a file is recorded in connection_files, and the cursor advanced, in
 * the same transaction that commits its import. A process that dies before that transaction leaves
 * the file unrecorded, so the next sync fetches it again, finds the import it had started (same source,
 * name and bytes, not recorded) and resumes it instead of creating a second one; the commit itself is
 * idempotent and the ledger's unique dedup key refuses a row twice. A file already recorded by path,
 * size and SHA-256 is never imported again.
 *
 * An import that cannot be committed as it stands (rows with errors, accounts not mapped) stays staged
 * for review, recorded, so it is not fetched again; one that fails to parse is reported with the
 * parser's message and the sync goes on with the other files.
 *
 * Record connectors (Plaid, Stripe, a SQL database) take the record path in ./records.ts: each batch
 * of provider records is one import, committed with the provider's modifications and removals and the
 * cursor in one transaction.
 *
 * Runs synchronously in the caller (the API answers when the sync is done); one sync per connection
 * at a time, held by a Postgres advisory lock. Scheduling on pg-boss comes with the sync jobs.
 */
import type { TenantContext } from "@/lib/auth/context";
import { writeAudit } from "@/lib/db/queries/audit";
import {
  fileSeen,
  findRecordedFile,
  findUnrecordedImport,
  noteFileSeenAgain,
  recordFile,
  recordSyncOutcome,
  saveCursor,
} from "@/lib/db/queries/connections";
import { getImport } from "@/lib/db/queries/pipeline";
import { getPool } from "@/lib/db/pool";
import { withUser } from "@/lib/db/with-user";
import { AppError } from "@/lib/http/errors";
import { CommitBlockedError, commitImport } from "@/lib/ingest/commit";
import { runParseJob } from "@/lib/ingest/jobs";
import { createImportFromStoredFile, type UploadFields } from "@/lib/ingest/upload";
import { rawFileStore } from "@/lib/storage/raw-store";
import { syncRecords, type SyncedBatch, type SyncHooks } from "./records";
import { loadConnection, nextSyncAfter, secretsStore, toView, type ConnectionView } from "./service";
import { ProviderError, type FetchContext, type FetchedFile } from "./types";

type Ctx = Pick<TenantContext, "claims" | "tenantId">;

/** A connection is marked failing after this many failed syncs in a row. */
export const FAILING_AFTER = 3;
/** A guard against a connector that always says there is more. */
const MAX_BATCHES_PER_SYNC = 1000;

export interface SyncedFile {
  path: string;
  size: number;
  importId: string;
  /** committed: in the ledger; needs_review: staged, something blocks the commit; failed: could not be read. */
  outcome: "committed" | "needs_review" | "failed";
  imported: number;
  message?: string;
}

export interface SyncResult {
  connectionId: string;
  ok: boolean;
  files: SyncedFile[];
  /** Record connectors: one import per batch of provider records, with the ledger rows it updated and removed. */
  batches: SyncedBatch[];
  /** Fetched again but already imported with the same path, size and content. */
  unchanged: number;
  /** `files` counts the imports of the sync: files, or batches of records. */
  counts: { files: number; committed: number; needsReview: number; failed: number; imported: number };
  error?: { code: "sync_failed"; message: string };
  connection: ConnectionView;
}

export function sourceOf(type: string, connectionId: string): string {
  return `connector:${type}:${connectionId}`;
}

/** Holds a session-level advisory lock on a dedicated connection for the length of `fn`. */
async function withConnectionLock<T>(connectionId: string, fn: () => Promise<T>): Promise<T> {
  const client = await (await getPool()).connect();
  const key = `inflow:connection-sync:${connectionId}`;
  try {
    const { rows } = await client.query<{ locked: boolean }>("select pg_try_advisory_lock(hashtextextended($1, 0)) as locked", [key]);
    if (!rows[0]?.locked) throw new AppError(409, "sync_running", "A sync of this connection is already running. Wait for it to finish.");
    try {
      return await fn();
    } finally {
      await client.query("select pg_advisory_unlock(hashtextextended($1, 0))", [key]);
    }
  } finally {
    client.release();
  }
}

export async function syncConnection(ctx: Ctx, connectionId: string, options: { hooks?: SyncHooks } = {}): Promise<SyncResult> {
  const loaded = await loadConnection(ctx, connectionId);
  const { row, connector } = loaded;
  // Replaced when the provider rotates a token mid-sync: later fetches must use the saved ones.
  let { secrets } = loaded;
  const { claims, tenantId } = ctx;
  if (row.status === "paused") throw new AppError(409, "paused", "This connection is paused. Resume it before syncing.");
  if (row.nextAllowedSyncAt && row.nextAllowedSyncAt.getTime() > Date.now()) {
    const seconds = Math.ceil((row.nextAllowedSyncAt.getTime() - Date.now()) / 1000);
    throw new AppError(429, "rate_limited", `The provider asked us to wait before the next sync: try again after ${row.nextAllowedSyncAt.toISOString()}.`, {
      "Retry-After": String(seconds),
    });
  }

  return withConnectionLock(connectionId, async () => {
    const source = sourceOf(row.type, connectionId);
    const fields: UploadFields = connector.importOptions(row.config);
    const store = await rawFileStore();
    const context: FetchContext = {
      storeFile: (body) => store.put(tenantId, body),
      alreadySeen: (file) => withUser(claims, (db) => fileSeen(db, { tenantId, connectionId, ...file })),
      saveSecrets: async (next) => {
        await secretsStore(ctx, connector, connectionId).saveSecrets(next);
        secrets = next;
      },
    };
    const files: SyncedFile[] = [];
    let batches: SyncedBatch[] = [];
    let unchanged = 0;
    let failure: unknown;
    let cursor = row.cursor;
    if (connector.produces === "records") {
      ({ batches, failure } = await syncRecords(ctx, { row, connector, secrets, source }, options.hooks));
    } else {
      try {
        for (let batchNo = 0; batchNo < MAX_BATCHES_PER_SYNC; batchNo++) {
          const batch = await connector.fetchNext(row.config, secrets, cursor, context);
          const fetched = batch.items.filter((item): item is FetchedFile => item.kind === "file");
          for (const [index, file] of fetched.entries()) {
            // The batch's cursor is stored with its last file, in the transaction that commits it.
            const cursorAfter = index === fetched.length - 1 ? { value: batch.cursor } : undefined;
            const synced = await importFile(ctx, { connectionId, source, fields, file, cursorAfter });
            if (synced) files.push(synced);
            else unchanged++;
          }
          if (fetched.length === 0) await withUser(claims, (db) => saveCursor(db, { tenantId, id: connectionId, cursor: batch.cursor }));
          cursor = batch.cursor;
          if (!batch.hasMore) break;
        }
      } catch (error) {
        failure = error;
      }
    }

    const outcomes: { outcome: string; imported: number; importId: string }[] = [...files, ...batches];
    const counts = {
      files: outcomes.length,
      committed: outcomes.filter((f) => f.outcome === "committed").length,
      needsReview: outcomes.filter((f) => f.outcome === "needs_review").length,
      failed: outcomes.filter((f) => f.outcome === "failed").length,
      imported: outcomes.reduce((sum, f) => sum + f.imported, 0),
    };
    const message = failure === undefined ? null : failureMessage(failure);
    const retryAfter = failure instanceof ProviderError ? failure.retryAfterSeconds : undefined;
    const now = new Date();
    const updated = await withUser(claims, async (db) => {
      const after = await recordSyncOutcome(db, {
        tenantId,
        id: connectionId,
        ok: failure === undefined,
        error: message,
        nextSyncAt: nextSyncAfter(row.schedule, now),
        nextAllowedSyncAt: retryAfter ? new Date(now.getTime() + retryAfter * 1000) : null,
        failingAfter: FAILING_AFTER,
      });
      await writeAudit(db, {
        tenantId,
        action: "connection.sync",
        entity: "connection",
        entityId: connectionId,
        details: {
          ok: failure === undefined,
          ...counts,
          unchanged,
          imports: outcomes.map((f) => f.importId),
          ...(batches.length ? { updated: batches.reduce((n, b) => n + b.updated, 0), removed: batches.reduce((n, b) => n + b.removed, 0) } : {}),
          ...(message ? { error: message } : {}),
        },
      });
      return after;
    });
    // Our own faults (not the provider's) are recorded above and then surface as a 500.
    if (failure !== undefined && !(failure instanceof ProviderError) && !(failure instanceof AppError)) throw failure;
    return {
      connectionId,
      ok: failure === undefined,
      files,
      batches,
      unchanged,
      counts,
      ...(message ? { error: { code: "sync_failed" as const, message } } : {}),
      connection: toView(updated),
    };
  });
}

function failureMessage(error: unknown): string {
  if (error instanceof ProviderError || error instanceof AppError) return error.message;
  console.error("connection sync failed", error);
  return "Something went wrong on our side during the sync. It will be tried again.";
}

/** One fetched file through the pipeline; undefined when this exact file was imported before. */
async function importFile(
  ctx: Ctx,
  params: { connectionId: string; source: string; fields: UploadFields; file: FetchedFile; cursorAfter: { value: unknown } | undefined },
): Promise<SyncedFile | undefined> {
  const { claims, tenantId } = ctx;
  const { connectionId, source, file } = params;
  const key = { tenantId, connectionId, path: file.path, size: file.size, sha256: file.stored.sha256 };
  const existing = await withUser(claims, async (db) => ({
    recorded: await findRecordedFile(db, key),
    unrecorded: await findUnrecordedImport(db, { tenantId, source, fileName: file.path, sha256: file.stored.sha256 }),
  }));
  if (existing.recorded) {
    // Fetched again (new modification time, same bytes): nothing to import; keep the batch's place.
    await withUser(claims, async (db) => {
      await noteFileSeenAgain(db, { ...key, modifiedAt: file.modifiedAt });
      if (params.cursorAfter) await saveCursor(db, { tenantId, id: connectionId, cursor: params.cursorAfter.value });
    });
    return undefined;
  }
  const importId =
    existing.unrecorded ??
    (await createImportFromStoredFile(ctx, { fileName: file.path, stored: file.stored, fields: params.fields, source }, { enqueueParse: false })).importId;
  // A no-op unless the import is still uploaded or its parse died midway.
  await runParseJob({ claims, tenantId, importId });

  return withUser(claims, async (db) => {
    const imp = await getImport(db, { tenantId, importId, forUpdate: true });
    if (!imp) throw new Error(`import ${importId} vanished during the sync`);
    let synced: SyncedFile;
    const base = { path: file.path, size: file.size, importId };
    if (imp.status === "staged" || imp.status === "committing") {
      await db.query("savepoint connector_commit");
      try {
        const committed = await commitImport(db, { tenantId, importId });
        await db.query("release savepoint connector_commit");
        synced = { ...base, outcome: "committed", imported: committed.imported };
      } catch (error) {
        if (!(error instanceof CommitBlockedError)) throw error;
        await db.query("rollback to savepoint connector_commit");
        synced = { ...base, outcome: "needs_review", imported: 0, message: error.message };
      }
    } else if (imp.status === "committed") {
      synced = { ...base, outcome: "committed", imported: typeof imp.metrics.imported === "number" ? imp.metrics.imported : 0 };
    } else if (imp.status === "failed") {
      synced = { ...base, outcome: "failed", imported: 0, message: imp.error?.message ?? "The file could not be read." };
    } else {
      throw new Error(`import ${importId} is ${imp.status} after parsing`);
    }
    await recordFile(db, { ...key, modifiedAt: file.modifiedAt, importId });
    if (params.cursorAfter) await saveCursor(db, { tenantId, id: connectionId, cursor: params.cursorAfter.value });
    return synced;
  });
}
