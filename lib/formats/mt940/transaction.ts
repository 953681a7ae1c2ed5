/** One ":61:" with the ":86:" fields that follow it, made into a canonical transaction. */
import type { ParseIssue, Transaction } from "@/lib/schemas/canonical";
import { negateDecimal } from "@/lib/money/decimal";
import { negateCanonical } from "../shared/decimal";
import { minorUnits, scaleToCurrency } from "../camt/currency";
import type { RejectedRow } from "../types";
import type { SwiftField } from "./fields";
import { parseInformation } from "./information";
import { isNegativeMark, parseStatementLine, statementLineDates, type StatementLine, type StatementLineDates } from "./statement-line";

export interface PendingTransaction {
  statementLine: SwiftField;
  information: SwiftField[];
}

export const NO_REFERENCE = "NONREF";

/** The ":61:" and its ":86:" fields as written, continuation lines included. */
function rawText(pending: PendingTransaction): string {
  // A plain loop: this runs once per transaction, and the flatMap/map/join version showed in profiles.
  let raw = fieldText(pending.statementLine);
  for (const field of pending.information) raw += "\n" + fieldText(field);
  return raw;
}

function fieldText(field: SwiftField): string {
  // The two tags of every entry as constants: one string joined per field instead of three.
  const tag = field.tag === "61" ? ":61:" : field.tag === "86" ? ":86:" : `:${field.tag}:`;
  let text = tag + (field.lines[0] ?? "");
  for (let i = 1; i < field.lines.length; i++) text += "\n" + field.lines[i];
  return text;
}

/** The lines of each ":86:" field, as parseInformation takes them. */
function informationLines(pending: PendingTransaction): string[][] {
  const lines: string[][] = [];
  for (const field of pending.information) lines.push(field.lines);
  return lines;
}

/** What a dropped ":61:" held, for correction in review: dates as written, the rest as read. */
function rejected(pending: PendingTransaction, currency: string | undefined, parsed: StatementLine | null, dates?: StatementLineDates): RejectedRow {
  const information = parseInformation(informationLines(pending));
  const fields: Record<string, string> = {};
  if (!parsed) {
    fields["61"] = pending.statementLine.lines.join("\n");
  } else {
    fields.bookingDate = parsed.entryDateText ?? parsed.valueDateText;
    fields.valueDate = dates?.valueDate ?? parsed.valueDateText;
    fields.amount = isNegativeMark(parsed.mark) ? negateDecimal(parsed.unsignedAmount) : parsed.unsignedAmount;
    if (parsed.bankReference && parsed.bankReference !== NO_REFERENCE) fields.externalId = fields.bankReference = parsed.bankReference;
    if (parsed.customerReference && parsed.customerReference !== NO_REFERENCE) fields.customerReference = parsed.customerReference;
    fields.typeCode = parsed.typeCode;
    fields.debitCreditMark = parsed.mark;
  }
  if (currency) fields.currency = currency;
  fields.description = information.description;
  if (information.counterpartyName) fields.counterpartyName = information.counterpartyName;
  const counterpartyAccount = information.counterpartyAccount ?? ibanIn(parsed?.supplementaryDetails);
  if (counterpartyAccount) fields.counterpartyAccount = counterpartyAccount;
  return { kind: "transaction", line: pending.statementLine.line, raw: rawText(pending), fields };
}

/**
 * Null transaction when the line cannot be read or has no usable booking date; the issues say why and
 * `rejected` carries what was read.
 */
export function statementTransaction(
  pending: PendingTransaction,
  currency: string | undefined,
): { transaction: Transaction | null; issues: ParseIssue[]; rejected?: RejectedRow } {
  const field = pending.statementLine;
  const issues: ParseIssue[] = [];
  const parsed = parseStatementLine(field.lines);
  if (!parsed) {
    issues.push({
      severity: "error",
      code: "invalid_statement_line",
      message: `Expected a statement line as YYMMDD[MMDD], C/D/RC/RD, amount with comma decimals and a transaction type (e.g. "1105240524D9,N192NONREF") in field :61:, found "${(field.lines[0] ?? "").trim()}"`,
      line: field.line,
      field: "61",
    });
    return { transaction: null, issues, rejected: rejected(pending, currency, null) };
  }
  const dates = statementLineDates(parsed.valueDateText, parsed.entryDateText);
  if (dates.valueDate === null) {
    issues.push({
      severity: "error",
      code: "invalid_date",
      message: `Expected a value date as YYMMDD in field :61:, found "${parsed.valueDateText}"; the value date is left out`,
      line: field.line,
      field: "61 value date",
    });
  }
  if (dates.entryDate === null) {
    issues.push({
      severity: "error",
      code: "invalid_date",
      message: `Expected an entry date as MMDD in field :61:, found "${parsed.entryDateText ?? ""}"; the transaction is skipped`,
      line: field.line,
      field: "61 entry date",
    });
  }
  // The booking date is the entry date when written, else the value date; never a substitute for an invalid one.
  const bookingDate = dates.entryDate === undefined ? dates.valueDate : dates.entryDate;
  if (!bookingDate) return { transaction: null, issues, rejected: rejected(pending, currency, parsed, dates) };

  const information = parseInformation(informationLines(pending));
  const amount = signedAmount(parsed.unsignedAmount, currency, isNegativeMark(parsed.mark), field);
  for (const issue of amount.issues) issues.push(issue);
  const bankReference = parsed.bankReference && parsed.bankReference !== NO_REFERENCE ? parsed.bankReference : undefined;
  const customerReference = parsed.customerReference && parsed.customerReference !== NO_REFERENCE ? parsed.customerReference : undefined;
  // parseInformation made `details` for this transaction alone: extended in place, not spread.
  const details: Record<string, string> = information.details;
  details.debitCreditMark = parsed.mark;
  if (parsed.mark === "RC" || parsed.mark === "RD") details.reversal = "true";
  if (parsed.fundsCode) details.fundsCode = parsed.fundsCode;
  if (parsed.supplementaryDetails) details.supplementaryDetails = parsed.supplementaryDetails;
  const counterpartyAccount = information.counterpartyAccount ?? ibanIn(parsed.supplementaryDetails);
  // Optional fields assigned in the order the object had when it was built from spreads (a temporary
  // object per optional field showed in profiles).
  const transaction = { bookingDate } as Transaction;
  if (dates.valueDate) transaction.valueDate = dates.valueDate;
  transaction.amount = amount.amount;
  if (currency) transaction.currency = currency;
  if (bankReference) {
    transaction.externalId = bankReference;
    transaction.bankReference = bankReference;
  }
  if (customerReference) transaction.customerReference = customerReference;
  transaction.typeCode = parsed.typeCode;
  transaction.description = information.description;
  if (information.counterpartyName) transaction.counterpartyName = information.counterpartyName;
  if (counterpartyAccount) transaction.counterpartyAccount = counterpartyAccount;
  transaction.details = details;
  transaction.raw = rawText(pending);
  transaction.line = field.line;
  return { transaction, issues };
}

/** Scales to the currency's decimals (never rounding) and applies the sign. */
export function signedAmount(unsigned: string, currency: string | undefined, negative: boolean, field: SwiftField): { amount: string; issues: ParseIssue[] } {
  if (isScaledNonZero(unsigned, currency)) return { amount: negative ? "-" + unsigned : unsigned, issues: [] };
  const scaled = scaleToCurrency(unsigned, currency) ?? { amount: unsigned };
  const issues: ParseIssue[] = [];
  if (scaled.excessDecimals) {
    issues.push({
      severity: "warning",
      code: "too_many_decimals",
      message: `Expected at most ${scaled.excessDecimals.allowed} decimals for ${currency ?? ""} in field :${field.tag}:, found ${scaled.excessDecimals.written}; the amount is kept exactly as written`,
      line: field.line,
      field: field.tag,
    });
  }
  return { amount: negative ? negateCanonical(scaled.amount) : scaled.amount, issues };
}

/** The last currency asked about and its minor units: a statement's entries share one currency. */
let lastCurrency: string | undefined;
let lastMinorUnits: number | undefined;

/** minorUnits(currency), remembered for the last currency asked about (asked once per entry). */
export function entryMinorUnits(currency: string | undefined): number | undefined {
  if (currency !== lastCurrency) {
    lastCurrency = currency;
    lastMinorUnits = minorUnits(currency);
  }
  return lastMinorUnits;
}

/**
 * True when `unsigned` is already what scaleToCurrency would make of it and not zero, so its signed
 * form is "-" + it (the usual entry: "259.46" in EUR). Checked on character codes: canonicalDecimal's
 * regex and negateCanonical's two showed in profiles. Digits with no leading zero, then a point and
 * exactly the currency's minor units (or no point for a currency without them).
 */
function isScaledNonZero(unsigned: string, currency: string | undefined): boolean {
  const allowed = entryMinorUnits(currency);
  if (allowed === undefined) return false;
  const length = unsigned.length;
  const first = unsigned.charCodeAt(0);
  if (first < 49 || first > 57) return false;
  const point = allowed === 0 ? length : length - allowed - 1;
  if (point < 1) return false;
  for (let i = 1; i < point; i++) {
    const c = unsigned.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  if (allowed === 0) return true;
  if (unsigned.charCodeAt(point) !== 46 /* . */) return false;
  for (let i = point + 1; i < length; i++) {
    const c = unsigned.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Rabobank writes the counterparty IBAN as the ":61:" supplementary details. */
function ibanIn(text: string | undefined): string | undefined {
  return /^([A-Z]{2}\d{2}[A-Z0-9]{10,30})$/.exec(text ?? "")?.[1];
}
