/**
 * Joins each record with its 88 continuations, streaming: a record is handed on only when the next
 * record that is not an 88 (or the end of input) shows it is complete. Synchronous, so the parser
 * pays for one async step per decoded chunk rather than per record.
 */
import { FormatError } from "../types";
import { continueLogical, isTextField, startLogical, type LogicalRecord } from "./continuation";
import { MAX_RECORD_CHARS, RecordScanner, type PhysicalRecord, type UnrecognizedText } from "./scanner";

export type LogicalItem =
  | { kind: "logical"; record: LogicalRecord }
  | UnrecognizedText
  | { kind: "orphan_continuation"; record: PhysicalRecord };

export class LogicalAssembler {
  private pending: LogicalRecord | undefined;
  private pendingChars = 0;
  /** Unrecognized text found while a record was pending; handed on right after that record. */
  private held: UnrecognizedText | undefined;
  private readonly scanner = new RecordScanner((code, fieldsSoFar) => isTextField(this.pending, code, fieldsSoFar));

  /** Physical lines read so far. */
  get lines(): number {
    return this.scanner.lines;
  }

  push(text: string): void {
    this.scanner.push(text);
  }

  end(): void {
    this.scanner.end();
  }

  /**
   * The next complete item, or undefined when more input is needed (or, after `end`, when all is
   * read). Items must be consumed one at a time: reading the next record depends on the last one.
   */
  next(): LogicalItem | undefined {
    if (this.held) {
      const held = this.held;
      this.held = undefined;
      return held;
    }
    for (;;) {
      const item = this.scanner.next();
      if (item === "more") return undefined;
      if (item === "done") return this.takePending();
      if (item.kind === "record" && item.code === "88") {
        if (!this.pending) return { kind: "orphan_continuation", record: item };
        this.pendingChars += item.raw.length;
        if (this.pendingChars > MAX_RECORD_CHARS) {
          throw new FormatError("record_too_long", `Expected a record with its 88 continuations to stay within ${MAX_RECORD_CHARS} characters, found more`, this.pending.line);
        }
        continueLogical(this.pending, item);
        continue;
      }
      const previous = this.takePending();
      if (item.kind === "unrecognized") {
        if (!previous) return item;
        this.held = item;
        return previous;
      }
      if (item.code !== "88") {
        // The record itself, not a spread copy per record: the scanner hands each one over only once.
        this.pending = startLogical(item as PhysicalRecord & { code: Exclude<PhysicalRecord["code"], "88"> });
        this.pendingChars = item.raw.length;
      }
      if (previous) return previous;
    }
  }

  private takePending(): LogicalItem | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending ? { kind: "logical", record: pending } : undefined;
  }
}

/** The assembler as an async generator, for tests and tools that want items from a text stream. */
export async function* readLogicalRecords(text: AsyncIterable<string>): AsyncGenerator<LogicalItem, void, undefined> {
  const assembler = new LogicalAssembler();
  for await (const chunk of text) {
    assembler.push(chunk);
    for (let item = assembler.next(); item; item = assembler.next()) yield item;
  }
  assembler.end();
  for (let item = assembler.next(); item; item = assembler.next()) yield item;
}
