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
  const supplementaryDetails = lines.slice(1).map((l) => l.trim()).filter(Boolean).join(" ");
  return {
    valueDateText,
    ...(entryDateText ? { entryDateText } : {}),
    mark: mark as DebitCreditMark,
    ...(fundsCode ? { fundsCode } : {}),
    unsignedAmount: commaAmountToDecimal(amountText),
    typeCode,
    ...(customerReference ? { customerReference } : {}),
    ...(bankReference ? { bankReference } : {}),
    ...(supplementaryDetails ? { supplementaryDetails } : {}),
  };
}

/** "1234,5" → "1234.5"; "9," → "9". The caller has matched /\d+(,\d*)?/. */
export function commaAmountToDecimal(text: string): string {
  const [whole = "0", fraction = ""] = text.split(",");
  return fraction ? `${whole}.${fraction}` : whole;
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
export function statementLineDates(valueDateText: string, entryDateText?: string): StatementLineDates {
  const year = expandTwoDigitYear(Number(valueDateText.slice(0, 2)));
  const valueMonth = Number(valueDateText.slice(2, 4));
  const valueDate = isoDateFromParts(year, valueMonth, Number(valueDateText.slice(4, 6)));
  if (entryDateText === undefined) return { valueDate };
  const entryMonth = Number(entryDateText.slice(0, 2));
  const entryYear = valueMonth === 12 && entryMonth === 1 ? year + 1 : valueMonth === 1 && entryMonth === 12 ? year - 1 : year;
  return { valueDate, entryDate: isoDateFromParts(entryYear, entryMonth, Number(entryDateText.slice(2, 4))) };
}
