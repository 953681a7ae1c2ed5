/**
 * POS export (Date, Item, Quantity, Price, Total, Payment Method) → sales_line records.
 * Quantity × Price must equal Total exactly; a mismatch (a discount, a typo) is flagged, the line kept.
 */
import type { SalesLine } from "@/lib/schemas/canonical";
import { compareDecimals } from "@/lib/money/decimal";
import type { ByteSource, FormatModule, FormatSniffer, ParseEvent, ParseOptions } from "../types";
import { cellAt, cellsByHeader, DATE_ORDER_LABEL, rejectedRow, rowIssue } from "../tabular/cells";
import { headerHas, requireColumns } from "../tabular/columns";
import { parseTableDate } from "../tabular/dates";
import { inferFromWindow, inferenceToJson } from "../tabular/evidence";
import { metaEvent, multiplyDecimals, noRowsIssue, requiredAmount } from "../tabular/records";
import { headRows, openDelimitedTable } from "../tabular/table";

const HEADER = ["Date", "Item", "Quantity", "Price", "Total"];
const COLUMNS = {
  date: { names: ["Date", "Sale Date", "Transaction Date"], required: true },
  time: { names: ["Time"], required: false },
  item: { names: ["Item", "Product", "Item Name"], required: true },
  quantity: { names: ["Quantity", "Qty"], required: true },
  price: { names: ["Price", "Unit Price"], required: true },
  total: { names: ["Total", "Line Total", "Amount"], required: true },
  paymentMethod: { names: ["Payment Method", "Payment", "Tender"], required: false },
} as const;

const parse = async function* (source: ByteSource, options: ParseOptions = {}): AsyncGenerator<ParseEvent, void, undefined> {
  const table = await openDelimitedTable(source, { encoding: options.encoding, delimiter: options.delimiter, isHeader: headerHas(HEADER) });
  const headers = table.header.fields;
  const cols = requireColumns(headers, COLUMNS, table.header.line);
  const name = (i: number | undefined): string => (i === undefined ? "" : (headers[i] ?? ""));
  const { inference, rows } = await inferFromWindow(table.rows, [cols.date!], [cols.quantity!, cols.price!, cols.total!], options);
  const used = new Set(Object.values(cols).filter((c): c is number => c !== undefined));
  let count = 0;
  let records = 0;
  let mismatches = 0;
  for await (const row of rows) {
    count++;
    const date = parseTableDate(cellAt(row, cols.date), inference.dateOrder);
    const quantity = requiredAmount(row, cellAt(row, cols.quantity), name(cols.quantity), inference.decimalSeparator, "a quantity");
    const price = requiredAmount(row, cellAt(row, cols.price), name(cols.price), inference.decimalSeparator, "a unit price");
    const total = requiredAmount(row, cellAt(row, cols.total), name(cols.total), inference.decimalSeparator, "a line total");
    if (!date.ok) yield { type: "issue", issue: rowIssue(row, "invalid_date", `Expected a date as ${DATE_ORDER_LABEL[inference.dateOrder]} in field "${name(cols.date)}", found ${date.reason}`, name(cols.date)) };
    for (const r of [quantity, price, total]) if (!r.ok) yield { type: "issue", issue: r.issue };
    if (!date.ok || !quantity.ok || !price.ok || !total.ok) {
      // The cell as written where it failed, the parsed value where it did not.
      const fields = cellsByHeader(row, headers, used);
      fields.date = date.ok ? date.date : cellAt(row, cols.date);
      if (cols.time !== undefined) fields.time = cellAt(row, cols.time);
      fields.item = cellAt(row, cols.item);
      fields.quantity = quantity.ok ? quantity.value : cellAt(row, cols.quantity);
      fields.unitPrice = price.ok ? price.value : cellAt(row, cols.price);
      fields.total = total.ok ? total.value : cellAt(row, cols.total);
      if (cols.paymentMethod !== undefined) fields.paymentMethod = cellAt(row, cols.paymentMethod);
      yield rejectedRow("sales_line", row, fields);
      continue;
    }
    const product = multiplyDecimals(quantity.value, price.value);
    if (product !== null && compareDecimals(product, total.value) !== 0) {
      mismatches++;
      yield { type: "issue", issue: rowIssue(row, "total_mismatch", `Expected "${name(cols.total)}" to equal quantity × price = ${quantity.value} × ${price.value} = ${product}, found ${total.value}`, name(cols.total), "warning") };
    }
    const record: SalesLine = {
      kind: "sales_line",
      date: date.date,
      item: cellAt(row, cols.item),
      quantity: quantity.value,
      unitPrice: price.value,
      total: total.value,
      raw: row.raw,
      line: row.line,
    };
    const time = cellAt(row, cols.time) || date.time;
    if (time) record.time = time;
    const payment = cellAt(row, cols.paymentMethod);
    if (payment) record.paymentMethod = payment;
    records++;
    yield { type: "record", record };
  }
  if (count === 0) yield noRowsIssue(table);
  yield metaEvent("pos", table, { rows: count, records, totalMismatches: mismatches, ...inferenceToJson(inference) });
};

const sniff: FormatSniffer = (head) => {
  const isHeader = headerHas(HEADER);
  return headRows(head).some((r) => isHeader(r.fields)) ? 0.9 : 0;
};

export const posFormat: FormatModule = { name: "pos", parse, sniff };
