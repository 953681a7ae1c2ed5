/** Shared plumbing for table formats that yield dataset records (POS, trial balance, SalesPro). */
import { parseDecimal, formatDecimal } from "@/lib/money/decimal";
import type { ParseIssue } from "@/lib/schemas/canonical";
import type { FormatName } from "@/lib/schemas/canonical";
import type { JsonValue, ParseEvent } from "../types";
import { rowIssue } from "./cells";
import type { TableRow } from "./delimited";
import { parseAmount, type DecimalSeparator } from "./numbers";
import type { Table } from "./table";

/** Exact product of two decimal strings. */
export function multiplyDecimals(a: string, b: string): string | null {
  const pa = parseDecimal(a);
  const pb = parseDecimal(b);
  if (!pa || !pb) return null;
  return formatDecimal({ units: pa.units * pb.units, scale: pa.scale + pb.scale });
}

/** An amount cell that must be present; an issue naming the field otherwise. */
export function requiredAmount(
  row: TableRow,
  text: string,
  field: string,
  separator: DecimalSeparator,
  what = "an amount",
): { ok: true; value: string } | { ok: false; issue: ParseIssue } {
  if (text === "") return { ok: false, issue: rowIssue(row, `missing_${field.toLowerCase().replace(/[^a-z0-9]+/g, "_")}`, `Expected ${what} in field "${field}", found an empty cell`, field) };
  const parsed = parseAmount(text, separator);
  if (!parsed.ok) return { ok: false, issue: rowIssue(row, "invalid_number", `Expected ${what} in field "${field}", found ${parsed.reason}`, field) };
  return { ok: true, value: parsed.amount.value };
}

/** For a table whose header has no rows below it: staged empty, but never without a word. */
export function noRowsIssue(table: Table): ParseEvent {
  const line = table.header.line;
  return { type: "issue", issue: { severity: "warning", code: "no_rows", message: `Expected rows below the header on line ${line}, found no rows; there is nothing to import`, line } };
}

export function metaEvent(format: FormatName, table: Table, extra: Record<string, JsonValue>): ParseEvent {
  const base: Record<string, JsonValue> = { headerLine: table.header.line, preambleLines: table.preamble.length, headers: table.header.fields };
  if (table.dialect) base.delimiter = table.dialect.delimiter;
  return { type: "meta", meta: { format, ...(table.encoding ? { encoding: table.encoding } : {}), lines: table.lines(), extra: { ...base, ...extra } } };
}
