/** Record 49, the account trailer: the account control total and its number of records. */
import { ok, writeOptional, type FieldResult } from "./fields";
import { writeRecord } from "./continuation";
import { readControlTotal, readCounts } from "./trailers";

export interface AccountTrailer {
  /** Minor units: the sum of every 03 and 16 amount of the account. */
  controlTotal: bigint;
  /** Records from the 03 to this 49, 88s included. */
  recordCount?: number;
}

export function parseAccountTrailer(fields: readonly string[]): FieldResult<AccountTrailer> {
  const total = readControlTotal(fields[0] ?? "", "account control total");
  if (!total.ok) return total;
  const counts = readCounts(fields.slice(1), ["number of records"]);
  if (!counts.ok) return counts;
  const trailer: AccountTrailer = { controlTotal: total.value };
  if (counts.value[0] !== undefined) trailer.recordCount = counts.value[0];
  return ok(trailer);
}

export function formatAccountTrailer(t: AccountTrailer): string {
  return writeRecord("49", [String(t.controlTotal), writeOptional(t.recordCount)]);
}
