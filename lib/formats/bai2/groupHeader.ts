/** Record 02, the group header: the originating bank, the as-of date and time, the group currency. */
import { fail, ok, optional, readCurrency, readDate, readTime, writeDate, writeTime, type FieldResult } from "./fields";
import { writeRecord } from "./continuation";

export interface GroupHeader {
  ultimateReceiverId?: string;
  originatorId?: string;
  /** 1 update, 2 deletion, 3 correction, 4 test only. */
  groupStatus?: string;
  asOfDate: string;
  /** "HH:MM"; "24:00" when the file writes 2400 or 9999 (end of day). */
  asOfTime?: string;
  /** As written; blank means USD (see DEFAULT_CURRENCY). */
  currency?: string;
  /** 1 interim previous day, 2 final previous day, 3 interim same day, 4 final same day. */
  asOfDateModifier?: string;
}

function readCode(text: string, field: string, allowed: readonly string[]): FieldResult<string | undefined> {
  if (text === "" || allowed.includes(text)) return ok(optional(text));
  return fail("invalid_code", field, `Expected one of ${allowed.join(", ")} in field "${field}", found ${JSON.stringify(text)}`);
}

export function parseGroupHeader(fields: readonly string[]): FieldResult<GroupHeader> {
  const f = (i: number): string => fields[i] ?? "";
  const status = readCode(f(2), "group status", ["1", "2", "3", "4"]);
  if (!status.ok) return status;
  const date = readDate(f(3), "as-of date");
  if (!date.ok) return date;
  if (date.value === undefined) return fail("missing_field", "as-of date", `Expected a date as YYMMDD in field "as-of date", found nothing`);
  const time = readTime(f(4), "as-of time");
  if (!time.ok) return time;
  const currency = readCurrency(f(5), "currency code");
  if (!currency.ok) return currency;
  const modifier = readCode(f(6), "as-of date modifier", ["1", "2", "3", "4"]);
  if (!modifier.ok) return modifier;
  const header: GroupHeader = { asOfDate: date.value };
  const receiver = optional(f(0));
  if (receiver !== undefined) header.ultimateReceiverId = receiver;
  const originator = optional(f(1));
  if (originator !== undefined) header.originatorId = originator;
  if (status.value !== undefined) header.groupStatus = status.value;
  if (time.value !== undefined) header.asOfTime = time.value;
  if (currency.value !== undefined) header.currency = currency.value;
  if (modifier.value !== undefined) header.asOfDateModifier = modifier.value;
  return ok(header);
}

export function formatGroupHeader(h: GroupHeader): string {
  return writeRecord("02", [
    h.ultimateReceiverId ?? "", h.originatorId ?? "", h.groupStatus ?? "", writeDate(h.asOfDate),
    writeTime(h.asOfTime), h.currency ?? "", h.asOfDateModifier ?? "",
  ]);
}
