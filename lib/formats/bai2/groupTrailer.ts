/** Record 98, the group trailer: the sum of its accounts' control totals, its accounts and records. */
import { ok, writeOptional, type FieldResult } from "./fields";
import { writeRecord } from "./continuation";
import { readControlTotal, readCounts } from "./trailers";

export interface GroupTrailer {
  controlTotal: bigint;
  accountCount?: number;
  /** Records from the 02 to this 98. */
  recordCount?: number;
}

export function parseGroupTrailer(fields: readonly string[]): FieldResult<GroupTrailer> {
  const total = readControlTotal(fields[0] ?? "", "group control total");
  if (!total.ok) return total;
  const counts = readCounts(fields.slice(1), ["number of accounts", "number of records"]);
  if (!counts.ok) return counts;
  const trailer: GroupTrailer = { controlTotal: total.value };
  const [accounts, records] = counts.value;
  if (accounts !== undefined) trailer.accountCount = accounts;
  if (records !== undefined) trailer.recordCount = records;
  return ok(trailer);
}

export function formatGroupTrailer(t: GroupTrailer): string {
  return writeRecord("98", [String(t.controlTotal), writeOptional(t.accountCount), writeOptional(t.recordCount)]);
}
