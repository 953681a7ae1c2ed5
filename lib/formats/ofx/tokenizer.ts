/**
 * A streaming tokenizer for OFX markup: SGML v1 (unclosed leaf tags), XML v2, and the hybrids banks
 * produce. It only splits text into tags, text and CDATA; it never builds a document, never resolves
 * external entities and refuses DOCTYPE/ENTITY declarations outright, so entity bombs cannot exist.
 * Holds at most one unfinished token in memory (bounded by MAX_TOKEN_CHARS).
 */
import { FormatError } from "../types";

export type OfxToken =
  | { kind: "open"; name: string; selfClosing: boolean; line: number; raw: string }
  | { kind: "close"; name: string; line: number; raw: string }
  | { kind: "text"; text: string; cdata: boolean; line: number; raw: string }
  | { kind: "instruction"; body: string; line: number };

/** Longest single tag, text run or CDATA section accepted; real OFX values are far below this. */
export const MAX_TOKEN_CHARS = 1 << 20;

const NAME_START = /[A-Za-z_]/;
const TAG = /^<(\/?)([A-Za-z_][A-Za-z0-9._:-]*)((?:[\s/][^<>]*)?)>$/;
const ENTITY = /&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]{2,6});/g;
const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decodes the XML predefined entities and numeric references; anything unknown stays as written (SGML files carry bare "&"). */
export function decodeEntities(text: string): string {
  let amp = text.indexOf("&");
  if (amp === -1) return text;
  // Most text with "&" holds only "&amp;" (a payee such as "Grocer &amp; Sons"): each is the match
  // ENTITY would make there, so it is decoded without the regex and its callback (which showed in
  // profiles); any other "&" sends the whole text to the regex.
  let decoded = "";
  let from = 0;
  while (amp !== -1) {
    if (!text.startsWith("&amp;", amp)) return decodeAllEntities(text);
    decoded += text.slice(from, amp + 1);
    from = amp + 5;
    amp = text.indexOf("&", from);
  }
  return decoded + text.slice(from);
}

/** decodeEntities for any text: every match of ENTITY replaced. */
function decodeAllEntities(text: string): string {
  return text.replace(ENTITY, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      return valid ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

/** Physical line terminators in a string, counting CRLF once (the same rule as readLines). */
export function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) count++;
    else if (ch === 13 && text.charCodeAt(i + 1) !== 10) count++;
  }
  return count;
}

/**
 * Where the tokenizer may hand a whole leaf (`<NAME>value` or `<NAME>value</NAME>`) at once instead
 * of its open, text and close tokens, or a plain aggregate tag without a token: the tree builder says
 * when that gives the same element events (nothing pending; an aggregate opened, or the innermost one
 * closed; a leaf that is not an aggregate), and takes them and any white space between tags itself.
 */
export interface OfxLeafSink {
  /** True when `<name>` followed by non-blank text would become a leaf now, and nothing is pending. */
  acceptsLeaf(name: string): boolean;
  /** True when white space between tags would be dropped (nothing pending). */
  acceptsBlank(): boolean;
  leaf(name: string, value: string, line: number, raw: string): void;
  /** True when the plain tag `<name>` (`</name>` when closing) opens an aggregate (closes the innermost one) and nothing is pending. */
  acceptsTag(name: string, closing: boolean): boolean;
  tag(name: string, closing: boolean, line: number, raw: string): void;
  /**
   * Asked right after `tag` opened an aggregate: what takes the leaves written directly inside it in
   * one pass (see OfxTokenizer.leafRun), or null when they go through `leaf` one by one. Only for an
   * aggregate whose leaves need nothing from the sink but their name, value and raw text (their line
   * is not passed): a transaction's.
   */
  leafRun(): OfxLeafRun | null;
}

/** Takes the leaves of one aggregate, in order, as `leaf` would have taken them (see OfxLeafSink.leafRun). */
export interface OfxLeafRun {
  add(name: string, value: string, raw: string): void;
}

/** The leaves a usual transaction block may hold (see OfxTokenizer.quickBlock), in the order it must hold them. */
export const QUICK_LEAVES = ["TRNTYPE", "DTPOSTED", "TRNAMT", "FITID", "NAME", "MEMO"] as const;
const QUICK_OPENS = QUICK_LEAVES.map((name) => `<${name}>`);
const QUICK_CLOSES = QUICK_LEAVES.map((name) => `</${name}>`);
/**
 * Longest usual block read whole (about 150 characters are usual): far below the reader's 64 KiB of
 * raw text kept per transaction, so its raw text is kept whole, as the general path keeps it.
 */
const MAX_QUICK_BLOCK_CHARS = 4096;

/**
 * A usual `<STMTTRN>` block as the tokenizer read it (see OfxTokenizer.quickBlock): each value of
 * QUICK_LEAVES in its slot (undefined when the block does not hold it) and the block's raw text as the
 * general path builds it. One per tokenizer, refilled for every block.
 */
export class OfxQuickBlock {
  readonly values: (string | undefined)[] = QUICK_LEAVES.map(() => undefined);
  raw = "";
}

/**
 * Takes a whole usual transaction block (see OfxTokenizer.quickBlock) when the element events of its
 * tags and leaves would make it exactly the transaction `block` describes, with no issue: then it puts
 * out what those events would have and answers true. False: it did nothing, and the block goes the
 * general way.
 */
export interface OfxQuickSink {
  quickTransaction(block: OfxQuickBlock, line: number): boolean;
}

/**
 * The name characters of a plain tag (A-Z a-z 0-9 _ . : -) as digits 1–40, letters folded to upper
 * case as toUpperCase folds them; 0 for every other character code below 128.
 */
const NAME_DIGITS = new Uint8Array(128);
"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-".split("").forEach((ch, index) => {
  NAME_DIGITS[ch.charCodeAt(0)] = index + 1;
  NAME_DIGITS[ch.toLowerCase().charCodeAt(0)] = index + 1;
});
/** Names of at most this many characters are identified exactly by their digits read in base 41 (41^9 < 2^53). */
const KEYED_NAME_CHARS = 9;

/** The ASCII characters String.prototype.trim removes; any other character ends a fast trim (see trimmedStart). */
function isAsciiSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12;
}

/**
 * Tag names as upper-cased strings, looked up from the buffer without slicing or upper-casing it
 * again: toUpperCase and a fresh string per tag showed in profiles. A name of up to KEYED_NAME_CHARS
 * characters is found by its key (see OfxTokenizer.tagEnd), which identifies its upper-cased form
 * exactly, so no characters are compared again (comparing them showed in profiles too); longer names
 * (a few per statement) by their text. Bounded (a file with thousands of distinct names gets the
 * plain slice and toUpperCase past the bound).
 */
class TagNames {
  private static readonly SIZE = 1024;
  private static readonly MAX_KEPT = 512;
  /** Keys of kept short names, 0 for an empty slot (a key is at least 1). */
  private readonly keys = new Float64Array(TagNames.SIZE);
  private readonly uppers: string[] = new Array<string>(TagNames.SIZE).fill("");
  private readonly long = new Map<string, string>();
  private kept = 0;

  /** The upper-cased name written at buf[from, to), whose key (see OfxTokenizer.tagEnd) is `key`, -1 for a longer name. */
  name(buf: string, from: number, to: number, key: number): string {
    if (key < 0) return this.longName(buf.slice(from, to));
    const mask = TagNames.SIZE - 1;
    for (let slot = (key >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const kept = this.keys[slot];
      if (kept === key) return this.uppers[slot]!;
      if (kept === 0) {
        const upper = buf.slice(from, to).toUpperCase();
        if (this.kept < TagNames.MAX_KEPT) {
          this.kept++;
          this.keys[slot] = key;
          this.uppers[slot] = upper;
        }
        return upper;
      }
    }
  }

  private longName(written: string): string {
    const known = this.long.get(written);
    if (known !== undefined) return known;
    const upper = written.toUpperCase();
    if (this.kept < TagNames.MAX_KEPT) {
      this.kept++;
      this.long.set(written, upper);
    }
    return upper;
  }
}

/** indexOf, with the string's length for "not found" so positions compare without a special case. */
function indexOrEnd(buf: string, search: string, from: number): number {
  const at = buf.indexOf(search, from);
  return at === -1 ? buf.length : at;
}

export class OfxTokenizer {
  private buffer = "";
  private position = 0;
  private currentLine = 1;
  private lastChar = "";
  // For the whole-leaf path (leafAt), all positions in `buffer` and reset whenever it changes:
  /** Next LF / CR / "&" at or after the position they were last looked for from (buffer length: none); -1: not looked for. */
  private nextLf = -1;
  private nextCr = -1;
  private nextAmp = -1;
  /** A plain tag already read by leafAt as the one after a leaf: where its name starts, its `>` and name key. */
  private knownNameAt = -1;
  private knownEnd = -1;
  private knownKey = 0;
  /** Name key of the tag tagEnd last read (see tagEnd). */
  private tagKey = 0;
  private readonly names = new TagNames();
  /** Leaves handed to the sink or a run whole, written with and without their close tag (the tree counts the others). */
  closedLeaves = 0;
  unclosedLeaves = 0;
  /** Where leafValue's raw text ends (trailing white space trimmed). */
  private valueRawEnd = 0;
  private readonly block = new OfxQuickBlock();

  /** `quick`: usual transaction blocks read whole when the sink takes them (see quickBlock). */
  constructor(private readonly quick: OfxQuickSink | null = null) {}

  /** 1-based line the next token starts on. */
  get line(): number {
    return this.currentLine;
  }

  /** Physical lines seen so far, the way readLines would count them. */
  get physicalLines(): number {
    if (this.lastChar === "") return 0;
    return this.lastChar === "\n" || this.lastChar === "\r" ? this.currentLine - 1 : this.currentLine;
  }

  /** `sink`, when given, takes whole leaves and blank runs directly (see OfxLeafSink); tokens otherwise. */
  feed(chunk: string, emit: (token: OfxToken) => void, sink?: OfxLeafSink): void {
    if (chunk === "") return;
    // A flat string, not a "+" concatenation: every charCodeAt on a concatenated (cons) string pays an
    // indirection, and the whole-leaf path reads tag names and trims on character codes.
    this.buffer = this.position >= this.buffer.length ? chunk : [this.buffer.slice(this.position), chunk].join("");
    this.position = 0;
    this.nextLf = this.nextCr = this.nextAmp = this.knownNameAt = -1;
    this.lastChar = chunk[chunk.length - 1] ?? this.lastChar;
    this.drain(false, emit, sink);
  }

  end(emit: (token: OfxToken) => void, sink?: OfxLeafSink): void {
    this.drain(true, emit, sink);
    this.buffer = "";
    this.position = 0;
  }

  private consume(end: number): { raw: string; line: number } {
    const raw = this.buffer.slice(this.position, end);
    const line = this.currentLine;
    this.currentLine += countLineBreaks(raw);
    this.position = end;
    return { raw, line };
  }

  /**
   * `<NAME>` or `</NAME>` with nothing but name characters between the brackets: the usual tag, read
   * on character codes (no regex, no line count: it holds no line break). Null for anything else,
   * which the general path reads.
   */
  private plainTag(start: number, nameAt: number, end: number): OfxToken | null {
    const buf = this.buffer;
    for (let i = nameAt; i < end; i++) {
      const c = buf.charCodeAt(i);
      const nameChar = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 58 || c === 45;
      if (!nameChar) return null;
    }
    if (end - nameAt > 64) return null;
    const raw = buf.slice(start, end + 1);
    const line = this.currentLine;
    this.position = end + 1;
    const name = buf.slice(nameAt, end).toUpperCase();
    return nameAt === start + 2 ? { kind: "close", name, line, raw } : { kind: "open", name, selfClosing: false, line, raw };
  }

  private waitOrFail(final: boolean, what: string): "wait" {
    if (final) throw new FormatError("ofx_truncated", `Expected the end of ${what}, found the end of the file`, this.currentLine);
    if (this.buffer.length - this.position > MAX_TOKEN_CHARS) {
      throw new FormatError("ofx_token_too_long", `Expected ${what} shorter than ${MAX_TOKEN_CHARS} characters`, this.currentLine);
    }
    return "wait";
  }

  private drain(final: boolean, emit: (token: OfxToken) => void, sink?: OfxLeafSink): void {
    const buf = this.buffer;
    while (this.position < buf.length) {
      // After an unclosed leaf, or a run that stopped at a tag, the position already holds "<": no search then.
      const lt = buf.charCodeAt(this.position) === 60 /* < */ ? this.position : buf.indexOf("<", this.position);
      if (sink && lt !== -1) {
        if (lt > this.position && sink.acceptsBlank()) this.skipBlank(lt);
        if (lt === this.position && this.plainMarkupAt(lt, sink)) continue;
      }
      if (lt === -1) {
        if (!final) {
          this.waitOrFail(false, "a run of text");
          return;
        }
        const { raw, line } = this.consume(buf.length);
        emit({ kind: "text", text: decodeEntities(raw), cdata: false, line, raw });
        return;
      }
      if (lt > this.position) {
        const { raw, line } = this.consume(lt);
        emit({ kind: "text", text: decodeEntities(raw), cdata: false, line, raw });
      }
      const token = this.markupAt(lt, final);
      if (token === "wait") return;
      if (token) emit(token);
    }
  }

  /**
   * The `>` of a plain tag whose name starts at `nameAt` (a name of 1–64 name characters, then `>`),
   * or -1: exactly the tags markupAt reads through plainTag. Leaves the name's key in tagKey: its
   * NAME_DIGITS read as a number in base 41 for a name of up to KEYED_NAME_CHARS characters (exact
   * below 2^53, so equal keys are equal upper-cased names), -1 for a longer one.
   */
  private tagEnd(nameAt: number): number {
    const buf = this.buffer;
    const first = buf.charCodeAt(nameAt);
    if (!((first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first === 95)) return -1;
    let key = NAME_DIGITS[first]!;
    const limit = Math.min(buf.length, nameAt + 65);
    for (let i = nameAt + 1; i < limit; i++) {
      const c = buf.charCodeAt(i);
      if (c === 62 /* > */) {
        this.tagKey = i - nameAt <= KEYED_NAME_CHARS ? key : -1;
        return i;
      }
      const digit = c < 128 ? NAME_DIGITS[c]! : 0;
      if (digit === 0) return -1;
      key = key * 41 + digit;
    }
    return -1;
  }

  /** Line breaks in buf[from, to) as countLineBreaks counts them, found with indexOf from remembered positions. */
  private lineBreaks(from: number, to: number): number {
    const buf = this.buffer;
    let count = 0;
    if (this.nextLf < from) this.nextLf = indexOrEnd(buf, "\n", from);
    while (this.nextLf < to) {
      count++;
      this.nextLf = indexOrEnd(buf, "\n", this.nextLf + 1);
    }
    if (this.nextCr < from) this.nextCr = indexOrEnd(buf, "\r", from);
    while (this.nextCr < to) {
      // `to` is always a "<" here, so the character after a CR inside the range is the one countLineBreaks sees.
      if (buf.charCodeAt(this.nextCr + 1) !== 10) count++;
      this.nextCr = indexOrEnd(buf, "\r", this.nextCr + 1);
    }
    return count;
  }

  /**
   * tagEnd(nameAt), answered without reading the name again when it is the tag leafAt already read
   * after its leaf. Leaves the name's key in tagKey, as tagEnd does.
   */
  private knownTagEnd(nameAt: number): number {
    if (this.knownNameAt !== nameAt) return this.tagEnd(nameAt);
    this.tagKey = this.knownKey;
    return this.knownEnd;
  }

  /** Skips white space from the position up to the "<" at `lt` when it is ASCII blank (the tree drops such text); else leaves it. */
  private skipBlank(lt: number): void {
    const buf = this.buffer;
    for (let i = this.position; i < lt; i++) {
      const c = buf.charCodeAt(i);
      if (c !== 10 && c !== 32 && c !== 13 && c !== 9) return;
    }
    this.currentLine += this.lineBreaks(this.position, lt);
    this.position = lt;
  }

  /**
   * A plain tag at `lt` (`<NAME>` or `</NAME>`, as plainTag reads it) handed to the sink without a
   * token when it accepts it (an aggregate opened or closed: `<STMTTRN>`, `</STMTTRN>`), else a whole
   * leaf from it (leafAt). A plain tag holds no line break, so the line stays. False: nothing consumed.
   */
  private plainMarkupAt(lt: number, sink: OfxLeafSink): boolean {
    const buf = this.buffer;
    const closing = buf.charCodeAt(lt + 1) === 47; /* / */
    const nameAt = closing ? lt + 2 : lt + 1;
    const gt = this.knownTagEnd(nameAt);
    if (gt === -1) return false;
    const name = this.names.name(buf, nameAt, gt, this.tagKey);
    if (sink.acceptsTag(name, closing)) {
      if (!closing && this.quick !== null && name === "STMTTRN" && this.quickBlock(lt, gt, this.quick)) return true;
      this.position = gt + 1;
      sink.tag(name, closing, this.currentLine, buf.slice(lt, gt + 1));
      if (!closing) {
        const run = sink.leafRun();
        if (run !== null) this.leafRun(run, sink);
      }
      return true;
    }
    return !closing && this.leafAt(lt, gt, name, sink, null);
  }

  /**
   * The leaves right after an aggregate's open tag, read in this one loop and handed to `run`, rather
   * than each through drain, plainMarkupAt and the sink's per-leaf calls (those layers per leaf showed
   * in profiles). It reads exactly what that path would hand whole, in the same way: blank text before
   * a tag skipped as drain skips it, then `<NAME>` read by leafAt. It stops, having consumed nothing
   * more, at anything else (a close tag, an aggregate, other text or markup, a leaf leafAt refuses, the
   * end of the chunk), which drain then reads as before. An open tag that is not an aggregate is never
   * one the sink accepts as a tag (acceptsTag), so asking acceptsLeaf (in leafAt) alone is the same.
   */
  private leafRun(run: OfxLeafRun, sink: OfxLeafSink): void {
    const buf = this.buffer;
    for (;;) {
      // After an unclosed leaf the position already holds its next tag's "<": no search then.
      const lt = buf.charCodeAt(this.position) === 60 /* < */ ? this.position : buf.indexOf("<", this.position);
      if (lt === -1) return;
      if (lt > this.position) {
        this.skipBlank(lt);
        if (this.position !== lt) return;
      }
      if (buf.charCodeAt(lt + 1) === 47 /* / */) return;
      const nameAt = lt + 1;
      const gt = this.knownTagEnd(nameAt);
      if (gt === -1) return;
      if (!this.leafAt(lt, gt, this.names.name(buf, nameAt, gt, this.tagKey), sink, run)) return;
    }
  }

  /**
   * `<NAME>text` up to the next plain tag, handed to the sink as one leaf, when that is exactly what
   * the tokens would have become: a plain open tag (its `>` at `gt`, its name `name`) the sink
   * accepts, text that is neither empty nor blank once decoded, and the next `<` in this chunk
   * starting a complete plain tag (so nothing between could join the value, and reading the next tag
   * cannot fail). `</NAME>` right after the text closes the leaf; any other tag leaves it unclosed and
   * is read next. The leaf goes to `run` when given (see leafRun), else to the sink. False: nothing consumed.
   */
  private leafAt(lt: number, gt: number, name: string, sink: OfxLeafSink, run: OfxLeafRun | null): boolean {
    const buf = this.buffer;
    const next = buf.indexOf("<", gt + 1);
    if (next === -1 || next === gt + 1 || next - lt > MAX_TOKEN_CHARS) return false;
    const closing = buf.charCodeAt(next + 1) === 47; /* / */
    const nextNameAt = closing ? next + 2 : next + 1;
    const nextEnd = this.tagEnd(nextNameAt);
    if (nextEnd === -1) return false;
    this.knownNameAt = nextNameAt;
    this.knownEnd = nextEnd;
    this.knownKey = this.tagKey;
    if (!sink.acceptsLeaf(name)) return false;

    const value = this.leafValue(gt, next);
    if (value === "") return false;
    const rawEnd = this.valueRawEnd;

    const line = this.currentLine;
    this.currentLine += this.lineBreaks(gt + 1, next);
    let raw: string;
    if (closing && nextEnd - nextNameAt === gt - lt - 1 && this.names.name(buf, nextNameAt, nextEnd, this.tagKey) === name) {
      this.position = nextEnd + 1;
      this.closedLeaves++;
      raw = buf.slice(lt, nextEnd + 1);
    } else {
      this.position = next;
      this.unclosedLeaves++;
      raw = buf.slice(lt, rawEnd);
    }
    if (run !== null) run.add(name, value, raw);
    else sink.leaf(name, value, line, raw);
    return true;
  }

  /**
   * A leaf's value: its text buf[gt + 1, next) decoded and trimmed. Leaves where its raw text ends
   * (the tag and the text, trailing white space trimmed) in valueRawEnd.
   */
  private leafValue(gt: number, next: number): string {
    const buf = this.buffer;
    if (this.nextAmp < gt) this.nextAmp = indexOrEnd(buf, "&", gt);
    if (this.nextAmp < next) {
      const text = buf.slice(gt + 1, next);
      this.valueRawEnd = gt + 1 + text.trimEnd().length;
      return decodeEntities(text).trim();
    }
    let end = next;
    while (end > gt + 1 && isAsciiSpace(buf.charCodeAt(end - 1))) end--;
    let start = gt + 1;
    while (start < end && isAsciiSpace(buf.charCodeAt(start))) start++;
    if (start < end && (buf.charCodeAt(start) > 127 || buf.charCodeAt(end - 1) > 127)) {
      // Unicode white space (NBSP, U+2028…) may be trimmed too: String.prototype.trim decides.
      const text = buf.slice(gt + 1, next);
      this.valueRawEnd = gt + 1 + text.trimEnd().length;
      return text.trim();
    }
    this.valueRawEnd = end;
    return buf.slice(start, end);
  }

  /**
   * A whole usual transaction block from its `<STMTTRN>` (at `lt`, its `>` at `gt`, an open tag the
   * sink accepted) to its `</STMTTRN>`, handed to `quick` at once rather than its tags and leaves one
   * by one through the sink, the reader's transaction state and finishTransaction (together more than
   * half of a parse in profiles). Usual: all in this chunk, shorter than MAX_QUICK_BLOCK_CHARS, and
   * nothing but leaves of QUICK_LEAVES, each at most once and in that order, written `<NAME>value` or
   * `<NAME>value</NAME>` with the names in upper case, ASCII blanks (what skipBlank skips) before each
   * tag, and values leafValue does not leave empty. Each such leaf is one leafRun would have read
   * whole, with the same value and raw text, so the block's element events are exactly: STMTTRN
   * opened, those leaves, STMTTRN closed. Anything else (another tag or a lower-case name, CDATA, a
   * comment, the chunk's end) or the sink's refusal reads nothing: false, and the general path reads
   * the block from `lt`.
   */
  private quickBlock(lt: number, gt: number, quick: OfxQuickSink): boolean {
    const nextAmp = this.nextAmp;
    if (this.readQuickBlock(lt, gt, quick)) return true;
    // The read may have looked for "&" from a leaf past `lt`, where the general path now starts again:
    // the position it remembers must be the one found from before `lt`, or an "&" between is missed.
    this.nextAmp = nextAmp;
    return false;
  }

  /** quickBlock's reading; false, with nothing consumed, for a block that is not usual. */
  private readQuickBlock(lt: number, gt: number, quick: OfxQuickSink): boolean {
    const buf = this.buffer;
    const block = this.block;
    const values = block.values;
    for (let i = 0; i < values.length; i++) values[i] = undefined;
    // The open tag as written (its name may be in any case; the close tag is read in upper case only).
    let raw = buf.slice(lt, gt + 1);
    let closed = 0;
    let slot = 0;
    let at = gt + 1;
    for (;;) {
      let c = buf.charCodeAt(at);
      while (c === 10 || c === 32 || c === 13 || c === 9) c = buf.charCodeAt(++at);
      if (c !== 60 /* < */ || at - lt >= MAX_QUICK_BLOCK_CHARS) return false;
      // The leaves first, the close tag only once none is left to match (one startsWith per usual leaf).
      while (slot < QUICK_OPENS.length && !buf.startsWith(QUICK_OPENS[slot]!, at)) slot++;
      if (slot === QUICK_OPENS.length) {
        if (buf.startsWith("</STMTTRN>", at)) break;
        return false;
      }
      const valueAt = at + QUICK_OPENS[slot]!.length;
      const next = buf.indexOf("<", valueAt);
      if (next === -1 || next === valueAt) return false;
      const value = this.leafValue(valueAt - 1, next);
      if (value === "") return false;
      values[slot] = value;
      const close = QUICK_CLOSES[slot]!;
      if (buf.startsWith(close, next)) {
        closed++;
        raw += buf.slice(at, next + close.length);
        at = next + close.length;
      } else {
        raw += buf.slice(at, this.valueRawEnd);
        at = next;
      }
      slot++;
    }
    raw += "</STMTTRN>";
    block.raw = raw;
    if (!quick.quickTransaction(block, this.currentLine)) return false;
    let leaves = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== undefined) leaves++;
    this.closedLeaves += closed;
    this.unclosedLeaves += leaves - closed;
    this.currentLine += this.lineBreaks(gt + 1, at);
    this.position = at + "</STMTTRN>".length;
    return true;
  }

  /** Reads the markup starting at `<`; "wait" when it is not complete yet, null when it yields nothing. */
  private markupAt(start: number, final: boolean): OfxToken | null | "wait" {
    const buf = this.buffer;
    const available = buf.length - start;
    // The usual case first: "<" then a letter or "/letter", found and closed in this chunk.
    const second = buf.charCodeAt(start + 1);
    if (available >= 3 && second !== 33 /* ! */ && second !== 63 /* ? */) {
      const nameAt = second === 47 /* / */ ? start + 2 : start + 1;
      const c = buf.charCodeAt(nameAt);
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) {
        const end = buf.indexOf(">", nameAt);
        const nextLt = buf.indexOf("<", nameAt);
        if (end !== -1 && (nextLt === -1 || end < nextLt)) {
          const token = this.plainTag(start, nameAt, end);
          if (token) return token;
        }
      }
    }
    if (available < 9 && !final && ("<![CDATA[".startsWith(buf.slice(start)) || "<!--".startsWith(buf.slice(start)) || available < 3)) {
      return this.waitOrFail(false, "a tag");
    }
    if (buf.startsWith("<![CDATA[", start)) {
      const end = buf.indexOf("]]>", start + 9);
      if (end === -1) return this.waitOrFail(final, "a CDATA section");
      const { raw, line } = this.consume(end + 3);
      return { kind: "text", text: raw.slice(9, -3), cdata: true, line, raw };
    }
    if (buf.startsWith("<!--", start)) {
      const end = buf.indexOf("-->", start + 4);
      if (end === -1) return this.waitOrFail(final, "a comment");
      this.consume(end + 3);
      return null;
    }
    if (buf.startsWith("<?", start)) {
      const end = buf.indexOf("?>", start + 2);
      if (end === -1) return this.waitOrFail(final, "a processing instruction");
      const { raw, line } = this.consume(end + 2);
      return { kind: "instruction", body: raw.slice(2, -2), line };
    }
    if (buf.startsWith("<!", start)) {
      throw new FormatError(
        "ofx_declaration_refused",
        `Expected OFX elements, found a markup declaration "${buf.slice(start, start + 20).replace(/\s+/g, " ")}" (DOCTYPE and ENTITY declarations are not accepted)`,
        this.currentLine,
      );
    }
    const nameAt = buf[start + 1] === "/" ? start + 2 : start + 1;
    const first = buf[nameAt];
    if (first === undefined) return this.waitOrFail(final, "a tag");
    if (!NAME_START.test(first)) {
      // A "<" that starts no tag is ordinary text in SGML ("5 < 6"); it is kept literally, never interpreted.
      const { raw, line } = this.consume(start + 1);
      return { kind: "text", text: raw, cdata: false, line, raw };
    }
    const end = buf.indexOf(">", start + 1);
    const nextLt = buf.indexOf("<", start + 1);
    if (nextLt !== -1 && (end === -1 || nextLt < end)) {
      throw new FormatError("ofx_malformed_tag", `Expected ">" to close the tag "${buf.slice(start, Math.min(nextLt, start + 40))}", found "<"`, this.currentLine);
    }
    if (end === -1) return this.waitOrFail(final, "a tag");
    const { raw, line } = this.consume(end + 1);
    const match = TAG.exec(raw);
    if (!match) throw new FormatError("ofx_malformed_tag", `Expected a tag such as <NAME> or </NAME>, found "${raw.slice(0, 60)}"`, line);
    const [, slash, rawName = "", rest = ""] = match;
    const name = rawName.toUpperCase();
    if (name.length > 64) throw new FormatError("ofx_malformed_tag", `Expected a tag name of at most 64 characters, found "${rawName.slice(0, 64)}…"`, line);
    if (slash) return { kind: "close", name, line, raw };
    return { kind: "open", name, selfClosing: rest.trimEnd().endsWith("/"), line, raw };
  }
}
