/**
 * Generic delimited bank/sheet export (CSV, TSV, semicolon, pipe) → one statement of transactions.
 * Sniffs with low confidence so specific table formats (M-Pesa, POS, trial balance, SalesPro) win.
 */
import type { ByteSource, FormatBatchParser, FormatModule, FormatParser, FormatSniffer } from "../types";
import { bankTableBatches, bankTableEvents, type CsvParseOptions } from "../tabular/bank";
import { detectDialect } from "../tabular/delimited";
import { openDelimitedTable } from "../tabular/table";

export { scanDelimited } from "../tabular/scan";
export type { CsvParseOptions, TableProfile } from "../tabular/bank";

/** Opens the table when first read, with the dialect the caller or the scanned profile settled. */
function tableOpener(source: ByteSource, options: CsvParseOptions) {
  const profile = options.profile;
  return () =>
    openDelimitedTable(source, {
      encoding: options.encoding ?? profile?.encoding,
      delimiter: options.delimiter ?? profile?.delimiter,
    });
}

// Both return the bank-table generator itself: a `yield*` layer here cost a promise round trip per row.
const parse = ((source, options: CsvParseOptions = {}) => bankTableEvents(tableOpener(source, options), "csv", options)) satisfies FormatParser;
const parseBatches = ((source, options: CsvParseOptions = {}) => bankTableBatches(tableOpener(source, options), "csv", options)) satisfies FormatBatchParser;

/** Any text whose head splits into rows of one width (> 1) by a common delimiter. */
const sniff: FormatSniffer = (head, bytes) => {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) return 0;
  if (/[\u0000-\u0008\u000e-\u001a]/.test(head.slice(0, 4096))) return 0;
  const complete = head.length < 64 * 1024;
  const { confidence } = detectDialect(head, complete);
  return confidence >= 0.5 ? 0.3 : confidence > 0 ? 0.1 : 0;
};

export const csvFormat: FormatModule = { name: "csv", parse, parseBatches, sniff };
