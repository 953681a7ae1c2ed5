/**
 * Trial balance (account_code, account_name, balance, entity, period, bs_pl, status) → gl_balance records,
 * with a profile in meta: zero-balance accounts, balance sum, and sums per entity and period.
 */
import type { GlBalance } from "@/lib/schemas/canonical";
import { addDecimals, compareDecimals } from "@/lib/money/decimal";
import type { ByteSource, FormatModule, FormatSniffer, JsonValue, ParseEvent, ParseOptions } from "../types";
import { cellAt, cellsByHeader, rejectedRow, rowIssue } from "../tabular/cells";
import { headerHas, requireColumns } from "../tabular/columns";
import { dateShape } from "../tabular/dates";
import { inferFromWindow } from "../tabular/evidence";
import { parseAmount } from "../tabular/numbers";
import { metaEvent, noRowsIssue } from "../tabular/records";
import type { TableRow } from "../tabular/delimited";
import { headRows, openDelimitedTable } from "../tabular/table";

const SNIFF_HEADER = ["account_code", "balance", "period"];
const COLUMNS = {
  accountCode: { names: ["account_code", "account code", "gl_account", "account"], required: true },
  accountName: { names: ["account_name", "account name", "description"], required: true },
  balance: { names: ["balance", "closing_balance", "amount"], required: true },
  entity: { names: ["entity", "company"], required: true },
  period: { names: ["period", "fiscal_period"], required: true },
  statementType: { names: ["bs_pl", "bs/pl", "statement_type"], required: false },
  status: { names: ["status"], required: false },
} as const;

const MONTH_NAMES = /^([A-Za-z]{3,9})[-\s]+(\d{4})$/;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** "2022-06", "2022/6", "06/2022", "Jun 2022", "2022-06-30" → "2022-06"; anything else as written. */
export function normalizePeriod(text: string): string {
  const s = text.trim();
  let m = /^(\d{4})[-/.](\d{1,2})$/.exec(s);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${m[1]}-${m[2]!.padStart(2, "0")}`;
  m = /^(\d{1,2})[-/.](\d{4})$/.exec(s);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 12) return `${m[2]}-${m[1]!.padStart(2, "0")}`;
  m = MONTH_NAMES.exec(s);
  const month = m ? MONTHS.indexOf((m[1] ?? "").slice(0, 3).toLowerCase()) : -1;
  if (m && month >= 0) return `${m[2]}-${String(month + 1).padStart(2, "0")}`;
  const shape = dateShape(s);
  if (shape?.kind === "fixed" && shape.iso) return shape.iso.slice(0, 7);
  return s;
}

interface GroupProfile {
  accounts: number;
  zeroBalanceAccounts: number;
  balanceSum: string;
}

const parse = async function* (source: ByteSource, options: ParseOptions = {}): AsyncGenerator<ParseEvent, void, undefined> {
  const table = await openDelimitedTable(source, {
    encoding: options.encoding,
    delimiter: options.delimiter,
    isHeader: headerHas(["account_code", "balance"]),
  });
  const headers = table.header.fields;
  const cols = requireColumns(headers, COLUMNS, table.header.line);
  const name = (i: number | undefined): string => (i === undefined ? "" : (headers[i] ?? ""));
  const { inference, rows } = await inferFromWindow(table.rows, [], [cols.balance!], options);
  const used = new Set(Object.values(cols).filter((c): c is number => c !== undefined));
  /** A dropped line as read (period as written), for correction in review. */
  const rejected = (row: TableRow): ParseEvent => {
    const fields = cellsByHeader(row, headers, used);
    fields.accountCode = cellAt(row, cols.accountCode);
    fields.accountName = cellAt(row, cols.accountName);
    fields.balance = cellAt(row, cols.balance);
    fields.entity = cellAt(row, cols.entity);
    fields.period = cellAt(row, cols.period);
    if (cols.statementType !== undefined) fields.statementType = cellAt(row, cols.statementType);
    if (cols.status !== undefined) fields.status = cellAt(row, cols.status);
    return rejectedRow("gl_balance", row, fields);
  };
  let count = 0;
  let records = 0;
  let zero = 0;
  let blank = 0;
  let inactive = 0;
  let sum = "0";
  // One entry per entity and period: bounded by the chart's shape, not the number of rows.
  const groups = new Map<string, GroupProfile & { entity: string; period: string }>();
  for await (const row of rows) {
    count++;
    const code = cellAt(row, cols.accountCode);
    const balanceText = cellAt(row, cols.balance);
    if (code === "") {
      yield { type: "issue", issue: rowIssue(row, "missing_account_code", `Expected an account code in field "${name(cols.accountCode)}", found an empty cell`, name(cols.accountCode)) };
      yield rejected(row);
      continue;
    }
    if (balanceText === "") {
      blank++;
      yield { type: "issue", issue: rowIssue(row, "missing_balance", `Expected a balance for account ${code} in field "${name(cols.balance)}", found an empty cell`, name(cols.balance)) };
      yield rejected(row);
      continue;
    }
    const parsed = parseAmount(balanceText, inference.decimalSeparator);
    if (!parsed.ok) {
      yield { type: "issue", issue: rowIssue(row, "invalid_balance", `Expected a balance amount for account ${code} in field "${name(cols.balance)}", found ${parsed.reason}`, name(cols.balance)) };
      yield rejected(row);
      continue;
    }
    const entity = cellAt(row, cols.entity);
    const period = normalizePeriod(cellAt(row, cols.period));
    const record: GlBalance = {
      kind: "gl_balance",
      entity,
      period,
      accountCode: code,
      accountName: cellAt(row, cols.accountName),
      balance: parsed.amount.value,
      raw: row.raw,
      line: row.line,
    };
    const statementType = cellAt(row, cols.statementType).toUpperCase();
    if (statementType) record.statementType = statementType;
    const status = cellAt(row, cols.status);
    if (status) record.status = status;
    if (/^inactive$/i.test(status)) inactive++;
    const isZero = compareDecimals(record.balance, "0") === 0;
    if (isZero) zero++;
    sum = addDecimals(sum, record.balance);
    const key = `${entity}\u0000${period}`;
    const group = groups.get(key) ?? { entity, period, accounts: 0, zeroBalanceAccounts: 0, balanceSum: "0" };
    group.accounts++;
    if (isZero) group.zeroBalanceAccounts++;
    group.balanceSum = addDecimals(group.balanceSum, record.balance);
    groups.set(key, group);
    records++;
    yield { type: "record", record };
  }
  const perEntityPeriod: JsonValue[] = [...groups.values()].map((g) => ({ ...g }));
  if (count === 0) yield noRowsIssue(table);
  yield metaEvent("trial_balance", table, {
    rows: count,
    records,
    zeroBalanceAccounts: zero,
    blankBalances: blank,
    inactiveAccounts: inactive,
    balanceSum: sum,
    perEntityPeriod,
    decimalSeparator: inference.decimalSeparator,
  });
};

const sniff: FormatSniffer = (head) => {
  const isHeader = headerHas(SNIFF_HEADER);
  return headRows(head).some((r) => isHeader(r.fields)) ? 0.9 : 0;
};

export const trialBalanceFormat: FormatModule = { name: "trial_balance", parse, sniff };
