/**
 * The contract every format parser implements. Parsers are pure: they import no database, network,
 * environment or logging module. They read bytes incrementally and yield events, so memory does not
 * grow with file size; `collect` (in ./collect.ts) is the only place that gathers a whole file.
 */
import type {
  Balance,
  DatasetRecord,
  FormatName,
  ParseIssue,
  StatementInfo,
  TextEncoding,
  Transaction,
} from "@/lib/schemas/canonical";

/** Raw bytes, in chunks of any size. A Node Readable is an AsyncIterable<Buffer>, which fits. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ParseMeta {
  format: FormatName;
  encoding?: TextEncoding;
  /** Physical lines read (for XML: lines of the document). */
  lines: number;
  /** Format-specific facts: control-total results, delimiter, header row, date order, number format… */
  extra: Record<string, JsonValue>;
}

/**
 * What a parser yields, in file order. Balances and transactions belong to the most recent
 * `statement` event. `meta` is yielded exactly once, last, after a successful parse.
 */
export type ParseEvent =
  | { type: "statement"; statement: StatementInfo }
  | { type: "balance"; balance: Balance }
  | { type: "transaction"; transaction: Transaction }
  | { type: "record"; record: DatasetRecord }
  | { type: "issue"; issue: ParseIssue }
  | { type: "rejected"; rejected: RejectedRow }
  | { type: "meta"; meta: ParseMeta };

/**
 * A row that could not become a record (an error issue on the same line says why). It carries what was
 * read so a reviewer can correct it: the raw text and the field values as written, keyed by the
 * canonical field names where the column is mapped (bookingDate, amount, description…) and by the
 * source's own names otherwise.
 */
export interface RejectedRow {
  kind: "transaction" | "sales_line" | "gl_balance" | "appointment";
  line: number;
  raw: string;
  fields: Record<string, string>;
}

export interface CsvColumnMapping {
  /** Canonical field name → header text (or 0-based column index as a string) in the file. */
  [canonicalField: string]: string;
}

export interface ParseOptions {
  /** Verify trailer counts and control totals (BAI2, …). Default true; false only when the caller asks. */
  integrity?: boolean;
  /** Override encoding detection. */
  encoding?: TextEncoding;
  /** Delimited text: override detection. */
  delimiter?: string;
  /** Delimited text: a column mapping supplied (and saved) by the user. */
  columnMapping?: CsvColumnMapping;
  /** Delimited text: override the inferred date order. */
  dateOrder?: "YMD" | "DMY" | "MDY";
  /** Delimited text: override the inferred number format. */
  decimalSeparator?: "." | ",";
  /** Currency to assume when the file states none (e.g. the account's currency chosen for a CSV). */
  defaultCurrency?: string;
}

export type FormatParser = (source: ByteSource, options?: ParseOptions) => AsyncGenerator<ParseEvent, void, undefined>;

/**
 * The same events as a FormatParser, an array at a time (one per chunk the parser reads). Why: a
 * consumer reading one event per `await` pays a promise and microtask hops per row; with arrays it
 * pays them once per chunk (the pipeline and the bench read this way).
 */
export type FormatBatchParser = (source: ByteSource, options?: ParseOptions) => AsyncGenerator<ParseEvent[], void, undefined>;

/**
 * How sure a format is that the first bytes of a file are its own: 0 = certainly not, 1 = certain.
 * `head` is the decoded start of the file (up to 64 KiB), `bytes` the raw start.
 */
export type FormatSniffer = (head: string, bytes: Uint8Array) => number;

export interface FormatModule {
  name: FormatName;
  parse: FormatParser;
  /** The parser's events in arrays; formats without one are read through `parse` (see parseBatchesOf). */
  parseBatches?: FormatBatchParser;
  sniff: FormatSniffer;
}

/**
 * A structural failure: wrong format, truncated file, broken control totals. Parsing stops.
 * Recoverable problems are `issue` events instead.
 */
export class FormatError extends Error {
  override readonly name = "FormatError";
  constructor(
    readonly code: string,
    message: string,
    readonly line: number,
    readonly column?: number,
  ) {
    super(message);
  }
}
