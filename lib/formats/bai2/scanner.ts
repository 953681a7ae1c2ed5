/**
 * Splits decoded BAI2 text into physical records without relying on line breaks: a record ends at
 * `/` or at the end of its line, several records may share a line, and blocked files with no line
 * breaks at all are read the same way. Only a record's text field (the tail of a 16 and its 88s)
 * may contain `/` and commas; there a `/` ends the record only when what follows is blank to the end
 * of the line or the start of another record, and a line that does not start a record continues
 * the text it follows (banks wrap long text without an 88).
 */
import { FormatError } from "../types";
import { descriptionOf } from "./canonical";
import { ScannedDetail } from "./scannedDetail";

export const RECORD_CODES = ["01", "02", "03", "16", "49", "88", "98", "99"] as const;
export type RecordCode = (typeof RECORD_CODES)[number];

export interface PhysicalRecord {
  kind: "record";
  code: RecordCode;
  /** Fields after the record code; a text field keeps its wrapped line breaks as "\n". */
  fields: string[];
  line: number;
  /** The record as written, from its code up to and including its `/` when it has one. */
  raw: string;
}

export interface UnrecognizedText {
  kind: "unrecognized";
  text: string;
  line: number;
}

/** Whether the field about to be read (index `fieldsSoFar.length` of this physical record) is a text field. */
export type TextFieldTest = (code: RecordCode, fieldsSoFar: readonly string[]) => boolean;

/** A longer unfinished record means the input is not BAI2 (or has lost its terminators); memory stays bounded. */
export const MAX_RECORD_CHARS = 1 << 20;
const COMPACT_AFTER = 1 << 16;
const NEED_MORE = "more" as const;

/** A space, tab, form feed, vertical tab or NUL: blank inside a line (NaN past the end is not blank). */
function isInlineBlankCode(c: number): boolean {
  return c === 32 || c === 9 || c === 12 || c === 11 || c === 0;
}

/** Whether the two characters at `at` are a record code, on character codes (no slice per record). */
function isRecordCodeAt(text: string, at: number): boolean {
  const a = text.charCodeAt(at);
  const b = text.charCodeAt(at + 1);
  switch (a) {
    case 48 /* 0 */:
      return b === 49 || b === 50 || b === 51; // 01 02 03
    case 49 /* 1 */:
      return b === 54; // 16
    case 52 /* 4 */:
      return b === 57; // 49
    case 56 /* 8 */:
      return b === 56; // 88
    case 57 /* 9 */:
      return b === 56 || b === 57; // 98 99
    default:
      return false;
  }
}

/** The digit at `at` as a number, or -1 for any other character (or past the end). */
function digitAt(buf: string, at: number): number {
  const c = buf.charCodeAt(at);
  return c >= 48 && c <= 57 ? c - 48 : -1;
}

/** Where a non-text field starting at `from` ends, given `stop`, the first "/" or line break from there (or the buffer's length). */
function fieldEndBefore(buf: string, from: number, stop: number): number {
  const comma = buf.indexOf(",", from);
  return comma >= 0 && comma < stop ? comma : stop;
}

/** `buf.slice(from, to).trim()`, skipping the trim when both ends are visible ASCII (trim removes nothing else). */
function trimmedField(buf: string, from: number, to: number): string {
  if (from === to) return "";
  const field = buf.slice(from, to);
  const a = buf.charCodeAt(from);
  const b = buf.charCodeAt(to - 1);
  return a > 32 && a < 127 && b > 32 && b < 127 ? field : field.trim();
}

export class RecordScanner {
  private buf = "";
  private pos = 0;
  private line = 1;
  private heldCarriageReturn = false;
  private ended = false;
  private lastChar = "";
  /** Set by `textEnding`: whether the text ended at a "/" (raw and reading go on past it), and whether it holds a line break. */
  private textEndsAtSlash = false;
  private textHasBreak = false;
  /**
   * The last answers of `nextSlash` and `nextBreak` and where their searches began (Infinity: none
   * since the buffer changed). In a file without "/" (or without line breaks) every search would
   * otherwise run to the end of the buffer, once per record.
   */
  private slashFrom = Infinity;
  private slashAt = -1;
  private breakFrom = Infinity;
  private breakAt = -1;

  /**
   * With `quickDetails`, 16 records of the usual shape come back as ScannedDetails (see there);
   * only for a text-field test that answers as `isTextField` does for a 16 (funds types without
   * extra fields: the text is field 5).
   */
  constructor(
    private readonly isTextField: TextFieldTest,
    private readonly quickDetails = false,
  ) {}

  push(chunk: string): void {
    let text = (this.heldCarriageReturn ? "\r" : "") + chunk;
    this.heldCarriageReturn = text.endsWith("\r");
    if (this.heldCarriageReturn) text = text.slice(0, -1);
    // Most files have no CR at all: one indexOf instead of a regex pass over every chunk.
    this.append(text.indexOf("\r") < 0 ? text : text.replace(/\r\n?/g, "\n"));
  }

  end(): void {
    if (this.heldCarriageReturn) this.append("\n");
    this.heldCarriageReturn = false;
    this.ended = true;
  }

  /** Physical lines seen so far (a last line without a terminator counts). */
  get lines(): number {
    // Line breaks before `pos` are counted in `line` as records are read; the rest are counted now.
    let breaks = this.line - 1;
    for (let i = this.buf.indexOf("\n", this.pos); i >= 0; i = this.buf.indexOf("\n", i + 1)) breaks++;
    return breaks + (this.lastChar !== "" && this.lastChar !== "\n" ? 1 : 0);
  }

  /** The line the scanner stands on, for errors raised at the end of input. */
  get currentLine(): number {
    return this.line;
  }

  next(): PhysicalRecord | ScannedDetail | UnrecognizedText | "more" | "done" {
    this.compact();
    let start = this.pos;
    const buf = this.buf;
    // The blanks and line breaks before the next record, counting the breaks as `advance` would.
    let line = this.line;
    for (let c = buf.charCodeAt(start); start < buf.length && (c === 10 || isInlineBlankCode(c)); c = buf.charCodeAt(++start)) if (c === 10) line++;
    this.line = line;
    this.pos = start;
    if (start >= this.buf.length) return this.ended ? "done" : NEED_MORE;
    if (this.buf.length - start < 3 && !this.ended) return this.needMore();
    if (!this.startsRecord(start)) return this.unrecognized(start);
    if (this.quickDetails && this.buf.charCodeAt(start) === 49 && this.buf.charCodeAt(start + 1) === 54) {
      const detail = this.detail(start);
      if (detail) return detail;
    }
    return this.record(start);
  }

  private append(text: string): void {
    if (text === "") return;
    // What was read is dropped here, so the new buffer copies only the unread rest and the chunk.
    // `join` builds one flat string; `+` would build a cons string that every charCodeAt has to
    // look through even once flattened (measured ~20 % slower scanning).
    const rest = this.pos > 0 ? this.buf.slice(this.pos) : this.buf;
    this.buf = rest === "" ? text : [rest, text].join("");
    this.pos = 0;
    this.slashFrom = this.breakFrom = Infinity;
    this.lastChar = text[text.length - 1] ?? this.lastChar;
  }

  private compact(): void {
    if (this.pos > COMPACT_AFTER) {
      this.buf = this.buf.slice(this.pos);
      this.pos = 0;
      this.slashFrom = this.breakFrom = Infinity;
    }
  }

  private advance(to: number): void {
    for (let i = this.nextBreak(this.pos); i >= 0 && i < to; i = this.nextBreak(i + 1)) this.line++;
    this.pos = to;
  }

  private needMore(): "more" {
    if (this.buf.length - this.pos > MAX_RECORD_CHARS) {
      throw new FormatError("record_too_long", `Expected a record to end with "/" or a line break within ${MAX_RECORD_CHARS} characters, found none`, this.line);
    }
    return NEED_MORE;
  }

  private startsRecord(at: number): boolean {
    return isRecordCodeAt(this.buf, at) && this.buf.charCodeAt(at + 2) === 44 /* , */;
  }

  private unrecognized(start: number): UnrecognizedText | "more" {
    const slash = this.nextSlash(start);
    const newline = this.nextBreak(start);
    const candidates = [slash >= 0 ? slash + 1 : -1, newline].filter((i) => i >= 0);
    if (candidates.length === 0 && !this.ended) return this.needMore();
    const stop = candidates.length === 0 ? this.buf.length : Math.min(...candidates);
    const result: UnrecognizedText = { kind: "unrecognized", text: this.buf.slice(start, stop), line: this.line };
    this.advance(stop);
    return result;
  }

  private record(start: number): PhysicalRecord | "more" {
    const code = this.buf.slice(start, start + 2) as RecordCode;
    const fields: string[] = [];
    let fieldStart = start + 3;
    // Only a 16 and its 88s have a text field: other records skip the per-field question.
    const mayHaveText = code === "16" || code === "88";
    for (;;) {
      if (mayHaveText && this.isTextField(code, fields)) {
        const end = this.textEnding(fieldStart);
        if (end < 0) return this.needMore();
        fields.push(this.buf.slice(fieldStart, end));
        return this.finish(code, fields, start, this.textEndsAtSlash ? end + 1 : end);
      }
      const buf = this.buf;
      let j = fieldStart;
      let c = buf.charCodeAt(j);
      // Character codes, not one-character strings: this loop reads every byte of the file.
      while (j < buf.length && c !== 44 /* , */ && c !== 47 /* / */ && c !== 10 /* \n */) c = buf.charCodeAt(++j);
      if (j >= buf.length && !this.ended) return this.needMore();
      fields.push(buf.slice(fieldStart, j).trim());
      if (c === 44) {
        fieldStart = j + 1;
        continue;
      }
      return this.finish(code, fields, start, c === 47 ? j + 1 : j);
    }
  }

  /**
   * A 16 of the usual shape (see ScannedDetail) read in one pass on character codes, with no field
   * array; undefined, having changed nothing, for any other 16 or when its end is not in the
   * buffer yet, and `record` reads it (or waits for more) the general way. The fields end where
   * `record` ends them: type code, amount and funds type must each be followed by a comma here, the
   * references end at a comma, "/" or line break, and the text ends where `textEnding` says.
   */
  private detail(start: number): ScannedDetail | undefined {
    const buf = this.buf;
    const length = buf.length;
    let p = start + 3;
    const t0 = digitAt(buf, p);
    const t1 = digitAt(buf, p + 1);
    const t2 = digitAt(buf, p + 2);
    if (t0 < 0 || t1 < 0 || t2 < 0 || buf.charCodeAt(p + 3) !== 44) return undefined;
    const typeCode = t0 * 100 + t1 * 10 + t2;
    if (typeCode === 0) return undefined;
    p += 4;
    const amountStart = p;
    let units = 0;
    // Where the digits start once leading zeros are skipped.
    let significant = p;
    let c = buf.charCodeAt(p);
    for (; c >= 48 && c <= 57; c = buf.charCodeAt(++p)) {
      units = units * 10 + (c - 48);
      if (units === 0) significant = p + 1;
    }
    const amountDigits = p - amountStart;
    if (amountDigits === 0 || amountDigits > 15 || c !== 44) return undefined;
    const hundreds = significant < p - 2 ? buf.slice(significant, p - 2) : "";
    c = buf.charCodeAt(++p);
    let funds = "";
    if (c !== 44) {
      if (buf.charCodeAt(p + 1) !== 44) return undefined;
      if (c === 48) funds = "0";
      else if (c === 49) funds = "1";
      else if (c === 50) funds = "2";
      else if (c === 90) funds = "Z";
      else return undefined;
      p++;
    }
    const bankStart = ++p;
    // The references end at the first comma, "/" or line break, found with indexOf rather than a
    // loop over their characters; the first "/" and break also start the text's search.
    const slash = this.nextSlash(bankStart);
    const lineBreak = this.nextBreak(bankStart);
    const stop = slash < 0 ? (lineBreak < 0 ? length : lineBreak) : lineBreak < 0 || slash < lineBreak ? slash : lineBreak;
    const bankEnd = fieldEndBefore(buf, bankStart, stop);
    if (bankEnd >= length) return undefined;
    const bankReference = trimmedField(buf, bankStart, bankEnd);
    let customerReference = "";
    let fieldCount = 4;
    let end = bankEnd;
    if (buf.charCodeAt(bankEnd) === 44) {
      const customerStart = bankEnd + 1;
      const customerEnd = fieldEndBefore(buf, customerStart, stop);
      if (customerEnd >= length) return undefined;
      customerReference = trimmedField(buf, customerStart, customerEnd);
      fieldCount = 5;
      end = customerEnd;
      if (buf.charCodeAt(customerEnd) === 44) {
        const textStart = customerEnd + 1;
        // The usual ending, "/" right before a line break, is the first candidate `textEnding`
        // would weigh (no "/" or break lies between here and `stop`), and it ends the text there:
        // taken without that call.
        const usualEnd = stop === slash && buf.charCodeAt(slash + 1) === 10;
        const textEnd = usualEnd ? slash : this.textEnding(textStart);
        if (textEnd < 0) return undefined;
        const rawEnd = usualEnd || this.textEndsAtSlash ? textEnd + 1 : textEnd;
        const hasBreak = !usualEnd && this.textHasBreak;
        const text = buf.slice(textStart, textEnd);
        const a = buf.charCodeAt(textStart);
        const b = buf.charCodeAt(textEnd - 1);
        // One line with nothing to trim (the usual text) is its own description.
        const plain = !hasBreak && (textEnd === textStart || (a > 32 && a < 127 && b > 32 && b < 127));
        const description = plain ? text : descriptionOf(text);
        const detail = new ScannedDetail(this.line, typeCode, units, amountDigits, hundreds, funds, 6, bankReference, customerReference, text, description, buf.slice(start, rawEnd));
        // The type code, amount, funds type and references hold no line break: only the text may.
        if (hasBreak) this.advance(rawEnd);
        else this.pos = rawEnd;
        return detail;
      }
    }
    // Ended before its text, at its "/" (kept in raw) or its line break (left for the next record).
    const resume = buf.charCodeAt(end) === 47 ? end + 1 : end;
    const detail = new ScannedDetail(this.line, typeCode, units, amountDigits, hundreds, funds, fieldCount, bankReference, customerReference, undefined, "", buf.slice(start, resume));
    this.pos = resume;
    return detail;
  }

  /** The record from `start` to `end` (its "/" included when it has one), where reading goes on. */
  private finish(code: RecordCode, fields: string[], start: number, end: number): PhysicalRecord {
    const record: PhysicalRecord = { kind: "record", code, fields, line: this.line, raw: this.buf.slice(start, end) };
    this.advance(end);
    return record;
  }

  /**
   * Where a text field starting at `from` ends (-1: not known until more text arrives), with
   * `textEndsAtSlash` and `textHasBreak` set. Decided only once enough text has arrived to see
   * what follows a candidate `/` or line break.
   */
  private textEnding(from: number): number {
    const buf = this.buf;
    const length = buf.length;
    // Candidates found with indexOf: the text runs to the next "/" or line break.
    let slash = this.nextSlash(from);
    let newline = this.nextBreak(from);
    const firstBreak = newline;
    for (;;) {
      if (slash < 0 && newline < 0) {
        if (!this.ended) return -1;
        this.textEndsAtSlash = false;
        this.textHasBreak = firstBreak >= 0;
        return length;
      }
      const j = slash < 0 ? newline : newline < 0 ? slash : Math.min(slash, newline);
      const isSlash = j === slash;
      let k = j + 1;
      while (k < length && isInlineBlankCode(buf.charCodeAt(k))) k++;
      if (k >= length && !this.ended) return -1;
      const blankToEnd = k >= length || buf.charCodeAt(k) === 10;
      if (!blankToEnd && length - k < 3 && !this.ended) return -1;
      if (blankToEnd || this.startsRecord(k)) {
        this.textEndsAtSlash = isSlash;
        this.textHasBreak = firstBreak >= 0 && firstBreak < j;
        return j;
      }
      if (isSlash) slash = this.nextSlash(j + 1);
      else newline = this.nextBreak(j + 1);
    }
  }

  /** `buf.indexOf("/", from)`, answered from the last search when it still holds. */
  private nextSlash(from: number): number {
    if (this.slashFrom > from || (this.slashAt >= 0 && this.slashAt < from)) {
      this.slashAt = this.buf.indexOf("/", from);
      this.slashFrom = from;
    }
    return this.slashAt;
  }

  /** `buf.indexOf("\n", from)`, answered from the last search when it still holds. */
  private nextBreak(from: number): number {
    if (this.breakFrom > from || (this.breakAt >= 0 && this.breakAt < from)) {
      this.breakAt = this.buf.indexOf("\n", from);
      this.breakFrom = from;
    }
    return this.breakAt;
  }
}
