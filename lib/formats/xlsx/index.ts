/**
 * XLSX workbooks: the first sheet read as a table and mapped like any bank CSV.
 *
 * Library choice: fflate (inflate) + saxes (XML), both already dependencies. exceljs's streaming reader
 * pulls in a large dependency tree with a history of audit advisories; read-excel-file inflates the whole
 * workbook. Here the compressed file is buffered (the ZIP central directory sits at its end) but the
 * sheet XML is inflated and parsed slice by slice. Shared strings are held whole, as every reader must.
 */
import type { ByteSource, FormatModule, FormatSniffer, ParseEvent } from "../types";
import { FormatError } from "../types";
import { concatBytes } from "../shared/text";
import { bankTableEvents, type CsvParseOptions } from "../tabular/bank";
import { tableFromRows } from "../tabular/table";
import { openFirstSheet } from "./sheet";

async function readAll(source: ByteSource): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of source) parts.push(chunk);
  return parts.length === 0 ? new Uint8Array(0) : concatBytes(parts);
}

const parse = async function* (source: ByteSource, options: CsvParseOptions = {}): AsyncGenerator<ParseEvent, void, undefined> {
  const zip = await readAll(source);
  if (zip.length < 4 || zip[0] !== 0x50 || zip[1] !== 0x4b || zip[2] !== 0x03 || zip[3] !== 0x04) {
    throw new FormatError("not_xlsx", "Expected an XLSX workbook (a ZIP file starting with PK), found other bytes", 1);
  }
  const sheet = openFirstSheet(zip);
  const table = await tableFromRows(sheet.rows, sheet.lastRow);
  for await (const event of bankTableEvents(table, "xlsx", options)) {
    if (event.type === "meta" && sheet.sheetName) event.meta.extra.sheet = sheet.sheetName;
    yield event;
  }
};

const sniff: FormatSniffer = (_head, bytes) => {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b || bytes[2] !== 0x03 || bytes[3] !== 0x04) return 0;
  const names = new TextDecoder("latin1").decode(bytes.subarray(0, 64 * 1024));
  if (names.includes("xl/")) return 0.95;
  return names.includes("[Content_Types].xml") ? 0.6 : 0;
};

export const xlsxFormat: FormatModule = { name: "xlsx", parse, sniff };
