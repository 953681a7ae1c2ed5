// Reference copy (commit 9d2745e) of ../tokenizer.ts, used only by the differential tests: see ./index.ts.
/**
 * A streaming tokenizer for OFX markup: SGML v1 (unclosed leaf tags), XML v2, and the hybrids banks
 * produce. It only splits text into tags, text and CDATA; it never builds a document, never resolves
 * external entities and refuses DOCTYPE/ENTITY declarations outright, so entity bombs cannot exist.
 * Holds at most one unfinished token in memory (bounded by MAX_TOKEN_CHARS).
 */
import { FormatError } from "../../types";

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
  if (!text.includes("&")) return text;
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

export class OfxTokenizer {
  private buffer = "";
  private position = 0;
  private currentLine = 1;
  private lastChar = "";

  /** 1-based line the next token starts on. */
  get line(): number {
    return this.currentLine;
  }

  /** Physical lines seen so far, the way readLines would count them. */
  get physicalLines(): number {
    if (this.lastChar === "") return 0;
    return this.lastChar === "\n" || this.lastChar === "\r" ? this.currentLine - 1 : this.currentLine;
  }

  feed(chunk: string, emit: (token: OfxToken) => void): void {
    if (chunk === "") return;
    this.buffer = this.buffer.slice(this.position) + chunk;
    this.position = 0;
    this.lastChar = chunk[chunk.length - 1] ?? this.lastChar;
    this.drain(false, emit);
  }

  end(emit: (token: OfxToken) => void): void {
    this.drain(true, emit);
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

  private drain(final: boolean, emit: (token: OfxToken) => void): void {
    const buf = this.buffer;
    while (this.position < buf.length) {
      const lt = buf.indexOf("<", this.position);
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
