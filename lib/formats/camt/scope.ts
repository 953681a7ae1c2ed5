/**
 * A captured XML subtree (a statement header, a balance, an entry, a transaction detail): leaf
 * texts keyed by their path below the subtree's root ("RltdPties/Dbtr/Nm", "Amt@Ccy") plus a
 * compact re-serialisation used as the record's raw text. Bounded, so a hostile entry cannot
 * grow memory without limit.
 */
import { FormatError } from "../types";
import type { PathNode } from "./path-node";

/**
 * An entry is buffered whole (its details must add up, and AddtlNtryInf follows them), so this
 * bounds memory per entry: a single-payment entry is a few kilobytes, a payroll batch of
 * ten thousand details a few megabytes.
 */
export const MAX_SCOPE_CHARS = 16_000_000;

/**
 * The raw text of a captured subtree, re-serialised element by element, and the size bound that
 * counts it. Shared by Scope and EntryFields (lib/formats/camt/entry-fields.ts), which differ only
 * in how they keep the leaf values.
 */
export abstract class SubtreeText {
  raw = "";
  /** Where each <TxDtls> starts in `raw` (entries only), so a detail's raw can be cut out. */
  readonly detailOffsets: number[] = [];
  protected chars = 0;
  /** Line where the subtree's root element starts. */
  abstract readonly line: number;
  /** What the subtree is, for the size-bound message ("an entry"). */
  protected abstract readonly what: string;

  writeOpen(name: string, attributes: Readonly<Record<string, string>>): void {
    // A loop, not entries/map/join: this runs for every element of every entry.
    let attrs = "";
    for (const key in attributes) attrs += ` ${key}="${escapeXml(attributes[key]!)}"`;
    this.append("<" + name + attrs + ">");
  }

  /** `trimmed`: the element's text already trimmed. */
  writeText(trimmed: string): void {
    if (trimmed !== "") this.append(escapeXml(trimmed));
  }

  /** `at`: where the <TxDtls> starts in `raw` (the quick reader, which sets `raw` at the end, says where). */
  markDetail(at = this.raw.length): void {
    this.detailOffsets.push(at);
  }

  append(text: string): void {
    this.grow(text.length);
    this.raw += text;
  }

  /**
   * Whether `by` more characters stay within the bound. The quick entry reader asks before each
   * addition and leaves a subtree that would not fit to the general path, which fails on it exactly.
   */
  fits(by: number): boolean {
    return this.chars + by <= MAX_SCOPE_CHARS;
  }

  /** Counts `by` more characters (raw text, or a leaf's path and value) against the bound. */
  protected grow(by: number): void {
    this.chars += by;
    if (this.chars > MAX_SCOPE_CHARS) {
      throw new FormatError("camt_element_too_large", `Expected ${this.what} to be under ${MAX_SCOPE_CHARS} characters, found a larger one`, this.line);
    }
  }
}

export class Scope extends SubtreeText {
  private readonly values = new Map<string, string[]>();

  constructor(
    /** Depth of the subtree's root element (the document element is 1). */
    readonly depth: number,
    readonly line: number,
    protected readonly what: string,
  ) {
    super();
  }

  /** The leaf `node` below this subtree with its trimmed, non-empty text (or its Ccy attribute). */
  leaf(node: PathNode, suffix: "" | "@Ccy", value: string): void {
    this.add(node.relative(this.depth, suffix), value);
  }

  add(path: string, value: string): void {
    this.grow(path.length + value.length);
    const list = this.values.get(path);
    if (list) list.push(value);
    else this.values.set(path, [value]);
  }

  /** The first value found among the paths, in the order given. */
  first(...paths: string[]): string | undefined {
    for (const path of paths) {
      const value = this.values.get(path)?.[0];
      if (value !== undefined) return value;
    }
    return undefined;
  }

  all(path: string): readonly string[] {
    return this.values.get(path) ?? [];
  }
}

const NEEDS_ESCAPE = /[&<>"]/;

export function escapeXml(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
