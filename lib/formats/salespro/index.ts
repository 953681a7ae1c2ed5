/**
 * SalesPro appointment export → appointment records. Columns keep their dotted names in `fields`.
 * Upsert by `_id`: every row is emitted, an update included; the pipeline keeps the newest `_updated_at`
 * (remembering every id here would make memory grow with the file).
 */
import type { Appointment, ParseIssue } from "@/lib/schemas/canonical";
import type { ByteSource, FormatModule, FormatSniffer, ParseEvent, ParseOptions } from "../types";
import { parseIsoDate } from "../shared/dates";
import { cellAt, cellsByHeader, rejectedRow, rowIssue } from "../tabular/cells";
import { headerHas, requireColumns } from "../tabular/columns";
import type { TableRow } from "../tabular/delimited";
import { parseAmount } from "../tabular/numbers";
import { metaEvent, noRowsIssue } from "../tabular/records";
import { headRows, openDelimitedTable } from "../tabular/table";

const HEADER = ["_id", "_created_at"];
const COLUMNS = {
  id: { names: ["_id"], required: true },
  createdAt: { names: ["_created_at"], required: true },
  updatedAt: { names: ["_updated_at"], required: false },
  isSale: { names: ["isSale"], required: false },
  saleAmount: { names: ["saleAmount"], required: false },
  firstName: { names: ["customer.nameFirst"], required: false },
  lastName: { names: ["customer.nameLast"], required: false },
  repEmail: { names: ["salesrep.email"], required: false },
} as const;

const TRUE = new Set(["true", "1", "yes", "y", "t"]);
const FALSE = new Set(["false", "0", "no", "n", "f"]);

export function parseBoolean(text: string): boolean | undefined {
  const s = text.trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return undefined;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/;

/** An ISO 8601 timestamp on a real calendar day, as written; null otherwise. */
export function parseTimestamp(text: string): string | null {
  const s = text.trim();
  return ISO_TIMESTAMP.test(s) && parseIsoDate(s) !== null ? s : null;
}

function timestampOf(row: TableRow, text: string, field: string, issues: ParseIssue[]): string | undefined {
  if (text === "") return undefined;
  const parsed = parseTimestamp(text);
  if (parsed === null) issues.push(rowIssue(row, "invalid_timestamp", `Expected an ISO 8601 timestamp such as 2025-06-01T08:00:00.000Z in field "${field}", found "${text}"`, field));
  return parsed ?? undefined;
}

const parse = async function* (source: ByteSource, options: ParseOptions = {}): AsyncGenerator<ParseEvent, void, undefined> {
  const table = await openDelimitedTable(source, { encoding: options.encoding, delimiter: options.delimiter, isHeader: headerHas(HEADER) });
  const headers = table.header.fields;
  const cols = requireColumns(headers, COLUMNS, table.header.line);
  const name = (i: number | undefined): string => (i === undefined ? "" : (headers[i] ?? ""));
  let count = 0;
  let records = 0;
  for await (const row of table.rows) {
    count++;
    const issues: ParseIssue[] = [];
    const id = cellAt(row, cols.id);
    if (id === "") {
      yield { type: "issue", issue: rowIssue(row, "missing_id", `Expected an appointment id in field "_id", found an empty cell`, "_id") };
      // Every column by its dotted name (as an appointment's `fields`), plus the canonical names.
      const fields = cellsByHeader(row, headers);
      fields.id = id;
      if (cols.createdAt !== undefined) fields.createdAt = cellAt(row, cols.createdAt);
      if (cols.updatedAt !== undefined) fields.updatedAt = cellAt(row, cols.updatedAt);
      if (cols.isSale !== undefined) fields.isSale = cellAt(row, cols.isSale);
      if (cols.saleAmount !== undefined) fields.saleAmount = cellAt(row, cols.saleAmount);
      const customer = [cellAt(row, cols.firstName), cellAt(row, cols.lastName)].filter(Boolean).join(" ");
      if (customer) fields.customerName = customer;
      if (cols.repEmail !== undefined) fields.salesRepEmail = cellAt(row, cols.repEmail);
      yield rejectedRow("appointment", row, fields);
      continue;
    }
    const fields: Record<string, string> = {};
    headers.forEach((header, i) => {
      if (header !== "") fields[header] = (row.fields[i] ?? "").trim();
    });
    const record: Appointment = { kind: "appointment", id, fields, raw: row.raw, line: row.line };
    const createdAt = timestampOf(row, cellAt(row, cols.createdAt), name(cols.createdAt), issues);
    if (createdAt) record.createdAt = createdAt;
    const updatedAt = timestampOf(row, cellAt(row, cols.updatedAt), name(cols.updatedAt), issues);
    if (updatedAt) record.updatedAt = updatedAt;
    const saleText = cellAt(row, cols.isSale);
    if (saleText !== "") {
      const isSale = parseBoolean(saleText);
      if (isSale === undefined) issues.push(rowIssue(row, "invalid_boolean", `Expected true/false, yes/no or 1/0 in field "${name(cols.isSale)}", found "${saleText}"`, name(cols.isSale)));
      else record.isSale = isSale;
    }
    const amountText = cellAt(row, cols.saleAmount);
    if (amountText !== "") {
      const amount = parseAmount(amountText, ".");
      if (amount.ok) record.saleAmount = amount.amount.value;
      else issues.push(rowIssue(row, "invalid_amount", `Expected an amount such as $7,500.00 in field "${name(cols.saleAmount)}", found ${amount.reason}`, name(cols.saleAmount)));
    }
    const customerName = [cellAt(row, cols.firstName), cellAt(row, cols.lastName)].filter(Boolean).join(" ");
    if (customerName) record.customerName = customerName;
    const email = cellAt(row, cols.repEmail);
    if (email) record.salesRepEmail = email;
    for (const issue of issues) yield { type: "issue", issue };
    records++;
    // A bad cell is left out of the typed fields (never guessed) and stays visible in `fields` and the issue.
    yield { type: "record", record };
  }
  if (count === 0) yield noRowsIssue(table);
  yield metaEvent("salespro", table, { rows: count, records, upsertKey: "_id", orderKey: "_updated_at" });
};

const sniff: FormatSniffer = (head) => {
  const isHeader = headerHas(HEADER);
  return headRows(head).some((r) => isHeader(r.fields)) ? 0.9 : 0;
};

export const salesproFormat: FormatModule = { name: "salespro", parse, sniff };
