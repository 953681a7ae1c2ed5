import { describe, expect, it } from "vitest";
import { FormatError } from "../types";
import { continueLogical, isTextField, startLogical, writeRecord, type LogicalRecord } from "./continuation";
import { RecordScanner, type PhysicalRecord, type TextFieldTest, type UnrecognizedText } from "./scanner";
import { logicalItemsOf, logicalRecordsOf } from "./testkit";

function scanAll(text: string, isText: TextFieldTest = () => false, chunkSize = Infinity): (PhysicalRecord | UnrecognizedText)[] {
  const scanner = new RecordScanner(isText);
  const out: (PhysicalRecord | UnrecognizedText)[] = [];
  const drain = (): void => {
    for (let item = scanner.next(); item !== "more" && item !== "done"; item = scanner.next()) {
      // Without quickDetails the scanner hands over physical records and text only.
      if (item.kind === "detail") throw new Error("a ScannedDetail from a scanner without quickDetails");
      out.push(item);
    }
  };
  for (let i = 0; i < text.length; i += Math.min(chunkSize, text.length)) {
    scanner.push(text.slice(i, i + chunkSize));
    drain();
  }
  scanner.end();
  drain();
  return out;
}

describe("physical records", () => {
  it("ends a record at / or at the end of the line, and numbers lines from 1", () => {
    const records = scanAll("01,A,B,150716,0713,1,,,2/\r\n02,X,Y,1,150715,2340,GBP,2\r\n99,0,1,3");
    expect(records.map((r) => [r.kind === "record" ? r.code : "?", r.line])).toEqual([["01", 1], ["02", 2], ["99", 3]]);
    expect(records[0]).toMatchObject({ fields: ["A", "B", "150716", "0713", "1", "", "", "2"], raw: "01,A,B,150716,0713,1,,,2/" });
    expect(records[1]).toMatchObject({ fields: ["X", "Y", "1", "150715", "2340", "GBP", "2"], raw: "02,X,Y,1,150715,2340,GBP,2" });
  });

  it("reads several records on one line, with blanks between them", () => {
    const records = scanAll("01,A,B,220919,2112,4,,,2/   02,A,B,1,220919,2400,USD,2/\n49,00,2/  03,1,,010,00,,/ 49,00,2/");
    expect(records.map((r) => (r.kind === "record" ? `${r.code}@${r.line}` : "?"))).toEqual(["01@1", "02@1", "49@2", "03@2", "49@2"]);
  });

  it("treats CR, LF and CRLF alike, even when a CRLF is split between chunks", () => {
    for (const newline of ["\n", "\r", "\r\n"]) {
      const text = ["01,A/", "02,B/", "", "03,C/"].join(newline);
      for (const size of [1, 2, 3, 100]) {
        expect(scanAll(text, undefined, size).map((r) => r.line), `${JSON.stringify(newline)} in chunks of ${size}`).toEqual([1, 2, 4]);
      }
    }
  });

  it("reads a blocked file with no line breaks: records end at /, padding is skipped", () => {
    const blocks = ["01,A,B,150716,0713,1,80,1,2/", "02,X,Y,1,150715,2340,GBP,2/", "98,0,0,2/"].map((r) => r.padEnd(80, " ")).join("");
    const records = scanAll(blocks, undefined, 7);
    expect(records.map((r) => (r.kind === "record" ? [r.code, r.line, r.fields.length] : "?"))).toEqual([["01", 1, 8], ["02", 1, 7], ["98", 1, 3]]);
  });

  it("reports text that does not start a record, up to its / or line end", () => {
    const records = scanAll("01,A/ hello world/ 02,B/\nGARBAGE\n03,C/");
    expect(records.map((r) => (r.kind === "record" ? r.code : `?${r.text}@${r.line}`))).toEqual(["01", "?hello world/@1", "02", "?GARBAGE@2", "03"]);
  });

  it("refuses an endless record instead of holding it all in memory", () => {
    const scanner = new RecordScanner(() => false);
    scanner.push("01," + "A".repeat(600_000));
    expect(scanner.next()).toBe("more");
    scanner.push("A".repeat(600_000));
    expect(() => scanner.next()).toThrow(FormatError);
  });
});

describe("text fields", () => {
  const detailText: TextFieldTest = (code, fields) => code === "16" && fields.length >= 5;

  it("keeps / and commas inside the text; / ends it only before a line end or another record", () => {
    const [a, b] = scanAll("16,195,1,Z,,,PAID 22/03/66, NY/NJ, A/B / 16,195,2,Z,,,NEXT/\n", detailText);
    expect(a).toMatchObject({ fields: ["195", "1", "Z", "", "", "PAID 22/03/66, NY/NJ, A/B "] });
    expect(b).toMatchObject({ fields: ["195", "2", "Z", "", "", "NEXT"] });
  });

  it("ends an unterminated text at the line end when the next line starts a record", () => {
    const [a, b] = scanAll("16,195,1,,,,FED NO: 2010, NY\n88,SENDER\n", detailText);
    expect(a).toMatchObject({ fields: ["195", "1", "", "", "", "FED NO: 2010, NY"], line: 1 });
    expect(b).toMatchObject({ code: "88", fields: ["SENDER"], line: 2 });
  });

  it("continues a text onto a next line that does not start a record (wrapped without an 88)", () => {
    const [a, b] = scanAll("16,142,2500,Z,,,111111     ACH_SETL\n111111111111111        /\n88,x/", detailText);
    expect(a).toMatchObject({ fields: ["142", "2500", "Z", "", "", "111111     ACH_SETL\n111111111111111        "], line: 1 });
    expect(b).toMatchObject({ code: "88", line: 3 });
  });

  it("decides only once enough input has arrived, whatever the chunk size", () => {
    const text = "16,195,1,Z,,,A/ 1/ B/   \n16,195,2,Z,,,C/";
    const whole = scanAll(text, detailText);
    for (const size of [1, 2, 5]) expect(scanAll(text, detailText, size)).toEqual(whole);
    expect(whole.map((r) => (r.kind === "record" ? r.fields[5] : "?"))).toEqual(["A/ 1/ B", "C"]);
  });

  it("reads files without any / or without any line break, whole and in chunks (the scanner remembers its searches)", () => {
    const noSlash = Array.from({ length: 30 }, (_, i) => `16,195,${i},Z,B${i},C${i},TEXT ${i}, MORE`).join("\n") + "\n";
    const noBreak = Array.from({ length: 30 }, (_, i) => `16,195,${i},Z,B${i},C${i},TEXT ${i}/ 1/`).join("");
    for (const size of [Infinity, 1, 3, 7, 64]) {
      const lines = scanAll(noSlash, detailText, size);
      expect(lines.map((r) => (r.kind === "record" ? [r.fields[5], r.fields[3], r.line] : "?"))).toEqual(Array.from({ length: 30 }, (_, i) => [`TEXT ${i}, MORE`, `B${i}`, i + 1]));
      const blocks = scanAll(noBreak, detailText, size);
      expect(blocks.map((r) => (r.kind === "record" ? [r.fields[5], r.raw.length, r.line] : "?"))).toEqual(Array.from({ length: 30 }, (_, i) => [`TEXT ${i}/ 1`, `16,195,${i},Z,B${i},C${i},TEXT ${i}/ 1/`.length, 1]));
    }
  });
});

describe("88 continuation", () => {
  const physical = (code: PhysicalRecord["code"], fields: string[]): PhysicalRecord => ({ kind: "record", code, fields, line: 1, raw: "" });
  const logical = (code: "03" | "16", fields: string[]): LogicalRecord => startLogical({ ...physical(code, fields), code });

  it.each([
    ["a 16 with text already begun", logical("16", ["195", "1", "Z", "", "", "T"]), [], true],
    ["a 16 that stopped before its text", logical("16", ["191", "1", "V", "150715", "", "BR", "CR"]), [], true],
    ["a 16 that stopped inside its value-date fields", logical("16", ["191", "1", "V"]), ["150715"], false],
    ["a 16 whose D count is still to come", logical("16", ["191", "1", "D"]), [], false],
    ["a 16 with one D pair, at the text", logical("16", ["191", "1", "D", "1"]), ["0", "1", "B", "C"], true],
    ["an 03", logical("03", ["1", "USD", "010"]), [], false],
  ] as const)("after %s, is the next 88 field text? %s", (_name, current, soFar, expected) => {
    expect(isTextField(current, "88", soFar)).toBe(expected);
  });

  it("appends fields to an 03 and text lines to a 16", () => {
    const account = logical("03", ["1", "USD", "010"]);
    continueLogical(account, physical("88", ["500", "", ""]));
    expect(account.fields).toEqual(["1", "USD", "010", "500", "", ""]);
    const detail = logical("16", ["195", "1", "Z", "", "", "FIRST"]);
    continueLogical(detail, physical("88", ["SECOND, WITH COMMA"]));
    continueLogical(detail, physical("88", ["THIRD"]));
    expect(detail.fields).toEqual(["195", "1", "Z", "", "", "FIRST\nSECOND, WITH COMMA\nTHIRD"]);
  });

  it("writes long records as a record and 88s that read back to the same fields", async () => {
    const fields = ["12345", "USD", ...Array.from({ length: 12 }, (_, i) => [`0${10 + i}`, String(1000 * i), "", ""]).flat()];
    const written = writeRecord("03", fields, 40);
    expect(written.split("\n").length).toBeGreaterThan(2);
    for (const line of written.split("\n")) expect(line.length).toBeLessThanOrEqual(40);
    const [record] = await logicalRecordsOf(written);
    expect(record?.fields).toEqual(fields);
    expect(record?.raws).toHaveLength(written.split("\n").length);
  });

  it("reports an 88 that has nothing to continue", async () => {
    const items = await logicalItemsOf("88,orphan/");
    expect(items).toEqual([{ kind: "orphan_continuation", record: expect.objectContaining({ code: "88", line: 1 }) }]);
  });
});
