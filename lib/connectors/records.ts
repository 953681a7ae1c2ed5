/**
 * The record sync path: how a record connector's batches (Plaid, Stripe, a SQL database) become
 * imports that take the same road as an upload.
 *
 * Every fetched batch that holds records becomes one import, with the source
 * "connector:<type>:<connectionId>":
 * 1. raw: the batch exactly as the provider sent it (records, removals, accounts and balances) is
 *    written to the raw file store as the import's raw file (JSON), so it can be re-mapped later;
 * 2. staged: the stored payload is read back and reshaped at the boundary by the connector's
 *    toCanonical into parse events, which go through the same staging, profile and classification as
 *    a parsed file (lib/ingest/stage.ts stageEvents). The external id is the provider's transaction
 *    id and connector sources guarantee a unique reference, so the exact-duplicate key is `ext:<id>`
 *    (lib/ingest/dedup-key.ts) and the ledger's unique index refuses a record twice;
 * 3. committed in ONE transaction with everything that makes the batch done: commitImport (new rows
 *    in, likely duplicates held for review), the provider's modifications and removals applied, and
 *    the connection's cursor advanced past the batch.
 *
 * Modified records: a record sent again (Plaid `modified`, a source row whose cursor column moved)
 * has the same `ext:` key, so it is staged as an exact duplicate and commitImport skips it; its ledger
 * row — only one this connection brought in — is then updated in place to the new values (same row
 * id, same import), in the commit's transaction, with the before and after in the audit log.
 * Removed records (Plaid `removed`) are deleted from the ledger by the same key, audited with their
 * last values. Both are idempotent, so doing a batch again changes nothing. Reverting the import that
 * carried a modification does not restore the earlier values (the audit log keeps them).
 *
 * Exactly once across crashes: the connection's cursor is `{ seq, value }` — the number of batches
 * committed and the provider's cursor after the last of them. A batch's import records its number
 * (seq + 1), the provider cursor after it and the removed ids (imports.options.connectorBatch), and
 * the cursor moves to it only in its commit transaction. A sync first finishes the batch an earlier
 * sync left (staged, or committed through the import page): it resumes that import — the same fetched
 * data, not a second fetch — so a crash after fetching neither skips (the cursor did not move) nor
 * repeats (one import per batch number; the unique index besides). A crash before an import exists
 * simply fetches the same page again.
 *
 * Order is kept: a batch that cannot be committed as it stands (an account not mapped yet, a record
 * with an error) stops the sync there, staged for review, and the cursor stays before it; the next
 * sync tries it again first (after a mapping it commits) and only then fetches further.
 */
import { Readable } from "node:stream";
import { z } from "zod";
import type { TenantContext } from "@/lib/auth/context";
import { writeAudit } from "@/lib/db/queries/audit";
import { applyModifiedRecords, findBatchImport, removeRecords, type LedgerChange } from "@/lib/db/queries/connector-batches";
import { saveCursor, type ConnectionRow } from "@/lib/db/queries/connections";
import { confirmationsAfter } from "@/lib/db/queries/mpesa";
import { getImport, insertImport, setImportState } from "@/lib/db/queries/pipeline";
import { withUser } from "@/lib/db/with-user";
import type { JsonValue, ParseEvent } from "@/lib/formats/types";
import { CommitBlockedError, commitImport } from "@/lib/ingest/commit";
import { accountCurrencyOf, beginStaging, stageEvents } from "@/lib/ingest/stage";
import { externalAccountKey } from "@/lib/ingest/sources";
import { balance, externalAccount, type Balance, type ExternalAccount } from "@/lib/schemas/canonical";
import { rawFileStore } from "@/lib/storage/raw-store";
import { hookToken } from "./hooks";
import { secretsStore } from "./service";
import { RecordError, type FetchBatch, type FetchContext, type ProviderAccount, type ProviderRecord, type RegisteredConnector } from "./types";

type Ctx = Pick<TenantContext, "claims" | "tenantId">;

/** A guard against a provider that always says there is more. */
const MAX_BATCHES_PER_SYNC = 1000;

/** The connection cursor of a record connector. */
export const recordCursor = z.object({ seq: z.number().int().min(0), value: z.unknown() });
export type RecordCursor = z.infer<typeof recordCursor>;

export interface SyncedBatch {
  /** The batch's number in the connection's history (1, 2, …). */
  seq: number;
  importId: string;
  /** Records the provider sent in the batch (removals included). */
  records: number;
  /** committed: in the ledger; needs_review: staged, something blocks the commit (the sync stopped there). */
  outcome: "committed" | "needs_review";
  imported: number;
  /** Ledger rows updated to the provider's newer version. */
  updated: number;
  /** Ledger rows removed because the provider removed the record. */
  removed: number;
  message?: string;
}

/** Test seams: a crash is simulated by throwing from these. */
export interface SyncHooks {
  /** After each fetch, before anything of the batch is stored. */
  afterFetch?(batch: FetchBatch<unknown>): void | Promise<void>;
  /** After a batch is staged, before its commit transaction. */
  beforeCommit?(importId: string): void | Promise<void>;
}

/** The raw file of a batch: the provider's records as sent, and where the batch sits in the history. */
const batchPayload = z.object({
  connector: z.string(),
  connectionId: z.string(),
  seq: z.number().int(),
  fetchedAt: z.string(),
  accounts: z.array(z.object({ account: externalAccount, balances: z.array(balance.omit({ line: true })) })),
  records: z.array(z.object({ id: z.string(), removed: z.boolean().optional(), scope: z.string().optional(), data: z.unknown() })),
});
type BatchPayload = z.infer<typeof batchPayload>;

/** The mapping namespace and format of a record connector's imports (lib/ingest/sources.ts). */
export const recordFormat = (type: string) => `connector:${type}`;

/** The prefix of the ledger's `source` for rows a connection brought in (commit writes `<import source>:<format>`). */
const ledgerSourceOf = (source: string) => `${source}:`;

/** The exact-duplicate key of a unique provider reference (lib/ingest/dedup-key.ts transactionDedupBasis). */
const extKey = (externalId: string) => `ext:${externalId}`;

function asJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
}

interface Loaded {
  row: ConnectionRow;
  connector: RegisteredConnector;
  secrets: unknown;
  source: string;
}

/**
 * Syncs a record connection: finishes the batch an earlier sync left, then fetches and commits batch
 * after batch until the provider has no more, or a batch needs review. Provider failures are returned
 * (the caller records them on the connection); the batches committed before them stay committed.
 */
export async function syncRecords(ctx: Ctx, loaded: Loaded, hooks: SyncHooks = {}): Promise<{ batches: SyncedBatch[]; failure?: unknown }> {
  const { row, connector, source } = loaded;
  // Replaced when the provider rotates a token mid-sync: later batches must use the saved ones.
  let secrets = loaded.secrets;
  const store = secretsStore(ctx, connector, row.id);
  const batches: SyncedBatch[] = [];
  const parsedCursor = recordCursor.safeParse(row.cursor);
  let state: RecordCursor = parsedCursor.success ? parsedCursor.data : { seq: 0, value: null };
  const context: FetchContext = {
    storeFile: () => Promise.reject(new Error("record connectors do not download files")),
    alreadySeen: () => Promise.resolve(false),
    saveSecrets: async (next) => {
      await store.saveSecrets(next);
      secrets = next;
    },
    pushed: {
      hookToken: hookToken(row.id),
      after: async (position, limit) =>
        (await withUser(ctx.claims, (db) => confirmationsAfter(db, { tenantId: ctx.tenantId, connectionId: row.id, position, limit }))).map((c) => ({
          position: c.position,
          id: c.transId,
          data: c.payload,
        })),
    },
  };
  try {
    const pending = await withUser(ctx.claims, (db) => findBatchImport(db, { tenantId: ctx.tenantId, source, seq: state.seq + 1 }));
    if (pending) {
      const done = await finishBatch(ctx, loaded, { importId: pending.importId, seq: state.seq + 1, cursor: pending.cursor, removed: pending.removed, records: pending.records }, hooks);
      batches.push(done);
      if (done.outcome !== "committed") return { batches };
      state = { seq: state.seq + 1, value: pending.cursor };
    }
    for (let n = 0; n < MAX_BATCHES_PER_SYNC; n++) {
      const batch = await connector.fetchNext(row.config, secrets, state.value, context);
      await hooks.afterFetch?.(batch);
      const records = batch.items.filter((item): item is ProviderRecord => item.kind === "record");
      if (records.length === 0) {
        // Nothing to import: the provider's new cursor is all there is to keep.
        state = { seq: state.seq, value: batch.cursor };
        await withUser(ctx.claims, (db) => saveCursor(db, { tenantId: ctx.tenantId, id: row.id, cursor: state }));
      } else {
        const seq = state.seq + 1;
        const importId = await createBatchImport(ctx, loaded, { seq, records, accounts: batch.accounts ?? [], cursor: batch.cursor });
        const done = await finishBatch(
          ctx,
          loaded,
          { importId, seq, cursor: asJson(batch.cursor), removed: records.filter((r) => r.removed).map((r) => r.id), records: records.length },
          hooks,
        );
        batches.push(done);
        if (done.outcome !== "committed") break;
        state = { seq, value: batch.cursor };
      }
      if (!batch.hasMore) break;
    }
    return { batches };
  } catch (failure) {
    return { batches, failure };
  }
}

/** Step 1: the batch, as sent, into the raw file store, and an import for it. */
async function createBatchImport(
  ctx: Ctx,
  loaded: Loaded,
  batch: { seq: number; records: ProviderRecord[]; accounts: ProviderAccount[]; cursor: unknown },
): Promise<string> {
  const { row, connector, source } = loaded;
  const payload: BatchPayload = {
    connector: row.type,
    connectionId: row.id,
    seq: batch.seq,
    fetchedAt: new Date().toISOString(),
    accounts: batch.accounts.map((a) => ({ account: { ...a.account }, balances: a.balances.map((b) => ({ ...b })) })),
    records: batch.records.map((r) => ({ id: r.id, ...(r.removed ? { removed: true } : {}), ...(r.scope ? { scope: r.scope } : {}), data: r.data })),
  };
  const stored = await (await rawFileStore()).put(ctx.tenantId, Readable.from([Buffer.from(JSON.stringify(payload))]));
  const fileName = `${connector.label} ${row.name}, batch ${batch.seq}.json`;
  const accountId = connector.importOptions(row.config).accountId ?? null;
  return withUser(ctx.claims, async (db) => {
    const importId = await insertImport(db, {
      tenantId: ctx.tenantId,
      fileName,
      source,
      rawKey: stored.key,
      sha256: stored.sha256,
      byteSize: stored.byteSize,
      accountId,
      options: {
        connectorBatch: {
          seq: batch.seq,
          cursor: asJson(batch.cursor),
          records: batch.records.length,
          removed: batch.records.filter((r) => r.removed).map((r) => r.id),
        },
      },
    });
    await setImportState(db, { tenantId: ctx.tenantId, importId, metricsPatch: { bytes: stored.byteSize } });
    await writeAudit(db, {
      tenantId: ctx.tenantId,
      action: "import.upload",
      entity: "import",
      entityId: importId,
      after: { fileName, sha256: stored.sha256, bytes: stored.byteSize, source },
      details: { connectionId: row.id, batch: batch.seq, records: batch.records.length },
    });
    return importId;
  });
}

/** Step 2: the stored payload reshaped into parse events and staged; a no-op unless the import still waits for it. */
export async function stageRecordImport(ctx: Ctx, loaded: Pick<Loaded, "row" | "connector">, importId: string): Promise<void> {
  const target = { claims: ctx.claims, tenantId: ctx.tenantId, importId };
  const started = Date.now();
  const imp = await beginStaging(target);
  if (!imp?.rawKey) return;
  const chunks: Buffer[] = [];
  for await (const chunk of await (await rawFileStore()).get(ctx.tenantId, imp.rawKey)) chunks.push(chunk as Buffer);
  const payload = batchPayload.parse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
  const format = recordFormat(loaded.row.type);
  const accountCurrency = await accountCurrencyOf(target, imp.accountId);
  await stageEvents(target, [recordEvents(payload, loaded.connector, loaded.row.config)], { source: format, format, accountCurrency, started, attempt: imp.attempt });
}

interface AccountGroup {
  account: ExternalAccount;
  balances: Omit<Balance, "line">[];
  events: ParseEvent[];
  line: number;
}

/**
 * A batch as parse events: per external account a statement (with the provider's balances), then
 * its transactions; a record toCanonical cannot read becomes a rejected row with an error issue, like
 * a bad line in a file. `line` is the record's position in the batch (1-based), `raw` its JSON.
 */
export function recordEvents(payload: BatchPayload, connector: Pick<RegisteredConnector, "label" | "toCanonical">, config: unknown): ParseEvent[] {
  const toCanonical = connector.toCanonical;
  if (!toCanonical) throw new Error(`${connector.label} does not produce records`);
  const groups = new Map<string, AccountGroup>();
  const loose: ParseEvent[] = [];
  const group = (account: ExternalAccount, line: number): AccountGroup => {
    const key = externalAccountKey(account);
    let found = groups.get(key);
    if (!found) groups.set(key, (found = { account, balances: [], events: [], line }));
    return found;
  };
  for (const info of payload.accounts) {
    const g = group(info.account, 1);
    g.account = { ...g.account, ...info.account };
    g.balances.push(...info.balances);
  }
  payload.records.forEach((record, index) => {
    if (record.removed) return;
    const line = index + 1;
    const raw = JSON.stringify(record.data);
    try {
      const canonical = toCanonical({ kind: "record", ...record }, config);
      if (!canonical) return;
      const g = group(canonical.account, line);
      g.account = { ...canonical.account, ...g.account };
      g.events.push({ type: "transaction", transaction: { ...canonical.transaction, raw, line } });
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      const events: ParseEvent[] = [
        { type: "rejected", rejected: { kind: "transaction", line, raw, fields: { ...error.fields } } },
        { type: "issue", issue: { severity: "error", code: "invalid_record", message: error.message, line, ...(error.field ? { field: error.field } : {}) } },
      ];
      if (error.account) group(error.account, line).events.push(...events);
      else loose.push(...events);
    }
  });
  const out: ParseEvent[] = [...loose];
  for (const g of groups.values()) {
    out.push({ type: "statement", statement: { account: g.account, line: g.line } });
    for (const b of g.balances) out.push({ type: "balance", balance: { ...b, line: g.line } });
    out.push(...g.events);
  }
  return out;
}

/**
 * Steps 2 and 3 for one batch: staged if it is not yet, then committed with its modifications,
 * removals and the cursor in one transaction — or left staged for review when something blocks it.
 */
async function finishBatch(
  ctx: Ctx,
  loaded: Loaded,
  batch: { importId: string; seq: number; cursor: JsonValue; removed: string[]; records: number },
  hooks: SyncHooks,
): Promise<SyncedBatch> {
  const { claims, tenantId } = ctx;
  const { importId, seq } = batch;
  await stageRecordImport(ctx, loaded, importId);
  await hooks.beforeCommit?.(importId);
  const ledgerSource = ledgerSourceOf(loaded.source);
  return withUser(claims, async (db) => {
    const imp = await getImport(db, { tenantId, importId, forUpdate: true });
    if (!imp) throw new Error(`import ${importId} vanished during the sync`);
    const base = { seq, importId, records: batch.records };
    let imported: number;
    if (imp.status === "staged" || imp.status === "committing") {
      await db.query("savepoint connector_commit");
      try {
        imported = (await commitImport(db, { tenantId, importId })).imported;
        await db.query("release savepoint connector_commit");
      } catch (error) {
        if (!(error instanceof CommitBlockedError)) throw error;
        await db.query("rollback to savepoint connector_commit");
        return { ...base, outcome: "needs_review", imported: 0, updated: 0, removed: 0, message: error.message };
      }
    } else if (imp.status === "committed") {
      // Committed from its import page after an earlier sync stopped at it: finish it now.
      imported = typeof imp.metrics.imported === "number" ? imp.metrics.imported : 0;
    } else {
      throw new Error(`import ${importId} is ${imp.status} after staging`);
    }

    const updated = await applyModifiedRecords(db, { tenantId, importId, ledgerSource });
    const removed = await removeRecords(db, { tenantId, ledgerSource, dedupKeys: batch.removed.map(extKey) });
    await setImportState(db, { tenantId, importId, metricsPatch: { fetched: batch.records, updated: updated.length, removed: removed.length } });
    if (updated.length + removed.length > 0) await auditChanges(db, { tenantId, importId, connectionId: loaded.row.id, seq, updated, removed });
    await saveCursor(db, { tenantId, id: loaded.row.id, cursor: { seq, value: batch.cursor } });
    return { ...base, outcome: "committed", imported, updated: updated.length, removed: removed.length };
  });
}

async function auditChanges(
  db: Parameters<typeof writeAudit>[0],
  params: { tenantId: string; importId: string; connectionId: string; seq: number; updated: LedgerChange[]; removed: LedgerChange[] },
): Promise<void> {
  await writeAudit(db, {
    tenantId: params.tenantId,
    action: "connection.sync",
    entity: "import",
    entityId: params.importId,
    before: {
      updated: params.updated.map((c) => ({ transactionId: c.id, ...c.before })),
      removed: params.removed.map((c) => ({ transactionId: c.id, ...c.before })),
    },
    after: { updated: params.updated.map((c) => ({ transactionId: c.id, ...c.after })) },
    details: { connectionId: params.connectionId, batch: params.seq, updated: params.updated.length, removed: params.removed.length, reason: "the provider modified or removed records" },
  });
}
