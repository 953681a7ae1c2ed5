/**
 * The connector interface: what a source must declare to be synced into the import pipeline.
 *
 * A connector is pure provider I/O: it never touches the database. It declares its settings (zod,
 * non-secret, stored as plain jsonb) and credentials (zod, stored encrypted), tests a connection,
 * and fetches the next batch after a cursor. The sync (./sync.ts) turns every batch into imports
 * that take the same path as an upload, and advances the cursor only when the batch is committed.
 *
 * Two kinds exist:
 * - file connectors (SFTP) hand over whole files, which the format library reads like an upload;
 * - record connectors (bank and payment APIs, databases) hand over provider records, which
 *   `toCanonical` reshapes into the canonical model (lib/schemas/canonical.ts) at the boundary. The
 *   batch is kept whole as the import's raw file (JSON), so it can be re-mapped later (./records.ts).
 */
import type { Readable } from "node:stream";
import { z } from "zod";
import { formatName, type Balance, type ExternalAccount, type Transaction } from "@/lib/schemas/canonical";
import type { StoredFile } from "@/lib/storage/raw-store";
import { checkSchedule } from "./schedule";

/** The outcome of "test connection": the provider's own error, in plain words, when it fails. */
export type TestResult = { ok: true; message: string } | { ok: false; message: string };

/** A file fetched by a file connector, already streamed into the raw file store. */
export interface FetchedFile {
  kind: "file";
  /** Path on the provider's side, as the connector names it (unique within the connection). */
  path: string;
  size: number;
  /** The provider's modification time (ISO 8601), when it gives one. */
  modifiedAt: string | null;
  stored: StoredFile;
}

/** A record as the provider sent it, kept whole as the raw payload. */
export interface ProviderRecord {
  kind: "record";
  /**
   * The provider's own id for the record, equal to the canonical externalId toCanonical gives it: a
   * removed record is taken out of the ledger by this id.
   */
  id: string;
  /** The provider says the record was removed (e.g. Plaid `removed`). */
  removed?: boolean;
  /** The provider account the record belongs to when the record itself does not say (the Stripe account of the key). */
  scope?: string;
  data: unknown;
}

export type RawItem = FetchedFile | ProviderRecord;

/** An account as the provider describes it, with the balances it reported (Plaid balances, …). */
export interface ProviderAccount {
  account: ExternalAccount;
  balances: Omit<Balance, "line">[];
}

export interface FetchBatch<Cursor> {
  items: RawItem[];
  /** Record connectors: the accounts the batch's records belong to, with balances when fetched. */
  accounts?: ProviderAccount[];
  /** Where the next fetch resumes; stored only once this batch is committed. */
  cursor: Cursor | null;
  /** True when the provider has more right now: the sync fetches again at once. */
  hasMore: boolean;
}

/** What the sync lends a connector while it fetches, so the connector itself needs no database. */
export interface FetchContext {
  /** Streams a downloaded file into the raw file store (hashed on the way, never held in memory). */
  storeFile(body: Readable): Promise<StoredFile>;
  /**
   * True when a file with this path, size and modification time was already imported by this
   * connection: the connector may skip downloading it. A false answer is confirmed by content hash.
   */
  alreadySeen(file: { path: string; size: number; modifiedAt: string | null }): Promise<boolean>;
  /** See SecretsStore: the sync lends it so rotated OAuth2 tokens are kept. */
  saveSecrets?: SecretsStore["saveSecrets"];
  /** Records the provider pushed to Inflow for this connection (M-Pesa C2B confirmations); record syncs only. */
  pushed?: PushedRecords;
}

/**
 * What a provider pushed to this connection's callback address, stored on arrival (the connector
 * never touches the database): read in a stable order after a position the connector keeps in its
 * cursor, never skipping one that was still being stored.
 */
export interface PushedRecords {
  /** The connection's unguessable token for the callback addresses the provider pushes to. */
  hookToken: string;
  after(position: string | null, limit: number): Promise<{ position: string; id: string; data: unknown }[]>;
}

/**
 * Lent to a connector whose provider replaces credentials as it goes (an OAuth2 refresh token that
 * rotates, as Intuit's does): `saveSecrets` stores the whole new credentials, encrypted, in place of
 * the old ones, and resolves only once they are saved — so the connector never uses a new token
 * that a crash could lose. The sync also uses the saved ones for the rest of its batches.
 */
export interface SecretsStore {
  saveSecrets(next: unknown): Promise<void>;
}

/** How files of a connection are read: the same options an upload takes. */
export const importOptions = z.object({
  accountId: z.string().uuid("Choose an account that exists in this workspace").optional(),
  format: formatName.optional(),
  dateOrder: z.enum(["YMD", "DMY", "MDY"]).optional(),
  decimalSeparator: z.enum([".", ","]).optional(),
});
export type ImportOptions = z.infer<typeof importOptions>;

interface ConnectorBase<Config, Secrets, Cursor> {
  /** Registry key, stored in connections.type. */
  type: string;
  /** What people call it. */
  label: string;
  configSchema: z.ZodType<Config>;
  secretsSchema: z.ZodType<Secrets>;
  cursorSchema: z.ZodType<Cursor>;
  test(config: Config, secrets: Secrets, store?: SecretsStore): Promise<TestResult>;
  fetchNext(config: Config, secrets: Secrets, cursor: Cursor | null, context: FetchContext): Promise<FetchBatch<Cursor>>;
  /** The upload options the connection's imports use (account, format, date order). */
  importOptions(config: Config): ImportOptions;
  /**
   * The addresses the provider pushes to for this connection (M-Pesa C2B), for its admins to register
   * by hand when needed. Each carries the connection's hook token, which lets anyone post to it: shown
   * to admins of the tenant only, never in a list or to another role.
   */
  callbackAddresses?(config: Config, hookToken: string): CallbackAddress[];
}

export interface CallbackAddress {
  /** What the provider calls it (e.g. "Confirmation URL"). */
  label: string;
  url: string;
}

export interface FileConnector<Config, Secrets, Cursor> extends ConnectorBase<Config, Secrets, Cursor> {
  produces: "files";
}

/**
 * One provider record in the canonical model: the transaction and the provider's account it belongs
 * to (mapped to an internal account like a bank account in a file). The sync adds `raw` (the record's
 * JSON) and `line` (its position in the batch).
 */
export interface CanonicalRecord {
  account: ExternalAccount;
  transaction: Omit<Transaction, "raw" | "line">;
}

/**
 * A provider record that cannot become a transaction (an amount that is not exact, a missing date):
 * it is staged as a row with an error, for a reviewer to correct or exclude, like a bad line in a file.
 */
export class RecordError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    /** The account the record belongs to, when that much could be read. */
    readonly account?: ExternalAccount,
    /** The fields as read, keyed by canonical names, for correction in review. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface RecordConnector<Config, Secrets, Cursor> extends ConnectorBase<Config, Secrets, Cursor> {
  produces: "records";
  /**
   * Reshapes one provider record into the canonical model; null for records that carry no money
   * movement (or that the configuration leaves out, such as pending transactions). Throws RecordError
   * for a record that cannot be read.
   */
  toCanonical(record: ProviderRecord, config: Config): CanonicalRecord | null;
}

export type Connector<Config, Secrets, Cursor> = FileConnector<Config, Secrets, Cursor> | RecordConnector<Config, Secrets, Cursor>;

/**
 * A connector as the registry holds it: every value that crosses in is parsed by the connector's
 * own schemas first, so stored jsonb and request bodies are validated at the boundary.
 */
export interface RegisteredConnector {
  type: string;
  label: string;
  produces: "files" | "records";
  configSchema: z.ZodType<unknown>;
  secretsSchema: z.ZodType<unknown>;
  test(config: unknown, secrets: unknown, store?: SecretsStore): Promise<TestResult>;
  fetchNext(config: unknown, secrets: unknown, cursor: unknown, context: FetchContext): Promise<FetchBatch<unknown>>;
  importOptions(config: unknown): ImportOptions;
  toCanonical?(record: ProviderRecord, config: unknown): CanonicalRecord | null;
  callbackAddresses?(config: unknown, hookToken: string): CallbackAddress[];
}

export function register<Config, Secrets, Cursor>(connector: Connector<Config, Secrets, Cursor>): RegisteredConnector {
  const config = (value: unknown) => connector.configSchema.parse(value);
  const secrets = (value: unknown) => connector.secretsSchema.parse(value);
  const cursor = (value: unknown) => (value === null || value === undefined ? null : connector.cursorSchema.parse(value));
  return {
    type: connector.type,
    label: connector.label,
    produces: connector.produces,
    configSchema: connector.configSchema,
    secretsSchema: connector.secretsSchema,
    test: (c, s, store) => connector.test(config(c), secrets(s), store),
    fetchNext: (c, s, k, context) => connector.fetchNext(config(c), secrets(s), cursor(k), context),
    importOptions: (c) => connector.importOptions(config(c)),
    ...(connector.produces === "records" ? { toCanonical: (record: ProviderRecord, c: unknown) => connector.toCanonical(record, config(c)) } : {}),
    ...(connector.callbackAddresses ? { callbackAddresses: (c: unknown, token: string) => connector.callbackAddresses?.(config(c), token) ?? [] } : {}),
  };
}

/**
 * A provider refused or failed in a way the person setting up the connection can act on: the
 * message is the provider's own error in plain words, never a stack trace or a credential.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    /** Seconds the provider asks us to wait (Retry-After), when it says. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** manual, hourly, daily, or a five-field cron expression. */
export const schedule = z
  .string()
  .trim()
  .refine(
    (value) => ["manual", "hourly", "daily"].includes(value) || /^(\S+\s+){4}\S+$/.test(value),
    "Choose manual, hourly, daily, or a cron expression with five fields (minute hour day month weekday)",
  )
  // Five fields, but each must also make sense (minute 0–59 …), so every stored cron has a next run.
  .superRefine((value, ctx) => {
    const checked = checkSchedule(value);
    if (!checked.ok && /^(\S+\s+){4}\S+$/.test(value)) ctx.addIssue({ code: "custom", message: checked.message });
  });
