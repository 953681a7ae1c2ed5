/** Small helpers for reading cells and writing issues with the header name as the field. */
import type { ParseIssue } from "@/lib/schemas/canonical";
import type { ParseEvent, RejectedRow } from "../types";
import type { TableRow } from "./delimited";

export function cellAt(row: TableRow, index: number | undefined): string {
  return index === undefined ? "" : (row.fields[index] ?? "").trim();
}

export function rowIssue(
  row: TableRow,
  code: string,
  message: string,
  field?: string,
  severity: ParseIssue["severity"] = "error",
): ParseIssue {
  return field === undefined ? { severity, code, message, line: row.line } : { severity, code, message, line: row.line, field };
}

/** Columns the mapping does not use, as details keyed by header (empty cells left out). */
export function unmappedDetails(row: TableRow, headers: readonly string[], used: ReadonlySet<number>): Record<string, string> {
  const details: Record<string, string> = {};
  // A plain loop: this runs for every row.
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i]!;
    if (header === "" || used.has(i)) continue;
    const value = (row.fields[i] ?? "").trim();
    if (value !== "") details[header] = value;
  }
  return details;
}

export const DATE_ORDER_LABEL = { YMD: "YYYY-MM-DD", DMY: "DD/MM/YYYY (day first)", MDY: "MM/DD/YYYY (month first)" } as const;

/** A `rejected` event for a table row that could not become a record; `fields` holds its cells as read. */
export function rejectedRow(kind: RejectedRow["kind"], row: TableRow, fields: Record<string, string>): ParseEvent {
  return { type: "rejected", rejected: { kind, line: row.line, raw: row.raw, fields } };
}

/** Every named column's cell (trimmed, empty ones included), keyed by header: a rejected row's source-named fields. */
export function cellsByHeader(row: TableRow, headers: readonly string[], skip: ReadonlySet<number> = new Set()): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((header, i) => {
    if (header === "" || skip.has(i) || Object.hasOwn(out, header)) return;
    out[header] = (row.fields[i] ?? "").trim();
  });
  return out;
}
