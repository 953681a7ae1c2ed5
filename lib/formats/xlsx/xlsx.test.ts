import { describe, expect, it } from "vitest";
import { zipSync, strToU8 } from "fflate";
import { collect } from "../collect";
import { checkArbitraryBytes, checkChunking, checkMutatedSamples, expectWellFormed, outcome } from "../tabular/property-helpers";
import { columnIndex, excelNumberText, serialToDate } from "./cells";
import { xlsxFormat } from "./index";
import { makeXlsx } from "./make-xlsx";
import { MAX_CELL_CHARS } from "./sheet";
import { readCentralDirectory, readEntryText } from "./zip";
import { FormatError } from "../types";

const parse = async (b: Uint8Array, options = {}) => collect(xlsxFormat.parse([b], options));

const bankSheet = makeXlsx([
  ["Kontoauszug"],
  ["Konto", "DE89370400440532013000"],
  [],
  ["Buchungstag", "Valuta", "Empfänger/Auftraggeber", "Verwendungszweck", "Betrag", "Währung"],
  [{ date: 45931 }, { date: 45931 }, "Müller GmbH", "Rechnung 4711", -1234.56, "EUR"],
  [{ date: 45932 }, { date: 45933 }, "Kunde", "Zahlung <RE-118> & Co", 12500, "EUR"],
  ["31.10.2025", "31.10.2025", "Bank", "Gebühr", "-9,95", "EUR"],
  [{ date: 45935 }, null, "Café", "Noise", 0.30000000000000004, "EUR"],
  [{ date: 45936 }, null, "Bad", "Empty amount", null, "EUR"],
]);

describe("xlsx bank sheet", () => {
  it("reads the first sheet as a table: preamble, header, dates from serials, exact numbers", async () => {
    const r = await parse(bankSheet);
    expect(r.statements[0]!.account.id).toBe("DE89370400440532013000");
    expect(r.statements[0]!.transactions.map((t) => [t.line, t.bookingDate, t.valueDate ?? null, t.amount, t.description])).toEqual([
      [5, "2025-10-01", "2025-10-01", "-1234.56", "Rechnung 4711"],
      [6, "2025-10-02", "2025-10-03", "12500", "Zahlung <RE-118> & Co"],
      [8, "2025-10-05", null, "0.3", "Noise"],
    ]);
    // Numeric cells prove "." decimals; a text cell written "-9,95" then does not fit and is not guessed.
    expect(r.issues.map((i) => [i.code, i.line, i.severity])).toEqual([
      ["number_format_conflict", 4, "warning"],
      ["invalid_amount", 7, "error"],
      ["missing_amount", 9, "error"],
    ]);
    expect(r.meta).toMatchObject({ format: "xlsx", lines: 9, extra: { headerLine: 4, preambleLines: 2, sheet: "Sheet1", dateOrder: "DMY" } });
  });

  it("stored (uncompressed) entries and inline strings", async () => {
    const bytes = makeXlsx([["Date", "Details", "Amount"], [{ inline: "2025-01-02" }, { inline: "Tea" }, 2]], { level: 0 });
    const r = await parse(bytes);
    expect(r.statements[0]!.transactions[0]).toMatchObject({ bookingDate: "2025-01-02", description: "Tea", amount: "2" });
  });

  it("sniff: zip magic plus xl/ parts", () => {
    expect(xlsxFormat.sniff("", bankSheet)).toBe(0.95);
    expect(xlsxFormat.sniff("", strToU8("Date,Amount\n"))).toBe(0);
    expect(xlsxFormat.sniff("", zipSync({ "word/document.xml": strToU8("<w/>") }))).toBe(0);
  });

  it("truncated or non-workbook zips are FormatErrors", async () => {
    await expect(parse(bankSheet.subarray(0, bankSheet.length - 30))).rejects.toMatchObject({ code: "zip_truncated", line: 1 });
    await expect(parse(zipSync({ "a.txt": strToU8("hi") }))).rejects.toMatchObject({ code: "xlsx_no_workbook" });
    await expect(parse(strToU8("Date,Amount\n"))).rejects.toMatchObject({ code: "not_xlsx" });
  });

  it("broken sheet XML is a FormatError", async () => {
    const files = { "xl/workbook.xml": strToU8('<workbook><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>'), "xl/worksheets/sheet1.xml": strToU8("<worksheet><sheetData><row r=\"1\"><c><v>1</c></row>") };
    await expect(parse(zipSync(files))).rejects.toMatchObject({ code: "xml_invalid" });
  });
});

describe("xlsx cells", () => {
  it.each([
    ["1234.5", "1234.5"],
    ["-0.1", "-0.1"],
    ["1.0000000000000001E-2", "0.01"],
    ["0.30000000000000004", "0.3"],
    ["1E+3", "1000"],
    ["2.5e-7", "0.00000025"],
    ["12500", "12500"],
    ["0", "0"],
    ["99999999999999999", "100000000000000000"],
    ["abc", null],
  ])("number %s → %s", (text, value) => {
    expect(excelNumberText(text)).toBe(value);
  });

  it.each([
    ["45931", false, "2025-10-01"],
    ["45931.75", false, "2025-10-01 18:00:00"],
    ["1", false, "1900-01-01"],
    ["61", false, "1900-03-01"],
    ["60", false, null],
    ["0", true, "1904-01-01"],
    ["-1", false, null],
  ])("serial %s (1904: %s) → %s", (serial, date1904, iso) => {
    expect(serialToDate(serial, date1904)).toBe(iso);
  });

  it.each([
    ["A1", 0],
    ["Z9", 25],
    ["AA10", 26],
    ["XFD1", 16383],
    ["1A", undefined],
  ])("column %s → %s", (ref, index) => {
    expect(columnIndex(ref)).toBe(index);
  });
});

describe("xlsx properties", () => {
  const samples = [bankSheet, makeXlsx([["Date", "Amount"], ["2025-01-01", 1]], { level: 0 })];
  it("samples well-formed", async () => {
    for (const s of samples) expectWellFormed(await outcome(xlsxFormat, s));
  });
  it("arbitrary bytes never crash", () => checkArbitraryBytes(xlsxFormat));
  it("mutated workbooks never crash", () => checkMutatedSamples(xlsxFormat, samples));
  it("chunking never changes the result", () => checkChunking(xlsxFormat, samples, 50));
});

describe("xlsx rejected rows", () => {
  it("rows dropped for a bad or empty amount are yielded with their sheet row and cells", async () => {
    const r = await parse(bankSheet);
    expect(r.rejected.map((x) => [x.kind, x.line, x.fields.amount, x.fields.description])).toEqual([
      ["transaction", 7, "-9,95", "Gebühr"],
      ["transaction", 9, "", "Empty amount"],
    ]);
    expect(r.rejected[0]!.fields).toMatchObject({ bookingDate: "2025-10-31", valueDate: "2025-10-31", currency: "EUR", counterpartyName: "Bank" });
    expect(r.rejected[1]!.raw).not.toBe("");
  });
});

describe("xlsx ZIP bombs", () => {
  const sheetXml = (cellText: string) =>
    `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Date</t></is></c><c r="B1" t="inlineStr"><is><t>Amount</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>${cellText}</t></is></c></row></sheetData></worksheet>`;
  const workbook = (sheet: string, shared?: string) =>
    zipSync(
      {
        "xl/workbook.xml": strToU8('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>'),
        "xl/worksheets/sheet1.xml": strToU8(sheet),
        ...(shared ? { "xl/sharedStrings.xml": strToU8(shared) } : {}),
      },
      { level: 9 },
    );

  it("one endless cell is refused as soon as it passes the cell limit, not buffered", async () => {
    const bomb = workbook(sheetXml("a".repeat(MAX_CELL_CHARS + 10)));
    expect(bomb.length).toBeLessThan(20_000);
    const error = await parse(bomb).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ code: "xlsx_cell_too_long" });
  });

  it("a part that inflates past its limit is refused with its name", () => {
    const zip = workbook(sheetXml("x"), `<sst><si><t>${"b".repeat(300_000)}</t></si></sst>`);
    const entry = readCentralDirectory(zip).get("xl/sharedStrings.xml")!;
    expect(readEntryText(zip, entry).length).toBeGreaterThan(300_000);
    expect(() => readEntryText(zip, entry, 100_000)).toThrow(expect.objectContaining({ code: "xlsx_part_too_large", message: expect.stringContaining("xl/sharedStrings.xml to unpack to under") }));
  });
});
