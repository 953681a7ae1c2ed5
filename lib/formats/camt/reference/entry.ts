/**
 * TEST REFERENCE ONLY: the camt reader as it was at commit 9d2745e (tokenizer → XmlEvent objects →
 * builder with a Map of every leaf per scope), kept unchanged and used only by the differential tests
 * (differential.test.ts): the fused reader must give exactly these events and errors on samples,
 * generated and damaged inputs, in every chunking. Not imported by any production code.
 */
/**
 * A camt <Ntry> and its <TxDtls> become transactions. Several details whose signed amounts add up
 * to the entry give one transaction each. When they do not add up (or an amount is missing or in
 * another currency), the entry itself is the one booked amount the balances depend on: it becomes a
 * single transaction and the mismatch is an issue, so the statement still reconciles.
 */
import type { ParseIssue, Transaction } from "@/lib/schemas/canonical";
import { addDecimals, compareDecimals } from "@/lib/money/decimal";
import { parseIsoDate } from "../../shared/dates";
import type { RejectedRow } from "../../types";
import { signedAmount } from "../amount";
import type { Scope } from "./scope";

const NOT_PROVIDED = "NOTPROVIDED";

export interface EntryContext {
  accountCurrency?: string;
  messageId?: string;
}

export function entryTransactions(
  entry: Scope,
  details: readonly Scope[],
  context: EntryContext,
): { transactions: Transaction[]; issues: ParseIssue[]; rejected?: RejectedRow } {
  const issues: ParseIssue[] = [];
  const currency = entry.first("Amt@Ccy")?.trim() || context.accountCurrency;
  const signed = signedAmount(entry.first("Amt"), entry.first("CdtDbtInd"), currency, { line: entry.line, element: "Ntry" });
  issues.push(...signed.issues);
  const bookingText = entry.first("BookgDt/Dt", "BookgDt/DtTm");
  const bookingDate = bookingText === undefined ? null : parseIsoDate(bookingText);
  if (bookingDate === null) {
    issues.push({
      severity: "error",
      code: bookingText === undefined ? "missing_booking_date" : "invalid_date",
      message: `Expected a booking date as YYYY-MM-DD in Ntry/BookgDt, found ${bookingText === undefined ? "none" : `"${bookingText.trim()}"`}; the entry is skipped`,
      line: entry.line,
      field: "Ntry/BookgDt",
    });
  }
  const valueText = entry.first("ValDt/Dt", "ValDt/DtTm");
  const valueDate = valueText === undefined ? null : parseIsoDate(valueText);
  if (valueText !== undefined && valueDate === null) {
    issues.push({ severity: "error", code: "invalid_date", message: `Expected a value date as YYYY-MM-DD in Ntry/ValDt, found "${valueText.trim()}"; the value date is left out`, line: entry.line, field: "Ntry/ValDt" });
  }
  if (signed.amount === null || bookingDate === null) {
    // Kept for correction in review: dates and amount as written where they failed, the rest as read.
    const direction = entry.first("CdtDbtInd")?.trim() ?? "";
    const { details: _extras, ...described } = describe(entry, details, direction || undefined, context, undefined);
    const fields: Record<string, string> = {
      bookingDate: bookingDate ?? bookingText?.trim() ?? "",
      amount: signed.amount ?? entry.first("Amt")?.trim() ?? "",
      creditDebit: direction,
      ...described,
    };
    if (valueText !== undefined) fields.valueDate = valueDate ?? valueText.trim();
    if (currency) fields.currency = currency;
    const rejected: RejectedRow = { kind: "transaction", line: entry.line, raw: entry.raw, fields };
    return { transactions: [], issues, rejected };
  }

  const transactionCurrency = currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined;
  const entryDirection = entry.first("CdtDbtInd")?.trim();

  const split = details.length > 1 ? splitAmounts(entry, details, signed.amount, currency, entryDirection, issues) : null;
  if (split) {
    const rawFor = rawBuilder(entry.raw, entry.detailOffsets);
    const transactions = details.map((detail, i) =>
      transactionOf(bookingDate, valueDate, transactionCurrency, entry.line, describe(entry, [detail], detail.first("CdtDbtInd")?.trim() || entryDirection, context, i), split[i]!, rawFor(i)),
    );
    return { transactions, issues };
  }
  if (details.length === 1) checkSingleDetail(entry, details[0]!, signed.amount, currency, entryDirection, issues);
  // One transaction (the usual case), and the raw text without building every detail's raw.
  const transaction = transactionOf(bookingDate, valueDate, transactionCurrency, entry.line, describe(entry, details, entryDirection, context, undefined), signed.amount, entry.raw);
  return { transactions: [transaction], issues };
}

/**
 * The transaction with its keys in the order the object spreads used to give them (bookingDate,
 * valueDate, currency, line, the described fields, details, amount, raw). Assigned one by one:
 * Object.assign over spread copies of these objects cost more than everything else per entry.
 */
function transactionOf(bookingDate: string, valueDate: string | null, currency: string | undefined, line: number, described: Described, amount: string, raw: string): Transaction {
  const transaction = { bookingDate } as Transaction;
  if (valueDate) transaction.valueDate = valueDate;
  if (currency) transaction.currency = currency;
  transaction.line = line;
  if (described.externalId !== undefined) transaction.externalId = described.externalId;
  if (described.bankReference !== undefined) transaction.bankReference = described.bankReference;
  if (described.customerReference !== undefined) transaction.customerReference = described.customerReference;
  if (described.typeCode !== undefined) transaction.typeCode = described.typeCode;
  transaction.description = described.description;
  if (described.counterpartyName !== undefined) transaction.counterpartyName = described.counterpartyName;
  if (described.counterpartyAccount !== undefined) transaction.counterpartyAccount = described.counterpartyAccount;
  transaction.details = described.details;
  transaction.amount = amount;
  transaction.raw = raw;
  return transaction;
}

/** Signed amount of a detail in the entry's currency, or undefined when it has none comparable. */
function detailAmount(detail: Scope, currency: string | undefined, entryDirection: string | undefined): { amount?: string; issues: ParseIssue[] } {
  const paths: [string, string][] = [["Amt", "Amt@Ccy"], ["AmtDtls/TxAmt/Amt", "AmtDtls/TxAmt/Amt@Ccy"]];
  for (const [path, ccyPath] of paths) {
    const text = detail.first(path);
    if (text === undefined) continue;
    const ccy = detail.first(ccyPath)?.trim();
    if (ccy && currency && ccy !== currency) continue;
    const signed = signedAmount(text, detail.first("CdtDbtInd") ?? entryDirection, currency, { line: detail.line, element: "TxDtls" });
    return signed.amount === null ? { issues: signed.issues } : { amount: signed.amount, issues: signed.issues };
  }
  return { issues: [] };
}

function splitAmounts(entry: Scope, details: readonly Scope[], entryAmount: string, currency: string | undefined, entryDirection: string | undefined, issues: ParseIssue[]): string[] | null {
  const amounts: string[] = [];
  for (const detail of details) {
    const found = detailAmount(detail, currency, entryDirection);
    issues.push(...found.issues);
    if (found.amount === undefined) {
      issues.push({
        severity: "warning",
        code: "detail_amount_missing",
        message: `Expected each of the ${details.length} transaction details to state an amount in ${currency ?? "the entry's currency"}, found one without; the entry is kept as one transaction of ${entryAmount}`,
        line: detail.line,
        field: "TxDtls/Amt",
      });
      return null;
    }
    amounts.push(found.amount);
  }
  const sum = addDecimals(...amounts);
  if (compareDecimals(sum, entryAmount) === 0) return amounts;
  issues.push({
    severity: "error",
    code: "detail_sum_mismatch",
    message: `Expected the ${details.length} transaction details to add up to the entry amount ${entryAmount}, found ${sum}; the entry is kept as one transaction`,
    line: entry.line,
    field: "Ntry/NtryDtls",
  });
  return null;
}

function checkSingleDetail(entry: Scope, detail: Scope, entryAmount: string, currency: string | undefined, entryDirection: string | undefined, issues: ParseIssue[]): void {
  const found = detailAmount(detail, currency, entryDirection);
  issues.push(...found.issues);
  if (found.amount === undefined || compareDecimals(found.amount, entryAmount) === 0) return;
  issues.push({
    severity: "error",
    code: "detail_sum_mismatch",
    message: `Expected the transaction detail amount to equal the entry amount ${entryAmount}, found ${found.amount}; the entry amount is used`,
    line: entry.line,
    field: "Ntry/NtryDtls/TxDtls/Amt",
  });
}

/** Everything but the amount: references, parties, codes and text, from the entry and its detail(s). */
function describe(entry: Scope, details: readonly Scope[], direction: string | undefined, context: EntryContext, index: number | undefined): Described {
  // Helper functions (pickFrom, putIfSet), not closures and rest arrays per entry: each closure costs
  // a __name call under the bench's keepNames build, and this runs for every entry.
  const detail = details.length === 1 ? details[0] : undefined;
  const endToEnd = pickFrom(detail, "Refs/EndToEndId");
  const endToEndId = endToEnd && endToEnd !== NOT_PROVIDED ? endToEnd : undefined;
  const instructionId = pickFrom(detail, "Refs/InstrId");
  const entryRef = clean(entry.first("AcctSvcrRef"));
  const detailRef = pickFrom(detail, "Refs/AcctSvcrRef");
  const externalId =
    index === undefined ? entryRef ?? detailRef ?? endToEndId : detailRef ?? endToEndId ?? (entryRef ? `${entryRef}/${index + 1}` : undefined);
  const bankReference = detailRef ?? entryRef;
  const customerReference = endToEndId ?? instructionId;
  const typeCode = bankTransactionCode(detail) ?? bankTransactionCode(entry);

  const counterpartySide = direction === "DBIT" ? "Cdtr" : "Dbtr";
  const counterpartyName = pickFrom(detail, `RltdPties/${counterpartySide}/Nm`, `RltdPties/${counterpartySide}/Pty/Nm`);
  const counterpartyAccount = pickFrom(detail, `RltdPties/${counterpartySide}Acct/Id/IBAN`, `RltdPties/${counterpartySide}Acct/Id/Othr/Id`);

  const remittance: string[] = [];
  for (const d of details) {
    const text = joinTrimmed(d.all("RmtInf/Ustrd"));
    if (text) remittance.push(text);
  }
  const entryInformation = joinTrimmed(entry.all("AddtlNtryInf"));
  const transactionInformation = pickFrom(detail, "AddtlTxInf");
  const description = (details.length > 1 ? entryInformation || remittance.join("; ") : remittance[0] || entryInformation || transactionInformation || "").replace(/\s+/g, " ");

  const extras: Record<string, string> = {};
  putIfSet(extras, "endToEndId", endToEnd);
  putIfSet(extras, "instructionId", instructionId);
  putIfSet(extras, "messageId", pickFrom(detail, "Refs/MsgId"));
  putIfSet(extras, "paymentInformationId", pickFrom(detail, "Refs/PmtInfId") ?? clean(entry.first("NtryDtls/Btch/PmtInfId")));
  putIfSet(extras, "transactionId", pickFrom(detail, "Refs/TxId"));
  putIfSet(extras, "mandateId", pickFrom(detail, "Refs/MndtId"));
  putIfSet(extras, "chequeNumber", pickFrom(detail, "Refs/ChqNb"));
  putIfSet(extras, "statementMessageId", context.messageId);
  putIfSet(extras, "entryReference", clean(entry.first("NtryRef")));
  putIfSet(extras, "entryAccountServicerReference", entryRef);
  putIfSet(extras, "status", clean(entry.first("Sts", "Sts/Cd", "Sts/Prtry")));
  putIfSet(extras, "creditDebit", direction);
  if (clean(entry.first("RvslInd"))?.toLowerCase() === "true") extras.reversal = "true";
  putIfSet(extras, "batchTransactionCount", clean(entry.first("NtryDtls/Btch/NbOfTxs")));
  if (details.length > 1) extras.detailCount = String(details.length);
  putIfSet(extras, "instructedAmount", pickFrom(detail, "AmtDtls/InstdAmt/Amt") ?? clean(entry.first("AmtDtls/InstdAmt/Amt")));
  putIfSet(extras, "instructedCurrency", pickFrom(detail, "AmtDtls/InstdAmt/Amt@Ccy") ?? clean(entry.first("AmtDtls/InstdAmt/Amt@Ccy")));
  putIfSet(extras, "exchangeRate", pickFrom(detail, "AmtDtls/InstdAmt/CcyXchg/XchgRate", "AmtDtls/TxAmt/CcyXchg/XchgRate", "AmtDtls/CntrValAmt/CcyXchg/XchgRate"));
  const detailAmountText = pickFrom(detail, "Amt", "AmtDtls/TxAmt/Amt");
  const detailCurrency = pickFrom(detail, "Amt@Ccy", "AmtDtls/TxAmt/Amt@Ccy");
  if (detailAmountText && detailCurrency && detailCurrency !== clean(entry.first("Amt@Ccy"))) {
    putIfSet(extras, "transactionAmount", detailAmountText);
    putIfSet(extras, "transactionCurrency", detailCurrency);
  }
  putIfSet(extras, "creditorReference", pickFrom(detail, "RmtInf/Strd/CdtrRefInf/Ref"));
  putIfSet(extras, "ultimateDebtor", pickFrom(detail, "RltdPties/UltmtDbtr/Nm", "RltdPties/UltmtDbtr/Pty/Nm"));
  putIfSet(extras, "ultimateCreditor", pickFrom(detail, "RltdPties/UltmtCdtr/Nm", "RltdPties/UltmtCdtr/Pty/Nm"));
  const agent = direction === "DBIT" ? "CdtrAgt" : "DbtrAgt";
  putIfSet(extras, "counterpartyBic", pickFrom(detail, `RltdAgts/${agent}/FinInstnId/BIC`, `RltdAgts/${agent}/FinInstnId/BICFI`));
  if (description !== entryInformation) putIfSet(extras, "additionalEntryInformation", entryInformation);
  putIfSet(extras, "additionalTransactionInformation", transactionInformation);

  // Assignments in the order the spreads had, without a temporary object per optional field.
  const described: Described = {} as Described;
  if (externalId) described.externalId = externalId;
  if (bankReference) described.bankReference = bankReference;
  if (customerReference) described.customerReference = customerReference;
  if (typeCode) described.typeCode = typeCode;
  described.description = description.trim();
  if (counterpartyName) described.counterpartyName = counterpartyName;
  if (counterpartyAccount) described.counterpartyAccount = counterpartyAccount;
  described.details = extras;
  return described;
}

interface Described {
  externalId?: string;
  bankReference?: string;
  customerReference?: string;
  typeCode?: string;
  description: string;
  counterpartyName?: string;
  counterpartyAccount?: string;
  details: Record<string, string>;
}

/** clean(scope?.first(a, b, c)): the first value found among up to three paths, trimmed, or undefined. */
function pickFrom(scope: Scope | undefined, a: string, b?: string, c?: string): string | undefined {
  if (!scope) return undefined;
  const value = scope.first(a) ?? (b === undefined ? undefined : scope.first(b)) ?? (c === undefined ? undefined : scope.first(c));
  return clean(value);
}

function putIfSet(into: Record<string, string>, key: string, value: string | undefined): void {
  if (value) into[key] = value;
}

/** The texts trimmed, empty ones left out, joined with spaces (loops: this runs for every entry). */
function joinTrimmed(texts: readonly string[]): string {
  let joined = "";
  for (const text of texts) {
    const trimmed = text.trim();
    if (trimmed) joined = joined ? joined + " " + trimmed : trimmed;
  }
  return joined;
}

/** ISO domain/family/sub-family ("PMNT/RCDT/DMCT") when given, else the proprietary code. */
function bankTransactionCode(scope: Scope | undefined): string | undefined {
  if (!scope) return undefined;
  const domain = clean(scope.first("BkTxCd/Domn/Cd"));
  if (domain) {
    return [domain, clean(scope.first("BkTxCd/Domn/Fmly/Cd")), clean(scope.first("BkTxCd/Domn/Fmly/SubFmlyCd"))].filter(Boolean).join("/");
  }
  return clean(scope.first("BkTxCd/Prtry/Cd"));
}

function clean(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Raw text for the entry's transactions: the whole entry, or the entry with only one of its details
 * in place (`offsets`: where each <TxDtls> starts in `raw`). Precomputes the entry without details
 * so a large batch costs linear, not quadratic, time.
 */
function rawBuilder(raw: string, offsets: readonly number[]): (index: number) => string {
  const detailTexts: string[] = [];
  const skeletonOffsets: number[] = [];
  let skeleton = raw.slice(0, offsets[0] ?? raw.length);
  for (let i = 0; i < offsets.length; i++) {
    const start = offsets[i]!;
    const next = offsets[i + 1] ?? raw.length;
    const end = raw.indexOf(DETAIL_END, start);
    const cut = end < 0 || end + DETAIL_END.length > next ? next : end + DETAIL_END.length;
    skeletonOffsets.push(skeleton.length);
    detailTexts.push(raw.slice(start, cut));
    skeleton += raw.slice(cut, next);
  }
  return (index) => {
    const offset = skeletonOffsets[index] ?? skeleton.length;
    return skeleton.slice(0, offset) + (detailTexts[index] ?? "") + skeleton.slice(offset);
  };
}

const DETAIL_END = "</TxDtls>";
