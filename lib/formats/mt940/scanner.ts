/**
 * MT940's own reader from decoded text to SWIFT fields: the physical lines of readLineBatches
 * (shared/text.ts) and the fields, statement ends and envelopes of SwiftFieldReader (fields.ts), in
 * one pass over each decoded chunk, handed to a sink by method calls.
 *
 * Why not the two readers: per line they made a PhysicalLine object, ran a regex to strip control
 * characters, and per field a token object and a generator (`yield* flush()`); with two lines per
 * transaction that was ~15 % of MT940 parsing. Here a chunk is asked once whether it holds any
 * control or line-separator character at all (nearly never), lines are cut straight from the chunk,
 * and nothing is allocated per line but its text and per field its SwiftField; a tag line whole in
 * its chunk not even that, unless a continuation line follows (see fieldLine).
 *
 * Behaviour is exactly that of `SwiftFieldReader` over `readLineBatches` (same lines, numbers, errors
 * and their lines; the differential test in scanner.test.ts runs both on every chunking), including
 * when an error stops the parse: a line too long is found before any line of its chunk is handed on,
 * as readLineBatches threw before yielding that chunk's batch.
 */
import { FormatError } from "../types";
import { MAX_LINE_CHARS } from "../shared/text";
import { isDigit } from "../shared/chars";
import type { FieldReaderState, SwiftField } from "./fields";

export interface SwiftSink {
  /** A complete field, handed on when the next field, end or envelope starts (or at the end). */
  field(field: SwiftField): void;
  /**
   * A complete field of one line read whole from one chunk, as offsets: ":tag:" right before `value`,
   * the value text[value, end), a line break at text[end]. The same as field({ tag, lines:
   * [text.slice(value, end)], line }), without making the field (see HeldEntry in quick.ts).
   */
  fieldLine(tag: string, text: string, value: number, end: number, line: number): void;
  /** "-", "-XXX" or "-}". */
  statementEnd(): void;
  /** "{1:…}{2:O940…}{4:" */
  envelope(messageType: string | undefined): void;
}

/**
 * Anything the per-line work must look at character by character: the control characters other than
 * tab, LF and CR, and U+2028/U+2029.
 */
export const UNUSUAL_CHARACTERS: readonly string[] = [
  ..."\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b\u000c\u000e\u000f",
  ..."\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f",
  "\u007f",
  "\u2028",
  "\u2029",
];

/**
 * Whether `text` holds any of UNUSUAL_CHARACTERS, asked once per chunk (nearly always: no).
 *
 * Why one indexOf per character rather than one regex with a character class: the regex read the
 * chunk a character at a time (~8 % of MT940 parsing, ~1.7 ns a character), while V8's search for
 * one character in a string of one-byte characters (what a decoded chunk of ASCII and Latin-1 text
 * is) is a native scan, and a character that such a string cannot hold (U+2028/U+2029) is not
 * searched for at all: measured on the generated file's chunks, the 32 searches take about a
 * quarter of the regex's time. On a chunk of two-byte characters (e.g. one holding a "€") they take
 * about as long as the regex.
 */
export function hasUnusual(text: string): boolean {
  for (const c of UNUSUAL_CHARACTERS) if (text.indexOf(c) !== -1) return true;
  return false;
}
// Transmission wrappers put SOH/ETX and similar control characters around messages.
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const LINE_SEPARATORS = /[\u2028\u2029]/;
/** "-" ends a statement; ING writes "-XXX". Anything longer may be a continuation line that starts with a dash. */
const STATEMENT_END = /^-(XXX)?\s*$/;
/** A field longer than this is not a bank statement (":86:" is at most 6 × 65 characters). */
const MAX_FIELD_CHARS = 100_000;

/**
 * The index (from `from`) of the colon closing ":20:", ":60F:" or ":NS:" at text[from], or -1
 * (/^:(\d{2}[A-Z]?|NS):(.*)$/, as in fields.ts). `unusual`: the line may hold U+2028/U+2029, which the
 * regex's `.` does not match. When the line is read inside its chunk (push), the characters after it
 * are a CR or LF, which no check below accepts, so a tag is never found past the line's end.
 */
function tagLineEnd(text: string, from: number, unusual: boolean): number {
  if (text.charCodeAt(from) !== 58 /* : */ || (unusual && LINE_SEPARATORS.test(text))) return -1;
  const a = text.charCodeAt(from + 1);
  const b = text.charCodeAt(from + 2);
  if (a === 78 /* N */ && b === 83 /* S */) return text.charCodeAt(from + 3) === 58 ? 3 : -1;
  if (!isDigit(a) || !isDigit(b)) return -1;
  const c = text.charCodeAt(from + 3);
  if (c === 58) return 3;
  return c >= 65 && c <= 90 && text.charCodeAt(from + 4) === 58 ? 4 : -1;
}

/** The tag text; the two of every transaction as constants, so no string is made and hashed per field. */
function tagOf(text: string, from: number, end: number): string {
  if (end === 3) {
    const a = text.charCodeAt(from + 1);
    const b = text.charCodeAt(from + 2);
    if (a === 54 /* 6 */ && b === 49 /* 1 */) return "61";
    if (a === 56 /* 8 */ && b === 54 /* 6 */) return "86";
  }
  return text.slice(from + 1, from + end);
}

const tooLong = (line: number): FormatError =>
  new FormatError("line_too_long", `Expected lines shorter than ${MAX_LINE_CHARS} characters, found a longer one`, line);

export class SwiftScanner {
  /** The start of a line cut by the end of the previous chunk. */
  private pending = "";
  /** The pending text came from a chunk with unusual characters. */
  private pendingUnusual = false;
  /** The number of the next line. */
  private lineNumber = 1;
  /** The last break was a CR: an LF right after it (even in the next chunk) completes a CRLF. */
  private skipLf = false;
  private current: SwiftField | undefined;
  /**
   * Instead of `current`, a field of one line so far, read from a chunk: held as the chunk and
   * offsets until it ends (fieldLine) or a continuation line makes it a SwiftField (line).
   */
  private heldText: string | undefined;
  private heldTag = "";
  private heldValue = 0;
  private heldEnd = 0;
  private heldLine = 0;
  private currentChars = 0;

  constructor(
    private readonly state: FieldReaderState,
    private readonly sink: SwiftSink,
  ) {}

  /** One decoded chunk; every line it completes goes to the sink. */
  push(chunk: string): void {
    // Only a line longer than chunk plus pending text can be too long; then check before handing on any line.
    if (this.pending.length + chunk.length > MAX_LINE_CHARS) this.checkLengths(chunk);
    const unusual = hasUnusual(chunk);
    let pending = this.pending;
    let skipLf = this.skipLf;
    let start = 0;
    let lf = chunk.indexOf("\n");
    let cr = chunk.indexOf("\r");
    while (lf !== -1 || cr !== -1) {
      let i: number;
      if (lf !== -1 && (cr === -1 || lf < cr)) {
        i = lf;
        lf = chunk.indexOf("\n", i + 1);
        if (skipLf && i === start && pending === "") {
          skipLf = false;
          start = i + 1;
          continue;
        }
        skipLf = false;
      } else {
        i = cr;
        cr = chunk.indexOf("\r", i + 1);
        skipLf = true;
      }
      let text: string;
      let lineUnusual = unusual;
      if (pending === "" && !unusual) {
        // The usual line, a tag line whole in this chunk: its field held as offsets into the chunk,
        // without slicing the line and calling line() (what it would do for this line).
        const tagEnd = tagLineEnd(chunk, start, false);
        if (tagEnd > 0) {
          this.state.lastLine = this.lineNumber;
          this.flush();
          this.heldText = chunk;
          this.heldTag = tagOf(chunk, start, tagEnd);
          this.heldValue = start + tagEnd + 1;
          this.heldEnd = i;
          this.heldLine = this.lineNumber++;
          this.currentChars = i - start;
          start = i + 1;
          continue;
        }
        text = chunk.slice(start, i);
      } else if (pending === "") {
        text = chunk.slice(start, i);
      } else {
        text = pending + chunk.slice(start, i);
        lineUnusual ||= this.pendingUnusual;
        pending = "";
      }
      start = i + 1;
      this.line(text, this.lineNumber++, lineUnusual);
    }
    if (start < chunk.length) skipLf = false;
    this.skipLf = skipLf;
    this.pendingUnusual = (pending !== "" && this.pendingUnusual) || unusual;
    this.pending = pending + chunk.slice(start);
  }

  /** The last line when the text does not end with a line break. */
  endLines(): void {
    const pending = this.pending;
    this.pending = "";
    if (pending !== "") this.line(pending, this.lineNumber, this.pendingUnusual);
  }

  /** The field still open at the end of the input. */
  end(): void {
    this.flush();
  }

  /** readLineBatches' length checks over the chunk, without cutting any line. */
  private checkLengths(chunk: string): void {
    let pendingLength = this.pending.length;
    let skipLf = this.skipLf;
    let line = this.lineNumber;
    let start = 0;
    let lf = chunk.indexOf("\n");
    let cr = chunk.indexOf("\r");
    while (lf !== -1 || cr !== -1) {
      let i: number;
      if (lf !== -1 && (cr === -1 || lf < cr)) {
        i = lf;
        lf = chunk.indexOf("\n", i + 1);
        if (skipLf && i === start && pendingLength === 0) {
          skipLf = false;
          start = i + 1;
          continue;
        }
        skipLf = false;
      } else {
        i = cr;
        cr = chunk.indexOf("\r", i + 1);
        skipLf = true;
      }
      if (pendingLength + i - start > MAX_LINE_CHARS) throw tooLong(line);
      line++;
      pendingLength = 0;
      start = i + 1;
    }
    if (pendingLength + chunk.length - start > MAX_LINE_CHARS) throw tooLong(line);
  }

  private flush(): void {
    const held = this.heldText;
    if (held !== undefined) {
      this.heldText = undefined;
      this.currentChars = 0;
      this.sink.fieldLine(this.heldTag, held, this.heldValue, this.heldEnd, this.heldLine);
      return;
    }
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    this.currentChars = 0;
    this.sink.field(current);
  }

  /** SwiftFieldReader.read for one line. */
  private line(physical: string, line: number, unusual: boolean): void {
    const state = this.state;
    state.lastLine = line;
    let text = unusual ? physical.replace(CONTROL_CHARS, "") : physical;
    let first = text.charCodeAt(0);
    if (first === 123 /* { */) {
      const envelope = /\{2:[IO](\d{3})/.exec(text);
      const blockFour = text.indexOf("{4:");
      if (blockFour < 0) {
        state.headerLines++;
        return;
      }
      this.flush();
      state.envelopeOpen = true;
      state.envelopeLine = line;
      this.sink.envelope(envelope?.[1] || undefined);
      text = text.slice(blockFour + 3);
      if (text.trim() === "") return;
      first = text.charCodeAt(0);
    }
    if (first === 45 /* - */) {
      if (text.charCodeAt(1) === 125 /* } */) {
        this.flush();
        state.envelopeOpen = false;
        this.sink.statementEnd();
        return;
      }
      if (STATEMENT_END.test(text)) {
        this.flush();
        this.sink.statementEnd();
        return;
      }
    }
    const tagEnd = tagLineEnd(text, 0, unusual);
    if (tagEnd > 0) {
      this.flush();
      this.current = { tag: tagOf(text, 0, tagEnd), lines: [text.slice(tagEnd + 1)], line };
      this.currentChars = text.length;
      return;
    }
    if (text.trim() === "") return;
    const held = this.heldText;
    if (held !== undefined) {
      // A continuation line: the held field becomes a SwiftField of several lines.
      this.heldText = undefined;
      this.current = { tag: this.heldTag, lines: [held.slice(this.heldValue, this.heldEnd)], line: this.heldLine };
    }
    const current = this.current;
    if (!current) {
      state.headerLines++;
      return;
    }
    this.currentChars += text.length;
    if (this.currentChars > MAX_FIELD_CHARS) {
      throw new FormatError("field_too_long", `Expected field :${current.tag}: to end within ${MAX_FIELD_CHARS} characters, found a longer one`, current.line);
    }
    current.lines.push(text);
  }
}
