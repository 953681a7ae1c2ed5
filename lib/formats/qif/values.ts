/**
 * QIF dates and amounts. QIF dates do not say their order (10/11/2025 is October or November), so a
 * date is first read into parts and only turned into a calendar date once the file's order is known.
 */
import { canonicalDecimal } from "../shared/decimal";
import { expandTwoDigitYear, isoDateFromParts } from "../shared/dates";

export type QifDateOrder = "MDY" | "DMY" | "YMD";

export interface QifDateParts {
  first: number;
  second: number;
  third: number;
  /** A four-digit first part: the date is year-first whatever the file's order. */
  yearFirst: boolean;
  /** Quicken writes years from 2000 on after an apostrophe: 1/5'05. */
  apostrophe: boolean;
  thirdDigits: number;
}

/** 10/31/2025, 10/31/25, 10/31'25, 1/ 5' 5, 31.10.2025, 31-10-2025, 2025-10-31. */
const DATE = /^(\d{1,4})\s*[/.-]\s*(\d{1,2})\s*([/.-]|'\s*)\s*(\d{1,4})$/;

export function readQifDate(text: string): QifDateParts | null {
  const match = DATE.exec(text.trim());
  if (!match) return null;
  const [, first = "", second = "", separator = "", third = ""] = match;
  return {
    first: Number(first),
    second: Number(second),
    third: Number(third),
    yearFirst: first.length === 4,
    apostrophe: separator.startsWith("'"),
    thirdDigits: third.length,
  };
}

function fullYear(year: number, digits: number, apostrophe: boolean): number {
  if (digits >= 3) return year;
  return apostrophe ? 2000 + year : expandTwoDigitYear(year);
}

/** The ISO date the parts name under `order`, or null when that is not a real calendar day. */
export function resolveQifDate(parts: QifDateParts, order: QifDateOrder): string | null {
  if (parts.yearFirst) {
    if (parts.apostrophe) return null;
    return isoDateFromParts(parts.first, parts.second, parts.third);
  }
  const year = fullYear(parts.third, parts.thirdDigits, parts.apostrophe);
  switch (order) {
    case "MDY":
      return isoDateFromParts(year, parts.first, parts.second);
    case "DMY":
      return isoDateFromParts(year, parts.second, parts.first);
    case "YMD":
      return isoDateFromParts(fullYear(parts.first, 2, parts.apostrophe), parts.second, parts.third);
  }
}

/** Which day-month orders make the parts a real day: one order is evidence, two is ambiguous, none is an error. */
export function possibleOrders(parts: QifDateParts): ("MDY" | "DMY")[] | "any" {
  if (parts.yearFirst) return "any";
  const mdy = resolveQifDate(parts, "MDY");
  const dmy = resolveQifDate(parts, "DMY");
  if (mdy && dmy) return mdy === dmy ? "any" : ["MDY", "DMY"];
  return [...(mdy ? (["MDY"] as const) : []), ...(dmy ? (["DMY"] as const) : [])];
}

export const DATE_SHAPES: Record<QifDateOrder, string> = { MDY: "MM/DD/YYYY", DMY: "DD/MM/YYYY", YMD: "YYYY-MM-DD" };

const PLAIN_DOT = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const GROUPED_DOT = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;
const PLAIN_COMMA = /^[+-]?(?:\d+,?\d*|,\d+)$/;
const GROUPED_COMMA = /^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?$/;

/**
 * "-1,234.56", "1234.5", "-.5"; with a comma decimal separator "-1.234,56" or "12,50". Without a stated
 * separator, a comma followed by one or two digits can only be a decimal comma ("12,50"); "1,500" is
 * the US grouping QIF is defined with. Currency symbols and anything else → null.
 */
export function parseQifAmount(text: string, decimalSeparator?: "." | ","): string | null {
  const value = text.trim();
  let canonical: string | null = null;
  if (decimalSeparator !== ",") {
    if (PLAIN_DOT.test(value) || GROUPED_DOT.test(value)) canonical = value.replace(/,/g, "");
    else if (decimalSeparator === undefined && (/^[+-]?\d+,\d{1,2}$/.test(value) || /^[+-]?\d{1,3}(?:\.\d{3})+,\d+$/.test(value))) {
      canonical = value.replace(/\./g, "").replace(",", ".");
    }
  } else if (PLAIN_COMMA.test(value) || GROUPED_COMMA.test(value)) {
    canonical = value.replace(/\./g, "").replace(",", ".");
  }
  if (canonical === null) return null;
  const unsigned = canonical.replace(/^[+-]/, "");
  const sign = canonical.startsWith("-") ? "-" : "";
  const [whole = "", fraction = ""] = unsigned.split(".");
  if (whole === "" && fraction === "") return null;
  return canonicalDecimal(`${sign}${whole || "0"}${fraction ? "." + fraction : ""}`);
}
