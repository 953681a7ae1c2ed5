/**
 * The walking skeleton's thin import slice: a small CSV with Date, Amount and a description column
 * parsed with papaparse and inserted under the uploader's claims. The full pipeline (raw store,
 * staging, review, dedup, jobs) replaces this; it is kept small on purpose.
 */
import Papa from "papaparse";
import type { ParseIssue } from "@/lib/schemas/canonical";
import { normalizeDecimal } from "@/lib/money/decimal";
import { parseIsoDate } from "@/lib/formats/shared/dates";
import type { NewTransaction } from "@/lib/db/queries/transactions";

const DATE_HEADERS = ["date", "booking date", "posting date", "transaction date"];
const AMOUNT_HEADERS = ["amount", "total", "value"];
const DESCRIPTION_HEADERS = ["description", "item", "details", "memo", "narrative"];

export interface SimpleCsvResult {
  rows: NewTransaction[];
  issues: ParseIssue[];
  rowsRead: number;
}

function findColumn(headers: string[], synonyms: string[]): string | undefined {
  return headers.find((h) => synonyms.includes(h.trim().toLowerCase()));
}

/** "1,500" → "1500"; "-120000" stays; anything not a plain amount → null. */
export function parsePlainAmount(text: string): string | null {
  const trimmed = text.trim();
  const withoutGrouping = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(trimmed) ? trimmed.replaceAll(",", "") : trimmed;
  return normalizeDecimal(withoutGrouping);
}

export function parseSimpleCsv(text: string, options: { fileName: string; accountId: string; currency: string }): SimpleCsvResult {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ""), { header: true, skipEmptyLines: "greedy" });
  const headers = parsed.meta.fields ?? [];
  const dateColumn = findColumn(headers, DATE_HEADERS);
  const amountColumn = findColumn(headers, AMOUNT_HEADERS);
  const descriptionColumn = findColumn(headers, DESCRIPTION_HEADERS);
  const issues: ParseIssue[] = [];
  if (!dateColumn || !amountColumn) {
    issues.push({
      severity: "error",
      code: "missing_columns",
      line: 1,
      message: `${options.fileName}, line 1: expected a header with a Date and an Amount column, found ${headers.map((h) => `"${h}"`).join(", ") || "no header"}.`,
    });
    return { rows: [], issues, rowsRead: parsed.data.length };
  }

  const rows: NewTransaction[] = [];
  parsed.data.forEach((record, index) => {
    const line = index + 2; // header is line 1; this skeleton slice assumes no multi-line cells
    const rawDate = record[dateColumn] ?? "";
    const rawAmount = record[amountColumn] ?? "";
    const bookingDate = parseIsoDate(rawDate);
    const amount = parsePlainAmount(rawAmount);
    if (!bookingDate) {
      issues.push({ severity: "error", code: "invalid_date", line, field: dateColumn,
        message: `${options.fileName}, line ${line}, field "${dateColumn}": expected a date as YYYY-MM-DD, found ${rawDate ? `"${rawDate}"` : "nothing"}.` });
    }
    if (!amount) {
      issues.push({ severity: "error", code: "invalid_amount", line, field: amountColumn,
        message: `${options.fileName}, line ${line}, field "${amountColumn}": expected an amount such as 1500 or -12.50, found ${rawAmount ? `"${rawAmount}"` : "nothing"}.` });
    }
    if (!bookingDate || !amount) return;
    rows.push({
      accountId: options.accountId,
      bookingDate,
      amount,
      currency: options.currency,
      description: descriptionColumn ? (record[descriptionColumn] ?? "").trim() : "",
      counterparty: null,
      externalId: null,
    });
  });
  return { rows, issues, rowsRead: parsed.data.length };
}
