/**
 * Record 03, the account identifier: the account number, its currency, then any number of
 * status and summary items (type code, amount, item count, funds type and its extra fields).
 */
import { fail, ok, readAmount, readCount, readCurrency, readIdentifier, readTypeCode, writeOptional, type FieldProblem, type FieldResult } from "./fields";
import { readFunds, writeFunds, type Funds } from "./funds";
import { writeRecord } from "./continuation";

export interface SummaryItem {
  typeCode: string;
  /** Minor units as written (status amounts carry their own sign); undefined when blank. */
  amount?: bigint;
  itemCount?: number;
  funds?: Funds;
}

export interface AccountIdentifier {
  accountNumber: string;
  /** As written; blank means the group's currency. */
  currency?: string;
  summaries: SummaryItem[];
}

/** The items read before any problem are kept, so the caller can report the problem and carry on. */
export interface AccountIdentifierResult {
  account?: AccountIdentifier;
  problem?: FieldProblem;
}

function readSummary(fields: readonly string[], index: number): FieldResult<{ item: SummaryItem; next: number }> {
  const f = (i: number): string => fields[i] ?? "";
  const type = readTypeCode(f(index), "type code");
  if (!type.ok) return type;
  const amount = readAmount(f(index + 1), `amount of type ${type.value}`);
  if (!amount.ok) return amount;
  const count = readCount(f(index + 2), `item count of type ${type.value}`);
  if (!count.ok) return count;
  const funds = readFunds(fields, index + 3);
  if (!funds.ok) return fail(funds.problem.code, funds.problem.field, `${funds.problem.message} (type ${type.value})`);
  const item: SummaryItem = { typeCode: type.value };
  if (amount.value !== undefined) item.amount = amount.value;
  if (count.value !== undefined) item.itemCount = count.value;
  if (funds.value.funds !== undefined) item.funds = funds.value.funds;
  return ok({ item, next: funds.value.next });
}

export function parseAccountIdentifier(fields: readonly string[]): AccountIdentifierResult {
  const number = readIdentifier(fields[0] ?? "", "customer account number");
  if (!number.ok) return { problem: number.problem };
  const currency = readCurrency(fields[1] ?? "", "currency code");
  if (!currency.ok) return { problem: currency.problem };
  const account: AccountIdentifier = { accountNumber: number.value, summaries: [] };
  if (currency.value !== undefined) account.currency = currency.value;
  let index = 2;
  while (index < fields.length) {
    // Several banks leave one empty field before the "/" or between items; no item starts empty.
    if (fields[index] === "") {
      index++;
      continue;
    }
    const summary = readSummary(fields, index);
    if (!summary.ok) return { account, problem: summary.problem };
    account.summaries.push(summary.value.item);
    index = summary.value.next;
  }
  return { account };
}

export function formatAccountIdentifier(a: AccountIdentifier, maxLength = Infinity): string {
  const items = a.summaries.flatMap((s) => [s.typeCode, writeOptional(s.amount), writeOptional(s.itemCount), ...writeFunds(s.funds)]);
  return writeRecord("03", [a.accountNumber, a.currency ?? "", ...items], maxLength);
}
