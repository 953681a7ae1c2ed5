/**
 * Turns OFX tokens into element events, resolving SGML's unclosed leaf tags: an element followed by
 * text is a leaf whose value ends at the next tag; an element followed by another tag is an aggregate
 * that ends at its close tag (closing any unclosed elements inside it). XML v2 is the special case
 * where every element is closed. Keeps only the stack of open aggregates, bounded by MAX_DEPTH.
 */
import { FormatError } from "../types";
import { MAX_TOKEN_CHARS, type OfxToken } from "./tokenizer";

export type OfxNode =
  | { kind: "start"; name: string; line: number; raw: string }
  | { kind: "end"; name: string; line: number; raw: string }
  | { kind: "leaf"; name: string; value: string; line: number; raw: string }
  /** Non-blank text outside any leaf: the SGML header before <OFX>, or junk. */
  | { kind: "text"; text: string; line: number }
  | { kind: "unmatched_close"; name: string; line: number }
  | { kind: "instruction"; body: string; line: number };

export const MAX_DEPTH = 48;

/** Aggregates by the OFX spec: never leaves, even when text (junk) follows their open tag. */
const AGGREGATES = new Set([
  "OFX", "SIGNONMSGSRSV1", "SONRS", "STATUS", "FI", "BANKMSGSRSV1", "STMTTRNRS", "STMTRS", "CREDITCARDMSGSRSV1",
  "CCSTMTTRNRS", "CCSTMTRS", "BANKACCTFROM", "CCACCTFROM", "BANKACCTTO", "CCACCTTO", "BANKTRANLIST", "STMTTRN",
  "PAYEE", "LEDGERBAL", "AVAILBAL", "CURRENCY", "ORIGCURRENCY", "BALLIST", "BAL", "STMTENDRS", "STMTENDTRNRS",
]);

interface PendingElement {
  name: string;
  line: number;
  raw: string;
  value: string;
  hasContent: boolean;
}

export class OfxTreeBuilder {
  private readonly stack: { name: string; line: number }[] = [];
  private pending: PendingElement | null = null;
  /** Leaves built here written with and without close tags (the tokenizer counts those it hands whole): tells XML, SGML and hybrid files apart in meta. */
  closedLeaves = 0;
  unclosedLeaves = 0;

  get depth(): number {
    return this.stack.length;
  }

  /** Whether the tokenizer may hand `<name>value` as one leaf (see OfxLeafSink): nothing pending, not an aggregate. */
  acceptsLeaf(name: string): boolean {
    return this.pending === null && !AGGREGATES.has(name);
  }

  /**
   * Whether the tokenizer may hand the plain tag `<name>` / `</name>` without a token (see OfxLeafSink):
   * nothing pending and, opening, an aggregate within MAX_DEPTH; closing, the innermost open element.
   * Anything else (a leaf to settle, an unmatched or outer close, too deep) takes push.
   */
  acceptsTag(name: string, closing: boolean): boolean {
    if (this.pending !== null) return false;
    if (closing) return this.stack.length > 0 && this.stack[this.stack.length - 1]!.name === name;
    return this.stack.length < MAX_DEPTH && AGGREGATES.has(name);
  }

  /** Opens the aggregate or closes the innermost element for a tag acceptsTag accepted, as push would have. */
  tag(name: string, closing: boolean, line: number): void {
    if (closing) this.stack.pop();
    else this.stack.push({ name, line });
  }

  /** Whether blank text between tags would be dropped: nothing pending. */
  acceptsBlank(): boolean {
    return this.pending === null;
  }

  push(token: OfxToken, emit: (node: OfxNode) => void): void {
    switch (token.kind) {
      case "open":
        this.settlePending(emit);
        if (token.selfClosing) {
          emit({ kind: "leaf", name: token.name, value: "", line: token.line, raw: token.raw });
        } else if (AGGREGATES.has(token.name)) {
          emit(this.open(token.name, token.line, token.raw));
        } else {
          this.pending = { name: token.name, line: token.line, raw: token.raw, value: "", hasContent: false };
        }
        return;
      case "text":
        if (this.pending) {
          if (this.pending.raw.length + token.raw.length > MAX_TOKEN_CHARS) {
            throw new FormatError("ofx_token_too_long", `Expected the value of <${this.pending.name}> to be shorter than ${MAX_TOKEN_CHARS} characters`, this.pending.line);
          }
          this.pending.value += token.text;
          this.pending.raw += token.raw;
          if (token.cdata || token.text.trim() !== "") this.pending.hasContent = true;
        } else if (token.cdata || token.text.trim() !== "") {
          emit({ kind: "text", text: token.text, line: token.line });
        }
        return;
      case "close":
        if (this.pending && this.pending.name === token.name) {
          const leaf = this.pending;
          this.pending = null;
          this.closedLeaves++;
          emit({ kind: "leaf", name: leaf.name, value: leaf.value.trim(), line: leaf.line, raw: (leaf.raw + token.raw).trim() });
          return;
        }
        this.settlePending(emit, true);
        this.close(token.name, token.line, token.raw, emit);
        return;
      case "instruction":
        this.settlePending(emit);
        emit({ kind: "instruction", body: token.body, line: token.line });
        return;
    }
  }

  /** Flushes what is left at the end of the input; an aggregate still open means the file was cut short. */
  end(line: number, emit: (node: OfxNode) => void): void {
    this.settlePending(emit, true);
    const open = this.stack[this.stack.length - 1];
    if (open) {
      throw new FormatError(
        "ofx_truncated",
        `Expected </${open.name}> to close the element opened on line ${open.line}, found the end of the file`,
        line,
      );
    }
  }

  /** An element with content is a leaf; one directly followed by a tag is an aggregate (or, before a close tag, an empty leaf). */
  private settlePending(emit: (node: OfxNode) => void, beforeClose = false): void {
    const element = this.pending;
    if (!element) return;
    this.pending = null;
    if (element.hasContent || beforeClose) {
      this.unclosedLeaves++;
      emit({ kind: "leaf", name: element.name, value: element.value.trim(), line: element.line, raw: element.raw.trim() });
    } else {
      emit(this.open(element.name, element.line, element.raw));
    }
  }

  private open(name: string, line: number, raw: string): OfxNode {
    if (this.stack.length >= MAX_DEPTH) {
      throw new FormatError("ofx_too_deep", `Expected elements nested at most ${MAX_DEPTH} deep, found <${name}> deeper`, line);
    }
    this.stack.push({ name, line });
    return { kind: "start", name, line, raw };
  }

  private close(name: string, line: number, raw: string, emit: (node: OfxNode) => void): void {
    let index = this.stack.length - 1;
    while (index >= 0 && this.stack[index]?.name !== name) index--;
    if (index < 0) {
      emit({ kind: "unmatched_close", name, line });
      return;
    }
    while (this.stack.length > index + 1) {
      const inner = this.stack.pop();
      if (inner) emit({ kind: "end", name: inner.name, line, raw: "" });
    }
    this.stack.pop();
    emit({ kind: "end", name, line, raw });
  }
}
