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
import { isCapital, isDigit } from "../shared/chars";
import { entryMinorUnits, NO_REFERENCE, type PendingTransaction } from "./transaction";

/**
 * An entry of one one-line ":61:" and at most one one-line ":86:", each as offsets into the text that
 * holds it: the decoded chunk it was read from (SwiftScanner hands such fields on as offsets, see
 * SwiftSink.fieldLine), or for a field read the general way, its tag and value joined.
 *
 * Why: the usual entry is two lines, and making each a SwiftField (with its lines array and the
 * line's slice), then a PendingTransaction with an information array, then joining them again for the
 * raw text was a whole stage of the parse. Held as offsets, the ":61:" and ":86:" values are read
 * in place and the raw text is two slices.
 */
export interface HeldEntry {
  /** Holds the ":61:" line: ":61:" at from - 4, the value at [from, to). */
  text: string;
  from: number;
  to: number;
  /** Physical line of the ":61:". */
  line: number;
  /** Holds the ":86:" line (":86:" at infoFrom - 4, the value at [infoFrom, infoTo)), or undefined when there is none. */
  info: string | undefined;
  infoFrom: number;
  infoTo: number;
  /** Physical line of the ":86:". */
  infoLine: number;
}

/**
 * `held` from a pending entry read the general way, or false when it is not of the held shape (a
 * ":61:" or ":86:" of several lines, or several ":86:").
 */
export function holdPending(pending: PendingTransaction, held: HeldEntry): boolean {
  const field = pending.statementLine;
  const fields = pending.information;
  if (field.lines.length !== 1 || fields.length > 1 || (fields.length === 1 && fields[0]!.lines.length !== 1)) return false;
  held.text = ":61:" + field.lines[0]!;
  held.from = 4;
  held.to = held.text.length;
  held.line = field.line;
  if (fields.length === 0) {
    held.info = undefined;
  } else {
    held.info = ":86:" + fields[0]!.lines[0]!;
    held.infoFrom = 4;
    held.infoTo = held.info.length;
    held.infoLine = fields[0]!.line;
  }
  return true;
}

/**
 * The transaction, with what readShortDecimal would read from its amount in `amount` (for the
 * statement's totals), or undefined when the entry must go the general way.
 *
 * Reading stops at the field's end without comparing against it: after `to` comes the line break (or
 * nothing), which fails every check below as the end of a line string did.
 */
export function quickTransaction(held: HeldEntry, currency: string | undefined, amount: ShortDecimal): Transaction | undefined {
  // Read as written, not trimmed as parseStatementLine does: white space before fails the dates'
  // digits below (so the general way decides), and white space after can only end the references,
  // which are trimmed.
  const { text, from, to } = held;
  for (let i = from; i < from + 6; i++) if (!isDigit(text.charCodeAt(i))) return undefined;
  const entryDate = isDigit(text.charCodeAt(from + 6)) && isDigit(text.charCodeAt(from + 7)) && isDigit(text.charCodeAt(from + 8)) && isDigit(text.charCodeAt(from + 9));
  let i = entryDate ? from + 10 : from + 6;
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

  const valueDateText = text.slice(from, from + 6);
  const dates = statementLineDates(valueDateText, entryDate ? text.slice(from + 6, from + 10) : undefined);
  if (dates.valueDate === null || dates.entryDate === null) return undefined;
  const bookingDate = dates.entryDate === undefined ? dates.valueDate : dates.entryDate;

  // A "//" found past the field's end is another line's (the break after `to` is no slash).
  let slashes = text.indexOf("//", typeEnd);
  if (slashes >= to) slashes = -1;
  const customerReference = text.slice(typeEnd, slashes < 0 ? to : slashes).trim();
  const bankReference = slashes < 0 ? "" : text.slice(slashes + 2, to).trim();
  const whole = text.slice(wholeStart, wholeEnd);
  const unsigned = scale === 0 ? whole : whole + "." + text.slice(wholeEnd + 1, fractionEnd);
  const negative = markCode === 68;
  const mark = negative ? "D" : "C";

  // The usual ":86:" is one field of one line, which quickInformation reads when it can.
  const info = held.info;
  const information =
    info === undefined ? parseInformation([]) : (quickInformation(info, held.infoFrom, held.infoTo) ?? parseInformation([[info.slice(held.infoFrom, held.infoTo)]]));
  const details = information.details;
  details.debitCreditMark = mark;
  if (fundsCode) details.fundsCode = fundsCode;
  // Same keys in the same order as statementTransaction builds them.
  const signed = negative ? "-" + unsigned : unsigned;
  const typeCode = text.slice(typeEnd - 4, typeEnd);
  const hasBankReference = bankReference !== "" && bankReference !== NO_REFERENCE;
  const hasCustomerReference = customerReference !== "" && customerReference !== NO_REFERENCE;
  let transaction: Transaction;
  if (dates.valueDate && currency && hasBankReference && hasCustomerReference) {
    // The usual entry (both dates, a currency, both references) takes its first nine keys in one
    // literal: V8 keeps a literal's keys inside the object, while keys added one by one after the
    // first went to a separate property store that was grown (copied) several times per entry.
    transaction = { bookingDate, valueDate: dates.valueDate, amount: signed, currency, externalId: bankReference, bankReference, customerReference, typeCode, description: information.description } as Transaction;
  } else {
    transaction = { bookingDate } as Transaction;
    if (dates.valueDate) transaction.valueDate = dates.valueDate;
    transaction.amount = signed;
    if (currency) transaction.currency = currency;
    if (hasBankReference) {
      transaction.externalId = bankReference;
      transaction.bankReference = bankReference;
    }
    if (hasCustomerReference) transaction.customerReference = customerReference;
    transaction.typeCode = typeCode;
    transaction.description = information.description;
  }
  if (information.counterpartyName) transaction.counterpartyName = information.counterpartyName;
  if (information.counterpartyAccount) transaction.counterpartyAccount = information.counterpartyAccount;
  transaction.details = details;
  // rawText's ":61:…\n:86:…": the fields' lines as written, tags included.
  const line61 = text.slice(from - 4, to);
  transaction.raw = info === undefined ? line61 : line61 + "\n" + info.slice(held.infoFrom - 4, held.infoTo);
  transaction.line = held.line;
  amount.n = n;
  amount.digits = digits;
  amount.scale = scale;
  amount.negative = negative;
  return transaction;
}
