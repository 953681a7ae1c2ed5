/**
 * The raw text of an entry (what transactions carry as `raw`): the entry re-serialised element by
 * element — `<Name attr="v">`, the trimmed text escaped, `</Name>`, nothing between tags (see
 * SubtreeText). Most files already write their entries that way (no white space between tags, no
 * prefixes, comments, CDATA or entities that would read back differently), and then the raw text is
 * the entry's source text: it is cut from the source once at the end instead of being built from
 * ~60 appends and escape tests. Each tag is checked as it is read; from the first one whose source
 * differs from its re-serialisation on, the rest of the entry is re-serialised as before, after the
 * source read so far (which equals its re-serialisation up to there).
 *
 * The size bound counts the same characters at the same elements either way: while the source is
 * used, each element grows the count by the source it adds, which is what its re-serialisation adds.
 */
import type { PathNode } from "./path-node";
import { escapeXml, type SubtreeText } from "./scope";
import { NO_ATTRIBUTES, sameText } from "./tokenizer";

/** What the entry raw needs from the tokenizer (XmlTokenizer): the source and where the current tag stands in it. */
export interface TagSource {
  readonly source: string;
  readonly base: number;
  readonly tagStart: number;
  readonly tagEnd: number;
  readonly carriageReturns: boolean;
}

export class EntryRaw {
  private entry: SubtreeText | undefined;
  /** Whether the entry's re-serialisation so far is its source text, from `start` to `done`. */
  private sourced = false;
  /** Positions in the whole text (TagSource base + a position in its source). */
  private start = 0;
  private done = 0;
  /** The entry's source from `start` to `savedTo` that the tokenizer has dropped since. */
  private saved = "";
  private savedTo = 0;
  /** The last attribute map seen on a tag and its re-serialisation (` Ccy="EUR"`): tags share repeated maps. */
  private attributes: Readonly<Record<string, string>> | undefined;
  private attributesText = "";

  constructor(private readonly tags: TagSource) {}

  /** At the entry's open tag (the current tag), before `open` is called for it. */
  begin(entry: SubtreeText): void {
    const at = this.tags.base + this.tags.tagStart;
    this.entry = entry;
    this.sourced = true;
    this.start = at;
    this.done = at;
    this.saved = "";
    this.savedTo = at;
  }

  /** The current tag opens `node` inside the entry. */
  open(node: PathNode, attributes: Readonly<Record<string, string>>): void {
    const entry = this.entry!;
    if (this.sourced) {
      const tags = this.tags;
      const base = tags.base;
      // Nothing between the last tag and this one, and the tag written as it is re-serialised.
      if (base + tags.tagStart === this.done && node.colon < 0 && this.openAsWritten(node, attributes)) {
        this.advance(entry, base + tags.tagEnd);
        return;
      }
      this.stopSourcing(entry);
    }
    if (attributes === NO_ATTRIBUTES) entry.append(node.openTag);
    else entry.writeOpen(node.local, attributes);
  }

  /** The current tag closes `node` inside the entry; `trimmed` is its text, trimmed. */
  close(node: PathNode, trimmed: string): void {
    const entry = this.entry!;
    if (this.sourced) {
      const tags = this.tags;
      const base = tags.base;
      // `</Name>` exactly (a prefix or white space would make it longer) after the text as re-serialised.
      if (tags.tagEnd - tags.tagStart === node.closeTag.length && this.textAsWritten(this.done, base + tags.tagStart, trimmed)) {
        this.advance(entry, base + tags.tagEnd);
        return;
      }
      this.stopSourcing(entry);
    }
    entry.writeText(trimmed);
    entry.append(node.closeTag);
  }

  /** Where the next <TxDtls> starts in the raw text (the current tag opens it). */
  markDetail(): void {
    const entry = this.entry!;
    entry.detailOffsets.push(this.sourced ? this.done - this.start : entry.raw.length);
  }

  /** After the entry's close tag: its raw text is complete. */
  finish(): void {
    const entry = this.entry!;
    if (this.sourced) entry.raw = this.text(this.start, this.done);
    this.sourced = false;
    this.saved = "";
    this.entry = undefined;
  }

  /** The tokenizer is about to drop source[0, dropped): what the open entry still needs of it is kept. */
  beforeDrop(dropped: number): void {
    if (!this.sourced) return;
    const base = this.tags.base;
    this.saved += this.tags.source.slice(this.savedTo - base, dropped);
    this.savedTo = base + dropped;
  }

  private advance(entry: SubtreeText, to: number): void {
    entry.grow(to - this.done);
    this.done = to;
  }

  /** From here on the entry is re-serialised, after its source so far (counted already). */
  private stopSourcing(entry: SubtreeText): void {
    entry.raw = this.text(this.start, this.done);
    this.sourced = false;
    this.saved = "";
  }

  private openAsWritten(node: PathNode, attributes: Readonly<Record<string, string>>): boolean {
    const tags = this.tags;
    const length = tags.tagEnd - tags.tagStart;
    // `<Name>`: the tokenizer read the name right after "<", so only the length is left to check.
    if (attributes === NO_ATTRIBUTES) return length === node.openTag.length;
    if (attributes !== this.attributes) {
      let text = "";
      for (const key in attributes) text += ` ${key}="${escapeXml(attributes[key]!)}"`;
      this.attributes = attributes;
      this.attributesText = text;
    }
    const text = this.attributesText;
    // The length first, so the text compared fits in the source.
    return length === node.openTag.length + text.length && sameText(tags.source, tags.tagStart + 1 + node.local.length, text);
  }

  /**
   * Whether the source from `from` to `to` is `trimmed` escaped. The source is never shorter than
   * the text read from it (entities, CDATA, comments, CR LF and trimming only shrink it), so equal
   * lengths without any CR mean the text is the source as written: then only ">" and '"' would be
   * escaped.
   */
  private textAsWritten(from: number, to: number, trimmed: string): boolean {
    if (trimmed === "") return from === to;
    if (to - from === trimmed.length && !this.tags.carriageReturns) return trimmed.indexOf(">") < 0 && trimmed.indexOf('"') < 0;
    return escapeXml(trimmed) === this.text(from, to);
  }

  /** The source between two positions of the whole text, from what was saved and what the tokenizer holds. */
  private text(from: number, to: number): string {
    const tags = this.tags;
    const base = tags.base;
    if (from >= this.savedTo) return tags.source.slice(from - base, to - base);
    const head = this.saved.slice(from - this.start, Math.min(to, this.savedTo) - this.start);
    return to > this.savedTo ? head + tags.source.slice(this.savedTo - base, to - base) : head;
  }
}
