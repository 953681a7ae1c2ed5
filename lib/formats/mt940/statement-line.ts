/**
 * The ":61:" statement line: value date YYMMDD, optional entry date MMDD, C/D/RC/RD mark,
 * optional funds code, comma-decimal amount, transaction type, customer reference, "//" bank
 * reference, and supplementary details on the following line(s).
 */
import { expandTwoDigitYear, isoDateFromParts } from "../shared/dates";

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

const STATEMENT_LINE = /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d+(?:,\d*)?)([NFS][A-Z0-9]{3})(.*)$/;

/** Null when the first line does not have the ":61:" shape. */
export function parseStatementLine(lines: readonly string[]): StatementLine | null {
  const m = STATEMENT_LINE.exec((lines[0] ?? "").trim());
  if (!m) return null;
  const [, valueDateText = "", entryDateText, mark = "C", fundsCode, amountText = "", typeCode = "", rest = ""] = m;
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
  line.mark = mark as DebitCreditMark;
  if (fundsCode) line.fundsCode = fundsCode;
  line.unsignedAmount = commaAmountToDecimal(amountText);
  line.typeCode = typeCode;
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
/** The last answer: a statement's entries mostly share their dates, and this runs for every one. */
let lastDates: { valueDateText: string; entryDateText: string | undefined; dates: Readonly<StatementLineDates> } | undefined;

export function statementLineDates(valueDateText: string, entryDateText?: string): StatementLineDates {
  if (lastDates && lastDates.valueDateText === valueDateText && lastDates.entryDateText === entryDateText) return { ...lastDates.dates };
  const dates = computeStatementLineDates(valueDateText, entryDateText);
  lastDates = { valueDateText, entryDateText, dates };
  return { ...dates };
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
