/**
 * A small streaming XML tokenizer for what camt files use: elements, attributes, text, CDATA,
 * comments, processing instructions, the XML declaration, the five predefined entities and
 * numeric character references, namespaces resolved by prefix. It gives the events saxes gave
 * xml.ts (same local names, namespace URIs, attributes keyed by local name, leaf text, lines), at a
 * fraction of the cost: markup is found with indexOf, names are read on character codes, and lines
 * are counted only up to the positions an event or an error needs.
 *
 * Hostile input is refused: any DOCTYPE or ENTITY declaration anywhere (no external entities, no
 * expansion bombs), nesting deeper than MAX_DEPTH, any token (text, tag, comment, CDATA) longer
 * than MAX_RUN characters, characters XML 1.0 forbids, and malformed markup (mismatched or unclosed
 * tags, undefined entities, unbound prefixes, duplicate attributes, text outside the root).
 *
 * Every decision depends on positions in the text only, never on where a chunk ended: a token cut
 * by a chunk boundary is kept and read again whole with the next chunk.
 */
import { FormatError } from "../types";
import { MAX_PATH_NODES, PathNode } from "./path-node";

export const MAX_DEPTH = 64;
/** camt text fields are at most a few hundred characters; a megabyte without markup is not a statement. */
export const MAX_RUN = 1_000_000;

export type XmlEvent =
  | { kind: "open"; name: string; uri: string; attributes: Readonly<Record<string, string>>; line: number; depth: number }
  | { kind: "close"; name: string; text: string; line: number; depth: number; selfClosing: boolean };

const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";
/** Shared by every element without attributes (most camt elements): nothing writes to it. */
export const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** Characters XML 1.0 forbids: C0 controls but tab, LF and CR; U+FFFE and U+FFFF. */
const FORBIDDEN_CHARACTER = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g;
const XML_DECLARATION = /^<\?xml(\s+version\s*=\s*(["'])(1\.[0-9]+)\2)(\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\5)?(\s+standalone\s*=\s*(["'])(yes|no)\7)?\s*\?>$/;
/** XML 1.0 (5th edition) NameStartChar and NameChar beyond ASCII. */
const NAME_START_OTHER = /[\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\uD800-\uDBFF\uDC00-\uDFFF]/;
const NAME_OTHER = /[\u00B7\u0300-\u036F\u203F\u2040]/;

/**
 * Receives elements as the tokenizer reads them. `at` is a position for `XmlTokenizer.lineAt`
 * (valid during the call): lines are counted only where a reader asks for them.
 */
export interface XmlSink {
  open(node: PathNode, depth: number, uri: string, attributes: Readonly<Record<string, string>>, at: number): void;
  close(node: PathNode, depth: number, text: string, at: number, selfClosing: boolean): void;
}

/**
 * Reads a whole element in its usual form faster than element by element (parse.ts: an entry, see
 * quick.ts). Asked at each tag while `depth` elements are open; the tokenizer reads the markup
 * itself when the answer is -1.
 */
export interface QuickReader {
  /** How many elements must be open for `quickRead` to be worth asking; -1 for never. */
  readonly quickDepth: number;
  /** Elements (opens and closes) the last successful `quickRead` read. */
  readonly quickElements: number;
  /**
   * Reads the markup at `lt` (a "<"), which must end before `limit`, under the open element
   * `parent`; returns the position after it, or -1 to leave it to the tokenizer. It must read only
   * what the tokenizer would read without an error, and leave the open elements as they were.
   */
  quickRead(s: string, lt: number, limit: number, parent: PathNode): number;
}

/** Collects XmlEvent objects (what xml.ts and the tests read). */
class EventSink implements XmlSink {
  events: XmlEvent[] = [];
  tokenizer!: XmlTokenizer;

  open(node: PathNode, depth: number, uri: string, attributes: Readonly<Record<string, string>>, at: number): void {
    this.events.push({ kind: "open", name: node.local, uri, attributes, line: this.tokenizer.lineAt(at), depth });
  }

  close(node: PathNode, depth: number, text: string, at: number, selfClosing: boolean): void {
    this.events.push({ kind: "close", name: node.local, text, line: this.tokenizer.lineAt(at), depth, selfClosing });
  }
}

interface Binding {
  prefix: string;
  uri: string;
}

interface Attribute {
  name: string;
  prefix: string;
  local: string;
  value: string;
}

export class XmlTokenizer {
  private readonly sink: XmlSink;
  private readonly eventSink: EventSink | undefined;
  /** Elements handed to the sink so far (open and close each count). */
  elements = 0;
  /** Unread text: a token cut by the end of the last chunk, then the new chunk. */
  private buffer = "";
  private position = 0;
  /** Line at `lineCursor` in the buffer (1-based), counted lazily up to the positions asked for. */
  private line = 1;
  private lineCursor = 0;
  /** Whether the character before the buffer was a CR (so a leading LF ends no further line). */
  private crBefore = false;
  /** Whether any CR was seen: until then lines are counted with indexOf("\n") alone. */
  private crSeen = false;
  /** Position of the first LF at or after lineCursor (buffer length when none); -1 when unknown. */
  private nextNewline = -1;
  /** Positions of the first "]]>" and "&" at or after the last text read (buffer length when none); -1 when unknown. */
  private nextCdataEnd = -1;
  private nextAmpersand = -1;
  /** Characters already checked for declarations and forbidden characters. */
  private scanned = 0;
  /** Characters dropped from the front of the buffer (the XML declaration must stand at 0). */
  private consumed = 0;
  private begun = false;
  private started = false;
  private rootSeen = false;
  private rootClosed = false;
  /** nodes[d]: the open element at depth d (nodes[0] the tree's root); `depth` elements are open. */
  private readonly nodes: PathNode[] = [new PathNode("", undefined, 0)];
  /** marks[d]: length of `bindings` before the element at depth d declared its namespaces. */
  private readonly marks: number[] = [0];
  private depth = 0;
  private pathNodes = 0;
  private readonly bindings: Binding[] = [];
  /** The namespace of unprefixed elements where the reader stands. */
  private defaultUri = "";
  private leafText = "";
  /** The last single plain attribute read, as text and as the map handed on: a repeat (Ccy="EUR") reuses the map. */
  private lastAttributeName = "";
  private lastAttributeValue = "";
  private lastAttributeMap: Readonly<Record<string, string>> | undefined;

  /** Without a sink, events are collected for `take()`. */
  constructor(
    sink?: XmlSink,
    private readonly quick?: QuickReader,
  ) {
    if (sink) {
      this.sink = sink;
    } else {
      this.eventSink = new EventSink();
      this.eventSink.tokenizer = this;
      this.sink = this.eventSink;
    }
  }

  /** Events of complete tokens (only without a sink of the caller's own). */
  take(): XmlEvent[] {
    const sink = this.eventSink;
    if (!sink) return [];
    const events = sink.events;
    sink.events = [];
    return events;
  }

  write(chunk: string): void {
    if (!this.crSeen && chunk.indexOf("\r") >= 0) this.crSeen = true;
    this.rebase();
    if (!this.begun && chunk.length > 0) {
      this.begun = true;
      // A byte order mark the decoder left in place is not part of the document.
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    // Joined, not appended with +=: join copies both into one flat string, where += leaves a cons
    // string (and rebase's slice a sliced one) whose every charCodeAt goes through an indirection.
    this.buffer = this.buffer === "" ? chunk : [this.buffer, chunk].join("");
    this.nextNewline = -1;
    this.nextCdataEnd = -1;
    this.nextAmpersand = -1;
    this.scanAndRead(false);
  }

  /** Reads what is left; throws if the document is incomplete. Returns the number of lines (1 + line breaks). */
  end(): number {
    this.scanAndRead(true);
    const finalLine = this.lineAt(this.buffer.length);
    const rest = this.position;
    if (rest < this.buffer.length) {
      if (this.depth > 0) throw new FormatError("xml_truncated", "Expected the XML document to close all its elements, found the end of the file", finalLine);
      throw this.malformed("an unfinished tag at the end of the file", this.buffer.length);
    }
    if (this.depth > 0) throw new FormatError("xml_truncated", "Expected the XML document to close all its elements, found the end of the file", finalLine);
    if (!this.rootSeen) throw this.malformed("no root element", this.buffer.length);
    return finalLine;
  }

  private rebase(): void {
    if (this.position === 0) return;
    // The cursor may have run ahead into the unfinished token: the new buffer starts at position.
    this.line = this.lineAt(this.position);
    this.crBefore = this.buffer.charCodeAt(this.position - 1) === 13;
    this.buffer = this.buffer.slice(this.position);
    this.lineCursor = 0;
    this.scanned = Math.max(0, this.scanned - this.position);
    this.consumed += this.position;
    this.position = 0;
  }

  /** Finds the first declaration or forbidden character in the new text, reads up to it, then refuses it. */
  private scanAndRead(final: boolean): void {
    const text = this.buffer;
    let stop = text.length;
    let stopError: (() => FormatError) | undefined;
    // Declarations: "<!" then DOCTYPE or ENTITY in any case, anywhere (comments and CDATA too).
    let from = this.scanned;
    let rescanFrom = text.length;
    // Each "!" is found and the "<" before it checked: a search for "<!" itself stops at every "<"
    // (one in every dozen characters of a compact file; ~3 % of the CPU in a profile), "!" is rare.
    for (let bang = text.indexOf("!", from + 1); bang >= 0; bang = text.indexOf("!", bang + 1)) {
      if (text.charCodeAt(bang - 1) !== 60 /* < */) continue;
      const at = bang - 1;
      if (at + 9 > text.length && !final) {
        rescanFrom = at;
        break;
      }
      const word = text.slice(at + 2, at + 9).toUpperCase();
      if (word === "DOCTYPE" || word.startsWith("ENTITY")) {
        stop = at;
        const found = word.startsWith("ENTITY") ? "ENTITY" : "DOCTYPE";
        stopError = () => new FormatError("xml_doctype_forbidden", `Expected XML without DTD declarations, found "<!${found}"`, this.lineAt(at));
        break;
      }
    }
    // Forbidden characters before that point. Unpaired surrogates are let through, as saxes let
    // them through (the decoders never produce them: they write U+FFFD instead).
    FORBIDDEN_CHARACTER.lastIndex = this.scanned;
    const forbidden = FORBIDDEN_CHARACTER.exec(text);
    if (forbidden !== null && forbidden.index < stop) {
      const at = forbidden.index;
      const code = text.charCodeAt(at);
      stop = at;
      stopError = () => this.malformed(`a character XML does not allow (U+${code.toString(16).toUpperCase().padStart(4, "0")})`, at);
    }
    // A "<" ending the text may start a declaration with the next chunk: scanned again then.
    this.scanned = Math.min(rescanFrom, stop, final ? text.length : Math.max(0, text.length - 1));
    this.read(stop, final || stopError !== undefined);
    if (stopError) {
      // Anything cut short by the refused character is judged as if the file ended there.
      if (this.position < stop && stop - this.position > MAX_RUN) this.tooLong(this.position);
      throw stopError();
    }
  }

  /** Reads complete tokens in buffer[position, limit). `atEnd`: nothing follows limit, so text up to it is complete. */
  private read(limit: number, atEnd: boolean): void {
    const s = this.buffer;
    let i = this.position;
    while (i < limit) {
      let lt = s.indexOf("<", i);
      if (lt >= limit) lt = -1;
      if (lt < 0) {
        if (this.depth === 0) this.outsideText(i, limit);
        if (limit - i > MAX_RUN) this.tooLong(i);
        // At the end, text running to it is read: white space after the root is fine, and inside
        // an element the truncation is what gets reported.
        if (atEnd) i = limit;
        break;
      }
      if (lt > i) {
        if (lt - i > MAX_RUN) this.tooLong(i);
        if (this.depth === 0) this.outsideText(i, lt);
        else this.text(i, lt);
      }
      const quick = this.quick;
      if (quick !== undefined && this.depth === quick.quickDepth) {
        const after = quick.quickRead(s, lt, limit, this.nodes[this.depth]!);
        if (after >= 0) {
          // As the tokenizer ends an element: its text handed on, nothing pending for the parent.
          this.elements += quick.quickElements;
          this.leafText = "";
          this.started = true;
          i = after;
          continue;
        }
      }
      const next = this.markup(lt, limit);
      if (next < 0) {
        i = lt;
        if (limit - lt > MAX_RUN) this.tooLong(lt);
        break;
      }
      if (next - lt > MAX_RUN) this.tooLong(lt);
      i = next;
      this.started = true;
    }
    this.position = i;
  }

  /** Reads the markup at `lt`; returns the position after it, or -1 when it does not end before `limit`. */
  private markup(lt: number, limit: number): number {
    const s = this.buffer;
    const c = s.charCodeAt(lt + 1);
    if (lt + 1 >= limit) return -1;
    if (c === 47 /* / */) return this.closeTag(lt, limit);
    if (c === 33 /* ! */) return this.declarationLike(lt, limit);
    if (c === 63 /* ? */) return this.processingInstruction(lt, limit);
    return this.openTag(lt, limit);
  }

  private openTag(lt: number, limit: number): number {
    const s = this.buffer;
    const parent = this.nodes[this.depth]!;
    let j = lt + 1;
    // A name seen before at this place: compared on character codes, no string cut or hashed.
    let node = knownChild(parent, s, j, limit);
    if (node) {
      j += node.qname.length;
    } else {
      if (!isNameStart(s.charCodeAt(j), s, j)) throw this.malformed(`"<" followed by "${s.charAt(j)}" instead of an element name`, j);
      j++;
      while (j < limit && isNameChar(s.charCodeAt(j), s, j)) j++;
    }
    if (j >= limit) return -1;
    const nameStop = j;
    // saxes took the line after the character ending the name; kept so lines stay the same.
    const at = j + 1;
    const depth = this.depth + 1;
    if (depth > MAX_DEPTH) throw new FormatError("xml_too_deep", `Expected XML nested at most ${MAX_DEPTH} elements deep, found deeper nesting`, this.lineAt(at));
    if (this.rootClosed) throw this.malformed("a second root element", j);
    let attributes: Attribute[] | undefined;
    let attributeMap: Readonly<Record<string, string>> = NO_ATTRIBUTES;
    let selfClosing = false;
    let plainAttribute = false;
    let end: number;
    const c0 = s.charCodeAt(j);
    if (c0 === 62 /* > */) {
      end = j + 1;
    } else {
      const repeated = c0 === 32 ? this.repeatedAttribute(j + 1, limit) : -1;
      if (repeated > 0) {
        attributeMap = this.lastAttributeMap!;
        end = repeated;
        j = end - 1;
      } else {
        const qname = node ? node.qname : s.slice(lt + 1, j);
        for (;;) {
          let k = j;
          while (k < limit && isSpace(s.charCodeAt(k))) k++;
          if (k >= limit) return -1;
          const c = s.charCodeAt(k);
          if (c === 62 /* > */) {
            end = k + 1;
            break;
          }
          if (c === 47 /* / */) {
            if (k + 1 >= limit) return -1;
            if (s.charCodeAt(k + 1) !== 62) throw this.malformed(`"/" not followed by ">" in <${qname}>`, k + 1);
            selfClosing = true;
            end = k + 2;
            break;
          }
          if (k === j) throw this.malformed(`no space before an attribute of <${qname}>`, k);
          if (!isNameStart(c, s, k)) throw this.malformed(`a character not allowed in an attribute name of <${qname}>`, k);
          let n = k + 1;
          while (n < limit && isNameChar(s.charCodeAt(n), s, n)) n++;
          const name = s.slice(k, n);
          while (n < limit && isSpace(s.charCodeAt(n))) n++;
          if (n >= limit) return -1;
          if (s.charCodeAt(n) !== 61 /* = */) throw this.malformed(`attribute ${name} of <${qname}> without a value`, n);
          n++;
          while (n < limit && isSpace(s.charCodeAt(n))) n++;
          if (n >= limit) return -1;
          const quote = s.charCodeAt(n);
          if (quote !== 34 && quote !== 39) throw this.malformed(`an unquoted value for attribute ${name} of <${qname}>`, n);
          const close = s.indexOf(quote === 34 ? '"' : "'", n + 1);
          if (close < 0 || close >= limit) return -1;
          const raw = s.slice(n + 1, close);
          const ltInValue = raw.indexOf("<");
          if (ltInValue >= 0) throw this.malformed(`"<" in the value of attribute ${name}`, n + 1 + ltInValue);
          const value = this.decode(normaliseAttribute(raw), n + 1);
          const colon = name.indexOf(":");
          const attribute: Attribute = colon < 0 ? { name, prefix: "", local: name, value } : { name, prefix: name.slice(0, colon), local: name.slice(colon + 1), value };
          if (colon >= 0) this.checkQname(name, colon, n);
          (attributes ??= []).push(attribute);
          j = close + 1;
          // Remembered for the fast path when it is the tag's one plain attribute, read as written.
          plainAttribute = colon < 0 && name !== "xmlns" && quote === 34 && raw === value && attributes.length === 1 && s.charCodeAt(j) === 62 && s.charCodeAt(k - 1) === 32 && k - 1 === nameStop;
        }
      }
    }
    // The tag is complete: from here on nothing returns -1, so state changes are safe.
    const bindingsMark = this.bindings.length;
    if (attributes) this.declareNamespaces(attributes, end);
    if (!node) node = this.intern(parent, s.slice(lt + 1, nameStop));
    let uri: string;
    if (node.colon < 0) {
      uri = this.defaultUri;
    } else {
      const qname = node.qname;
      this.checkQname(qname, node.colon, j);
      if (node.prefix === "xmlns") throw this.malformed(`an element with the prefix "xmlns" (<${qname}>)`, j);
      const resolved = this.resolve(node.prefix);
      if (resolved === undefined) throw this.malformed(`an unbound namespace prefix "${node.prefix}" on <${qname}>`, end - 1);
      uri = resolved;
    }
    if (attributes) {
      attributeMap = this.attributeMap(attributes, end);
      if (plainAttribute && !selfClosing) {
        const only = attributes[0]!;
        this.lastAttributeName = only.name;
        this.lastAttributeValue = only.value;
        this.lastAttributeMap = Object.freeze(attributeMap);
      }
    }
    this.rootSeen = true;
    this.leafText = "";
    this.elements++;
    this.sink.open(node, depth, uri, attributeMap, at);
    if (selfClosing) {
      this.elements++;
      this.sink.close(node, depth, "", end - 1, true);
      this.truncateBindings(bindingsMark);
      if (depth === 1) this.rootClosed = true;
    } else {
      this.depth = depth;
      this.nodes[depth] = node;
      this.marks[depth] = bindingsMark;
    }
    return end;
  }

  /**
   * `Ccy="EUR">` where the last single plain attribute was exactly that: the position after the
   * tag, else -1 (then the general reading decides, refusals included).
   */
  private repeatedAttribute(k: number, limit: number): number {
    const map = this.lastAttributeMap;
    if (map === undefined) return -1;
    const s = this.buffer;
    const name = this.lastAttributeName;
    const value = this.lastAttributeValue;
    const valueAt = k + name.length + 2;
    const endAt = valueAt + value.length;
    if (endAt + 1 >= limit) return -1;
    if (s.charCodeAt(k + name.length) !== 61 || s.charCodeAt(valueAt - 1) !== 34 || s.charCodeAt(endAt) !== 34 || s.charCodeAt(endAt + 1) !== 62) return -1;
    if (!sameText(s, k, name) || !sameText(s, valueAt, value)) return -1;
    return endAt + 2;
  }

  private intern(parent: PathNode, qname: string): PathNode {
    const node = new PathNode(qname, parent, parent.depth + 1);
    if (this.pathNodes < MAX_PATH_NODES) {
      this.pathNodes++;
      (parent.kids ??= []).push(node);
    }
    return node;
  }

  private truncateBindings(mark: number): void {
    // Only when the element declared namespaces: setting length is a runtime call per element.
    if (this.bindings.length === mark) return;
    this.bindings.length = mark;
    this.defaultUri = this.resolve("") ?? "";
  }

  private closeTag(lt: number, limit: number): number {
    const s = this.buffer;
    const depth = this.depth;
    const top = this.nodes[depth]!;
    const qname = top.qname;
    const nameEnd = lt + 2 + qname.length;
    let gt: number;
    if (depth > 0 && nameEnd < limit && s.charCodeAt(nameEnd) === 62 && sameText(s, lt + 2, qname)) {
      gt = nameEnd;
    } else {
      gt = s.indexOf(">", lt + 2);
      if (gt < 0 || gt >= limit) return -1;
      if (depth === 0) throw this.malformed(`a closing tag </${s.slice(lt + 2, gt).trim()}> with no element open`, gt);
      if (!s.startsWith(qname, lt + 2) || (nameEnd !== gt && !onlySpaces(s, nameEnd, gt))) {
        throw this.malformed(`</${s.slice(lt + 2, gt).trim()}> closing <${qname}>`, gt);
      }
    }
    this.depth = depth - 1;
    this.truncateBindings(this.marks[depth]!);
    const text = this.leafText;
    this.leafText = "";
    this.elements++;
    this.sink.close(top, depth, text, gt, false);
    if (depth === 1) this.rootClosed = true;
    return gt + 1;
  }

  /** Comments and CDATA sections (declarations were refused before reading). */
  private declarationLike(lt: number, limit: number): number {
    const s = this.buffer;
    if (limit - lt < 4) return -1;
    if (s.startsWith("<!--", lt)) {
      const end = s.indexOf("-->", lt + 4);
      if (end < 0 || end + 3 > limit) return -1;
      const doubleDash = s.indexOf("--", lt + 4);
      if (doubleDash < end || s.charCodeAt(end - 1) === 45) throw this.malformed('"--" inside a comment', doubleDash < end ? doubleDash : end);
      if (end + 3 - lt > MAX_RUN) this.tooLong(lt);
      return end + 3;
    }
    if (limit - lt < 9) return -1;
    if (s.startsWith("<![CDATA[", lt)) {
      const end = s.indexOf("]]>", lt + 9);
      if (end < 0 || end + 3 > limit) return -1;
      if (end + 3 - lt > MAX_RUN) this.tooLong(lt);
      if (this.depth === 0) throw this.malformed("a CDATA section outside the root element", lt);
      this.appendText(this.crSeen ? normaliseNewlines(s.slice(lt + 9, end)) : s.slice(lt + 9, end));
      return end + 3;
    }
    throw this.malformed(`"${s.slice(lt, lt + 9)}", which is neither a comment nor CDATA`, lt);
  }

  private processingInstruction(lt: number, limit: number): number {
    const s = this.buffer;
    const end = s.indexOf("?>", lt + 2);
    if (end < 0 || end + 2 > limit) return -1;
    if (end + 2 - lt > MAX_RUN) this.tooLong(lt);
    let n = lt + 2;
    if (!isNameStart(s.charCodeAt(n), s, n)) throw this.malformed("a processing instruction without a target", n);
    n++;
    while (n < end && isNameChar(s.charCodeAt(n), s, n)) n++;
    const target = s.slice(lt + 2, n);
    if (n < end && !isSpace(s.charCodeAt(n))) throw this.malformed(`a character not allowed in the processing instruction target "${target}"`, n);
    // With namespaces, a target is a name without a colon (saxes refused one too).
    if (target.indexOf(":") >= 0) throw this.malformed(`a colon in the processing instruction target "${target}"`, n);
    if (target === "xml") {
      if (this.started || this.consumed + lt !== 0) throw this.malformed("an XML declaration that is not at the start of the document", end + 1);
      const declaration = XML_DECLARATION.exec(s.slice(lt, end + 2));
      if (!declaration) throw this.malformed("an XML declaration without a valid version, encoding or standalone", end + 1);
      if (declaration[3] === "1.1") throw this.malformed("XML version 1.1 (only 1.0 is read)", end + 1);
    }
    return end + 2;
  }

  /** Text inside an element: entities decoded, line breaks normalised, "]]>" refused. */
  private text(from: number, to: number): void {
    const s = this.buffer;
    // The next "]]>" and "&" in the buffer are remembered, so text without them (nearly all) is
    // not searched again per element.
    if (this.nextCdataEnd < from) {
      const found = s.indexOf("]]>", from);
      this.nextCdataEnd = found < 0 ? s.length : found;
    }
    if (this.nextCdataEnd + 3 <= to) throw this.malformed('"]]>" in text', this.nextCdataEnd);
    let text = s.slice(from, to);
    if (this.crSeen) text = normaliseNewlines(text);
    if (this.nextAmpersand < from) {
      const found = s.indexOf("&", from);
      this.nextAmpersand = found < 0 ? s.length : found;
    }
    if (this.nextAmpersand < to) text = this.decode(text, from);
    this.appendText(text);
  }

  private appendText(text: string): void {
    this.leafText = this.leafText === "" ? text : this.leafText + text;
  }

  /** Outside the root element only white space may stand. */
  private outsideText(from: number, to: number): void {
    const s = this.buffer;
    for (let k = from; k < to; k++) {
      if (!isSpace(s.charCodeAt(k))) {
        if (!this.rootSeen && !this.started) throw this.malformed(`an XML document starting with "<", found "${s.slice(k, k + 20)}"`, k, true);
        throw this.malformed(`text outside the root element ("${s.slice(k, k + 20)}")`, k);
      }
    }
  }

  /** Decodes the five predefined entities and character references; `at` is where `text` starts in the buffer. */
  private decode(text: string, at: number): string {
    let amp = text.indexOf("&");
    if (amp < 0) return text;
    let out = "";
    let last = 0;
    while (amp >= 0) {
      const semi = text.indexOf(";", amp + 1);
      if (semi < 0) throw this.malformed(`"&" not starting an entity (${JSON.stringify(text.slice(amp, amp + 12))})`, at + amp);
      const name = text.slice(amp + 1, semi);
      let decoded: string | undefined;
      switch (name) {
        case "lt":
          decoded = "<";
          break;
        case "gt":
          decoded = ">";
          break;
        case "amp":
          decoded = "&";
          break;
        case "apos":
          decoded = "'";
          break;
        case "quot":
          decoded = '"';
          break;
        default:
          decoded = characterReference(name);
      }
      if (decoded === undefined) throw this.malformed(`an undefined entity "&${name.slice(0, 20)};"`, at + amp);
      out += text.slice(last, amp) + decoded;
      last = semi + 1;
      amp = text.indexOf("&", last);
    }
    return out + text.slice(last);
  }

  private checkQname(name: string, colon: number, at: number): void {
    if (colon === 0 || colon === name.length - 1 || name.indexOf(":", colon + 1) >= 0) throw this.malformed(`a malformed name "${name}"`, at);
  }

  private declareNamespaces(attributes: readonly Attribute[], at: number): void {
    for (const attribute of attributes) {
      let prefix: string;
      if (attribute.prefix === "xmlns") prefix = attribute.local;
      else if (attribute.name === "xmlns") prefix = "";
      else continue;
      const uri = attribute.value.trim();
      if (prefix !== "" && uri === "") throw this.malformed(`the prefix "${prefix}" undeclared (not allowed in XML 1.0)`, at);
      if (prefix === "xmlns" || uri === XMLNS_NAMESPACE || (prefix === "xml") !== (uri === XML_NAMESPACE)) {
        throw this.malformed(`a reserved namespace prefix or URI bound wrongly (${attribute.name}="${uri}")`, at);
      }
      this.bindings.push({ prefix, uri });
      if (prefix === "") this.defaultUri = uri;
    }
  }

  private resolve(prefix: string): string | undefined {
    for (let k = this.bindings.length - 1; k >= 0; k--) {
      const binding = this.bindings[k]!;
      if (binding.prefix === prefix) return binding.uri;
    }
    if (prefix === "xml") return XML_NAMESPACE;
    if (prefix === "xmlns") return XMLNS_NAMESPACE;
    return prefix === "" ? "" : undefined;
  }

  private attributeMap(attributes: readonly Attribute[], at: number): Record<string, string> {
    const map: Record<string, string> = {};
    const seen = new Set<string>();
    for (const attribute of attributes) {
      let key = attribute.name;
      if (attribute.prefix !== "") {
        const uri = this.resolve(attribute.prefix);
        if (uri === undefined) throw this.malformed(`an unbound namespace prefix "${attribute.prefix}" on attribute ${attribute.name}`, at - 1);
        key = `{${uri}}${attribute.local}`;
      }
      if (seen.has(key)) throw this.malformed(`a duplicate attribute ${attribute.name}`, at - 1);
      seen.add(key);
      map[attribute.local] = attribute.value;
    }
    return map;
  }

  private tooLong(at: number): never {
    throw new FormatError("xml_text_too_long", `Expected XML text and tags shorter than ${MAX_RUN} characters, found a longer run`, this.lineAt(at));
  }

  private malformed(what: string, at: number, start = false): FormatError {
    return new FormatError("xml_malformed", start ? `Expected ${what}` : `Expected well-formed XML, found ${what}`, this.lineAt(at));
  }

  /**
   * The 1-based line of buffer position `at`. A line break is a CR, an LF not after a CR, or
   * CR LF (counted at the CR), as saxes counted them. Counting moves forward from the last
   * position asked for, so each character is looked at about once.
   */
  lineAt(at: number): number {
    const s = this.buffer;
    if (at > s.length) at = s.length;
    if (at < this.lineCursor) return this.line - this.breaks(at, this.lineCursor);
    if (this.crSeen) {
      this.line += this.breaks(this.lineCursor, at);
    } else {
      // The next LF is remembered (s.length when there is none), so the many elements of one long
      // line do not each search on to its end, nor a file without line breaks to the piece's end.
      let next = this.nextNewline;
      if (next < this.lineCursor) {
        next = s.indexOf("\n", this.lineCursor);
        if (next < 0) next = s.length;
      }
      while (next < at) {
        this.line++;
        next = s.indexOf("\n", next + 1);
        if (next < 0) next = s.length;
      }
      this.nextNewline = next;
    }
    this.lineCursor = at;
    return this.line;
  }

  private breaks(from: number, to: number): number {
    const s = this.buffer;
    let count = 0;
    if (!this.crSeen) {
      for (let k = s.indexOf("\n", from); k >= 0 && k < to; k = s.indexOf("\n", k + 1)) count++;
      return count;
    }
    for (let k = from; k < to; k++) {
      const c = s.charCodeAt(k);
      if (c === 13) count++;
      else if (c === 10 && !(k === 0 ? this.crBefore : s.charCodeAt(k - 1) === 13)) count++;
    }
    return count;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

function onlySpaces(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!isSpace(s.charCodeAt(k))) return false;
  return true;
}

function isNameStart(c: number, s: string, at: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
  return NAME_START_OTHER.test(s.charAt(at));
}

function isNameChar(c: number, s: string, at: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 58 || c === 45 || c === 46;
  return NAME_START_OTHER.test(s.charAt(at)) || NAME_OTHER.test(s.charAt(at));
}

/** "&#65;" / "&#x41;" bodies: the character, or undefined when not a character XML 1.0 allows. */
function characterReference(name: string): string | undefined {
  if (name.charCodeAt(0) !== 35 /* # */) return undefined;
  const hex = name.charCodeAt(1) === 120 /* x */;
  const digits = name.slice(hex ? 2 : 1);
  if (digits === "" || !(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits)) return undefined;
  const code = parseInt(digits, hex ? 16 : 10);
  const allowed = code === 9 || code === 10 || code === 13 || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
  return allowed ? String.fromCodePoint(code) : undefined;
}

/** XML end-of-line handling: CR LF and lone CR read as LF. */
function normaliseNewlines(text: string): string {
  return text.indexOf("\r") < 0 ? text : text.replace(/\r\n?/g, "\n");
}

/** Attribute-value normalisation for literal white space: tab, LF, CR LF and CR each read as one space. */
function normaliseAttribute(raw: string): string {
  return /[\t\n\r]/.test(raw) ? raw.replace(/\r\n|[\t\n\r]/g, " ") : raw;
}

/** Whether s has `text` at `at` (the caller made sure it fits), on character codes. */
function sameText(s: string, at: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (s.charCodeAt(at + k) !== text.charCodeAt(k)) return false;
  return true;
}

/** A child of `parent` named at `at`, when its name there is complete (the next character cannot continue a name). */
function knownChild(parent: PathNode, s: string, at: number, limit: number): PathNode | undefined {
  const kids = parent.kids;
  if (kids === undefined) return undefined;
  const first = s.charCodeAt(at);
  for (let i = 0; i < kids.length; i++) {
    const kid = kids[i]!;
    const q = kid.qname;
    const end = at + q.length;
    if (end >= limit || q.charCodeAt(0) !== first || !sameText(s, at, q)) continue;
    if (!isNameChar(s.charCodeAt(end), s, end)) return kid;
  }
  return undefined;
}
