/**
 * The ":61:" statement line: value date YYMMDD, optional entry date MMDD, C/D/RC/RD mark,
 * optional funds code, comma-decimal amount, transaction type, customer reference, "//" bank
 * reference, and supplementary details on the following line(s).
 */
import { expandTwoDigitYear, isoDateFromParts } from "../shared/dates";
import { isCapital, isDigit } from "../shared/chars";

export type DebitCreditMark = "C" | "D" | "RC" | "RD";

export interface StatementLine {
  valueDateText: string;
  entryDateText?: string;
  mark: DebitCreditMark;
  fundsCode?: string;
  /** Unsigned amount as a plain decimal ("9," → "9", "11,8" → "11.8"). */
  unsignedAmount: string;
  typeCode: string;
  customerReference?: string;
  bankReference?: string;
  supplementaryDetails?: string;
}

/**
 * /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d+(?:,\d*)?)([NFS][A-Z0-9]{3})(.*)$/ on character codes (the
 * regex and its match array showed in profiles; property test in statement-line.test.ts). Every
 * part is decided by its next character, so no choice is ever undone: the entry date is there when
 * four digits follow the value date (else the mark would be a digit), the funds code when a capital
 * follows the mark (else the amount would start with one), and the amount takes every digit (the
 * type code starts with N, F or S). Fills `parts` with the ends of entry date, mark, funds code and
 * amount.
 */
function statementLineParts(text: string, parts: number[]): boolean {
  const length = text.length;
  for (let i = 0; i < 6; i++) if (!isDigit(text.charCodeAt(i))) return false;
  let i = 6;
  if (isDigit(text.charCodeAt(6)) && isDigit(text.charCodeAt(7)) && isDigit(text.charCodeAt(8)) && isDigit(text.charCodeAt(9))) i = 10;
  parts[0] = i;
  let c = text.charCodeAt(i);
  if (c === 82 /* R */) {
    c = text.charCodeAt(i + 1);
    if (c !== 67 /* C */ && c !== 68 /* D */) return false;
    i += 2;
  } else if (c === 67 || c === 68) {
    i += 1;
  } else {
    return false;
  }
  parts[1] = i;
  if (isCapital(text.charCodeAt(i))) i++;
  parts[2] = i;
  if (!isDigit(text.charCodeAt(i))) return false;
  while (isDigit(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 44 /* , */) {
    i++;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  parts[3] = i;
  c = text.charCodeAt(i);
  if (c !== 78 /* N */ && c !== 70 /* F */ && c !== 83 /* S */) return false;
  for (let k = i + 1; k < i + 4; k++) {
    c = text.charCodeAt(k);
    if (!isCapital(c) && !isDigit(c)) return false;
  }
  // `.` matches anything but a line terminator, and `$` is the end of the text.
  for (let k = i + 4; k < length; k++) {
    c = text.charCodeAt(k);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return false;
  }
  return true;
}

/** One array reused: this runs for every entry. */
const PARTS = [0, 0, 0, 0];

/** Null when the first line does not have the ":61:" shape. */
export function parseStatementLine(lines: readonly string[]): StatementLine | null {
  const text = (lines[0] ?? "").trim();
  const parts = PARTS;
  if (!statementLineParts(text, parts)) return null;
  const entryEnd = parts[0]!;
  const markEnd = parts[1]!;
  const fundsEnd = parts[2]!;
  const amountEnd = parts[3]!;
  const valueDateText = text.slice(0, 6);
  const entryDateText = entryEnd === 10 ? text.slice(6, 10) : undefined;
  const mark: DebitCreditMark = markEnd - entryEnd === 2 ? (text.charCodeAt(entryEnd + 1) === 67 ? "RC" : "RD") : text.charCodeAt(entryEnd) === 67 ? "C" : "D";
  const fundsCode = fundsEnd > markEnd ? text.charAt(markEnd) : undefined;
  const rest = text.slice(amountEnd + 4);
  const slashes = rest.indexOf("//");
  const customerReference = (slashes < 0 ? rest : rest.slice(0, slashes)).trim();
  const bankReference = slashes < 0 ? "" : rest.slice(slashes + 2).trim();
  // Plain loops and assignments (same fields, same order): spreads and map/filter closures per
  // statement line showed in profiles.
  let supplementaryDetails = "";
  for (let i = 1; i < lines.length; i++) {
    const part = lines[i]!.trim();
    if (part) supplementaryDetails = supplementaryDetails ? supplementaryDetails + " " + part : part;
  }
  const line = { valueDateText } as StatementLine;
  if (entryDateText) line.entryDateText = entryDateText;
  line.mark = mark;
  if (fundsCode) line.fundsCode = fundsCode;
  line.unsignedAmount = commaAmountToDecimal(text.slice(fundsEnd, amountEnd));
  line.typeCode = text.slice(amountEnd, amountEnd + 4);
  if (customerReference) line.customerReference = customerReference;
  if (bankReference) line.bankReference = bankReference;
  if (supplementaryDetails) line.supplementaryDetails = supplementaryDetails;
  return line;
}

/** "1234,5" → "1234.5"; "9," → "9". The caller has matched /\d+(,\d*)?/. */
export function commaAmountToDecimal(text: string): string {
  const comma = text.indexOf(",");
  if (comma < 0) return text;
  const whole = text.slice(0, comma);
  // Only the first comma counts, as with split(","): anything after a second one is dropped.
  const end = text.indexOf(",", comma + 1);
  const fraction = end < 0 ? text.slice(comma + 1) : text.slice(comma + 1, end);
  return fraction ? whole + "." + fraction : whole;
}

/** RC (reversal of a credit) takes money out, RD (reversal of a debit) puts it back. */
export function isNegativeMark(mark: DebitCreditMark): boolean {
  return mark === "D" || mark === "RC";
}

export interface StatementLineDates {
  /** Null when the value date is not a calendar day. */
  valueDate: string | null;
  /** Undefined when no entry date is written; null when it is written but not a calendar day. */
  entryDate?: string | null;
}

/**
 * The entry date has no year of its own: it takes the value date's year, moved across a year end
 * when booking and value fall on either side of it (value 31 Dec, entry 02 Jan → next year).
 */
/** The last answer, shared (read-only): a statement's entries mostly share their dates, and this runs for every one. */
let lastDates: { valueDateText: string; entryDateText: string | undefined; dates: Readonly<StatementLineDates> } | undefined;

export function statementLineDates(valueDateText: string, entryDateText?: string): Readonly<StatementLineDates> {
  if (lastDates && lastDates.valueDateText === valueDateText && lastDates.entryDateText === entryDateText) return lastDates.dates;
  const dates = computeStatementLineDates(valueDateText, entryDateText);
  lastDates = { valueDateText, entryDateText, dates };
  return dates;
}

function computeStatementLineDates(valueDateText: string, entryDateText?: string): StatementLineDates {
  const year = expandTwoDigitYear(Number(valueDateText.slice(0, 2)));
  const valueMonth = Number(valueDateText.slice(2, 4));
  const valueDate = isoDateFromParts(year, valueMonth, Number(valueDateText.slice(4, 6)));
  if (entryDateText === undefined) return { valueDate };
  const entryMonth = Number(entryDateText.slice(0, 2));
  const entryYear = valueMonth === 12 && entryMonth === 1 ? year + 1 : valueMonth === 1 && entryMonth === 12 ? year - 1 : year;
  return { valueDate, entryDate: isoDateFromParts(entryYear, entryMonth, Number(entryDateText.slice(2, 4))) };
}
