/**
 * Funds type (availability) and the extra fields each type brings:
 * 0/1/2/Z none; S immediate, one-day and two-or-more-day amounts; V value date and optional time;
 * D a count then that many day/amount pairs. Blank means not reported.
 */
import { fail, ok, readAmount, readCount, readDate, readTime, writeDate, writeOptional, writeTime, type FieldResult } from "./fields";

export interface Distribution {
  days: number;
  amount: bigint;
}

export type Funds =
  | { type: "0" | "1" | "2" | "Z" }
  | { type: "S"; immediate?: bigint; oneDay?: bigint; twoOrMoreDays?: bigint }
  | { type: "V"; valueDate?: string; valueTime?: string }
  | { type: "D"; distributions: Distribution[] };

/** How many fields follow the funds type letter; undefined while a D count has not been read yet. */
export function fundsExtraFieldCount(fields: readonly string[], fundsIndex: number): number | undefined {
  const written = fields[fundsIndex] ?? "";
  // Asked for every field of a 16: the common one-letter ASCII types without toUpperCase.
  const code = written.length === 1 ? written.charCodeAt(0) : -1;
  if (code === 48 || code === 49 || code === 50 || code === 90 || code === 122 || written === "") return 0;
  const type = written.toUpperCase();
  if (type === "S") return 3;
  if (type === "V") return 2;
  if (type !== "D") return 0;
  const countText = fields[fundsIndex + 1];
  if (countText === undefined) return undefined;
  const count = /^\d{1,4}$/.test(countText) ? Number(countText) : 0;
  return 1 + 2 * count;
}

export interface FundsRead {
  funds: Funds | undefined;
  /** Index of the first field after the funds fields. */
  next: number;
}

function at(fields: readonly string[], index: number): string {
  return fields[index] ?? "";
}

export function readFunds(fields: readonly string[], index: number): FieldResult<FundsRead> {
  const letter = at(fields, index).toUpperCase();
  if (letter === "") return ok({ funds: undefined, next: index + 1 });
  if (letter === "0" || letter === "1" || letter === "2" || letter === "Z") return ok({ funds: { type: letter }, next: index + 1 });
  if (letter === "S") return readSimpleDistribution(fields, index + 1);
  if (letter === "V") return readValueDated(fields, index + 1);
  if (letter === "D") return readDistributed(fields, index + 1);
  return fail("invalid_funds_type", "funds type", `Expected a funds type 0, 1, 2, S, V, D or Z in field "funds type", found ${JSON.stringify(at(fields, index))}`);
}

function readSimpleDistribution(fields: readonly string[], index: number): FieldResult<FundsRead> {
  const immediate = readAmount(at(fields, index), "immediate availability");
  if (!immediate.ok) return immediate;
  const oneDay = readAmount(at(fields, index + 1), "one-day availability");
  if (!oneDay.ok) return oneDay;
  const twoOrMore = readAmount(at(fields, index + 2), "two-or-more-day availability");
  if (!twoOrMore.ok) return twoOrMore;
  const funds: Funds = { type: "S" };
  if (immediate.value !== undefined) funds.immediate = immediate.value;
  if (oneDay.value !== undefined) funds.oneDay = oneDay.value;
  if (twoOrMore.value !== undefined) funds.twoOrMoreDays = twoOrMore.value;
  return ok({ funds, next: index + 3 });
}

function readValueDated(fields: readonly string[], index: number): FieldResult<FundsRead> {
  const date = readDate(at(fields, index), "value date");
  if (!date.ok) return date;
  const time = readTime(at(fields, index + 1), "value time");
  if (!time.ok) return time;
  const funds: Funds = { type: "V" };
  if (date.value !== undefined) funds.valueDate = date.value;
  if (time.value !== undefined) funds.valueTime = time.value;
  return ok({ funds, next: index + 2 });
}

function readDistributed(fields: readonly string[], index: number): FieldResult<FundsRead> {
  const count = readCount(at(fields, index), "number of distributions");
  if (!count.ok) return count;
  const n = count.value ?? 0;
  if (index + 1 + 2 * n > fields.length) {
    return fail("invalid_distribution", "number of distributions", `Expected ${n} day/amount pairs after funds type D, found ${Math.max(0, Math.floor((fields.length - index - 1) / 2))}`);
  }
  const distributions: Distribution[] = [];
  for (let k = 0; k < n; k++) {
    const days = readCount(at(fields, index + 1 + 2 * k), "availability in days");
    if (!days.ok) return days;
    const amount = readAmount(at(fields, index + 2 + 2 * k), "available amount");
    if (!amount.ok) return amount;
    if (days.value === undefined || amount.value === undefined) {
      return fail("invalid_distribution", "funds distribution", `Expected a day count and an amount for distribution ${k + 1} of funds type D, found a blank`);
    }
    distributions.push({ days: days.value, amount: amount.value });
  }
  return ok({ funds: { type: "D", distributions }, next: index + 1 + 2 * n });
}

export function writeFunds(funds: Funds | undefined): string[] {
  if (!funds) return [""];
  switch (funds.type) {
    case "S":
      return ["S", writeOptional(funds.immediate), writeOptional(funds.oneDay), writeOptional(funds.twoOrMoreDays)];
    case "V":
      return ["V", writeDate(funds.valueDate), writeTime(funds.valueTime)];
    case "D":
      return ["D", String(funds.distributions.length), ...funds.distributions.flatMap((d) => [String(d.days), String(d.amount)])];
    default:
      return [funds.type];
  }
}
