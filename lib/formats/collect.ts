/**
 * Gathers a parser's events into one in-memory result. For the CLI and tests only: the import
 * pipeline consumes events as a stream and never holds a whole file.
 */
import type { DatasetRecord, ParseIssue, Statement } from "@/lib/schemas/canonical";
import type { ParseEvent, ParseMeta, RejectedRow } from "./types";

export interface CollectedParse {
  statements: Statement[];
  records: DatasetRecord[];
  issues: ParseIssue[];
  /** Rows dropped for an error, with what was read, so a reviewer can correct them. */
  rejected: RejectedRow[];
  meta: ParseMeta | undefined;
}

export async function collect(events: AsyncIterable<ParseEvent>): Promise<CollectedParse> {
  const result: CollectedParse = { statements: [], records: [], issues: [], rejected: [], meta: undefined };
  let current: Statement | undefined;
  for await (const event of events) {
    switch (event.type) {
      case "statement":
        current = { ...event.statement, balances: [], transactions: [] };
        result.statements.push(current);
        break;
      case "balance":
        if (!current) throw new Error("parser yielded a balance before any statement");
        current.balances.push(event.balance);
        break;
      case "transaction":
        if (!current) throw new Error("parser yielded a transaction before any statement");
        current.transactions.push(event.transaction);
        break;
      case "record":
        result.records.push(event.record);
        break;
      case "issue":
        result.issues.push(event.issue);
        break;
      case "rejected":
        result.rejected.push(event.rejected);
        break;
      case "meta":
        result.meta = event.meta;
        break;
    }
  }
  return result;
}

/** Splits bytes into chunks of `size`, for tests proving chunking never changes the result. */
export function* chunked(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Cuts bytes at the given offsets (taken modulo its length + 1, sorted, deduplicated) rather than at a fixed size. */
export function* cutAt(input: Uint8Array, cuts: number[]): Generator<Uint8Array> {
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b)) {
    if (cut > from) yield input.subarray(from, cut);
    from = Math.max(from, cut);
  }
  if (from < input.length || input.length === 0) yield input.subarray(from);
}
