/**
 * A table from any source (delimited text, a sheet): preamble rows, a header row, then data rows as a
 * stream. Header detection is shared so CSV, TSV and XLSX behave the same.
 */
import type { TextEncoding } from "@/lib/schemas/canonical";
import { FormatError, type ByteSource } from "../types";
import { decodeText, peekBytes, sniffEncoding, createDecoder } from "../shared/text";
import { detectDialect, readDelimitedBatches, rowsOfText, type Dialect, type TableRow } from "./delimited";
import { dateShape } from "./dates";
import { decimalEvidence } from "./numbers";

export const HEAD_BYTES = 64 * 1024;
/** How many rows may precede the header (titles, account lines, blank-ish rows). */
const MAX_PREAMBLE_ROWS = 100;

export interface Table {
  encoding?: TextEncoding;
  dialect?: Dialect;
  preamble: TableRow[];
  header: TableRow;
  rows: AsyncIterable<TableRow>;
  /**
   * The same data rows in arrays (read either this or `rows`, not both). Hot loops use this: one
   * async step per batch instead of per row.
   */
  batches: AsyncIterable<TableRow[]>;
  /** Physical lines (sheet rows) read so far; final once `rows` is exhausted. */
  lines(): number;
}

/** Decides whether a row is the header. Formats with known column names pass their own. */
export type HeaderPredicate = (cells: readonly string[], expectedWidth: number) => boolean;

function looksLikeValue(cell: string): boolean {
  const s = cell.trim();
  return dateShape(s) !== null || /^[-+(]?[\d\s.,'$€£\u00a0\u202f]+\)?-?$/.test(s) || decimalEvidence(s) !== undefined;
}

/** Generic header: as wide as the table, at least two labels, and no cell that reads as a number or date. */
export const genericHeader: HeaderPredicate = (cells, expectedWidth) => {
  const filled = cells.map((c) => c.trim()).filter((c) => c !== "");
  return cells.length >= expectedWidth && filled.length >= Math.min(2, expectedWidth) && filled.length >= cells.length / 2 && !filled.some(looksLikeValue);
};

function modalWidth(rows: readonly TableRow[]): number {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.fields.length, (counts.get(r.fields.length) ?? 0) + 1);
  let width = 0;
  let count = 0;
  for (const [w, c] of counts) if (c > count || (c === count && w > width)) [width, count] = [w, c];
  return width;
}

/**
 * Splits leading rows into preamble and header. Reads at most MAX_PREAMBLE_ROWS + 1 rows of `rows`;
 * returns the header and an iterator positioned after it.
 */
export async function findHeader(
  rows: AsyncIterator<TableRow>,
  expectedWidth: number,
  isHeader: HeaderPredicate,
): Promise<{ preamble: TableRow[]; header: TableRow }> {
  const preamble: TableRow[] = [];
  for (;;) {
    const next = await rows.next();
    if (next.done) break;
    const row = next.value;
    if (isHeader(row.fields.map((f) => f.replace(/^\ufeff/, "").trim()), expectedWidth)) {
      return { preamble, header: { ...row, fields: row.fields.map((f) => f.replace(/^\ufeff/, "").trim()) } };
    }
    preamble.push(row);
    if (preamble.length > MAX_PREAMBLE_ROWS) break;
  }
  const line = preamble[0]?.line ?? 1;
  throw new FormatError(
    "header_not_found",
    preamble.length === 0
      ? "Expected a header row, found an empty file"
      : `Expected a header row naming the columns within the first ${MAX_PREAMBLE_ROWS} rows, found none (first row: "${(preamble[0]?.raw ?? "").slice(0, 80)}")`,
    line,
  );
}

export interface OpenOptions {
  encoding?: TextEncoding;
  delimiter?: string;
  isHeader?: HeaderPredicate;
}

/** Decodes the head for detection, dropping a multi-byte character cut at its end. */
export function decodeHead(head: Uint8Array, encoding: TextEncoding): string {
  return createDecoder(encoding).decode(head, { stream: true });
}

/** Opens delimited text as a table: encoding, dialect and header detected from the head. */
export async function openDelimitedTable(source: ByteSource, options: OpenOptions = {}): Promise<Table> {
  const peeked = await peekBytes(source, HEAD_BYTES);
  if (peeked.head.length === 0) throw new FormatError("empty_file", "Expected a table, found an empty file", 1);
  const encoding = options.encoding ?? sniffEncoding(peeked.head);
  const headText = decodeHead(peeked.head, encoding);
  const complete = peeked.head.length < HEAD_BYTES;
  const { dialect } = detectDialect(headText, complete, options.delimiter ? { delimiter: options.delimiter } : undefined);
  const expectedWidth = modalWidth(rowsOfText(headText, dialect, complete).slice(0, 200));
  let lines = 0;
  const batches = readDelimitedBatches(decodeText(peeked.source, encoding), dialect, (n) => {
    lines = n;
  });
  // Header detection reads row by row; the rest of the batch it stops in is handed on first.
  let current: TableRow[] = [];
  let index = 0;
  const rowCursor: AsyncIterator<TableRow> = {
    next: async () => {
      while (index >= current.length) {
        const next = await batches.next();
        if (next.done) return { done: true, value: undefined };
        current = next.value;
        index = 0;
      }
      return { done: false, value: current[index++]! };
    },
  };
  const { preamble, header } = await findHeader(rowCursor, expectedWidth, options.isHeader ?? genericHeader);
  let lastLine = header.line;
  async function* rest(): AsyncGenerator<TableRow[], void, undefined> {
    const first = current.slice(index);
    current = [];
    if (first.length > 0) {
      lastLine = first[first.length - 1]!.line;
      yield first;
    }
    for (;;) {
      const next = await batches.next();
      if (next.done) return;
      lastLine = next.value[next.value.length - 1]!.line;
      yield next.value;
    }
  }
  const restBatches = rest();
  return {
    encoding,
    dialect,
    preamble,
    header,
    batches: restBatches,
    rows: flattenBatches(restBatches),
    lines: () => Math.max(lines, lastLine),
  };
}

/** Rows one at a time from batches; the generator starts reading only when iterated. */
async function* flattenBatches(batches: AsyncIterable<TableRow[]>): AsyncGenerator<TableRow, void, undefined> {
  for await (const batch of batches) yield* batch;
}

/** The first rows of a decoded head, for sniffers looking for their header. */
export function headRows(head: string, limit = 100): TableRow[] {
  const complete = head.length < HEAD_BYTES;
  const { dialect } = detectDialect(head, complete);
  return rowsOfText(head.slice(0, 256 * 1024), dialect, complete)
    .slice(0, limit)
    .map((r) => ({ ...r, fields: r.fields.map((f) => f.replace(/^\ufeff/, "").trim()) }));
}

/** A table from rows already split into cells (a sheet): the header found the same way as for text. */
export async function tableFromRows(rows: Iterable<TableRow> | AsyncIterable<TableRow>, lines: () => number, isHeader: HeaderPredicate = genericHeader): Promise<Table> {
  const source: AsyncIterator<TableRow> | Iterator<TableRow> = Symbol.asyncIterator in rows ? rows[Symbol.asyncIterator]() : rows[Symbol.iterator]();
  const sample: TableRow[] = [];
  let ended = false;
  while (sample.length < 200) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    sample.push(next.value);
  }
  const expectedWidth = modalWidth(sample);
  let index = 0;
  const iterator: AsyncIterator<TableRow> = {
    next: async () => {
      if (index < sample.length) return { done: false, value: sample[index++]! };
      if (ended) return { done: true, value: undefined };
      return source.next();
    },
  };
  const { preamble, header } = await findHeader(iterator, expectedWidth, isHeader);
  const rest: AsyncIterable<TableRow> = { [Symbol.asyncIterator]: () => iterator };
  return { preamble, header, rows: rest, batches: singleRowBatches(rest), lines };
}

/** Sheet rows arrive one at a time already, so each is its own batch. */
async function* singleRowBatches(rows: AsyncIterable<TableRow>): AsyncGenerator<TableRow[], void, undefined> {
  for await (const row of rows) yield [row];
}
