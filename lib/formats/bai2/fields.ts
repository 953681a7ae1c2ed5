/**
 * Field readers shared by the record modules. Each returns a value or a problem naming the field,
 * what was expected and what was found; none throws.
 */
import { parseYYMMDD } from "../shared/dates";

export interface FieldProblem {
  code: string;
  field: string;
  message: string;
}

export type FieldResult<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

export function ok<T>(value: T): FieldResult<T> {
  return { ok: true, value };
}

export function fail<T>(code: string, field: string, message: string): FieldResult<T> {
  return { ok: false, problem: { code, field, message } };
}

function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + "…" : text);
}

/** An implied-decimal amount in minor units: optional sign, digits, leading zeros allowed; blank is undefined. */
export function readAmount(text: string, field: string): FieldResult<bigint | undefined> {
  if (text === "") return ok(undefined);
  if (!isSignedDigits(text)) {
    return fail("invalid_amount", field, `Expected an amount as digits with an optional + or - sign in field "${field}", found ${shown(text)}`);
  }
  return ok(BigInt(text));
}

/** /^[+-]?\d{1,30}$/ on character codes: every 16 record's amount is checked (twice). */
function isSignedDigits(text: string): boolean {
  const first = text.charCodeAt(0);
  const start = first === 43 /* + */ || first === 45 /* - */ ? 1 : 0;
  const digits = text.length - start;
  if (digits < 1 || digits > 30) return false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A whole count (records, items, days); blank is undefined. */
export function readCount(text: string, field: string): FieldResult<number | undefined> {
  if (text === "") return ok(undefined);
  if (!/^\+?\d{1,9}$/.test(text)) {
    return fail("invalid_count", field, `Expected a whole number in field "${field}", found ${shown(text)}`);
  }
  return ok(Number(text.replace("+", "")));
}

/** YYMMDD to ISO; blank is undefined. */
export function readDate(text: string, field: string): FieldResult<string | undefined> {
  if (text === "") return ok(undefined);
  const iso = parseYYMMDD(text);
  if (!iso) return fail("invalid_date", field, `Expected a date as YYMMDD in field "${field}", found ${shown(text)}`);
  return ok(iso);
}

export function writeDate(iso: string | undefined): string {
  return iso ? iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) : "";
}

/** The end of the day, which BAI2 writes as 2400 or 9999. */
export const END_OF_DAY = "24:00";

/**
 * Military time HHMM to "HH:MM" ("HH:MM:SS" when seconds are written, as some banks do).
 * 2400 and 9999 both mean end of day. Blank is undefined.
 */
export function readTime(text: string, field: string): FieldResult<string | undefined> {
  if (text === "") return ok(undefined);
  if (text === "2400" || text === "9999") return ok(END_OF_DAY);
  const m = /^(\d{2}):?(\d{2})(?::?(\d{2}))?$/.exec(text);
  const [hh, mm, ss] = m ? [Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : Number(m[3])] : [NaN, NaN, undefined];
  if (!m || hh > 23 || mm > 59 || (ss !== undefined && ss > 59)) {
    return fail("invalid_time", field, `Expected a time as HHMM (2400 or 9999 for end of day) in field "${field}", found ${shown(text)}`);
  }
  return ok(m[3] === undefined ? `${m[1]}:${m[2]}` : `${m[1]}:${m[2]}:${m[3]}`);
}

export function writeTime(time: string | undefined): string {
  return time ? time.replace(/:/g, "") : "";
}

/** ISO 4217 alphabetic code; blank is undefined (the caller decides the default). */
export function readCurrency(text: string, field: string): FieldResult<string | undefined> {
  if (text === "") return ok(undefined);
  if (!/^[A-Za-z]{3}$/.test(text)) {
    return fail("invalid_currency", field, `Expected a three-letter currency code in field "${field}", found ${shown(text)}`);
  }
  return ok(text.toUpperCase());
}

/** A required identifier such as an account number or a sender id. */
export function readIdentifier(text: string, field: string): FieldResult<string> {
  if (text === "") return fail("missing_field", field, `Expected a value in field "${field}", found nothing`);
  return ok(text);
}

export function readTypeCode(text: string, field: string): FieldResult<string> {
  if (!/^\d{3}$/.test(text) || text === "000") {
    return fail("invalid_type_code", field, `Expected a three-digit type code in field "${field}", found ${shown(text)}`);
  }
  return ok(text);
}

export function optional(text: string): string | undefined {
  return text === "" ? undefined : text;
}

export function writeOptional(value: bigint | number | string | undefined): string {
  return value === undefined ? "" : String(value);
}
