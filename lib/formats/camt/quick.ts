/**
 * The usual camt entry read straight from its source. Most files write each <Ntry> compactly:
 * tags with no white space, prefixes, comments, CDATA, processing instructions or self-closing
 * tags, at most one `Ccy="..."` attribute, and text only inside leaves, escaped as the raw text
 * re-serialises it. Such an entry's source is its raw text, and its elements were all seen before
 * (the path nodes the tokenizer interned for earlier entries), so it is read here in one pass over
 * the source: no per-element tokenizer and builder work, no raw text appended tag by tag.
 *
 * Anything else makes the reader give up (-1) and the tokenizer and builder read the entry from
 * its start, as they read every entry before: they stay the arbiter, and the differential tests
 * compare both. The reader only fills the builder's reused EntryFields, which the general path
 * resets at the same <Ntry>, so giving up leaves nothing behind.
 */
import { EntryFields } from "./entry-fields";
import type { PathNode, TagRun } from "./path-node";

export const ENTRY_OPEN = "<Ntry>";
export const ENTRY_CLOSE = "</Ntry>";

/**
 * Reads the entry in s[lt, stop): `<Ntry>` at lt, stop just after the first `</Ntry>` after it.
 * `ntry` is its path node, `depth` its depth. Fills `entry` and appends its details (from `pool`)
 * to `details` as the builder would; returns the number of elements read, or -1 when the entry is
 * not in the usual form, names an element not seen at its place before, or would cross the size
 * bound (the general path then raises that error at the same element).
 */
export function readCanonicalEntry(
  s: string,
  lt: number,
  stop: number,
  ntry: PathNode,
  depth: number,
  entry: EntryFields,
  details: EntryFields[],
  pool: EntryFields[],
  lines: { lineAt(at: number): number },
): number {
  // The line the tokenizer gives an element: that of the character after the one ending its name.
  entry.reset(depth, lines.lineAt(lt + ENTRY_OPEN.length), "an entry");
  let node = ntry;
  // The depth of `node`: path nodes know their depth.
  let level = depth;
  let detail: EntryFields | undefined;
  let elements = 1;
  let p = lt + ENTRY_OPEN.length;
  for (;;) {
    // At a "<" below `node`: the tags up to the next text, Ccy value or the entry's end, compared
    // whole when the same tags were read from this element before.
    let ccy = false;
    const run = knownRun(node, s, p, stop);
    if (run !== undefined) {
      // The run's effects on the builder's state, as when it was read tag by tag (see TagRun).
      if (run.detailAt >= 0) {
        entry.markDetail(p + run.detailAt - lt);
        detail = (pool[details.length] ??= new EntryFields()).reset(run.detailDepth, lines.lineAt(p + run.detailLineAt), "a transaction detail");
      } else if (run.closesDetail) {
        details.push(detail!);
        detail = undefined;
      }
      p += run.tags.length;
      elements += run.opens;
      if (run.ends) return finish(s, lt, p, stop, entry, elements);
      node = run.to;
      level = node.depth;
      ccy = run.ccy;
    } else {
      // Tag by tag, noting the run unless it starts or ends more than one detail.
      const from = node;
      const runStart = p;
      const tags: string[] = [];
      let opens = 0;
      let detailEvents = 0;
      let detailAt = -1;
      let detailLineAt = 0;
      let closesDetail = false;
      let ends = false;
      while (s.charCodeAt(p) === 60 /* < */) {
        if (p >= stop) return -1;
        if (s.charCodeAt(p + 1) === 47 /* / */) {
          // The close of an element with children, of an empty one, or of a leaf after its text.
          const tag = node.closeTag;
          if (s.slice(p, p + tag.length) !== tag) return -1;
          p += tag.length;
          tags.push(tag);
          if (level === depth) {
            ends = true;
            break;
          }
          if (detail !== undefined && level === detail.depth) {
            details.push(detail);
            detail = undefined;
            closesDetail = true;
            detailEvents++;
          }
          node = node.parent!;
          level--;
          continue;
        }
        const tagStart = p;
        const kid = childAt(node, s, p + 1);
        if (kid === undefined) return -1;
        const nameEnd = p + 1 + kid.qname.length;
        elements++;
        opens++;
        // No depth check: the tokenizer refuses an element deeper than MAX_DEPTH before it interns
        // it, so no path node (and no child found here) lies deeper.
        level++;
        if (detail === undefined && isDetail(kid)) {
          entry.markDetail(tagStart - lt);
          detail = (pool[details.length] ??= new EntryFields()).reset(level, lines.lineAt(nameEnd + 1), "a transaction detail");
          detailAt = tagStart - runStart;
          detailLineAt = nameEnd + 1 - runStart;
          detailEvents++;
        }
        node = kid;
        if (s.charCodeAt(nameEnd) === 62 /* > */) {
          p = nameEnd + 1;
          tags.push(kid.openTag);
          continue;
        }
        if (!s.startsWith(CCY, nameEnd)) return -1;
        p = nameEnd + CCY.length;
        tags.push("<" + kid.qname + CCY);
        ccy = true;
        break;
      }
      if (detailEvents <= 1) {
        const detailDepth = detailAt >= 0 ? detail!.depth : 0;
        remember(from, { tags: tags.join(""), to: node, opens, ccy, detailAt, detailLineAt, detailDepth, closesDetail, ends });
      }
      if (ends) return finish(s, lt, p, stop, entry, elements);
    }
    if (ccy) {
      const quote = s.indexOf('"', p);
      if (quote < 0 || quote >= stop || s.charCodeAt(quote + 1) !== 62 || !plainAttribute(s, p, quote)) return -1;
      const value = s.slice(p, quote);
      p = quote + 2;
      const scope = detail ?? entry;
      if (level > scope.depth) {
        if (!scope.fitsLeaf(node, "@Ccy", value)) return -1;
        scope.leaf(node, "@Ccy", value);
      }
    }
    if (s.charCodeAt(p) === 60 /* < */) continue;
    // A leaf's text; its close tag, which must follow, starts the next run.
    const end = s.indexOf("<", p);
    if (end >= stop || s.charCodeAt(end + 1) !== 47 /* / */) return -1;
    const text = leafText(s, p, end);
    if (text === undefined) return -1;
    const scope = detail ?? entry;
    if (level > scope.depth) {
      if (!scope.fitsLeaf(node, "", text)) return -1;
      scope.leaf(node, "", text);
    }
    p = end;
  }
}

/** The entry's close read, ending at p: it must be the one at `stop`, and the raw text must fit the size bound. */
function finish(s: string, lt: number, p: number, stop: number, entry: EntryFields, elements: number): number {
  if (p !== stop || !entry.fits(stop - lt)) return -1;
  // Canonical, so the re-serialisation the general path appends tag by tag is the source.
  entry.append(s.slice(lt, stop));
  return elements;
}

/** Whether the element starts a transaction detail (the builder's test, less its state). */
function isDetail(node: PathNode): boolean {
  return node.local === "TxDtls" && node.parent!.local === "NtryDtls";
}

/** A bound on the runs kept per element: entries of a few shapes need one or two. */
const MAX_RUNS = 4;

/**
 * The run of tags known from `node` that stands at `p`. Here and below, tags are compared as a
 * slice with ===, not with startsWith, which V8 runs character by character (twice as slow for
 * these lengths in a micro-benchmark; the profile's hottest line).
 */
function knownRun(node: PathNode, s: string, p: number, stop: number): TagRun | undefined {
  const runs = node.runs;
  if (runs === undefined) return undefined;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!;
    const tags = run.tags;
    if (p + tags.length <= stop && s.slice(p, p + tags.length) === tags) return run;
  }
  return undefined;
}

function remember(node: PathNode, run: TagRun): void {
  const runs = (node.runs ??= []);
  if (runs.length < MAX_RUNS) runs.push(run);
}

const CCY = ' Ccy="';

/**
 * The child of `node` whose name stands at `at` followed by ">" or " " (an unprefixed name seen
 * there before), else undefined: a new name is left to the tokenizer, which checks and interns it.
 */
function childAt(node: PathNode, s: string, at: number): PathNode | undefined {
  const kids = node.kids;
  if (kids === undefined) return undefined;
  const first = s.charCodeAt(at);
  for (let i = 0; i < kids.length; i++) {
    const kid = kids[i]!;
    const name = kid.qname;
    if (name.charCodeAt(0) !== first || kid.colon >= 0 || s.slice(at, at + name.length) !== name) continue;
    const next = s.charCodeAt(at + name.length);
    if (next === 62 /* > */ || next === 32 /* space */) return kid;
  }
  return undefined;
}

/** An attribute value the raw text writes back unchanged: no entity, "<", ">" or white space the tokenizer would normalise. */
function plainAttribute(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c === 38 || c === 60 || c === 62 || c === 9 || c === 10 || c === 13) return false;
  }
  return true;
}

/**
 * The leaf's text in s[from, to) as the tokenizer decodes and the builder trims it, when the raw
 * text writes it back as it stands; else undefined. So: not blank at either end (trim would cut
 * it), no ">", '"' or CR (written back as &gt;, &quot;, LF) and no entity but &amp; &lt; &gt; &quot;.
 */
function leafText(s: string, from: number, to: number): string | undefined {
  if (!solid(s.charCodeAt(from)) || !solid(s.charCodeAt(to - 1))) return undefined;
  let entities = false;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c === 62 || c === 34 || c === 13) return undefined;
    if (c === 38) entities = true;
  }
  const text = s.slice(from, to);
  return entities ? decodeEscapes(text) : text;
}

/** Whether a text may start or end with this character and be left as it is by String.prototype.trim. */
function solid(c: number): boolean {
  if (c > 32 && c < 127) return true;
  return c >= 127 && !WHITE_SPACE.test(String.fromCharCode(c));
}

/** What String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator): the same set as \s. */
const WHITE_SPACE = /\s/;

/** The four entities escapeXml writes, decoded; undefined for any other "&". */
function decodeEscapes(text: string): string | undefined {
  let out = "";
  let last = 0;
  for (let amp = text.indexOf("&"); amp >= 0; amp = text.indexOf("&", last)) {
    const semi = text.indexOf(";", amp + 1);
    if (semi < 0) return undefined;
    let decoded: string;
    switch (text.slice(amp + 1, semi)) {
      case "amp":
        decoded = "&";
        break;
      case "lt":
        decoded = "<";
        break;
      case "gt":
        decoded = ">";
        break;
      case "quot":
        decoded = '"';
        break;
      default:
        return undefined;
    }
    out += text.slice(last, amp) + decoded;
    last = semi + 1;
  }
  return out + text.slice(last);
}
