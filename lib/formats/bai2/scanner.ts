/**
 * Splits decoded BAI2 text into physical records without relying on line breaks: a record ends at
 * `/` or at the end of its line, several records may share a line, and blocked files with no line
 * breaks at all are read the same way. Only a record's text field (the tail of a 16 and its 88s)
 * may contain `/` and commas; there a `/` ends the record only when what follows is blank to the end
 * of the line or the start of another record, and a line that does not start a record continues
 * the text it follows (banks wrap long text without an 88).
 */
import { FormatError } from "../types";

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

interface Ending {
  valueEnd: number;
  rawEnd: number;
  resume: number;
}

export function isRecordCode(text: string): text is RecordCode {
  return (RECORD_CODES as readonly string[]).includes(text);
}

function isInlineBlank(ch: string | undefined): boolean {
  return ch === " " || ch === "\t" || ch === "\f" || ch === "\v" || ch === "\u0000";
}

export class RecordScanner {
  private buf = "";
  private pos = 0;
  private line = 1;
  private heldCarriageReturn = false;
  private ended = false;
  private newlineCount = 0;
  private lastChar = "";

  constructor(private readonly isTextField: TextFieldTest) {}

  push(chunk: string): void {
    let text = (this.heldCarriageReturn ? "\r" : "") + chunk;
    this.heldCarriageReturn = text.endsWith("\r");
    if (this.heldCarriageReturn) text = text.slice(0, -1);
    this.append(text.replace(/\r\n?/g, "\n"));
  }

  end(): void {
    if (this.heldCarriageReturn) this.append("\n");
    this.heldCarriageReturn = false;
    this.ended = true;
  }

  /** Physical lines seen so far (a last line without a terminator counts). */
  get lines(): number {
    return this.newlineCount + (this.lastChar !== "" && this.lastChar !== "\n" ? 1 : 0);
  }

  /** The line the scanner stands on, for errors raised at the end of input. */
  get currentLine(): number {
    return this.line;
  }

  next(): PhysicalRecord | UnrecognizedText | "more" | "done" {
    this.compact();
    let start = this.pos;
    while (start < this.buf.length && (isInlineBlank(this.buf[start]) || this.buf[start] === "\n")) start++;
    this.advance(start);
    if (start >= this.buf.length) return this.ended ? "done" : NEED_MORE;
    if (this.buf.length - start < 3 && !this.ended) return this.needMore();
    if (!this.startsRecord(start)) return this.unrecognized(start);
    return this.record(start);
  }

  private append(text: string): void {
    if (text === "") return;
    this.buf += text;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.newlineCount++;
    this.lastChar = text[text.length - 1] ?? this.lastChar;
  }

  private compact(): void {
    if (this.pos > COMPACT_AFTER) {
      this.buf = this.buf.slice(this.pos);
      this.pos = 0;
    }
  }

  private advance(to: number): void {
    for (let i = this.buf.indexOf("\n", this.pos); i >= 0 && i < to; i = this.buf.indexOf("\n", i + 1)) this.line++;
    this.pos = to;
  }

  private needMore(): "more" {
    if (this.buf.length - this.pos > MAX_RECORD_CHARS) {
      throw new FormatError("record_too_long", `Expected a record to end with "/" or a line break within ${MAX_RECORD_CHARS} characters, found none`, this.line);
    }
    return NEED_MORE;
  }

  private startsRecord(at: number): boolean {
    return isRecordCode(this.buf.slice(at, at + 2)) && this.buf[at + 2] === ",";
  }

  private unrecognized(start: number): UnrecognizedText | "more" {
    const slash = this.buf.indexOf("/", start);
    const newline = this.buf.indexOf("\n", start);
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
    for (;;) {
      if (this.isTextField(code, fields)) {
        const ending = this.textEnding(fieldStart);
        if (ending === NEED_MORE) return this.needMore();
        fields.push(this.buf.slice(fieldStart, ending.valueEnd));
        return this.finish(code, fields, start, ending);
      }
      let j = fieldStart;
      while (j < this.buf.length && this.buf[j] !== "," && this.buf[j] !== "/" && this.buf[j] !== "\n") j++;
      if (j >= this.buf.length && !this.ended) return this.needMore();
      fields.push(this.buf.slice(fieldStart, j).trim());
      if (this.buf[j] === ",") {
        fieldStart = j + 1;
        continue;
      }
      const slash = this.buf[j] === "/";
      return this.finish(code, fields, start, { valueEnd: j, rawEnd: slash ? j + 1 : j, resume: slash ? j + 1 : j });
    }
  }

  private finish(code: RecordCode, fields: string[], start: number, ending: Ending): PhysicalRecord {
    const record: PhysicalRecord = { kind: "record", code, fields, line: this.line, raw: this.buf.slice(start, ending.rawEnd) };
    this.advance(ending.resume);
    return record;
  }

  /**
   * Where a text field starting at `from` ends. Decided only once enough text has arrived to see
   * what follows a candidate `/` or line break.
   */
  private textEnding(from: number): Ending | "more" {
    for (let j = from; ; j++) {
      if (j >= this.buf.length) return this.ended ? { valueEnd: j, rawEnd: j, resume: j } : NEED_MORE;
      const ch = this.buf[j];
      if (ch !== "/" && ch !== "\n") continue;
      let k = j + 1;
      while (k < this.buf.length && isInlineBlank(this.buf[k])) k++;
      if (k >= this.buf.length && !this.ended) return NEED_MORE;
      const blankToEnd = k >= this.buf.length || this.buf[k] === "\n";
      if (!blankToEnd && this.buf.length - k < 3 && !this.ended) return NEED_MORE;
      if (blankToEnd || this.startsRecord(k)) {
        return ch === "/" ? { valueEnd: j, rawEnd: j + 1, resume: j + 1 } : { valueEnd: j, rawEnd: j, resume: j };
      }
    }
  }
}
