/**
 * The small workbook parts: shared strings, styles (which cells are dates), the workbook (first
 * sheet, 1904 date system) and its relationships. Parsed with saxes, which expands no external entities.
 */
import { SaxesParser, type SaxesTag } from "saxes";
import { FormatError } from "../types";

export function attr(tag: SaxesTag, name: string): string | undefined {
  const value: unknown = tag.attributes[name];
  return typeof value === "string" ? value : undefined;
}

/** Runs saxes over a whole text, turning its errors into FormatError. */
export function parseXml(text: string, part: string, handlers: { open?: (tag: SaxesTag) => void; close?: (name: string) => void; text?: (t: string) => void }): void {
  const parser = new SaxesParser({ xmlns: false });
  if (handlers.open) parser.on("opentag", handlers.open);
  if (handlers.close) {
    const close = handlers.close;
    parser.on("closetag", (tag) => close(tag.name));
  }
  if (handlers.text) parser.on("text", handlers.text);
  try {
    parser.write(text).close();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new FormatError("xml_invalid", `Expected well-formed XML in ${part}, found: ${message.slice(0, 200)}`, 1);
  }
}

function local(name: string): string {
  const i = name.indexOf(":");
  return i >= 0 ? name.slice(i + 1) : name;
}

export function readSharedStrings(text: string): string[] {
  const strings: string[] = [];
  let current = "";
  let inT = false;
  let inPhonetic = 0;
  parseXml(text, "xl/sharedStrings.xml", {
    open: (tag) => {
      const n = local(tag.name);
      if (n === "si") current = "";
      else if (n === "t" && inPhonetic === 0) inT = true;
      else if (n === "rPh") inPhonetic++;
    },
    close: (name) => {
      const n = local(name);
      if (n === "si") strings.push(current);
      else if (n === "t") inT = false;
      else if (n === "rPh") inPhonetic--;
    },
    text: (t) => {
      if (inT) current += t;
    },
  });
  return strings;
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** True when a number format code shows a date or time (quoted text and [colour] sections ignored). */
export function isDateFormatCode(code: string): boolean {
  const bare = code.replace(/"[^"]*"/g, "").replace(/\[[^\]]*\]/g, "").replace(/\\./g, "");
  return /[dmyhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

/** For each cell style index: whether numbers in it are dates. */
export function readDateStyles(text: string): boolean[] {
  const custom = new Map<number, string>();
  const styles: boolean[] = [];
  let inCellXfs = false;
  parseXml(text, "xl/styles.xml", {
    open: (tag) => {
      const n = local(tag.name);
      if (n === "numFmt") custom.set(Number(attr(tag, "numFmtId")), attr(tag, "formatCode") ?? "");
      else if (n === "cellXfs") inCellXfs = true;
      else if (n === "xf" && inCellXfs) {
        const id = Number(attr(tag, "numFmtId") ?? "0");
        const code = custom.get(id);
        styles.push(code !== undefined ? isDateFormatCode(code) : BUILTIN_DATE_FORMATS.has(id));
      }
    },
    close: (name) => {
      if (local(name) === "cellXfs") inCellXfs = false;
    },
  });
  return styles;
}

export interface WorkbookInfo {
  date1904: boolean;
  firstSheetName?: string;
  firstSheetRelId?: string;
}

export function readWorkbook(text: string): WorkbookInfo {
  const info: WorkbookInfo = { date1904: false };
  parseXml(text, "xl/workbook.xml", {
    open: (tag) => {
      const n = local(tag.name);
      if (n === "workbookPr") info.date1904 = /^(1|true)$/i.test(attr(tag, "date1904") ?? "");
      else if (n === "sheet" && info.firstSheetRelId === undefined) {
        info.firstSheetName = attr(tag, "name");
        info.firstSheetRelId = attr(tag, "r:id") ?? Object.entries(tag.attributes).find(([k]) => k.endsWith(":id"))?.[1]?.toString();
      }
    },
  });
  return info;
}

/** Relationship id → target path inside the zip (resolved against xl/). */
export function readRelationships(text: string): Map<string, string> {
  const rels = new Map<string, string>();
  parseXml(text, "xl/_rels/workbook.xml.rels", {
    open: (tag) => {
      if (local(tag.name) !== "Relationship") return;
      const id = attr(tag, "Id");
      const target = attr(tag, "Target");
      if (id && target) rels.set(id, target.startsWith("/") ? target.slice(1) : `xl/${target}`.replace(/\/\.\//g, "/"));
    },
  });
  return rels;
}
