/**
 * Delimited text (CSV, TSV, semicolon, pipe) read with papaparse's parser, chunk by chunk over decoded
 * text. Each row carries the 1-based physical line where it starts, counting line breaks inside quoted
 * fields, and its raw text. Memory holds one chunk plus one unfinished row.
 */
import Papa from "papaparse";
import { FormatError } from "../types";
import { tokenizeRows } from "./tokenize";

export type Newline = "\r\n" | "\n" | "\r";

export interface Dialect {
  delimiter: string;
  quoteChar: string;
  newline: Newline;
}

export interface TableRow {
  fields: string[];
  /** 1-based physical line (for sheets: the sheet row number) where the row starts. */
  line: number;
  /** The row as written, without its line terminator. */
  raw: string;
}

/**
 * Rows of the hot paths are made by this constructor rather than by an object literal. V8 moves a
 * literal's allocation site to old-space allocation ("pretenuring") when nearly all of its first
 * objects survive a young-generation collection while that generation is at full size; the first
 * chunk's rows do survive one (they are held while the header is found), so once any earlier work in
 * the process had grown the young generation, every later row was allocated in old space and kept its
 * young fields and raw text alive until a full collection: the 100 MB bench CSV parsed at a third of
 * its speed, 33 % of it in GC. Constructed objects carry no allocation site.
 */
export class DelimitedRow implements TableRow {
  constructor(
    public fields: string[],
    public line: number,
    public raw: string,
  ) {}
}

export const DELIMITERS = [",", ";", "\t", "|"] as const;

/** A row longer than this is not a table row but a runaway quote or a binary file. */
const MAX_ROW_CHARS = 1 << 20;

const tooLong = (line: number, length?: number) =>
  new FormatError("row_too_long", `Expected rows shorter than ${MAX_ROW_CHARS} characters, found ${length === undefined ? "a longer one" : `one of ${length} characters`} (an unclosed quote?)`, line);

/**
 * Every CRLF and lone CR as LF, so rows are split on LF alone whatever the file's own newline: a file
 * mixing CRLF, LF and CR (exports pasted together, edited on another system) otherwise ran its rows
 * together and lost its header. Line counts are unchanged (CRLF, CR and LF each end one physical line);
 * line breaks inside quoted values become LF too.
 */
function unifyLineBreaks(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

const withLf = (dialect: Dialect): Dialect => (dialect.newline === "\n" ? dialect : { ...dialect, newline: "\n" });

export function detectNewline(text: string): Newline {
  const i = text.search(/[\r\n]/);
  if (i < 0) return "\n";
  if (text[i] === "\n") return "\n";
  return text[i + 1] === "\n" ? "\r\n" : "\r";
}

export interface RawParsedRow {
  fields: string[];
  end: number;
}

interface PapaStep {
  data: unknown;
  meta: { cursor: number };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** Parses complete rows of `text`; the unfinished tail (when `final` is false) is left for the next call. */
function parseRows(text: string, dialect: Dialect, final: boolean): { rows: RawParsedRow[]; consumed: number } {
  return tokenizeRows(text, dialect, final) ?? parseRowsWithPapaparse(text, dialect, final);
}

/** papaparse's reading of `text`, row by row: the reference `tokenizeRows` must agree with, and its fallback. */
export function parseRowsWithPapaparse(text: string, dialect: Dialect, final: boolean): { rows: RawParsedRow[]; consumed: number } {
  const rows: RawParsedRow[] = [];
  const parser = new Papa.Parser({
    delimiter: dialect.delimiter,
    newline: dialect.newline,
    quoteChar: dialect.quoteChar,
    step: (result: PapaStep) => {
      const data = result.data;
      const row = Array.isArray(data) && data.length === 1 && isStringArray(data[0]) ? data[0] : isStringArray(data) ? data : [];
      rows.push({ fields: row, end: result.meta.cursor });
    },
  });
  parser.parse(text, 0, !final);
  const consumed = rows.length > 0 ? rows[rows.length - 1]!.end : 0;
  return { rows, consumed: final ? text.length : consumed };
}

/** Physical line breaks in `text` (CRLF, LF and lone CR each count once). */
export function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}

/**
 * Counts physical line breaks (CRLF, LF and lone CR once each, as `countLineBreaks` does) in
 * consecutive ranges of one text, keeping the next LF and CR positions between calls so the whole
 * text is scanned once however many ranges it is cut into.
 */
class LineBreakCounter {
  private nextLf: number;
  private nextCr: number;

  constructor(private readonly text: string) {
    this.nextLf = text.indexOf("\n");
    this.nextCr = text.indexOf("\r");
  }

  /** Breaks in [start, end); ranges must come in increasing order. */
  count(start: number, end: number): number {
    const text = this.text;
    let n = 0;
    while (this.nextLf !== -1 && this.nextLf < end) {
      if (this.nextLf >= start) n++;
      this.nextLf = text.indexOf("\n", this.nextLf + 1);
    }
    while (this.nextCr !== -1 && this.nextCr < end) {
      // A CR counts unless an LF follows it inside the range (that LF was counted above).
      if (this.nextCr >= start && (this.nextCr + 1 >= end || text.charCodeAt(this.nextCr + 1) !== 10)) n++;
      this.nextCr = text.indexOf("\r", this.nextCr + 1);
    }
    return n;
  }
}

/** The text without one trailing CRLF, CR or LF (a character test: this runs once per row). */
function stripTerminator(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  if (last === 10) return text.charCodeAt(text.length - 2) === 13 ? text.slice(0, -2) : text.slice(0, -1);
  if (last === 13) return text.slice(0, -1);
  return text;
}

/**
 * Rows of delimited text, in order, one array per decoded chunk. Blank lines are skipped (they still
 * count as lines). `onLines` receives the running physical line count so the caller can report it in meta.
 *
 * Rows come in batches because each step of an async generator costs several promise round trips:
 * handing out one row per step made that overhead a large share of CSV parsing time.
 */
export async function* readDelimitedBatches(
  text: AsyncIterable<string>,
  dialect: Dialect,
  onLines?: (lines: number) => void,
): AsyncGenerator<TableRow[], void, undefined> {
  const lf = withLf(dialect);
  let pending = "";
  let line = 1;
  let unterminated = false;
  const linesSoFar = (): number => (unterminated ? line : line - 1);
  const toTableRows = (rows: RawParsedRow[], buffer: string): TableRow[] => {
    const out: TableRow[] = [];
    const breaks = new LineBreakCounter(buffer);
    let start = 0;
    for (const row of rows) {
      // The raw text is cut from the buffer directly, and line breaks are counted with indexOf over the
      // whole buffer: slicing each row's segment and scanning it char by char showed in CSV profiles.
      const end = row.end;
      const last = end > start ? buffer.charCodeAt(end - 1) : -1;
      const rawEnd = last === 10 ? (end - 1 > start && buffer.charCodeAt(end - 2) === 13 ? end - 2 : end - 1) : last === 13 ? end - 1 : end;
      const raw = buffer.slice(start, rawEnd);
      const startLine = line;
      line += breaks.count(start, end);
      unterminated = end > start && rawEnd === end;
      start = end;
      const fields = row.fields;
      // Checked here too, not only on the unfinished tail below: whether a long row arrives whole in one
      // chunk or across several must not change the outcome.
      if (raw.length > MAX_ROW_CHARS) throw tooLong(startLine, raw.length);
      if (raw.trim() === "" || (fields.length === 1 && fields[0]!.trim() === "")) continue;
      out.push(new DelimitedRow(fields, startLine, raw));
    }
    return out;
  };
  // A CR at the end of a chunk may be the first half of a CRLF: it waits for the next chunk.
  let heldCr = false;
  for await (const piece of text) {
    let chunk: string = heldCr ? "\r" + piece : piece;
    heldCr = chunk.endsWith("\r");
    if (heldCr) chunk = chunk.slice(0, -1);
    pending += unifyLineBreaks(chunk);
    const { rows, consumed } = parseRows(pending, lf, false);
    const batch = toTableRows(rows, pending);
    if (batch.length > 0) yield batch;
    pending = pending.slice(consumed);
    if (pending.length > MAX_ROW_CHARS) throw tooLong(line);
  }
  if (heldCr) pending += "\n";
  if (pending !== "") {
    const { rows } = parseRows(pending, lf, true);
    const batch = toTableRows(rows, pending);
    if (batch.length > 0) yield batch;
  }
  onLines?.(linesSoFar());
}

/** The same rows one at a time, for callers that want a row stream. */
export async function* readDelimitedRows(
  text: AsyncIterable<string>,
  dialect: Dialect,
  onLines?: (lines: number) => void,
): AsyncGenerator<TableRow, void, undefined> {
  for await (const batch of readDelimitedBatches(text, dialect, onLines)) yield* batch;
}

/** Rows of a complete text (the file head), for detection. Drops an unfinished last row unless `complete`. */
export function rowsOfText(original: string, dialect: Dialect, complete: boolean): TableRow[] {
  const text = unifyLineBreaks(original);
  const { rows } = parseRows(text, withLf(dialect), complete);
  const out: TableRow[] = [];
  let start = 0;
  let line = 1;
  for (const row of rows) {
    const segment = text.slice(start, row.end);
    start = row.end;
    const raw = stripTerminator(segment);
    const startLine = line;
    line += countLineBreaks(segment);
    if (raw.trim() === "") continue;
    out.push({ fields: row.fields, line: startLine, raw });
  }
  return out;
}

function modalWidth(rows: TableRow[]): { width: number; count: number } {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.fields.length, (counts.get(r.fields.length) ?? 0) + 1);
  let width = 0;
  let count = 0;
  for (const [w, c] of counts) if (c > count || (c === count && w > width)) [width, count] = [w, c];
  return { width, count };
}

/** Picks delimiter and quote from the head: the delimiter giving the most rows of one width (> 1) wins. */
export function detectDialect(head: string, complete: boolean, forced?: { delimiter?: string }): { dialect: Dialect; confidence: number } {
  const newline = detectNewline(head);
  const quoteChar = /(^|[,;\t|])"/m.test(head) || !/(^|[,;\t|])'[^']*'([,;\t|]|$)/m.test(head) ? '"' : "'";
  const sample = head.slice(0, 256 * 1024);
  if (forced?.delimiter) return { dialect: { delimiter: forced.delimiter, quoteChar, newline }, confidence: 1 };
  let best: { delimiter: string; score: number; rows: number; total: number } = { delimiter: ",", score: 0, rows: 0, total: 0 };
  for (const delimiter of DELIMITERS) {
    const rows = rowsOfText(sample, { delimiter, quoteChar, newline }, complete).slice(0, 200);
    const { width, count } = modalWidth(rows);
    const score = width > 1 ? count * width : 0;
    if (score > best.score) best = { delimiter, score, rows: count, total: rows.length };
  }
  const confidence = best.score === 0 ? 0 : best.total === 0 ? 0 : best.rows / best.total;
  return { dialect: { delimiter: best.delimiter, quoteChar, newline }, confidence };
}
