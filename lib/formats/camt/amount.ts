/**
 * camt amounts are unsigned decimals with the sign in a separate CdtDbtInd (CRDT / DBIT).
 * A reversal flag (RvslInd) does not flip the sign: the indicator already states the direction.
 */
import type { ParseIssue } from "@/lib/schemas/canonical";
import { negateCanonical } from "../shared/decimal";
import { isDigit } from "../shared/chars";
import { minorUnits, scaleToCurrency } from "./currency";

const UNSIGNED_AMOUNT = /^\d{1,30}(\.\d{1,30})?$/;

export type SignedAmount = { amount: string; issues: ParseIssue[] } | { amount: null; issues: ParseIssue[] };

export function signedAmount(
  text: string | undefined,
  indicator: string | undefined,
  currency: string | undefined,
  where: { line: number; element: string },
): SignedAmount {
  const amountText = (text ?? "").trim();
  if (!UNSIGNED_AMOUNT.test(amountText)) {
    return {
      amount: null,
      issues: [{ severity: "error", code: "invalid_amount", message: `Expected an unsigned decimal amount in ${where.element}/Amt, found "${amountText}"`, line: where.line, field: `${where.element}/Amt` }],
    };
  }
  const direction = (indicator ?? "").trim();
  if (direction !== "CRDT" && direction !== "DBIT") {
    return {
      amount: null,
      issues: [{ severity: "error", code: "invalid_credit_debit_indicator", message: `Expected CdtDbtInd CRDT or DBIT in ${where.element}, found "${direction}"`, line: where.line, field: `${where.element}/CdtDbtInd` }],
    };
  }
  const scaled = scaleToCurrency(amountText, currency) ?? { amount: amountText };
  const issues: ParseIssue[] = [];
  if (scaled.excessDecimals) {
    issues.push({
      severity: "warning",
      code: "too_many_decimals",
      message: `Expected at most ${scaled.excessDecimals.allowed} decimals for ${currency ?? ""} in ${where.element}/Amt, found ${scaled.excessDecimals.written} ("${amountText}"); the amount is kept exactly as written`,
      line: where.line,
      field: `${where.element}/Amt`,
    });
  }
  // scaled.amount is canonical (or the checked unsigned text): negated on the string, no BigInt per entry.
  return { amount: direction === "DBIT" ? negateCanonical(scaled.amount) : scaled.amount, issues };
}

/**
 * signedAmount's amount when it raises no issue (a valid unsigned amount, CRDT or DBIT, no more
 * decimals than the currency has), else undefined: for usualTransaction (entry.ts), which leaves
 * every other entry to entryTransactions, without the result and issue objects per entry.
 */
export function usualAmount(text: string | undefined, indicator: string | undefined, currency: string | undefined): string | undefined {
  const amountText = (text ?? "").trim();
  const direction = (indicator ?? "").trim();
  if (direction !== "CRDT" && direction !== "DBIT") return undefined;
  // Written canonically with the currency's decimals (the usual amount): scaleToCurrency would give
  // the text back, and unless it starts with "0" it is not zero, so its negation is "-" + text.
  if (canonicalScale(amountText) === minorUnits(currency)) {
    if (direction === "CRDT") return amountText;
    return amountText.charCodeAt(0) === 48 /* 0 */ ? negateCanonical(amountText) : "-" + amountText;
  }
  if (!UNSIGNED_AMOUNT.test(amountText)) return undefined;
  const scaled = scaleToCurrency(amountText, currency) ?? { amount: amountText };
  if (scaled.excessDecimals) return undefined;
  return direction === "DBIT" ? negateCanonical(scaled.amount) : scaled.amount;
}

/**
 * The number of decimals of an unsigned decimal written canonically (1–30 digits, no leading zero
 * unless the whole part is "0", then a point and 1–30 decimals, or none): a text UNSIGNED_AMOUNT
 * accepts and canonicalDecimal returns unchanged. -1 for anything else.
 */
function canonicalScale(text: string): number {
  const length = text.length;
  let point = 0;
  while (point < length && isDigit(text.charCodeAt(point))) point++;
  if (point === 0 || point > 30 || (point > 1 && text.charCodeAt(0) === 48) /* a leading 0 */) return -1;
  if (point === length) return 0;
  if (text.charCodeAt(point) !== 46 /* . */) return -1;
  for (let i = point + 1; i < length; i++) if (!isDigit(text.charCodeAt(i))) return -1;
  const scale = length - point - 1;
  return scale >= 1 && scale <= 30 ? scale : -1;
}
