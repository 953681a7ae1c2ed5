/** Record 99, the file trailer: the sum of its groups' control totals, its groups and records. */
import { ok, writeOptional, type FieldResult } from "./fields";
import { writeRecord } from "./continuation";
import { readControlTotal, readCounts } from "./trailers";

export interface FileTrailer {
  controlTotal: bigint;
  groupCount?: number;
  /** Every record of the file, 01 and 99 included. */
  recordCount?: number;
}

export function parseFileTrailer(fields: readonly string[]): FieldResult<FileTrailer> {
  const total = readControlTotal(fields[0] ?? "", "file control total");
  if (!total.ok) return total;
  const counts = readCounts(fields.slice(1), ["number of groups", "number of records"]);
  if (!counts.ok) return counts;
  const trailer: FileTrailer = { controlTotal: total.value };
  const [groups, records] = counts.value;
  if (groups !== undefined) trailer.groupCount = groups;
  if (records !== undefined) trailer.recordCount = records;
  return ok(trailer);
}

export function formatFileTrailer(t: FileTrailer): string {
  return writeRecord("99", [String(t.controlTotal), writeOptional(t.groupCount), writeOptional(t.recordCount)]);
}
