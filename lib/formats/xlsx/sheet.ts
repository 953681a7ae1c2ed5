/**
 * The first worksheet as a stream of rows: sheet XML inflated slice by slice and fed to saxes, rows
 * handed out as they close. Only the compressed file and the shared strings are held whole.
 */
import Papa from "papaparse";
import { SaxesParser, type SaxesTag } from "saxes";
import { FormatError } from "../types";
import type { TableRow } from "../tabular/delimited";
import { columnIndex, excelNumberText, serialToDate } from "./cells";
import { attr, readDateStyles, readRelationships, readSharedStrings, readWorkbook } from "./parts";
import { inflateEntry, readCentralDirectory, readEntryText, type ZipEntry } from "./zip";

export interface SheetRows {
  sheetName?: string;
  rows: Generator<TableRow, void, undefined>;
  /** Last sheet row number seen. */
  lastRow(): number;
}

const MAX_COLUMNS = 16_384;
/** The same bound as a delimited row (tabular/delimited.ts). */
export const MAX_CELL_CHARS = 1 << 20;

function local(name: string): string {
  const i = name.indexOf(":");
  return i >= 0 ? name.slice(i + 1) : name;
}

export function openFirstSheet(zip: Uint8Array): SheetRows {
  const entries = readCentralDirectory(zip);
  const get = (name: string): ZipEntry | undefined => entries.get(name);
  const workbookEntry = get("xl/workbook.xml");
  if (!workbookEntry) throw new FormatError("xlsx_no_workbook", "Expected xl/workbook.xml in the archive, found none (not an XLSX workbook)", 1);
  const workbook = readWorkbook(readEntryText(zip, workbookEntry));
  const relsEntry = get("xl/_rels/workbook.xml.rels");
  const rels = relsEntry ? readRelationships(readEntryText(zip, relsEntry)) : new Map<string, string>();
  const sheetPath = (workbook.firstSheetRelId && rels.get(workbook.firstSheetRelId)) || "xl/worksheets/sheet1.xml";
  const sheetEntry = get(sheetPath);
  if (!sheetEntry) throw new FormatError("xlsx_no_sheet", `Expected the first worksheet at ${sheetPath}, found none`, 1);
  const sharedEntry = get("xl/sharedStrings.xml");
  const shared = sharedEntry ? readSharedStrings(readEntryText(zip, sharedEntry)) : [];
  const stylesEntry = get("xl/styles.xml");
  const dateStyles = stylesEntry ? readDateStyles(readEntryText(zip, stylesEntry)) : [];
  let lastRow = 0;

  function* rows(): Generator<TableRow, void, undefined> {
    const ready: TableRow[] = [];
    const parser = new SaxesParser({ xmlns: false });
    let rowNumber = 0;
    let cells: string[] = [];
    let cell: { col: number; type: string; style: number; text: string } | undefined;
    let capture = false;
    let nextCol = 0;
    let inPhonetic = false;
    parser.on("opentag", (tag: SaxesTag) => {
      const n = local(tag.name);
      if (n === "row") {
        const r = Number(attr(tag, "r") ?? "");
        rowNumber = Number.isInteger(r) && r > rowNumber ? r : rowNumber + 1;
        cells = [];
        nextCol = 0;
      } else if (n === "c") {
        const ref = attr(tag, "r");
        const col = ref ? (columnIndex(ref) ?? nextCol) : nextCol;
        if (col >= MAX_COLUMNS) throw new FormatError("xlsx_too_wide", `Expected at most ${MAX_COLUMNS} columns, found a cell at ${ref ?? col}`, rowNumber || 1);
        cell = { col, type: attr(tag, "t") ?? "n", style: Number(attr(tag, "s") ?? "0"), text: "" };
        nextCol = col + 1;
      } else if (cell && (n === "v" || (n === "t" && !inPhonetic))) capture = true;
      else if (n === "rPh") inPhonetic = true;
    });
    parser.on("text", (t) => {
      if (capture && cell) cell.text += t;
    });
    parser.on("closetag", (tag) => {
      const n = local(tag.name);
      if (n === "v" || n === "t") capture = false;
      else if (n === "rPh") inPhonetic = false;
      else if (n === "c" && cell) {
        let value = cell.text;
        if (cell.type === "s") value = shared[Number(cell.text)] ?? "";
        else if (cell.type === "b") value = cell.text === "1" ? "TRUE" : "FALSE";
        else if (cell.type === "n" && value !== "") {
          value = dateStyles[cell.style] ? (serialToDate(value, workbook.date1904) ?? value) : (excelNumberText(value) ?? value);
        }
        while (cells.length < cell.col) cells.push("");
        cells[cell.col] = value;
        cell = undefined;
      } else if (n === "row") {
        lastRow = rowNumber;
        if (cells.some((c) => c.trim() !== "")) ready.push({ fields: cells, line: rowNumber, raw: Papa.unparse([cells]) });
      }
    });
    // Characters since the last "<": a cell's text, or a run of anything but markup. saxes holds such a
    // run whole until the next tag, so a ZIP bomb of one endless cell is refused here, not in memory.
    let run = 0;
    const write = (text: string): void => {
      // indexOf from "<" to "<": one inflated piece can hold a whole bomb, so runs inside it count too.
      let from = 0;
      for (let lt = text.indexOf("<"); lt >= 0; lt = text.indexOf("<", from)) {
        if (run + lt - from > MAX_CELL_CHARS) break;
        run = 0;
        from = lt + 1;
      }
      run += text.length - from;
      if (run > MAX_CELL_CHARS) {
        throw new FormatError("xlsx_cell_too_long", `Expected cells shorter than ${MAX_CELL_CHARS} characters, found a longer run of text after row ${rowNumber || 1}`, rowNumber || 1);
      }
      try {
        parser.write(text);
      } catch (error) {
        if (error instanceof FormatError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw new FormatError("xml_invalid", `Expected well-formed worksheet XML, found: ${message.slice(0, 200)}`, rowNumber || 1);
      }
    };
    for (const _ of inflateEntry(zip, sheetEntry!, write)) {
      void _;
      while (ready.length > 0) yield ready.shift()!;
    }
    try {
      parser.close();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new FormatError("xml_invalid", `Expected complete worksheet XML, found: ${message.slice(0, 200)}`, rowNumber || 1);
    }
    while (ready.length > 0) yield ready.shift()!;
  }

  return { ...(workbook.firstSheetName ? { sheetName: workbook.firstSheetName } : {}), rows: rows(), lastRow: () => lastRow };
}
