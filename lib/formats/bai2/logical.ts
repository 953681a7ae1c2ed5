/**
 * Joins each record with its 88 continuations, streaming: a record is handed on only when the next
 * record that is not an 88 (or the end of input) shows it is complete.
 */
import { FormatError } from "../types";
import { continueLogical, isTextField, startLogical, type LogicalRecord } from "./continuation";
import { MAX_RECORD_CHARS, RecordScanner, type PhysicalRecord, type UnrecognizedText } from "./scanner";

export type LogicalItem =
  | { kind: "logical"; record: LogicalRecord }
  | UnrecognizedText
  | { kind: "orphan_continuation"; record: PhysicalRecord };

export interface ScanStats {
  /** Physical lines read, known once the generator has finished. */
  lines: number;
  /** The line the input ended on. */
  lastLine: number;
}

export async function* readLogicalRecords(text: AsyncIterable<string>, stats: ScanStats): AsyncGenerator<LogicalItem, void, undefined> {
  let pending: LogicalRecord | undefined;
  let pendingChars = 0;
  const scanner = new RecordScanner((code, fieldsSoFar) => isTextField(pending, code, fieldsSoFar));

  function* drain(): Generator<LogicalItem> {
    for (;;) {
      const item = scanner.next();
      if (item === "more" || item === "done") return;
      if (item.kind === "record" && item.code === "88") {
        if (!pending) {
          yield { kind: "orphan_continuation", record: item };
          continue;
        }
        pendingChars += item.raw.length;
        if (pendingChars > MAX_RECORD_CHARS) {
          throw new FormatError("record_too_long", `Expected a record with its 88 continuations to stay within ${MAX_RECORD_CHARS} characters, found more`, pending.line);
        }
        continueLogical(pending, item);
        continue;
      }
      if (pending) yield { kind: "logical", record: pending };
      pending = undefined;
      if (item.kind === "unrecognized") {
        yield item;
        continue;
      }
      const { code } = item;
      if (code === "88") continue;
      pending = startLogical({ ...item, code });
      pendingChars = item.raw.length;
    }
  }

  for await (const chunk of text) {
    scanner.push(chunk);
    yield* drain();
  }
  scanner.end();
  yield* drain();
  if (pending) yield { kind: "logical", record: pending };
  stats.lines = scanner.lines;
  stats.lastLine = Math.max(1, scanner.lines);
}
