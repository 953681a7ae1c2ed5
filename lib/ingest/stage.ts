/**
 * Parse and stage: streams the stored raw file through the format library into staged_rows in
 * batches, with every issue and its line, the statements with their balances, and the profile.
 * A structural failure (wrong format, truncated file, broken control totals) fails the import with
 * the parser's code, message and line, and leaves nothing staged.
 *
 * The staging half (stageEvents) takes any stream of parse events, so connector syncs stage provider
 * records (lib/connectors/records.ts) through exactly the same rows, profile and classification.
 */
import { randomUUID } from "node:crypto";
import type { JwtClaims } from "@/lib/auth/claims";
import type { Db } from "@/lib/db/pool";
import { withUser } from "@/lib/db/with-user";
import {
  clearStaging,
  finalizeStaging,
  getImport,
  insertIssues,
  insertStagedRows,
  insertStatements,
  setImportState,
  type ImportRecord,
  type IssueInput,
  type StagedRowInput,
  type StatementInput,
} from "@/lib/db/queries/pipeline";
import { detectFormat, parseFileBatches } from "@/lib/formats/index";
import { scanDelimited } from "@/lib/formats/csv/index";
import { peekBytes } from "@/lib/formats/shared/text";
import { FormatError, type JsonValue, type ParseEvent, type ParseOptions } from "@/lib/formats/types";
import { formatName, type FormatName, type Transaction } from "@/lib/schemas/canonical";
import { RawKeyRefusedError, type RawFileStore } from "@/lib/storage/raw-store";
import { salesLineDedupBasis, transactionDedupBasis } from "./dedup-key";
import { ProfileBuilder } from "./profile";
import { externalAccountKey, mappingSource } from "./sources";
import { classifyImport } from "./classify";

const BATCH_ROWS = 2000;
/** Formats read twice: a first pass over the whole file settles date order and number format. */
const SCANNED_FORMATS: ReadonlySet<FormatName> = new Set(["csv"]);

export interface StageTarget {
  claims: JwtClaims;
  tenantId: string;
  importId: string;
}

function parseOptionsOf(options: Record<string, JsonValue>): ParseOptions {
  const out: ParseOptions = {};
  if (options.integrity === false) out.integrity = false;
  if (typeof options.dateOrder === "string" && ["YMD", "DMY", "MDY"].includes(options.dateOrder)) out.dateOrder = options.dateOrder as ParseOptions["dateOrder"];
  if (options.decimalSeparator === "." || options.decimalSeparator === ",") out.decimalSeparator = options.decimalSeparator;
  if (typeof options.delimiter === "string") out.delimiter = options.delimiter;
  return out;
}

/**
 * A staging run that another run of the same import has taken over. A job that outlives its expiry
 * is retried while it still runs (pg-boss gives up waiting for it, not the work itself): the new run
 * clears what the old one staged, so the old one must not add another row, or the import is staged
 * with part of the file (seen in `npm run soak`: 1,000 of 5,000 rows staged, then committed).
 */
export class StagingSupersededError extends Error {
  constructor(importId: string) {
    super(`Staging of import ${importId} was taken over by a newer run; this run stops.`);
  }
}

/**
 * Takes an import for staging: only an uploaded import, or one whose staging died midway (a retried
 * job), is staged; whatever a dead attempt left is cleared first. Undefined when there is nothing to do.
 * The run gets an attempt id (kept in the import's progress) that every later write of the run checks.
 */
export async function beginStaging(target: StageTarget): Promise<(ImportRecord & { attempt: string }) | undefined> {
  const { claims, tenantId, importId } = target;
  return withUser(claims, async (db) => {
    const found = await getImport(db, { tenantId, importId, forUpdate: true });
    if (!found || (found.status !== "uploaded" && found.status !== "parsing")) return undefined;
    const attempt = randomUUID();
    await clearStaging(db, { tenantId, importId });
    await setImportState(db, { tenantId, importId, status: "parsing", progress: { phase: "parsing", records: 0, attempt }, error: null });
    return { ...found, attempt };
  });
}

/** Locks the import and checks this run still owns its staging (see StagingSupersededError). */
async function assertAttempt(db: Db, params: { tenantId: string; importId: string; attempt: string }): Promise<void> {
  const current = await getImport(db, { tenantId: params.tenantId, importId: params.importId, forUpdate: true });
  if (current?.status !== "parsing" || current.progress.attempt !== params.attempt) throw new StagingSupersededError(params.importId);
}

/** The currency of the account chosen for a whole import, if one was chosen. */
export async function accountCurrencyOf(target: StageTarget, accountId: string | null): Promise<string | undefined> {
  const { claims, tenantId } = target;
  if (!accountId) return undefined;
  return withUser(claims, async (db) => (await db.query<{ currency: string }>("select currency from public.accounts where tenant_id = $1 and id = $2", [tenantId, accountId])).rows[0]?.currency);
}

export interface StageMeta {
  /**
   * Where the rows come from, as the dedup and mapping rules name it: a format name ("ofx", "csv"…) or
   * "connector:<type>" for provider records. Decides whether an external id is a unique reference
   * (lib/ingest/dedup-key.ts) and which namespace external accounts are mapped in (./sources.ts).
   */
  source: string;
  /** The format recorded on the import; the parser's own (its meta event) when undefined. */
  format?: string;
  /** Currency of the account chosen for the whole import, for rows and statements that state none. */
  accountCurrency: string | undefined;
  /** When staging started (ms), for the parse duration metric. */
  started: number;
  /** The run's attempt id from beginStaging: each batch is written only while the run still owns the staging. */
  attempt: string;
}

/**
 * Stages a stream of parse events for an import already taken by beginStaging: rows and issues in
 * batches (multi-row inserts), statements with their balances, the profile, then classification. A
 * FormatError thrown by the stream propagates to the caller, which fails the import (stageImport).
 * Used for files (events from parseFileBatches) and for provider records (events built from the stored
 * payload). Events come an array at a time and are handled synchronously within one: the only awaits
 * are per array and per flushed batch of rows, not per row.
 */
export async function stageEvents(target: StageTarget, batches: AsyncIterable<ParseEvent[]> | Iterable<ParseEvent[]>, meta: StageMeta): Promise<void> {
  const { claims, tenantId, importId } = target;
  const { accountCurrency, started } = meta;
  const mapping = mappingSource(meta.source);

  const builder = new ProfileBuilder();
  const statements: StatementInput[] = [];
  let rows: StagedRowInput[] = [];
  let issues: IssueInput[] = [];
  let rowNo = 0;
  let currentAccount: string | null = null;
  let currentCurrency: string | null = accountCurrency ?? null;

  const flush = async () => {
    const batch = rows;
    const batchIssues = issues;
    const records = rowNo;
    rows = [];
    issues = [];
    await withUser(claims, async (db) => {
      await assertAttempt(db, { tenantId, importId, attempt: meta.attempt });
      await insertStagedRows(db, { tenantId, importId, mappingSource: mapping, rows: batch });
      await insertIssues(db, { tenantId, importId, issues: batchIssues });
      await setImportState(db, { tenantId, importId, progress: { phase: "parsing", records, attempt: meta.attempt } });
    });
  };
  // A full batch is written while the parser reads the next one (Postgres on one core, the parser on
  // another) instead of the parser waiting for every write. One write is in flight at a time, so the
  // batches are written in order, each in its own transaction as before, and at most two are held.
  let writing: Promise<void> | undefined;
  const flushWhileParsing = async () => {
    await writing;
    writing = flush();
    writing.catch(() => undefined); // awaited at the next batch or after the loop; not unhandled meanwhile
  };
  try {
    for await (const batch of batches) {
      for (const event of batch) {
        if (rows.length >= BATCH_ROWS) await flushWhileParsing();
        switch (event.type) {
          case "statement": {
            const s = event.statement;
            currentAccount = externalAccountKey(s.account);
            currentCurrency = s.account.currency ?? accountCurrency ?? null;
            statements.push({ statementNo: statements.length, line: s.line, externalAccount: currentAccount, account: s.account, statementId: s.statementId ?? null, from: s.from ?? null, to: s.to ?? null, balances: [] });
            builder.statement(s.account.currency);
            break;
          }
          case "balance":
            statements.at(-1)?.balances.push(event.balance);
            builder.balance(event.balance);
            break;
          case "transaction": {
            const t: Transaction = { ...event.transaction, currency: event.transaction.currency ?? currentCurrency ?? undefined };
            builder.transaction(t, currentCurrency);
            const basis = transactionDedupBasis(meta.source, currentAccount ?? "", t);
            rows.push({ rowNo: ++rowNo, line: t.line, kind: "transaction", statementNo: statements.length - 1, externalAccount: currentAccount, record: t, hasError: false, ...basis });
            break;
          }
          case "record": {
            const r = event.record;
            builder.record(r);
            const basis = r.kind === "sales_line" ? salesLineDedupBasis(r) : { dedupKey: null, fingerprint: null };
            rows.push({ rowNo: ++rowNo, line: r.line, kind: r.kind, statementNo: null, externalAccount: null, record: r, hasError: false, ...basis });
            break;
          }
          case "rejected": {
            const r = event.rejected;
            builder.rejectedRow();
            const isTransaction = r.kind === "transaction";
            rows.push({
              rowNo: ++rowNo,
              line: r.line,
              kind: r.kind,
              statementNo: isTransaction ? statements.length - 1 : null,
              externalAccount: isTransaction ? currentAccount : null,
              record: { ...r.fields, raw: r.raw, line: r.line, ...(r.kind !== "transaction" ? { kind: r.kind } : {}) },
              hasError: true,
              dedupKey: null,
              fingerprint: null,
            });
            break;
          }
          case "issue":
            builder.issue(event.issue);
            issues.push({ line: event.issue.line, severity: event.issue.severity, code: event.issue.code, message: event.issue.message, field: event.issue.field ?? null });
            break;
          case "meta":
            builder.finish(event.meta);
            break;
        }
      }
    }
  } catch (error) {
    // The stream failed (a FormatError fails the import): the write in flight ends first, so the
    // caller's cleanup runs after it, not beside it.
    await writing?.catch(() => undefined);
    throw error;
  }
  await writing;
  await flush();
  const result = builder.result();
  const format = meta.format ?? result.format;
  await withUser(claims, async (db) => {
    await assertAttempt(db, { tenantId, importId, attempt: meta.attempt });
    await insertStatements(db, { tenantId, importId, statements });
    await finalizeStaging(db, { tenantId, importId });
    await setImportState(db, {
      tenantId,
      importId,
      status: "staged",
      format,
      encoding: result.encoding,
      profile: { ...result, format, mappingSource: mapping },
      progress: { phase: "staged", records: rowNo },
      metricsPatch: { parsed: result.rows, invalid: result.rejected, fetched: result.rows + result.rejected, parseMs: Date.now() - started },
    });
    await classifyImport(db, { tenantId, importId });
  });
}

export async function stageImport(target: StageTarget, store: RawFileStore): Promise<void> {
  const { claims, tenantId, importId } = target;
  const started = Date.now();
  const imp = await beginStaging(target);
  if (!imp?.rawKey) return;
  const rawKey = imp.rawKey;

  const open = () => store.get(tenantId, rawKey);
  const requested = formatName.safeParse(imp.options.format);
  const options = parseOptionsOf(imp.options);
  const accountCurrency = await accountCurrencyOf(target, imp.accountId);
  if (accountCurrency) options.defaultCurrency = accountCurrency;

  try {
    // One read of the raw file for most formats: detection peeks at the stream that is then parsed.
    // Delimited text is read twice, because its first pass settles date order over the whole file.
    const { head, source: firstRead } = await peekBytes(await open());
    const format = requested.success ? requested.data : detectFormat(head).format;
    const profile = format && SCANNED_FORMATS.has(format) ? await scanDelimited(firstRead, options) : undefined;
    const events = parseFileBatches(profile ? await open() : firstRead, { ...options, ...(format ? { format } : {}), ...(profile ? { profile } : {}) });
    await stageEvents(target, events, { source: format ?? "csv", accountCurrency, started, attempt: imp.attempt });
  } catch (error) {
    // A key the store refuses (not this tenant's) fails the same way on every retry: the import fails now, in words.
    const failure =
      error instanceof FormatError
        ? { code: error.code, message: `${imp.fileName}, line ${error.line}: ${error.message}`, line: error.line }
        : error instanceof RawKeyRefusedError
          ? { code: "raw_file_refused", message: `${imp.fileName}: the import's stored file is not one of this workspace's files, so it was not read. Upload the file again.` }
          : undefined;
    if (!failure) throw error;
    await withUser(claims, async (db) => {
      await assertAttempt(db, { tenantId, importId, attempt: imp.attempt });
      await clearStaging(db, { tenantId, importId });
      await setImportState(db, {
        tenantId,
        importId,
        status: "failed",
        progress: { phase: "failed" },
        error: failure,
        metricsPatch: { failed: 1, parseMs: Date.now() - started },
      });
    });
  }
}
