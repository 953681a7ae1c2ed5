/**
 * Shared reading of trailer fields: a control total (signed, implied decimals; blank reads as 0,
 * as banks write it for empty accounts) followed by counts.
 */
import { ok, readAmount, readCount, type FieldResult } from "./fields";

export function readControlTotal(text: string, field: string): FieldResult<bigint> {
  const amount = readAmount(text, field);
  return amount.ok ? ok(amount.value ?? 0n) : amount;
}

export function readCounts(fields: readonly string[], names: readonly string[]): FieldResult<(number | undefined)[]> {
  const counts: (number | undefined)[] = [];
  for (const [i, name] of names.entries()) {
    const count = readCount(fields[i] ?? "", name);
    if (!count.ok) return count;
    counts.push(count.value);
  }
  return ok(counts);
}
