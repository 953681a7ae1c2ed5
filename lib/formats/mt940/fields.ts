/**
 * Groups physical lines into SWIFT fields (":61:" plus its continuation lines), statement ends
 * ("-", "-}") and envelope markers ("{1:F01…}{2:O940…}{4:"). Nothing here knows what a tag means.
 */
import { FormatError } from "../types";
import type { PhysicalLine } from "../shared/text";
import { isDigit } from "../shared/chars";

export interface SwiftField {
  /** Tag without colons: "20", "60F", "61", "86", "NS". */
  tag: string;
  /** The text after ":tag:" on the first line, then each continuation line as written. */
  lines: string[];
  /** Physical line of the tag. */
  line: number;
}

export type SwiftToken =
  | { kind: "field"; field: SwiftField }
  | { kind: "end"; line: number }
  | { kind: "envelope"; line: number; messageType?: string };

/** "-" ends a statement; ING writes "-XXX". Anything longer may be a continuation line that starts with a dash. */
const STATEMENT_END = /^-(XXX)?\s*$/;
/** A field longer than this is not a bank statement (":86:" is at most 6 × 65 characters). */
const MAX_FIELD_CHARS = 100_000;

export interface FieldReaderState {
  /** Lines outside any field (bank headers such as "ABNANL2A" / "940"), counted for meta. */
  headerLines: number;
  /** True while a "{4:" block is open and its "-}" has not been seen. */
  envelopeOpen: boolean;
  envelopeLine: number;
  lastLine: number;
}

const LINE_SEPARATORS = /[\u2028\u2029]/;

/**
 * /^:(\d{2}[A-Z]?|NS):(.*)$/ on character codes: the index of the colon closing ":20:", ":60F:" or
 * ":NS:", or -1. Every line of a statement is asked, and the regex with its match array showed in
 * profiles. As with the regex's `.`, a line holding U+2028/U+2029 is not a tag line.
 */
function tagLineEnd(text: string): number {
  if (text.charCodeAt(0) !== 58 /* : */ || LINE_SEPARATORS.test(text)) return -1;
  const a = text.charCodeAt(1);
  const b = text.charCodeAt(2);
  if (a === 78 /* N */ && b === 83 /* S */) return text.charCodeAt(3) === 58 ? 3 : -1;
  if (!isDigit(a) || !isDigit(b)) return -1;
  const c = text.charCodeAt(3);
  if (c === 58) return 3;
  return c >= 65 && c <= 90 && text.charCodeAt(4) === 58 ? 4 : -1;
}

// Transmission wrappers put SOH/ETX and similar control characters around messages.
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * Splits physical lines into SWIFT fields and message boundaries. The parser reads with SwiftScanner
 * (scanner.ts), which does the same straight from decoded text; this line-based reader is kept as the
 * reference the differential test (scanner.test.ts) compares it with.
 */
export class SwiftFieldReader {
  private current: SwiftField | undefined;
  private currentChars = 0;

  constructor(private readonly state: FieldReaderState) {}

  private *flush(): Generator<SwiftToken> {
    if (this.current) yield { kind: "field", field: this.current };
    this.current = undefined;
    this.currentChars = 0;
  }

  *read(lines: Iterable<PhysicalLine>): Generator<SwiftToken, void, undefined> {
    const state = this.state;
    for (const physical of lines) {
      state.lastLine = physical.line;
      let text = physical.text.replace(CONTROL_CHARS, "");
      if (text.startsWith("{")) {
        const envelope = /\{2:[IO](\d{3})/.exec(text);
        const blockFour = text.indexOf("{4:");
        if (blockFour < 0) {
          state.headerLines++;
          continue;
        }
        yield* this.flush();
        state.envelopeOpen = true;
        state.envelopeLine = physical.line;
        yield { kind: "envelope", line: physical.line, ...(envelope?.[1] ? { messageType: envelope[1] } : {}) };
        text = text.slice(blockFour + 3);
        if (text.trim() === "") continue;
      }
      if (text.startsWith("-}")) {
        yield* this.flush();
        state.envelopeOpen = false;
        yield { kind: "end", line: physical.line };
        continue;
      }
      if (text.charCodeAt(0) === 45 /* - */ && STATEMENT_END.test(text)) {
        yield* this.flush();
        yield { kind: "end", line: physical.line };
        continue;
      }
      const tagEnd = tagLineEnd(text);
      if (tagEnd > 0) {
        yield* this.flush();
        this.current = { tag: text.slice(1, tagEnd), lines: [text.slice(tagEnd + 1)], line: physical.line };
        this.currentChars = text.length;
        continue;
      }
      if (text.trim() === "") continue;
      const current = this.current;
      if (!current) {
        state.headerLines++;
        continue;
      }
      this.currentChars += text.length;
      if (this.currentChars > MAX_FIELD_CHARS) {
        throw new FormatError("field_too_long", `Expected field :${current.tag}: to end within ${MAX_FIELD_CHARS} characters, found a longer one`, current.line);
      }
      current.lines.push(text);
    }
  }

  /** The field still open at the end of the input. */
  *end(): Generator<SwiftToken, void, undefined> {
    yield* this.flush();
  }
}
