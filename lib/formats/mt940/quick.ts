/**
 * The usual entry read straight from its ":61:" line: one line, a C or D mark, an amount already in
 * its currency's scale, valid dates. Everything else (and anything that would raise an issue) goes
 * the general way, statementTransaction, which gives the same transaction for what this accepts.
 *
 * Why: the general path reads the line into a StatementLine, converts the amount's comma, checks its
 * scale, wraps the amount and the transaction in result objects, and the builder then re-reads the
 * amount string twice for the statement's totals. Here each part is sliced once from the line and the
 * amount's integer units, read with its digits, go to the totals as they are.
 */
import type { Transaction } from "@/lib/schemas/canonical";
import type { ShortDecimal } from "@/lib/money/decimal";
import { parseInformation, quickInformation } from "./information";
import { statementLineDates } from "./statement-line";
import { entryMinorUnits, informationLines, NO_REFERENCE, rawText, type PendingTransaction } from "./transaction";

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isCapital = (c: number): boolean => c >= 65 && c <= 90;

/**
 * The transaction, with what readShortDecimal would read from its amount in `amount` (for the
 * statement's totals), or undefined when the entry must go the general way.
 */
export function quickTransaction(pending: PendingTransaction, currency: string | undefined, amount: ShortDecimal): Transaction | undefined {
  const field = pending.statementLine;
  if (field.lines.length !== 1) return undefined;
  // Read as written, not trimmed as parseStatementLine does: white space before fails the dates'
  // digits below (so the general way decides), and white space after can only end the references,
  // which are trimmed.
  const text = field.lines[0]!;
  for (let i = 0; i < 6; i++) if (!isDigit(text.charCodeAt(i))) return undefined;
  const entryDate = isDigit(text.charCodeAt(6)) && isDigit(text.charCodeAt(7)) && isDigit(text.charCodeAt(8)) && isDigit(text.charCodeAt(9));
  let i = entryDate ? 10 : 6;
  const markCode = text.charCodeAt(i);
  if (markCode !== 67 /* C */ && markCode !== 68 /* D */) return undefined;
  i++;
  const fundsCode = isCapital(text.charCodeAt(i)) ? text.charAt(i++) : undefined;
  const scale = entryMinorUnits(currency);
  if (scale === undefined) return undefined;
  // Whole digits without a leading zero, then a comma and exactly `scale` digits (a currency without
  // minor units: no fraction digits): the amount is already scaled and not zero.
  const wholeStart = i;
  let c = text.charCodeAt(i);
  if (c < 49 || c > 57) return undefined;
  let n = 0;
  while (isDigit(c)) {
    n = n * 10 + (c - 48);
    c = text.charCodeAt(++i);
  }
  const wholeEnd = i;
  let fractionEnd = i;
  if (c === 44 /* , */) {
    c = text.charCodeAt(++i);
    while (isDigit(c)) {
      n = n * 10 + (c - 48);
      c = text.charCodeAt(++i);
    }
    fractionEnd = i;
    if (fractionEnd - wholeEnd - 1 !== scale) return undefined;
  } else if (scale !== 0) {
    return undefined;
  }
  const digits = wholeEnd - wholeStart + scale;
  if (digits > 15) return undefined;
  const typeEnd = i + 4;
  if (c !== 78 /* N */ && c !== 70 /* F */ && c !== 83 /* S */) return undefined;
  for (let k = i + 1; k < typeEnd; k++) {
    c = text.charCodeAt(k);
    if (!isCapital(c) && !isDigit(c)) return undefined;
  }
  // Unlike statementLineParts, the rest is not searched for line terminators: a field's first line
  // never holds one (lines are cut at CR and LF, and a line with U+2028/U+2029 is no tag line, see
  // tagLineEnd in scanner.ts and fields.ts).

  const valueDateText = text.slice(0, 6);
  const dates = statementLineDates(valueDateText, entryDate ? text.slice(6, 10) : undefined);
  if (dates.valueDate === null || dates.entryDate === null) return undefined;
  const bookingDate = dates.entryDate === undefined ? dates.valueDate : dates.entryDate;

  const slashes = text.indexOf("//", typeEnd);
  const customerReference = (slashes < 0 ? text.slice(typeEnd) : text.slice(typeEnd, slashes)).trim();
  const bankReference = slashes < 0 ? "" : text.slice(slashes + 2).trim();
  const whole = text.slice(wholeStart, wholeEnd);
  const unsigned = scale === 0 ? whole : whole + "." + text.slice(wholeEnd + 1, fractionEnd);
  const negative = markCode === 68;
  const mark = negative ? "D" : "C";

  // The usual ":86:" is one field of one line, which quickInformation reads when it can.
  const fields = pending.information;
  const line = fields.length === 1 && fields[0]!.lines.length === 1 ? fields[0]!.lines[0]! : undefined;
  const information = (line === undefined ? undefined : quickInformation(line)) ?? parseInformation(informationLines(pending));
  const details = information.details;
  details.debitCreditMark = mark;
  if (fundsCode) details.fundsCode = fundsCode;
  // Same keys in the same order as statementTransaction builds them.
  const transaction = { bookingDate } as Transaction;
  if (dates.valueDate) transaction.valueDate = dates.valueDate;
  transaction.amount = negative ? "-" + unsigned : unsigned;
  if (currency) transaction.currency = currency;
  if (bankReference && bankReference !== NO_REFERENCE) {
    transaction.externalId = bankReference;
    transaction.bankReference = bankReference;
  }
  if (customerReference && customerReference !== NO_REFERENCE) transaction.customerReference = customerReference;
  transaction.typeCode = text.slice(typeEnd - 4, typeEnd);
  transaction.description = information.description;
  if (information.counterpartyName) transaction.counterpartyName = information.counterpartyName;
  if (information.counterpartyAccount) transaction.counterpartyAccount = information.counterpartyAccount;
  transaction.details = details;
  transaction.raw = rawText(pending);
  transaction.line = field.line;
  amount.n = n;
  amount.digits = digits;
  amount.scale = scale;
  amount.negative = negative;
  return transaction;
}
