/**
 * From BAI2 records to the canonical model: 03 status items become balances, 16 details become
 * signed transactions. Signs come from the type-code table only.
 */
import type { Balance, Transaction } from "@/lib/schemas/canonical";
import { fromMinorUnits } from "@/lib/money/decimal";
import type { AccountIdentifier } from "./accountIdentifier";
import { balanceTypeFor } from "./balanceCodes";
import type { FieldProblem } from "./fields";
import type { Funds } from "./funds";
import type { TransactionDetail } from "./transactionDetail";
import { classifyTypeCode } from "./typeCodes";

export interface AccountContext {
  currency: string;
  /** Implied decimal places of the currency. */
  scale: number;
  /** The group's as-of date: the booking date of its details and the date of its balances. */
  asOfDate: string;
}

export function balancesOf(account: AccountIdentifier, context: AccountContext, line: number): Balance[] {
  const balances: Balance[] = [];
  for (const item of account.summaries) {
    if (item.amount === undefined || classifyTypeCode(item.typeCode)?.level !== "status") continue;
    balances.push({
      type: balanceTypeFor(item.typeCode),
      sourceCode: item.typeCode,
      date: context.asOfDate,
      amount: fromMinorUnits(item.amount, context.scale),
      currency: context.currency,
      line,
    });
  }
  return balances;
}

/** Text lines (16 text, wrapped lines, 88s) joined with single spaces, each trimmed of padding. */
export function descriptionOf(text: string | undefined): string {
  if (text === undefined) return "";
  // One line (the usual case): its trimmed text, without the split/map/filter/join.
  if (text.indexOf("\n") < 0) return text.trim();
  return text.split("\n").map((part) => part.trim()).filter((part) => part !== "").join(" ");
}

function money(units: bigint | undefined, scale: number): string | undefined {
  return units === undefined ? undefined : fromMinorUnits(units, scale);
}

/** Adds the funds fields to `details` (built in place: a spread of a new object per record showed in profiles). */
function addFundsDetails(details: Record<string, string>, funds: Funds | undefined, scale: number): Record<string, string> {
  if (!funds) return details;
  details.fundsType = funds.type;
  if (funds.type === "V" && funds.valueTime) details.valueTime = funds.valueTime;
  if (funds.type === "S") {
    const pairs: [string, string | undefined][] = [
      ["availableImmediately", money(funds.immediate, scale)],
      ["availableInOneDay", money(funds.oneDay, scale)],
      ["availableInTwoOrMoreDays", money(funds.twoOrMoreDays, scale)],
    ];
    for (const [key, value] of pairs) if (value !== undefined) details[key] = value;
  }
  if (funds.type === "D") {
    details.distributedAvailability = funds.distributions.map((d) => `${d.days}d:${fromMinorUnits(d.amount, scale)}`).join(" ");
  }
  return details;
}

/**
 * What a dropped 16 record held, for correction in review: the group's as-of date, the amount in
 * currency units (signed when the type code gives the direction, as written when unreadable), and
 * the references and text when the record could be split into them.
 */
export function rejectedDetailFields(fields: readonly string[], detail: TransactionDetail | undefined, context: AccountContext): Record<string, string> {
  const out: Record<string, string> = { bookingDate: context.asOfDate, typeCode: fields[0] ?? "", currency: context.currency };
  const written = fields[1] ?? "";
  if (/^[+-]?\d{1,30}$/.test(written)) {
    const direction = classifyTypeCode(fields[0] ?? "")?.direction;
    const units = BigInt(written);
    out.amount = fromMinorUnits(direction === "debit" ? -units : units, context.scale);
  } else out.amount = written;
  if (fields[2] !== undefined) out.fundsType = fields[2];
  if (detail) {
    if (detail.funds?.type === "V" && detail.funds.valueDate) out.valueDate = detail.funds.valueDate;
    if (detail.bankReference !== undefined) out.externalId = out.bankReference = detail.bankReference;
    if (detail.customerReference !== undefined) out.customerReference = detail.customerReference;
    out.description = descriptionOf(detail.text);
  } else out.description = "";
  return out;
}

export type DetailOutcome = { transaction: Transaction; warning?: FieldProblem } | { problem: FieldProblem };

export function transactionOf(detail: TransactionDetail, context: AccountContext, raw: string, line: number): DetailOutcome {
  const type = classifyTypeCode(detail.typeCode);
  if (!type || type.direction === "unknown") {
    return { problem: { code: "unknown_type_code", field: "type code", message: `Expected a type code whose class fixes credit or debit, found ${detail.typeCode}, which the BAI2 table leaves unassigned` } };
  }
  if (type.direction === "none") {
    const what = type.level === "status" ? "an account status (balance) code" : "a non-monetary information code";
    return { problem: { code: "non_transaction_type_code", field: "type code", message: `Expected a credit or debit type code in a 16 record, found ${detail.typeCode}, ${what}` } };
  }
  if (detail.amount === undefined) {
    return { problem: { code: "missing_amount", field: "amount", message: `Expected an amount in the 16 record of type ${detail.typeCode}, found nothing` } };
  }
  const sign = type.direction === "debit" ? -1n : 1n;
  const transaction: Transaction = {
    bookingDate: context.asOfDate,
    amount: fromMinorUnits(sign * detail.amount, context.scale),
    currency: context.currency,
    typeCode: detail.typeCode,
    description: descriptionOf(detail.text),
    details: addFundsDetails({ typeCodeClass: `${type.direction}_${type.level}` }, detail.funds, context.scale),
    raw,
    line,
  };
  if (detail.funds?.type === "V" && detail.funds.valueDate) transaction.valueDate = detail.funds.valueDate;
  if (detail.bankReference !== undefined) {
    transaction.bankReference = detail.bankReference;
    transaction.externalId = detail.bankReference;
  }
  if (detail.customerReference !== undefined) transaction.customerReference = detail.customerReference;
  if (detail.amount < 0n) {
    return {
      transaction,
      warning: { code: "signed_detail_amount", field: "amount", message: `Expected an unsigned amount in a 16 record (the type code gives the direction), found ${detail.amount}; the written sign was kept` },
    };
  }
  return { transaction };
}
