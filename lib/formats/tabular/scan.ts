/**
 * First pass over a whole delimited file: dialect, header, mapping, and date-order / number-format
 * evidence from every row, in O(columns) memory. The parser accepts the result as `options.profile`.
 */
import type { ByteSource, ParseOptions } from "../types";
import { mapColumns, type TableProfile } from "./bank";
import { ColumnEvidence, infer } from "./evidence";
import { mappingToHeaders, type ColumnIndexMapping } from "./mapping";
import { openDelimitedTable, type Table } from "./table";

async function profileTable(table: Table, options: ParseOptions): Promise<TableProfile> {
  const headers = table.header.fields;
  const mapping: ColumnIndexMapping = mapColumns(headers, options.columnMapping, table.header.line);
  const dateColumns = [mapping.date, mapping.valueDate].filter((c): c is number => c !== undefined);
  const numberColumns = [mapping.amount, mapping.debit, mapping.credit, mapping.balance].filter((c): c is number => c !== undefined);
  const evidence = new ColumnEvidence(dateColumns, numberColumns);
  // Batches, not `table.rows`: one await per chunk instead of one per row.
  for await (const batch of table.batches) for (const row of batch) evidence.add(row);
  const json = evidence.toJson(headers);
  const inference = infer(evidence.dateEvidence(), evidence.numberEvidence(), "scan", { dateOrder: options.dateOrder, decimalSeparator: options.decimalSeparator });
  const profile: TableProfile = {
    headerLine: table.header.line,
    preambleLines: table.preamble.length,
    headers,
    columnMapping: mappingToHeaders(mapping, headers),
    dateEvidence: json.dates,
    numberEvidence: json.numbers,
    dateOrder: inference.dateOrder,
    decimalSeparator: inference.decimalSeparator,
    rows: evidence.rows,
    lines: table.lines(),
  };
  if (table.encoding) profile.encoding = table.encoding;
  if (table.dialect) {
    profile.delimiter = table.dialect.delimiter;
    profile.quoteChar = table.dialect.quoteChar;
  }
  return profile;
}

/** Streams the whole file once and returns its profile. Throws FormatError like the parser would. */
export async function scanDelimited(source: ByteSource, options: ParseOptions = {}): Promise<TableProfile> {
  const table = await openDelimitedTable(source, { encoding: options.encoding, delimiter: options.delimiter });
  return profileTable(table, options);
}

export { profileTable };
