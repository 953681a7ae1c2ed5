/**
 * Safaricom M-Pesa statement CSV (full statement with preamble, or the short export) → one KES statement.
 *
 * Decisions: the receipt number is the external id; a charge row shares its parent's receipt, so it gets
 * "<receipt>:charge" and details.linkedReceipt. Failed rows are kept (details.applied = "false") and
 * skipped by the running-balance check. A row repeated exactly is emitted twice with the same external
 * id (the pipeline's exact-duplicate step drops it) and flagged with a `repeated_row` warning; repeats are
 * detected between neighbouring rows only, to keep memory bounded. Numeric dates are day-first (Safaricom
 * writes DD/MM/YYYY) unless options.dateOrder says otherwise.
 */
import type { Balance, ExternalAccount, ParseIssue, Transaction } from "@/lib/schemas/canonical";
import { addDecimals, compareDecimals, negateDecimal } from "@/lib/money/decimal";
import type { FormatBatchParser, FormatModule, FormatSniffer, JsonValue, ParseEvent, ParseOptions, ByteSource } from "../types";
import { flattenBatches } from "../shared/batches";
import { cellAt, cellsByHeader, rejectedRow, rowIssue } from "../tabular/cells";
import { headerHas, requireColumns } from "../tabular/columns";
import { dateShape, parseTableDate, type DateOrder } from "../tabular/dates";
import type { TableRow } from "../tabular/delimited";
import { LOOKAHEAD_ROWS, RowWindow, replayBatches } from "../tabular/evidence";
import { parseAmount } from "../tabular/numbers";
import { noRowsIssue } from "../tabular/records";
import { headRows, openDelimitedTable } from "../tabular/table";
import { categorize, parseCounterparty } from "./categories";

const HEADER = ["Receipt No.", "Completion Time"];
const COLUMNS = {
  receipt: { names: ["Receipt No.", "Receipt No", "Receipt"], required: true },
  time: { names: ["Completion Time", "Transaction Time"], required: true },
  details: { names: ["Details", "Transaction Details", "Description"], required: true },
  status: { names: ["Transaction Status", "Status"], required: false },
  paidIn: { names: ["Paid In", "Money In"], required: true },
  withdrawn: { names: ["Withdrawn", "Withdrawn or Paid Out", "Paid Out", "Withdrawal", "Money Out"], required: true },
  balance: { names: ["Balance"], required: false },
} as const;
type Columns = Record<keyof typeof COLUMNS, number | undefined>;

interface MpesaLine {
  row: TableRow;
  transaction?: Transaction;
  issues: ParseIssue[];
  /** Set when the row is dropped: what was read, for correction in review. */
  rejected?: Record<string, string>;
  applied: boolean;
  balance?: string;
  timestamp?: string;
}

function preambleValue(preamble: readonly TableRow[], label: RegExp): string | undefined {
  for (const row of preamble) {
    const cells = row.fields.map((f) => f.trim());
    const first = cells[0] ?? "";
    if (label.test(first)) {
      const value = cells.slice(1).find((c) => c !== "") ?? first.split(":").slice(1).join(":").trim();
      if (value) return value;
    }
  }
  return undefined;
}

function isZeroOrEmpty(text: string): boolean {
  if (text === "") return true;
  // Most cells are amounts: anything whose first character after a minus is not "0" or "," is not zero.
  const first = text.charCodeAt(text.charCodeAt(0) === 45 /* - */ ? 1 : 0);
  if (first !== 48 /* 0 */ && first !== 44 /* , */) return false;
  return /^-?0+(\.0+)?$/.test(text.replace(/,/g, ""));
}

function readLine(row: TableRow, cols: Columns, headers: readonly string[], order: DateOrder): MpesaLine {
  const issues: ParseIssue[] = [];
  const header = (i: number | undefined, fallback: string): string => (i === undefined ? fallback : (headers[i] ?? fallback));
  const receipt = cellAt(row, cols.receipt);
  if (receipt === "") issues.push(rowIssue(row, "missing_receipt", `Expected a receipt number in field "${header(cols.receipt, "Receipt No.")}", found an empty cell`, header(cols.receipt, "Receipt No.")));
  const timeText = cellAt(row, cols.time);
  const when = parseTableDate(timeText, order);
  if (!when.ok) issues.push(rowIssue(row, "invalid_date", `Expected a completion time as YYYY-MM-DD HH:MM:SS or DD/MM/YYYY HH:MM:SS in field "${header(cols.time, "Completion Time")}", found ${when.reason}`, header(cols.time, "Completion Time")));
  const paidInText = cellAt(row, cols.paidIn);
  const withdrawnText = cellAt(row, cols.withdrawn);
  let amount: string | undefined;
  const paidIn = isZeroOrEmpty(paidInText) ? undefined : parseAmount(paidInText, ".");
  const withdrawn = isZeroOrEmpty(withdrawnText) ? undefined : parseAmount(withdrawnText, ".");
  if (paidIn && !paidIn.ok) issues.push(rowIssue(row, "invalid_amount", `Expected an amount in field "${header(cols.paidIn, "Paid In")}", found ${paidIn.reason}`, header(cols.paidIn, "Paid In")));
  else if (withdrawn && !withdrawn.ok) issues.push(rowIssue(row, "invalid_amount", `Expected an amount in field "${header(cols.withdrawn, "Withdrawn")}", found ${withdrawn.reason}`, header(cols.withdrawn, "Withdrawn")));
  else if (paidIn?.ok && withdrawn?.ok) {
    issues.push(rowIssue(row, "paid_in_and_withdrawn", `Expected an amount in either "Paid In" or "Withdrawn", found both ("${paidInText}" and "${withdrawnText}")`, header(cols.paidIn, "Paid In")));
  } else if (paidIn?.ok) amount = paidIn.amount.value;
  // Withdrawn is money out whether the statement writes it -1,514.00 or 1514.
  else if (withdrawn?.ok) amount = withdrawn.amount.value.startsWith("-") ? withdrawn.amount.value : "-" + withdrawn.amount.value;
  else issues.push(rowIssue(row, "missing_amount", `Expected an amount in "Paid In" or "Withdrawn", found neither`, header(cols.paidIn, "Paid In")));
  let balance: string | undefined;
  const balanceText = cellAt(row, cols.balance);
  if (balanceText !== "") {
    const parsed = parseAmount(balanceText, ".");
    if (parsed.ok) balance = parsed.amount.value;
    else issues.push(rowIssue(row, "invalid_balance", `Expected a balance amount in field "${header(cols.balance, "Balance")}", found ${parsed.reason}`, header(cols.balance, "Balance"), "warning"));
  }
  const status = cellAt(row, cols.status);
  const applied = status === "" || /^completed$/i.test(status);
  if (receipt === "" || !when.ok || amount === undefined) {
    const used = new Set([cols.receipt, cols.time, cols.details, cols.paidIn, cols.withdrawn].filter((c): c is number => c !== undefined));
    const fields = cellsByHeader(row, headers, used);
    fields.externalId = receipt;
    fields.bookingDate = when.ok ? when.date : timeText;
    if (when.ok && when.time) fields.time = when.time;
    if (amount !== undefined) fields.amount = amount;
    else {
      fields.debit = withdrawnText;
      fields.credit = paidInText;
    }
    fields.currency = "KES";
    fields.description = cellAt(row, cols.details);
    return { row, issues, rejected: fields, applied: false };
  }
  const description = cellAt(row, cols.details);
  const category = categorize(description);
  const details: Record<string, string> = { category, status: status || "Completed", applied: String(applied) };
  if (when.time) details.time = when.time;
  if (balance !== undefined) details.balance = balance;
  const transaction: Transaction = {
    bookingDate: when.date,
    amount,
    currency: "KES",
    externalId: category === "charge" ? `${receipt}:charge` : receipt,
    description,
    details,
    raw: row.raw,
    line: row.line,
  };
  if (category === "charge") details.linkedReceipt = receipt;
  const party = parseCounterparty(description);
  if (party.name) transaction.counterpartyName = party.name;
  if (party.number) {
    transaction.counterpartyAccount = party.number;
    details.counterpartyNumber = party.number;
  }
  if (party.account) details.paybillAccount = party.account;
  return { row, transaction, issues, applied, balance, timestamp: `${when.date} ${when.time ?? ""}`.trim() };
}

/** File order from timestamps (undefined for rows that were not read): descending pairs outnumbering ascending ones means newest first. */
function orderOf(timestamps: readonly (string | undefined)[]): "newest_first" | "oldest_first" | undefined {
  let down = 0;
  let up = 0;
  let previous: string | undefined;
  for (const timestamp of timestamps) {
    if (!timestamp) continue;
    if (previous !== undefined && timestamp !== previous) timestamp < previous ? down++ : up++;
    previous = timestamp;
  }
  return down > up ? "newest_first" : up > down ? "oldest_first" : undefined;
}

/**
 * The events, one array per batch of rows read (see flattenBatches): an async step per event was most
 * of this parser's time.
 */
async function* mpesaBatches(source: ByteSource, options: ParseOptions = {}): AsyncGenerator<ParseEvent[], void, undefined> {
  const table = await openDelimitedTable(source, { encoding: options.encoding, delimiter: options.delimiter, isHeader: headerHas(HEADER) });
  const headers = table.header.fields;
  const cols = requireColumns(headers, COLUMNS, table.header.line);
  const order: DateOrder = options.dateOrder ?? "DMY";
  const number = preambleValue(table.preamble, /^(mobile number|phone number|msisdn|shortcode|short code|paybill|till number|account)\b/i);
  const customer = preambleValue(table.preamble, /^(customer name|name|organisation name|organization name)\b/i);
  const period = preambleValue(table.preamble, /^statement period\b/i);
  const account: ExternalAccount = { id: number ?? "MPESA", currency: "KES", kind: "MPESA" };
  if (customer) account.name = customer;
  const statement: ParseEvent = { type: "statement", statement: { account, line: table.preamble[0]?.line ?? table.header.line } };
  const range = period?.split(/\s+-\s+|\s+to\s+/i);
  if (range?.length === 2) {
    const from = dateShape(range[0] ?? "");
    const to = dateShape(range[1] ?? "");
    if (from?.kind === "fixed" && from.iso && statement.type === "statement") statement.statement.from = from.iso;
    if (to?.kind === "fixed" && to.iso && statement.type === "statement") statement.statement.to = to.iso;
  }
  yield [statement];

  // Learn the file's order from the first LOOKAHEAD_ROWS rows before checking the running balance.
  // The window keeps rows (flat, see RowWindow), not their transactions, and they are read again
  // when replayed: holding 10,000 transactions alive at once is what gets allocation sites pretenured.
  const iterator = table.batches[Symbol.asyncIterator]();
  const window = new RowWindow();
  const timestamps: (string | undefined)[] = [];
  let ended = false;
  while (window.length < LOOKAHEAD_ROWS) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    for (const row of next.value) {
      if (window.length < LOOKAHEAD_ROWS) timestamps.push(readLine(row, cols, headers, order).timestamp);
      window.push(row);
    }
  }
  const fileOrder = orderOf(timestamps) ?? "newest_first";
  const counts: Record<string, number> = {};
  let rows = 0;
  let transactions = 0;
  let failed = 0;
  let checks = 0;
  let mismatches = 0;
  let repeats = 0;
  let previousApplied: MpesaLine | undefined;
  let previousRow: MpesaLine | undefined;
  let newest: MpesaLine | undefined;
  let oldest: MpesaLine | undefined;
  for await (const batch of replayBatches(window, iterator, ended)) {
    const out: ParseEvent[] = [];
    for (const row of batch) {
      const line = readLine(row, cols, headers, order);
      rows++;
      for (const issue of line.issues) out.push({ type: "issue", issue });
      const t = line.transaction;
      if (t && previousRow?.transaction && previousRow.transaction.externalId === t.externalId) {
        repeats++;
        out.push({ type: "issue", issue: rowIssue(line.row, "repeated_row", `Expected receipt ${t.externalId} once, found it again right after line ${previousRow.row.line}; both rows are kept with the same external id so the import skips the copy`, headers[cols.receipt!], "warning") });
      }
      previousRow = line;
      if (line.rejected) out.push(rejectedRow("transaction", line.row, line.rejected));
      if (!t) continue;
      transactions++;
      const category = t.details?.category ?? "other";
      counts[category] = (counts[category] ?? 0) + 1;
      if (!line.applied) failed++;
      out.push({ type: "transaction", transaction: t });
      if (!line.applied) continue;
      if (line.balance === undefined) {
        previousApplied = undefined;
        continue;
      }
      if (previousApplied?.balance !== undefined && previousApplied.transaction) {
        // Newest first: the earlier row's balance = this row's balance + the earlier row's amount.
        const [later, earlier] = fileOrder === "newest_first" ? [previousApplied, line] : [line, previousApplied];
        const expected = addDecimals(earlier.balance!, later.transaction!.amount);
        checks++;
        if (compareDecimals(expected, later.balance!) !== 0) {
          mismatches++;
          out.push({
            type: "issue",
            issue: rowIssue(later.row, "balance_mismatch", `Expected balance ${expected} (balance ${earlier.balance} on line ${earlier.row.line} plus amount ${later.transaction!.amount}), found ${later.balance}`, headers[cols.balance!] ?? "Balance", "warning"),
          });
        }
      }
      if (fileOrder === "newest_first") {
        newest ??= line;
        oldest = line;
      } else {
        oldest ??= line;
        newest = line;
      }
      previousApplied = line;
    }
    if (out.length > 0) yield out;
  }
  const out: ParseEvent[] = [];
  if (newest?.transaction && newest.balance !== undefined) {
    const closing: Balance = { type: "closing", date: newest.transaction.bookingDate, amount: newest.balance, currency: "KES", line: newest.row.line };
    out.push({ type: "balance", balance: closing });
  }
  if (oldest?.transaction && oldest.balance !== undefined) {
    const opening: Balance = { type: "opening", date: oldest.transaction.bookingDate, amount: addDecimals(oldest.balance, negateDecimal(oldest.transaction.amount)), currency: "KES", line: oldest.row.line };
    out.push({ type: "balance", balance: opening });
  }
  const extra: Record<string, JsonValue> = {
    headerLine: table.header.line,
    preambleLines: table.preamble.length,
    order: fileOrder,
    dateOrder: order,
    rows,
    transactions,
    failedRows: failed,
    repeatedRows: repeats,
    balanceChecks: checks,
    balanceMismatches: mismatches,
    categories: counts,
    account: account.id,
  };
  if (customer) extra.customerName = customer;
  if (period) extra.statementPeriod = period;
  if (table.dialect) extra.delimiter = table.dialect.delimiter;
  if (rows === 0) out.push(noRowsIssue(table));
  out.push({ type: "meta", meta: { format: "mpesa", ...(table.encoding ? { encoding: table.encoding } : {}), lines: table.lines(), extra } });
  yield out;
}

const parseBatches: FormatBatchParser = mpesaBatches;
const parse = (source: ByteSource, options: ParseOptions = {}): AsyncGenerator<ParseEvent, void, undefined> => flattenBatches(mpesaBatches(source, options));

const sniff: FormatSniffer = (head) => {
  const isHeader = headerHas(HEADER);
  return headRows(head).some((r) => isHeader(r.fields)) ? 0.95 : 0;
};

export const mpesaFormat: FormatModule = { name: "mpesa", parse, parseBatches, sniff };
