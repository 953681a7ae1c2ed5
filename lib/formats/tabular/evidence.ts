/**
 * Date-order and number-format evidence over chosen columns, in O(columns) memory: gathered either by a
 * full first pass (scan) or from a bounded look-ahead window of rows that are then replayed.
 */
import type { JsonValue } from "../types";
import { DelimitedRow, type TableRow } from "./delimited";
import { addDateEvidence, decideDateOrder, emptyDateEvidence, mergeDateEvidence, type DateEvidenceData, type DateOrder } from "./dates";
import { NumberEvidence, type DecimalSeparator } from "./numbers";

/** Rows buffered to infer date order and number format when no scan profile is given. */
export const LOOKAHEAD_ROWS = 10_000;

export interface NumberEvidenceData {
  dot: number;
  comma: number;
  values: number;
}

/** "YYYY-MM-DD" exactly (no padding): what `dateShape` reads as a year-first date, whatever the day. */
function isYearFirstDash(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The separator `decimalEvidence` finds in "-?digits(.digits)?" written without padding ("." unless
 * exactly three digits follow it: "1.500" proves nothing), or null for any other text (the general
 * path decides).
 */
function plainDotEvidence(s: string): DecimalSeparator | undefined | null {
  const len = s.length;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  const start = i;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) break;
    if (c < 48 || c > 57) return null;
  }
  if (i === start) return null;
  if (i === len) return undefined;
  const point = i;
  for (i++; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const after = len - point - 1;
  if (after === 0) return null;
  return after === 3 ? undefined : ".";
}

export class ColumnEvidence {
  readonly dates = new Map<number, DateEvidenceData>();
  readonly numbers = new Map<number, NumberEvidence>();
  rows = 0;
  // The maps' columns and entries as arrays: `add` runs for every row of a scanned file.
  private readonly dateColumns: number[];
  private readonly dateEntries: DateEvidenceData[];
  private readonly numberColumns: number[];
  private readonly numberEntries: NumberEvidence[];

  constructor(dateColumns: readonly number[], numberColumns: readonly number[]) {
    for (const c of dateColumns) this.dates.set(c, emptyDateEvidence());
    for (const c of numberColumns) this.numbers.set(c, new NumberEvidence());
    this.dateColumns = [...this.dates.keys()];
    this.dateEntries = [...this.dates.values()];
    this.numberColumns = [...this.numbers.keys()];
    this.numberEntries = [...this.numbers.values()];
  }

  /**
   * The row's cells as evidence; the same tallies as `addDateEvidence` and `NumberEvidence.add`, with
   * the plain ISO date and plain "-1234.56" amount read on character codes (the regexes of the general
   * path were most of the first pass over a CSV file).
   */
  add(row: TableRow): void {
    this.rows++;
    const fields = row.fields;
    for (let i = 0; i < this.dateColumns.length; i++) {
      const text = fields[this.dateColumns[i]!] ?? "";
      const e = this.dateEntries[i]!;
      if (isYearFirstDash(text)) {
        e.values++;
        e.yearFirst++;
      } else addDateEvidence(e, text);
    }
    for (let i = 0; i < this.numberColumns.length; i++) {
      const text = fields[this.numberColumns[i]!] ?? "";
      const e = this.numberEntries[i]!;
      const plain = plainDotEvidence(text);
      if (plain === null) e.add(text);
      else {
        e.values++;
        if (plain === ".") e.dot++;
      }
    }
  }

  dateEvidence(): DateEvidenceData {
    const all = emptyDateEvidence();
    for (const e of this.dates.values()) mergeDateEvidence(all, e);
    return all;
  }

  numberEvidence(): NumberEvidence {
    const all = new NumberEvidence();
    for (const e of this.numbers.values()) all.merge(e);
    return all;
  }

  /** Per-column evidence keyed by header, as plain JSON (for a saved profile or meta). */
  toJson(headers: readonly string[]): { dates: Record<string, DateEvidenceData>; numbers: Record<string, NumberEvidenceData> } {
    const dates: Record<string, DateEvidenceData> = {};
    const numbers: Record<string, NumberEvidenceData> = {};
    for (const [c, e] of this.dates) dates[headers[c] ?? String(c)] = { ...e };
    for (const [c, e] of this.numbers) numbers[headers[c] ?? String(c)] = { dot: e.dot, comma: e.comma, values: e.values };
    return { dates, numbers };
  }
}

export interface Inference {
  dateOrder: DateOrder;
  dateOrderBasis: "option" | "scan" | "lookahead" | "whole_file";
  dateOrderCertainty: "evidence" | "ambiguous" | "none" | "given";
  dateOrderReason: string;
  decimalSeparator: DecimalSeparator;
  numberFormatBasis: "option" | "scan" | "lookahead" | "whole_file";
  numberFormatConflict: boolean;
}

export function infer(
  dates: DateEvidenceData,
  numbers: NumberEvidence,
  basis: "scan" | "lookahead" | "whole_file",
  given: { dateOrder?: DateOrder; decimalSeparator?: DecimalSeparator },
): Inference {
  const decision = decideDateOrder(dates);
  const number = numbers.decide();
  return {
    dateOrder: given.dateOrder ?? decision.order,
    dateOrderBasis: given.dateOrder ? "option" : basis,
    dateOrderCertainty: given.dateOrder ? "given" : decision.certainty,
    dateOrderReason: given.dateOrder ? "supplied by the caller" : decision.reason,
    decimalSeparator: given.decimalSeparator ?? number.separator,
    numberFormatBasis: given.decimalSeparator ? "option" : basis,
    numberFormatConflict: !given.decimalSeparator && number.conflicting,
  };
}

export function inferenceToJson(i: Inference): Record<string, JsonValue> {
  return { ...i };
}

/** Rows per replayed batch: about what one 64 KiB chunk of a bank export holds. */
const REPLAY_BATCH_ROWS = 1024;

/**
 * The rows a look-ahead holds until they are replayed, stored flat (every cell in one array; line,
 * raw text and width per row) rather than as the TableRow objects read, and handed back as fresh
 * rows in batches of REPLAY_BATCH_ROWS.
 *
 * Why: V8 moves an allocation site to old-space allocation ("pretenuring") when nearly all of its
 * objects survive a young-generation collection while that generation is at full size. Replaying the
 * window as one 10,000-row batch kept that batch's 10,000 transactions and events alive together, so
 * their object-literal sites were pretenured whenever the young generation had already grown (any
 * earlier large parse in the same process, as in a worker): every later transaction then lived in old
 * space and kept its young strings alive until a full collection (the 100 MB bench CSV at a third of
 * its speed, a third of it in GC). Flat storage also keeps the window's own rows from being held as
 * objects (see DelimitedRow).
 */
export class RowWindow {
  private readonly cells: string[] = [];
  private readonly widths: number[] = [];
  private readonly lines: number[] = [];
  private readonly raws: string[] = [];

  get length(): number {
    return this.lines.length;
  }

  push(row: TableRow): void {
    const fields = row.fields;
    for (let i = 0; i < fields.length; i++) this.cells.push(fields[i]!);
    this.widths.push(fields.length);
    this.lines.push(row.line);
    this.raws.push(row.raw);
  }

  /** The rows in order, as new TableRows in batches; the window is emptied as it goes. */
  *batches(): Generator<TableRow[], void, undefined> {
    let cell = 0;
    for (let from = 0; from < this.lines.length; from += REPLAY_BATCH_ROWS) {
      const to = Math.min(from + REPLAY_BATCH_ROWS, this.lines.length);
      const batch: TableRow[] = [];
      for (let i = from; i < to; i++) {
        const width = this.widths[i]!;
        batch.push(new DelimitedRow(this.cells.slice(cell, cell + width), this.lines[i]!, this.raws[i]!));
        cell += width;
      }
      yield batch;
    }
    this.cells.length = 0;
    this.widths.length = 0;
    this.lines.length = 0;
    this.raws.length = 0;
  }
}

/**
 * Buffers up to `limit` rows into `evidence`; the caller replays `buffered` before reading on.
 * `ended` is true when the window covered the whole table.
 */
export async function lookahead(
  rows: AsyncIterator<TableRow>,
  evidence: ColumnEvidence,
  limit = LOOKAHEAD_ROWS,
): Promise<{ buffered: RowWindow; ended: boolean }> {
  const buffered = new RowWindow();
  while (buffered.length < limit) {
    const next = await rows.next();
    if (next.done) return { buffered, ended: true };
    evidence.add(next.value);
    buffered.push(next.value);
  }
  return { buffered, ended: false };
}

/**
 * `lookahead` over batches of rows: the first `limit` rows go into `evidence`, exactly as `lookahead`
 * would take them; rows of the last batch read beyond the limit are buffered but not counted.
 */
export async function lookaheadBatches(
  batches: AsyncIterator<TableRow[]>,
  evidence: ColumnEvidence,
  limit = LOOKAHEAD_ROWS,
): Promise<{ buffered: RowWindow; ended: boolean }> {
  const buffered = new RowWindow();
  while (buffered.length < limit) {
    const next = await batches.next();
    if (next.done) return { buffered, ended: true };
    for (const row of next.value) {
      if (buffered.length < limit) evidence.add(row);
      buffered.push(row);
    }
  }
  return { buffered, ended: false };
}

/** The buffered rows, then the rest of the batches. */
export async function* replayBatches(buffered: RowWindow, rest: AsyncIterator<TableRow[]>, ended: boolean): AsyncGenerator<TableRow[], void, undefined> {
  yield* buffered.batches();
  if (ended) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/** The buffered rows, then the rest of the iterator. */
export async function* replay(buffered: RowWindow | TableRow[], rest: AsyncIterator<TableRow>, ended: boolean): AsyncGenerator<TableRow, void, undefined> {
  if (Array.isArray(buffered)) {
    for (const row of buffered) yield row;
    buffered.length = 0;
  } else for (const batch of buffered.batches()) yield* batch;
  if (ended) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * Infers date order and number format for the given columns from a look-ahead window (or takes them
 * from the caller), and returns the rows to read, window first.
 */
export async function inferFromWindow(
  rows: AsyncIterable<TableRow>,
  dateColumns: readonly number[],
  numberColumns: readonly number[],
  given: { dateOrder?: DateOrder; decimalSeparator?: DecimalSeparator },
): Promise<{ inference: Inference; rows: AsyncIterable<TableRow> }> {
  const iterator = rows[Symbol.asyncIterator]();
  const evidence = new ColumnEvidence(dateColumns, numberColumns);
  const window = await lookahead(iterator, evidence);
  const inference = infer(evidence.dateEvidence(), evidence.numberEvidence(), window.ended ? "whole_file" : "lookahead", given);
  return { inference, rows: replay(window.buffered, iterator, window.ended) };
}
