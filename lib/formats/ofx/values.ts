/**
 * OFX leaf values: amounts and datetimes in the shapes banks actually write. Anything else is null
 * and the caller reports it; nothing is guessed.
 */
import { canonicalDecimal } from "../shared/decimal";
import { isoDateFromParts } from "../shared/dates";

/** "-6.60", "+6.60", "6,60" (comma decimal, allowed by the OFX spec), ".5", "120". Not "$20", "1,234.56" or "". */
const AMOUNT = /^([+-]?)(\d*)(?:[.,](\d*))?$/;

export function parseOfxAmount(text: string): string | null {
  return plainOfxAmount(text) ?? parseOfxAmountGeneral(text);
}

/**
 * The usual amount, already canonical ("-12.34", "5.00": optional minus, no needless leading zero, a
 * fraction, not zero), on character codes: the regexes and string building of the general path showed
 * in profiles. Null for anything else (values.test.ts holds it to the general path).
 */
export function plainOfxAmount(text: string): string | null {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  const wholeAt = i;
  while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  const wholeDigits = i - wholeAt;
  if (wholeDigits === 0 || (wholeDigits > 1 && text.charCodeAt(wholeAt) === 48) || text.charCodeAt(i) !== 46 /* . */) return null;
  let nonZero = wholeDigits > 1 || text.charCodeAt(wholeAt) !== 48;
  const fractionAt = ++i;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    if (c !== 48) nonZero = true;
  }
  return i > fractionAt && nonZero ? text : null;
}

export function parseOfxAmountGeneral(text: string): string | null {
  const match = AMOUNT.exec(text.trim());
  if (!match) return null;
  const [, sign, whole = "", fraction = ""] = match;
  if (whole === "" && fraction === "") return null;
  return canonicalDecimal(`${sign === "-" ? "-" : ""}${whole || "0"}${fraction ? "." + fraction : ""}`);
}

export interface OfxDateTime {
  /** The calendar date as written in the statement's own zone: never shifted to UTC. */
  date: string;
  /** ISO 8601 timestamp when a time was written, with the offset when a zone was written. */
  timestamp?: string;
}

const DATETIME =
  /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?\s*(?:\[\s*([+-]?)(\d{1,2})(?:\.(\d{1,2}))?\s*(?::\s*[A-Za-z]{0,8}\s*)?\])?$/;

/**
 * YYYYMMDD, YYYYMMDDHHMM, YYYYMMDDHHMMSS, YYYYMMDDHHMMSS.XXX, each optionally followed by [±H(.MM):TZ].
 * Transactions of a day share their date text, so the last answer is handed out again for the same
 * text: frozen, since every caller of the same text gets the same object (a copy per transaction
 * showed in profiles).
 */
export function parseOfxDateTime(text: string): Readonly<OfxDateTime> | null {
  if (lastDateTime && lastDateTime.text === text) return lastDateTime.result;
  const read = readOfxDateTime(text);
  const result = read && Object.freeze(read);
  lastDateTime = { text, result };
  return result;
}

let lastDateTime: { text: string; result: Readonly<OfxDateTime> | null } | undefined;

function readOfxDateTime(text: string): OfxDateTime | null {
  const match = DATETIME.exec(text.trim());
  if (!match) return null;
  const [, y = "", mo = "", d = "", hh, mm, ss, fraction, sign, offsetHours, offsetFraction] = match;
  const date = isoDateFromParts(Number(y), Number(mo), Number(d));
  if (!date) return null;
  if (hh === undefined || mm === undefined) return { date };
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? "0") > 60) return null;
  let timestamp = `${date}T${hh}:${mm}:${ss ?? "00"}${fraction ? "." + fraction.padEnd(3, "0") : ""}`;
  if (offsetHours !== undefined) {
    // "[+5.5:IST]" is a decimal fraction of an hour; two fraction digits are written both as minutes and as hundredths, so they stay unstated.
    const minutes = offsetFraction === undefined ? 0 : offsetFraction.length === 1 ? Number(offsetFraction) * 6 : NaN;
    if (Number(offsetHours) > 14 || Number.isNaN(minutes)) return { date, timestamp };
    timestamp += `${sign === "-" ? "-" : "+"}${offsetHours.padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
  }
  return { date, timestamp };
}

export const OFX_DATE_SHAPE = "YYYYMMDD or YYYYMMDDHHMMSS[.XXX][±H:TZ]";
export const OFX_AMOUNT_SHAPE = "a number such as -6.60";
