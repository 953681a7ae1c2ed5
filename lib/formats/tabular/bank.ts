/**
 * A bank-style table (CSV, TSV, XLSX) to canonical transactions: mapped columns, inferred date order and
 * number format, separate debit/credit columns with their sign conventions, one issue per bad cell.
 */
import type { ExternalAccount, FormatName, ParseIssue, Transaction } from "@/lib/schemas/canonical";
import { FormatError, type CsvColumnMapping, type JsonValue, type ParseEvent, type ParseOptions } from "../types";
import type { TableRow } from "./delimited";
import { cellAt, cellsByHeader, DATE_ORDER_LABEL, rejectedRow, rowIssue, unmappedDetails } from "./cells";
import { emptyDateEvidence, isoDayAsWritten, mergeDateEvidence, parseTableDate, type DateEvidenceData, type DateOrder, type DateResult } from "./dates";
import { ColumnEvidence, infer, inferenceToJson, lookaheadBatches, replayBatches, type Inference, type NumberEvidenceData } from "./evidence";
import { autoMapColumns, mappingToHeaders, normalizeHeader, resolveMapping, type ColumnIndexMapping } from "./mapping";
import { canonicalAmount, NumberEvidence, parseAmount, type DecimalSeparator } from "./numbers";
import { noRowsIssue } from "./records";
import type { Table } from "./table";
import { flattenBatches } from "../shared/batches";

/** What a first pass over the whole file learned; small (O(columns)) and JSON-serialisable. */
export interface TableProfile {
  encoding?: ParseOptions["encoding"];
  delimiter?: string;
  quoteChar?: string;
  headerLine: number;
  preambleLines: number;
  headers: string[];
  columnMapping: CsvColumnMapping;
  dateEvidence: Record<string, DateEvidenceData>;
  numberEvidence: Record<string, NumberEvidenceData>;
  dateOrder: DateOrder;
  decimalSeparator: DecimalSeparator;
  rows: number;
  lines: number;
}

export interface CsvParseOptions extends ParseOptions {
  /** The result of `scanDelimited` over the same bytes: date order and number format from the whole file. */
  profile?: TableProfile;
}

export function mapColumns(headers: string[], supplied: CsvColumnMapping | undefined, line: number): ColumnIndexMapping {
  let mapping: ColumnIndexMapping;
  if (supplied && Object.keys(supplied).length > 0) {
    const resolved = resolveMapping(supplied, headers);
    if (!resolved.ok) {
      throw new FormatError("mapping_mismatch", `Expected the supplied column mapping to fit the header, but found no ${resolved.missing.join(", ")} (header: ${headers.join(" | ")})`, line);
    }
    mapping = resolved.mapping;
  } else mapping = autoMapColumns(headers);
  refuseAmbiguousColumns(headers, mapping, line);
  const hasAmount = mapping.amount !== undefined || mapping.debit !== undefined || mapping.credit !== undefined;
  if (mapping.date === undefined || !hasAmount) {
    const missing = [mapping.date === undefined ? "a date column" : "", hasAmount ? "" : "an amount column (or debit/credit columns)"].filter(Boolean).join(" and ");
    throw new FormatError("columns_not_mapped", `Expected ${missing} in the header, found: ${headers.join(" | ")}`, line);
  }
  return mapping;
}

/**
 * A mapped column whose header is written twice ("Date,Amount,Amount") leaves it to chance which one is
 * read: the file is refused, naming the header and both columns, rather than reading the first.
 */
function refuseAmbiguousColumns(headers: readonly string[], mapping: ColumnIndexMapping, line: number): void {
  const normalized = headers.map(normalizeHeader);
  for (const index of Object.values(mapping)) {
    if (index === undefined || normalized[index] === "") continue;
    const same = normalized.flatMap((h, i) => (h === normalized[index] ? [i + 1] : []));
    if (same.length > 1) {
      throw new FormatError(
        "ambiguous_column",
        `Expected one column named "${headers[index]!.trim()}", found ${same.length} (columns ${same.slice(0, -1).join(", ")} and ${same.at(-1)}); rename one of them, or choose the columns in a saved mapping`,
        line,
      );
    }
  }
}

function dateColumns(m: ColumnIndexMapping): number[] {
  return [m.date, m.valueDate].filter((c): c is number => c !== undefined);
}

function numberColumns(m: ColumnIndexMapping): number[] {
  return [m.amount, m.debit, m.credit, m.balance].filter((c): c is number => c !== undefined);
}

/** Merges a saved profile's per-column evidence. */
function profileEvidence(profile: TableProfile): { dates: DateEvidenceData[]; numbers: NumberEvidence } {
  const numbers = new NumberEvidence();
  for (const e of Object.values(profile.numberEvidence)) numbers.merge(e);
  return { dates: Object.values(profile.dateEvidence), numbers };
}

const ACCOUNT_LABEL = /^(konto|kontonummer|account|account number|account no\.?|iban|compte|cuenta|rekening|mobile number|paybill|till number)\s*:?$/i;

/** An account number written in the preamble ("Konto;DE89…", "Account:,12345"), if any. */
export function accountFromPreamble(preamble: readonly TableRow[]): string | undefined {
  for (const row of preamble) {
    const cells = row.fields.map((f) => f.trim()).filter((f) => f !== "");
    const label = cells[0] ?? "";
    if (ACCOUNT_LABEL.test(label) && cells[1]) return cells[1];
    const inline = /^(?:konto|account|iban)(?: number| no\.?)?\s*:\s*(\S+)$/i.exec(label);
    if (inline?.[1]) return inline[1];
  }
  return undefined;
}

type Amount = { ok: true; value: string; currency?: string } | { ok: false; issue: ParseIssue };

function amountOf(row: TableRow, m: ColumnIndexMapping, headers: readonly string[], sep: DecimalSeparator): Amount {
  const expected = `an amount with "${sep}" as the decimal separator`;
  if (m.amount !== undefined) {
    const header = headers[m.amount] ?? "amount";
    const text = cellAt(row, m.amount);
    if (text === "") return { ok: false, issue: rowIssue(row, "missing_amount", `Expected ${expected} in field "${header}", found an empty cell`, header) };
    const parsed = parseAmount(text, sep);
    if (!parsed.ok) return { ok: false, issue: rowIssue(row, "invalid_amount", `Expected ${expected} in field "${header}", found ${parsed.reason}`, header) };
    return { ok: true, ...parsed.amount };
  }
  const debitText = cellAt(row, m.debit);
  const creditText = cellAt(row, m.credit);
  const debitHeader = m.debit !== undefined ? (headers[m.debit] ?? "debit") : "debit";
  const creditHeader = m.credit !== undefined ? (headers[m.credit] ?? "credit") : "credit";
  const debit = debitText === "" ? undefined : parseAmount(debitText, sep);
  const credit = creditText === "" ? undefined : parseAmount(creditText, sep);
  if (debit && !debit.ok) return { ok: false, issue: rowIssue(row, "invalid_amount", `Expected ${expected} in field "${debitHeader}", found ${debit.reason}`, debitHeader) };
  if (credit && !credit.ok) return { ok: false, issue: rowIssue(row, "invalid_amount", `Expected ${expected} in field "${creditHeader}", found ${credit.reason}`, creditHeader) };
  const isZero = (v: string): boolean => /^-?0+(\.0+)?$/.test(v);
  const debitValue = debit?.ok && !isZero(debit.amount.value) ? debit.amount : undefined;
  const creditValue = credit?.ok && !isZero(credit.amount.value) ? credit.amount : undefined;
  if (debitValue && creditValue) {
    return { ok: false, issue: rowIssue(row, "debit_and_credit", `Expected either "${debitHeader}" or "${creditHeader}" to hold the amount, found both ("${debitText}" and "${creditText}")`, debitHeader) };
  }
  // A debit is money out whether the bank wrote it 42.17, -42.17 or (42.17).
  if (debitValue) return { ok: true, ...debitValue, value: debitValue.value.startsWith("-") ? debitValue.value : "-" + debitValue.value };
  if (creditValue) return { ok: true, ...creditValue };
  const zero = debit?.ok ? debit.amount : credit?.ok ? credit.amount : undefined;
  if (zero) return { ok: true, ...zero, value: zero.value.replace(/^-/, "") };
  const field = m.debit !== undefined ? debitHeader : creditHeader;
  return { ok: false, issue: rowIssue(row, "missing_amount", `Expected ${expected} in "${debitHeader}" or "${creditHeader}", found both empty`, field) };
}

interface RowContext {
  headers: string[];
  mapping: ColumnIndexMapping;
  used: Set<number>;
  /** Columns with a header that the mapping does not use, in column order (they become details). */
  unmapped: number[];
  inference: Inference;
  defaultCurrency?: string;
}

export function rowContext(headers: string[], mapping: ColumnIndexMapping, inference: Inference, defaultCurrency: string | undefined): RowContext {
  const used = new Set(Object.values(mapping));
  const unmapped: number[] = [];
  for (let i = 0; i < headers.length; i++) if (headers[i] !== "" && !used.has(i)) unmapped.push(i);
  return { headers, mapping, used, unmapped, inference, defaultCurrency };
}

/**
 * What a dropped row held, for correction: canonical transaction field names for mapped columns (the
 * cell as written where it failed, the parsed form where it did not), other columns by their header.
 */
function rejectedFields(
  row: TableRow,
  ctx: RowContext,
  booking: DateResult,
  valueDate: string | undefined,
  amount: Amount,
): Record<string, string> {
  const { headers, mapping: m } = ctx;
  const fields = cellsByHeader(row, headers, ctx.used);
  if (m.balance !== undefined && headers[m.balance]) fields[headers[m.balance]!] = cellAt(row, m.balance);
  fields.bookingDate = booking.ok ? booking.date : cellAt(row, m.date);
  if (m.valueDate !== undefined) fields.valueDate = valueDate ?? cellAt(row, m.valueDate);
  if (amount.ok) fields.amount = amount.value;
  else if (m.amount !== undefined) fields.amount = cellAt(row, m.amount);
  else {
    if (m.debit !== undefined) fields.debit = cellAt(row, m.debit);
    if (m.credit !== undefined) fields.credit = cellAt(row, m.credit);
  }
  const currency = m.currency !== undefined ? cellAt(row, m.currency) : amount.ok ? amount.currency : undefined;
  if (currency !== undefined) fields.currency = currency;
  fields.description = cellAt(row, m.description);
  const named: [keyof ColumnIndexMapping, string][] = [
    ["counterparty", "counterpartyName"],
    ["counterpartyAccount", "counterpartyAccount"],
    ["reference", "bankReference"],
    ["type", "typeCode"],
  ];
  for (const [column, field] of named) if (m[column] !== undefined) fields[field] = cellAt(row, m[column]);
  return fields;
}

const CURRENCY_CODE = /^[A-Z]{3}$/;

export function transactionOf(row: TableRow, ctx: RowContext): { transaction?: Transaction; issues: ParseIssue[]; rejected?: Record<string, string> } {
  const { headers, mapping: m, inference } = ctx;
  const issues: ParseIssue[] = [];
  const dateLabel = DATE_ORDER_LABEL[inference.dateOrder];
  const dateHeader = headers[m.date!] ?? "date";
  const booking = parseTableDate(cellAt(row, m.date), inference.dateOrder);
  if (!booking.ok) issues.push(rowIssue(row, "invalid_date", `Expected a date as ${dateLabel} in field "${dateHeader}", found ${booking.reason}`, dateHeader));
  let valueDate: string | undefined;
  const valueText = cellAt(row, m.valueDate);
  if (m.valueDate !== undefined && valueText !== "") {
    const parsed = parseTableDate(valueText, inference.dateOrder);
    const header = headers[m.valueDate] ?? "value date";
    if (parsed.ok) valueDate = parsed.date;
    else issues.push(rowIssue(row, "invalid_date", `Expected a date as ${dateLabel} in field "${header}", found ${parsed.reason}`, header));
  }
  const amount = amountOf(row, m, headers, inference.decimalSeparator);
  if (!amount.ok) issues.push(amount.issue);
  const details = unmappedDetails(row, headers, ctx.used);
  if (m.balance !== undefined && cellAt(row, m.balance) !== "") {
    const header = headers[m.balance] ?? "balance";
    const balance = parseAmount(cellAt(row, m.balance), inference.decimalSeparator);
    if (balance.ok) details.balance = balance.amount.value;
    else issues.push(rowIssue(row, "invalid_balance", `Expected a balance amount in field "${header}", found ${balance.reason}`, header, "warning"));
  }
  let currency: string | undefined;
  const currencyText = cellAt(row, m.currency).toUpperCase();
  if (currencyText !== "") {
    if (CURRENCY_CODE.test(currencyText)) currency = currencyText;
    else {
      const header = headers[m.currency!] ?? "currency";
      issues.push(rowIssue(row, "invalid_currency", `Expected a three-letter currency code in field "${header}", found "${currencyText}"`, header, "warning"));
    }
  }
  if (!booking.ok || !amount.ok) return { issues, rejected: rejectedFields(row, ctx, booking, valueDate, amount) };
  currency ??= amount.currency ?? ctx.defaultCurrency;
  if (booking.time) details.time = booking.time;
  const transaction: Transaction = {
    bookingDate: booking.date,
    amount: amount.value,
    description: cellAt(row, m.description),
    raw: row.raw,
    line: row.line,
  };
  if (valueDate) transaction.valueDate = valueDate;
  if (currency) transaction.currency = currency;
  const reference = cellAt(row, m.reference);
  if (reference) transaction.bankReference = reference;
  const counterparty = cellAt(row, m.counterparty);
  if (counterparty) transaction.counterpartyName = counterparty;
  const counterpartyAccount = cellAt(row, m.counterpartyAccount);
  if (counterpartyAccount) transaction.counterpartyAccount = counterpartyAccount;
  const type = cellAt(row, m.type);
  if (type) transaction.typeCode = type;
  for (const _ in details) {
    transaction.details = details;
    break;
  }
  return { transaction, issues };
}

/** The trimmed cell, or "" for a column the row does not reach or the mapping does not name. */
function cell(fields: readonly string[], index: number | undefined): string {
  if (index === undefined) return "";
  const text = fields[index];
  return text === undefined ? "" : text.trim();
}

/** An amount cell read as `parseAmount` reads it; null when it is not one (the general path words the issue). */
function quickAmount(text: string, sep: DecimalSeparator): { value: string; currency?: string } | string | null {
  const canonical = canonicalAmount(text, sep);
  if (canonical !== null) return canonical;
  const parsed = parseAmount(text, sep);
  return parsed.ok ? (parsed.amount.currency === undefined ? parsed.amount.value : parsed.amount) : null;
}

/**
 * `transactionOf`'s transaction for a row it would take without any issue, built with no intermediate
 * result objects; null for every other row (a missing or unreadable cell, a warning to give), which
 * then goes through `transactionOf`. Why: per row, the general path's result objects (the outcome, the
 * issue list, the date, amount and balance results, the spread amount) were most of what the CSV
 * parser did besides tokenising. A property test holds the two equal.
 */
export function quickTransaction(row: TableRow, ctx: RowContext): Transaction | null {
  const { mapping: m, inference } = ctx;
  const fields = row.fields;
  const dateText = cell(fields, m.date);
  let bookingDate = isoDayAsWritten(dateText);
  let time: string | undefined;
  if (bookingDate === null) {
    const booking = parseTableDate(dateText, inference.dateOrder);
    if (!booking.ok) return null;
    bookingDate = booking.date;
    time = booking.time;
  }
  let valueDate: string | undefined;
  if (m.valueDate !== undefined) {
    const text = cell(fields, m.valueDate);
    if (text !== "") {
      valueDate = isoDayAsWritten(text) ?? undefined;
      if (valueDate === undefined) {
        const parsed = parseTableDate(text, inference.dateOrder);
        if (!parsed.ok) return null;
        valueDate = parsed.date;
      }
    }
  }
  const sep = inference.decimalSeparator;
  let amount: string;
  let amountCurrency: string | undefined;
  if (m.amount !== undefined) {
    const text = cell(fields, m.amount);
    if (text === "") return null;
    const parsed = quickAmount(text, sep);
    if (parsed === null) return null;
    if (typeof parsed === "string") amount = parsed;
    else {
      amount = parsed.value;
      amountCurrency = parsed.currency;
    }
  } else {
    const parsed = amountOf(row, m, ctx.headers, sep);
    if (!parsed.ok) return null;
    amount = parsed.value;
    amountCurrency = parsed.currency;
  }
  let details: Record<string, string> | undefined;
  const headers = ctx.headers;
  for (const i of ctx.unmapped) {
    const value = cell(fields, i);
    if (value !== "") (details ??= {})[headers[i]!] = value;
  }
  if (m.balance !== undefined) {
    const text = cell(fields, m.balance);
    if (text !== "") {
      const balance = quickAmount(text, sep);
      if (balance === null) return null;
      (details ??= {}).balance = typeof balance === "string" ? balance : balance.value;
    }
  }
  let currency: string | undefined;
  if (m.currency !== undefined) {
    const text = cell(fields, m.currency).toUpperCase();
    if (text !== "") {
      if (!CURRENCY_CODE.test(text)) return null;
      currency = text;
    }
  }
  currency ??= amountCurrency ?? ctx.defaultCurrency;
  if (time) (details ??= {}).time = time;
  const transaction: Transaction = { bookingDate, amount, description: cell(fields, m.description), raw: row.raw, line: row.line };
  if (valueDate) transaction.valueDate = valueDate;
  if (currency) transaction.currency = currency;
  const reference = cell(fields, m.reference);
  if (reference) transaction.bankReference = reference;
  const counterparty = cell(fields, m.counterparty);
  if (counterparty) transaction.counterpartyName = counterparty;
  const counterpartyAccount = cell(fields, m.counterpartyAccount);
  if (counterpartyAccount) transaction.counterpartyAccount = counterpartyAccount;
  const type = cell(fields, m.type);
  if (type) transaction.typeCode = type;
  if (details) transaction.details = details;
  return transaction;
}

/**
 * Turns a table into events: one statement, its transactions, issues, and meta last. The table may be
 * given as a function opening it, so a parser can return this generator itself instead of delegating
 * to it with `yield*`, which costs an extra promise round trip per event.
 */
export function bankTableEvents(source: Table | (() => Promise<Table>), format: FormatName, options: CsvParseOptions = {}): AsyncGenerator<ParseEvent, void, undefined> {
  return flattenBatches(bankTableBatches(source, format, options));
}

/** The events of `bankTableEvents`, one array per batch of rows read (see flattenBatches). */
export async function* bankTableBatches(source: Table | (() => Promise<Table>), format: FormatName, options: CsvParseOptions): AsyncGenerator<ParseEvent[], void, undefined> {
  const table = typeof source === "function" ? await source() : source;
  const headers = table.header.fields;
  const profile = options.profile;
  const mapping = mapColumns(headers, options.columnMapping ?? profile?.columnMapping, table.header.line);
  const evidence = new ColumnEvidence(dateColumns(mapping), numberColumns(mapping));
  // Rows are read in batches (one async step per decoded chunk, not per row); see readDelimitedBatches.
  const iterator = table.batches[Symbol.asyncIterator]();
  let batches: AsyncIterable<TableRow[]> = { [Symbol.asyncIterator]: () => iterator };
  const given = { dateOrder: options.dateOrder, decimalSeparator: options.decimalSeparator };
  let inference: Inference;
  if (profile) {
    const fromProfile = profileEvidence(profile);
    const dates = emptyDateEvidence();
    for (const d of fromProfile.dates) mergeDateEvidence(dates, d);
    inference = infer(dates, fromProfile.numbers, "scan", given);
  } else {
    const window = await lookaheadBatches(iterator, evidence);
    inference = infer(evidence.dateEvidence(), evidence.numberEvidence(), window.ended ? "whole_file" : "lookahead", given);
    batches = replayBatches(window.buffered, iterator, window.ended);
  }
  const accountId = accountFromPreamble(table.preamble);
  const account: ExternalAccount = { id: accountId ?? format.toUpperCase() };
  if (options.defaultCurrency) account.currency = options.defaultCurrency;
  const head: ParseEvent[] = [{ type: "statement", statement: { account, line: table.preamble[0]?.line ?? table.header.line } }];
  if (inference.dateOrderCertainty === "ambiguous") {
    head.push({
      type: "issue",
      issue: { severity: "warning", code: "date_order_ambiguous", message: `Expected dates whose day/month order is clear, found ${inference.dateOrderReason}; pass a date order to override`, line: table.header.line },
    });
  }
  if (inference.numberFormatConflict) {
    head.push({
      type: "issue",
      issue: { severity: "warning", code: "number_format_conflict", message: `Expected one decimal separator throughout, found values proving both "." and ","; using "${inference.decimalSeparator}"`, line: table.header.line },
    });
  }
  yield head;
  const ctx = rowContext(headers, mapping, inference, options.defaultCurrency);
  let rowCount = 0;
  let transactions = 0;
  let rejected = 0;
  for await (const batch of batches) {
    const out: ParseEvent[] = [];
    for (const row of batch) {
      rowCount++;
      const quick = quickTransaction(row, ctx);
      if (quick !== null) {
        transactions++;
        out.push({ type: "transaction", transaction: quick });
        continue;
      }
      const { transaction, issues, rejected: fields } = transactionOf(row, ctx);
      for (const issue of issues) out.push({ type: "issue", issue });
      if (transaction) {
        transactions++;
        out.push({ type: "transaction", transaction });
      } else {
        rejected++;
        if (fields) out.push(rejectedRow("transaction", row, fields));
      }
    }
    yield out;
  }
  const tail: ParseEvent[] = [];
  if (rowCount === 0) tail.push(noRowsIssue(table));
  const extra: Record<string, JsonValue> = {
    headerLine: table.header.line,
    preambleLines: table.preamble.length,
    headers,
    columnMapping: mappingToHeaders(mapping, headers),
    ...inferenceToJson(inference),
    rows: rowCount,
    transactions,
    rowsRejected: rejected,
    account: account.id,
    accountFromFile: accountId !== undefined,
  };
  if (table.dialect) {
    extra.delimiter = table.dialect.delimiter;
    extra.quoteChar = table.dialect.quoteChar;
  }
  tail.push({ type: "meta", meta: { format, ...(table.encoding ? { encoding: table.encoding } : {}), lines: table.lines(), extra } });
  yield tail;
}
