/**
 * Record 16, the transaction detail: type code, amount, funds type and its extra fields, bank and
 * customer references, then free text that runs to the end of the record (and on through 88s).
 */
import { fail, ok, optional, readAmount, readTypeCode, writeOptional, type FieldResult } from "./fields";
import { readFunds, writeFunds, type Funds } from "./funds";
import { writeRecord } from "./continuation";

export interface TransactionDetail {
  typeCode: string;
  /** Minor units as written; undefined when blank. */
  amount?: bigint;
  funds?: Funds;
  bankReference?: string;
  customerReference?: string;
  /** Undefined when the record stops before its text field; continuation lines are "\n"-separated. */
  text?: string;
}

export function parseTransactionDetail(fields: readonly string[]): FieldResult<TransactionDetail> {
  const type = readTypeCode(fields[0] ?? "", "type code");
  if (!type.ok) return type;
  const amount = readAmount(fields[1] ?? "", "amount");
  if (!amount.ok) return amount;
  const funds = readFunds(fields, 2);
  if (!funds.ok) return funds;
  const next = funds.value.next;
  if (next > fields.length && funds.value.funds?.type === "D") {
    return fail("invalid_distribution", "funds distribution", "Expected the day/amount pairs of funds type D, found the record ended");
  }
  const detail: TransactionDetail = { typeCode: type.value };
  if (amount.value !== undefined) detail.amount = amount.value;
  if (funds.value.funds !== undefined) detail.funds = funds.value.funds;
  const bankReference = optional(fields[next] ?? "");
  if (bankReference !== undefined) detail.bankReference = bankReference;
  const customerReference = optional(fields[next + 1] ?? "");
  if (customerReference !== undefined) detail.customerReference = customerReference;
  if (fields.length > next + 2) detail.text = fields.slice(next + 2).join(",");
  return ok(detail);
}

export function formatTransactionDetail(d: TransactionDetail, maxLength = Infinity): string {
  const head = [d.typeCode, writeOptional(d.amount), ...writeFunds(d.funds), d.bankReference ?? "", d.customerReference ?? ""];
  return writeRecord("16", head, maxLength, d.text === undefined ? [] : d.text.split("\n"));
}
