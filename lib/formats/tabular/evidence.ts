/**
 * Date-order and number-format evidence over chosen columns, in O(columns) memory: gathered either by a
 * full first pass (scan) or from a bounded look-ahead window of rows that are then replayed.
 */
import type { JsonValue } from "../types";
import type { TableRow } from "./delimited";
import { addDateEvidence, decideDateOrder, emptyDateEvidence, mergeDateEvidence, type DateEvidenceData, type DateOrder } from "./dates";
import { NumberEvidence, type DecimalSeparator } from "./numbers";

/** Rows buffered to infer date order and number format when no scan profile is given. */
export const LOOKAHEAD_ROWS = 10_000;

export interface NumberEvidenceData {
  dot: number;
  comma: number;
  values: number;
}

export class ColumnEvidence {
  readonly dates = new Map<number, DateEvidenceData>();
  readonly numbers = new Map<number, NumberEvidence>();
  rows = 0;

  constructor(dateColumns: readonly number[], numberColumns: readonly number[]) {
    for (const c of dateColumns) this.dates.set(c, emptyDateEvidence());
    for (const c of numberColumns) this.numbers.set(c, new NumberEvidence());
  }

  add(row: TableRow): void {
    this.rows++;
    for (const [c, e] of this.dates) addDateEvidence(e, row.fields[c] ?? "");
    for (const [c, e] of this.numbers) e.add(row.fields[c] ?? "");
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

/**
 * Buffers up to `limit` rows into `evidence`; the caller replays `buffered` before reading on.
 * `ended` is true when the window covered the whole table.
 */
export async function lookahead(
  rows: AsyncIterator<TableRow>,
  evidence: ColumnEvidence,
  limit = LOOKAHEAD_ROWS,
): Promise<{ buffered: TableRow[]; ended: boolean }> {
  const buffered: TableRow[] = [];
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
): Promise<{ buffered: TableRow[]; ended: boolean }> {
  const buffered: TableRow[] = [];
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

/** The buffered rows as one batch, then the rest of the batches. */
export async function* replayBatches(buffered: TableRow[], rest: AsyncIterator<TableRow[]>, ended: boolean): AsyncGenerator<TableRow[], void, undefined> {
  if (buffered.length > 0) yield buffered;
  // The consumer has finished the window by the time it asks for more: let those rows go.
  buffered.length = 0;
  if (ended) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/** The buffered rows, then the rest of the iterator. */
export async function* replay(buffered: TableRow[], rest: AsyncIterator<TableRow>, ended: boolean): AsyncGenerator<TableRow, void, undefined> {
  for (const row of buffered) yield row;
  buffered.length = 0;
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
