/**
 * Joins each record with its 88 continuations, streaming: a record is handed on only when the next
 * record that is not an 88 (or the end of input) shows it is complete. Synchronous, so the parser
 * pays for one async step per decoded chunk rather than per record.
 */
import { FormatError } from "../types";
import { continueLogical, isTextField, startLogical, type LogicalRecord } from "./continuation";
import { ScannedDetail } from "./scannedDetail";
import { MAX_RECORD_CHARS, RecordScanner, type PhysicalRecord, type RecordCode, type UnrecognizedText } from "./scanner";

export type LogicalItem =
  | { kind: "logical"; record: LogicalRecord }
  | ScannedDetail
  | UnrecognizedText
  | { kind: "orphan_continuation"; record: PhysicalRecord };

export class LogicalAssembler {
  private pending: LogicalRecord | ScannedDetail | undefined;
  private pendingChars = 0;
  /** Unrecognized text found while a record was pending; handed on right after that record. */
  private held: UnrecognizedText | undefined;
  private readonly scanner: RecordScanner;

  /** With `quickDetails`, 16 records of the usual shape come as ScannedDetails instead of logical records. */
  constructor(quickDetails = false) {
    this.scanner = new RecordScanner((code, fieldsSoFar) => this.isTextField(code, fieldsSoFar), quickDetails);
  }

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
      // The usual record first, told by its class (one map check rather than a string and a
      // load of `kind` from several shapes): it completes the one pending, which is handed on.
      if (item instanceof ScannedDetail) {
        const previous = this.pending;
        this.pending = item;
        this.pendingChars = item.raw.length;
        if (previous === undefined) continue;
        return previous instanceof ScannedDetail ? previous : { kind: "logical", record: previous };
      }
      if (item === "more") return undefined;
      if (item === "done") return this.takePending();
      if (item.kind === "record" && item.code === "88") {
        if (!this.pending) return { kind: "orphan_continuation", record: item };
        this.pendingChars += item.raw.length;
        if (this.pendingChars > MAX_RECORD_CHARS) {
          throw new FormatError("record_too_long", `Expected a record with its 88 continuations to stay within ${MAX_RECORD_CHARS} characters, found more`, this.pending.line);
        }
        // A ScannedDetail still pending has its text begun, so this 88 was read as one text field.
        if (this.pending instanceof ScannedDetail) this.pending.continueText(item.fields[0] ?? "", item.raw);
        else continueLogical(this.pending, item);
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
    if (pending instanceof ScannedDetail) return pending;
    return pending ? { kind: "logical", record: pending } : undefined;
  }

  private isTextField(code: RecordCode, fieldsSoFar: readonly string[]): boolean {
    let pending = this.pending;
    if (pending instanceof ScannedDetail) {
      // Only an 88 looks at the record it continues. Once the 16's text has begun (field 5: its
      // funds type brings no extra fields) an 88 is text from its first field on; otherwise the 88
      // carries on the 16's fields, which the general reading handles.
      if (code !== "88") return isTextField(undefined, code, fieldsSoFar);
      if (pending.text !== undefined) return true;
      pending = this.pending = pending.toLogical();
    }
    return isTextField(pending, code, fieldsSoFar);
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
