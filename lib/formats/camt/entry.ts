/**
 * A camt <Ntry> and its <TxDtls> become transactions. Several details whose signed amounts add up
 * to the entry give one transaction each. When they do not add up (or an amount is missing or in
 * another currency), the entry itself is the one booked amount the balances depend on: it becomes a
 * single transaction and the mismatch is an issue, so the statement still reconciles.
 */
import type { ParseIssue, Transaction } from "@/lib/schemas/canonical";
import { addDecimals, compareDecimals } from "@/lib/money/decimal";
import { parseIsoDate } from "../shared/dates";
import type { RejectedRow } from "../types";
import { signedAmount, usualAmount } from "./amount";
import { F, slotTable, type EntryFields } from "./entry-fields";

const NOT_PROVIDED = "NOTPROVIDED";

export interface EntryContext {
  accountCurrency?: string;
  messageId?: string;
}

export function entryTransactions(
  entry: EntryFields,
  details: readonly EntryFields[],
  context: EntryContext,
): { transactions: Transaction[]; issues: ParseIssue[]; rejected?: RejectedRow } {
  const issues: ParseIssue[] = [];
  const currency = entry.first(F.Amt_Ccy)?.trim() || context.accountCurrency;
  const signed = signedAmount(entry.first(F.Amt), entry.first(F.CdtDbtInd), currency, { line: entry.line, element: "Ntry" });
  issues.push(...signed.issues);
  const bookingText = entry.first(F.BookgDt_Dt, F.BookgDt_DtTm);
  const bookingDate = bookingText === undefined ? null : isoDate(bookingText);
  if (bookingDate === null) {
    issues.push({
      severity: "error",
      code: bookingText === undefined ? "missing_booking_date" : "invalid_date",
      message: `Expected a booking date as YYYY-MM-DD in Ntry/BookgDt, found ${bookingText === undefined ? "none" : `"${bookingText.trim()}"`}; the entry is skipped`,
      line: entry.line,
      field: "Ntry/BookgDt",
    });
  }
  const valueText = entry.first(F.ValDt_Dt, F.ValDt_DtTm);
  const valueDate = valueText === undefined ? null : isoDate(valueText);
  if (valueText !== undefined && valueDate === null) {
    issues.push({ severity: "error", code: "invalid_date", message: `Expected a value date as YYYY-MM-DD in Ntry/ValDt, found "${valueText.trim()}"; the value date is left out`, line: entry.line, field: "Ntry/ValDt" });
  }
  if (signed.amount === null || bookingDate === null) {
    // Kept for correction in review: dates and amount as written where they failed, the rest as read.
    const direction = entry.first(F.CdtDbtInd)?.trim() ?? "";
    const { details: _extras, ...described } = describe(entry, details, direction || undefined, context, undefined);
    const fields: Record<string, string> = {
      bookingDate: bookingDate ?? bookingText?.trim() ?? "",
      amount: signed.amount ?? entry.first(F.Amt)?.trim() ?? "",
      creditDebit: direction,
      ...described,
    };
    if (valueText !== undefined) fields.valueDate = valueDate ?? valueText.trim();
    if (currency) fields.currency = currency;
    const rejected: RejectedRow = { kind: "transaction", line: entry.line, raw: entry.raw, fields };
    return { transactions: [], issues, rejected };
  }

  const transactionCurrency = currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined;
  const entryDirection = entry.first(F.CdtDbtInd)?.trim();

  const split = details.length > 1 ? splitAmounts(entry, details, signed.amount, currency, entryDirection, issues) : null;
  if (split) {
    const rawFor = rawBuilder(entry.raw, entry.detailOffsets);
    const transactions = details.map((detail, i) =>
      transactionOf(bookingDate, valueDate, transactionCurrency, entry.line, describe(entry, [detail], detail.first(F.CdtDbtInd)?.trim() || entryDirection, context, i), split[i]!, rawFor(i)),
    );
    return { transactions, issues };
  }
  if (details.length === 1) checkSingleDetail(entry, details[0]!, signed.amount, currency, entryDirection, issues);
  // One transaction (the usual case), and the raw text without building every detail's raw.
  const transaction = transactionOf(bookingDate, valueDate, transactionCurrency, entry.line, describe(entry, details, entryDirection, context, undefined), signed.amount, entry.raw);
  return { transactions: [transaction], issues };
}

/**
 * The slots usualTransaction lets an entry and its detail fill: those describe reads for the
 * transaction's own fields and its usual details. Any other slot (a detail's own amount, NtryRef,
 * MndtId, an ultimate party, ...) or a second value in a slot leaves the entry to entryTransactions.
 */
const USUAL_ENTRY = slotTable(
  F.Amt, F.Amt_Ccy, F.CdtDbtInd, F.BookgDt_Dt, F.BookgDt_DtTm, F.ValDt_Dt, F.ValDt_DtTm, F.AcctSvcrRef, F.Sts, F.Sts_Cd, F.Sts_Prtry,
  F.BkTxCd_Domn_Cd, F.BkTxCd_Domn_Fmly_Cd, F.BkTxCd_Domn_Fmly_SubFmlyCd, F.BkTxCd_Prtry_Cd, F.AddtlNtryInf,
);
const USUAL_DETAIL = slotTable(
  F.CdtDbtInd, F.Refs_EndToEndId, F.Refs_InstrId, F.Refs_AcctSvcrRef,
  F.RltdPties_Cdtr_Nm, F.RltdPties_Cdtr_Pty_Nm, F.RltdPties_Dbtr_Nm, F.RltdPties_Dbtr_Pty_Nm,
  F.RltdPties_CdtrAcct_Id_IBAN, F.RltdPties_CdtrAcct_Id_Othr_Id, F.RltdPties_DbtrAcct_Id_IBAN, F.RltdPties_DbtrAcct_Id_Othr_Id,
  F.BkTxCd_Domn_Cd, F.BkTxCd_Domn_Fmly_Cd, F.BkTxCd_Domn_Fmly_SubFmlyCd, F.BkTxCd_Prtry_Cd, F.RmtInf_Ustrd, F.AddtlTxInf,
);

/**
 * The one transaction of the usual entry (at most one detail, only USUAL_ENTRY / USUAL_DETAIL slots
 * filled, a valid amount and dates, nothing to report), exactly as entryTransactions gives it, else
 * undefined. entryTransactions stays the general path and arbiter: this is what it computes for
 * that shape with every lookup of an empty slot, every empty issue list and the intermediate
 * objects left out (about a quarter of the CPU of reading the bench file went to entryTransactions).
 */
export function usualTransaction(entry: EntryFields, detail: EntryFields | undefined, context: EntryContext): Transaction | undefined {
  if (!entry.onlyIn(USUAL_ENTRY) || (detail !== undefined && !detail.onlyIn(USUAL_DETAIL))) return undefined;
  const currency = entry.first(F.Amt_Ccy)?.trim() || context.accountCurrency;
  const indicator = entry.first(F.CdtDbtInd);
  const amount = usualAmount(entry.first(F.Amt), indicator, currency);
  if (amount === undefined) return undefined;
  const bookingText = entry.first(F.BookgDt_Dt, F.BookgDt_DtTm);
  const bookingDate = bookingText === undefined ? null : isoDate(bookingText);
  if (bookingDate === null) return undefined;
  const valueText = entry.first(F.ValDt_Dt, F.ValDt_DtTm);
  const valueDate = valueText === undefined ? null : isoDate(valueText);
  if (valueText !== undefined && valueDate === null) return undefined;
  // The amount is valid, so the indicator is CRDT or DBIT.
  const direction = indicator!.trim();

  // describe(entry, [detail], direction, context, undefined) without the slots USUAL_* leave out.
  const endToEnd = pickFrom(detail, F.Refs_EndToEndId);
  const endToEndId = endToEnd && endToEnd !== NOT_PROVIDED ? endToEnd : undefined;
  const instructionId = pickFrom(detail, F.Refs_InstrId);
  const entryRef = clean(entry.first(F.AcctSvcrRef));
  const detailRef = pickFrom(detail, F.Refs_AcctSvcrRef);
  const debit = direction === "DBIT";
  // At most one value per slot (onlyIn), so joinTrimmed of a slot's values is its trimmed value.
  const remittance = pickFrom(detail, F.RmtInf_Ustrd);
  const entryInformation = clean(entry.first(F.AddtlNtryInf)) ?? "";
  const transactionInformation = pickFrom(detail, F.AddtlTxInf);
  const description = collapseWhiteSpace(remittance || entryInformation || transactionInformation || "");

  const extras: Record<string, string> = {};
  putIfSet(extras, "endToEndId", endToEnd);
  putIfSet(extras, "instructionId", instructionId);
  putIfSet(extras, "statementMessageId", context.messageId);
  putIfSet(extras, "entryAccountServicerReference", entryRef);
  putIfSet(extras, "status", clean(entry.first(F.Sts, F.Sts_Cd, F.Sts_Prtry)));
  putIfSet(extras, "creditDebit", direction);
  if (description !== entryInformation) putIfSet(extras, "additionalEntryInformation", entryInformation);
  putIfSet(extras, "additionalTransactionInformation", transactionInformation);

  const described: Described = {} as Described;
  const externalId = entryRef ?? detailRef ?? endToEndId;
  if (externalId) described.externalId = externalId;
  const bankReference = detailRef ?? entryRef;
  if (bankReference) described.bankReference = bankReference;
  const customerReference = endToEndId ?? instructionId;
  if (customerReference) described.customerReference = customerReference;
  const typeCode = bankTransactionCode(detail) ?? bankTransactionCode(entry);
  if (typeCode) described.typeCode = typeCode;
  described.description = description.trim();
  const counterpartyName = pickFrom(detail, debit ? F.RltdPties_Cdtr_Nm : F.RltdPties_Dbtr_Nm, debit ? F.RltdPties_Cdtr_Pty_Nm : F.RltdPties_Dbtr_Pty_Nm);
  if (counterpartyName) described.counterpartyName = counterpartyName;
  const counterpartyAccount = pickFrom(detail, debit ? F.RltdPties_CdtrAcct_Id_IBAN : F.RltdPties_DbtrAcct_Id_IBAN, debit ? F.RltdPties_CdtrAcct_Id_Othr_Id : F.RltdPties_DbtrAcct_Id_Othr_Id);
  if (counterpartyAccount) described.counterpartyAccount = counterpartyAccount;
  described.details = extras;
  const transactionCurrency = currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined;
  return transactionOf(bookingDate, valueDate, transactionCurrency, entry.line, described, amount, entry.raw);
}

/** White space that replace(/\s+/g, " ") changes: any but a space, or a space followed by more. */
const COLLAPSIBLE = /[^\S ]| \s/;

/**
 * text.replace(/\s+/g, " "), skipped when it would change nothing: the replace makes a new string
 * with every single space matched and replaced by itself, and most descriptions have only those.
 */
export function collapseWhiteSpace(text: string): string {
  return COLLAPSIBLE.test(text) ? text.replace(/\s+/g, " ") : text;
}

let lastDateText: string | undefined;
let lastDate: string | null = null;

/** parseIsoDate, remembering the last answer: entries of a statement mostly share their dates. */
function isoDate(text: string): string | null {
  if (text !== lastDateText) {
    lastDate = parseIsoDate(text);
    lastDateText = text;
  }
  return lastDate;
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
function detailAmount(detail: EntryFields, currency: string | undefined, entryDirection: string | undefined): { amount?: string; issues: ParseIssue[] } {
  const paths: [number, number][] = [[F.Amt, F.Amt_Ccy], [F.AmtDtls_TxAmt_Amt, F.AmtDtls_TxAmt_Amt_Ccy]];
  for (const [path, ccyPath] of paths) {
    const text = detail.first(path);
    if (text === undefined) continue;
    const ccy = detail.first(ccyPath)?.trim();
    if (ccy && currency && ccy !== currency) continue;
    const signed = signedAmount(text, detail.first(F.CdtDbtInd) ?? entryDirection, currency, { line: detail.line, element: "TxDtls" });
    return signed.amount === null ? { issues: signed.issues } : { amount: signed.amount, issues: signed.issues };
  }
  return { issues: [] };
}

function splitAmounts(entry: EntryFields, details: readonly EntryFields[], entryAmount: string, currency: string | undefined, entryDirection: string | undefined, issues: ParseIssue[]): string[] | null {
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

function checkSingleDetail(entry: EntryFields, detail: EntryFields, entryAmount: string, currency: string | undefined, entryDirection: string | undefined, issues: ParseIssue[]): void {
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
function describe(entry: EntryFields, details: readonly EntryFields[], direction: string | undefined, context: EntryContext, index: number | undefined): Described {
  // Helper functions (pickFrom, putIfSet), not closures and rest arrays per entry: each closure costs
  // a __name call under the bench's keepNames build, and this runs for every entry.
  const detail = details.length === 1 ? details[0] : undefined;
  const endToEnd = pickFrom(detail, F.Refs_EndToEndId);
  const endToEndId = endToEnd && endToEnd !== NOT_PROVIDED ? endToEnd : undefined;
  const instructionId = pickFrom(detail, F.Refs_InstrId);
  const entryRef = clean(entry.first(F.AcctSvcrRef));
  const detailRef = pickFrom(detail, F.Refs_AcctSvcrRef);
  const externalId =
    index === undefined ? entryRef ?? detailRef ?? endToEndId : detailRef ?? endToEndId ?? (entryRef ? `${entryRef}/${index + 1}` : undefined);
  const bankReference = detailRef ?? entryRef;
  const customerReference = endToEndId ?? instructionId;
  const typeCode = bankTransactionCode(detail) ?? bankTransactionCode(entry);

  const debit = direction === "DBIT";
  const counterpartyName = pickFrom(detail, debit ? F.RltdPties_Cdtr_Nm : F.RltdPties_Dbtr_Nm, debit ? F.RltdPties_Cdtr_Pty_Nm : F.RltdPties_Dbtr_Pty_Nm);
  const counterpartyAccount = pickFrom(detail, debit ? F.RltdPties_CdtrAcct_Id_IBAN : F.RltdPties_DbtrAcct_Id_IBAN, debit ? F.RltdPties_CdtrAcct_Id_Othr_Id : F.RltdPties_DbtrAcct_Id_Othr_Id);

  const remittance: string[] = [];
  for (const d of details) {
    const text = joinTrimmed(d.all(F.RmtInf_Ustrd));
    if (text) remittance.push(text);
  }
  const entryInformation = joinTrimmed(entry.all(F.AddtlNtryInf));
  const transactionInformation = pickFrom(detail, F.AddtlTxInf);
  const description = (details.length > 1 ? entryInformation || remittance.join("; ") : remittance[0] || entryInformation || transactionInformation || "").replace(/\s+/g, " ");

  const extras: Record<string, string> = {};
  putIfSet(extras, "endToEndId", endToEnd);
  putIfSet(extras, "instructionId", instructionId);
  putIfSet(extras, "messageId", pickFrom(detail, F.Refs_MsgId));
  putIfSet(extras, "paymentInformationId", pickFrom(detail, F.Refs_PmtInfId) ?? clean(entry.first(F.NtryDtls_Btch_PmtInfId)));
  putIfSet(extras, "transactionId", pickFrom(detail, F.Refs_TxId));
  putIfSet(extras, "mandateId", pickFrom(detail, F.Refs_MndtId));
  putIfSet(extras, "chequeNumber", pickFrom(detail, F.Refs_ChqNb));
  putIfSet(extras, "statementMessageId", context.messageId);
  putIfSet(extras, "entryReference", clean(entry.first(F.NtryRef)));
  putIfSet(extras, "entryAccountServicerReference", entryRef);
  putIfSet(extras, "status", clean(entry.first(F.Sts, F.Sts_Cd, F.Sts_Prtry)));
  putIfSet(extras, "creditDebit", direction);
  if (clean(entry.first(F.RvslInd))?.toLowerCase() === "true") extras.reversal = "true";
  putIfSet(extras, "batchTransactionCount", clean(entry.first(F.NtryDtls_Btch_NbOfTxs)));
  if (details.length > 1) extras.detailCount = String(details.length);
  putIfSet(extras, "instructedAmount", pickFrom(detail, F.AmtDtls_InstdAmt_Amt) ?? clean(entry.first(F.AmtDtls_InstdAmt_Amt)));
  putIfSet(extras, "instructedCurrency", pickFrom(detail, F.AmtDtls_InstdAmt_Amt_Ccy) ?? clean(entry.first(F.AmtDtls_InstdAmt_Amt_Ccy)));
  putIfSet(extras, "exchangeRate", pickFrom(detail, F.AmtDtls_InstdAmt_CcyXchg_XchgRate, F.AmtDtls_TxAmt_CcyXchg_XchgRate, F.AmtDtls_CntrValAmt_CcyXchg_XchgRate));
  const detailAmountText = pickFrom(detail, F.Amt, F.AmtDtls_TxAmt_Amt);
  const detailCurrency = pickFrom(detail, F.Amt_Ccy, F.AmtDtls_TxAmt_Amt_Ccy);
  if (detailAmountText && detailCurrency && detailCurrency !== clean(entry.first(F.Amt_Ccy))) {
    putIfSet(extras, "transactionAmount", detailAmountText);
    putIfSet(extras, "transactionCurrency", detailCurrency);
  }
  putIfSet(extras, "creditorReference", pickFrom(detail, F.RmtInf_Strd_CdtrRefInf_Ref));
  putIfSet(extras, "ultimateDebtor", pickFrom(detail, F.RltdPties_UltmtDbtr_Nm, F.RltdPties_UltmtDbtr_Pty_Nm));
  putIfSet(extras, "ultimateCreditor", pickFrom(detail, F.RltdPties_UltmtCdtr_Nm, F.RltdPties_UltmtCdtr_Pty_Nm));
  putIfSet(extras, "counterpartyBic", pickFrom(detail, debit ? F.RltdAgts_CdtrAgt_FinInstnId_BIC : F.RltdAgts_DbtrAgt_FinInstnId_BIC, debit ? F.RltdAgts_CdtrAgt_FinInstnId_BICFI : F.RltdAgts_DbtrAgt_FinInstnId_BICFI));
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
function pickFrom(scope: EntryFields | undefined, a: number, b?: number, c?: number): string | undefined {
  if (!scope) return undefined;
  return clean(scope.first(a, b, c));
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
function bankTransactionCode(scope: EntryFields | undefined): string | undefined {
  if (!scope) return undefined;
  const domain = clean(scope.first(F.BkTxCd_Domn_Cd));
  if (domain) {
    // Concatenated, not [..].filter(Boolean).join("/"): this runs for every entry and detail.
    const family = clean(scope.first(F.BkTxCd_Domn_Fmly_Cd));
    const subFamily = clean(scope.first(F.BkTxCd_Domn_Fmly_SubFmlyCd));
    let code = domain;
    if (family) code += "/" + family;
    if (subFamily) code += "/" + subFamily;
    return code;
  }
  return clean(scope.first(F.BkTxCd_Prtry_Cd));
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
