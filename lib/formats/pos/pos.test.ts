import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { addDecimals } from "@/lib/money/decimal";
import { collect } from "../collect";
import { checkArbitraryBytes, checkChunking, checkMutatedSamples, expectWellFormed, outcome } from "../tabular/property-helpers";
import { posFormat } from "./index";

const file = "test/fixtures/samples/pos/pos_export_oct2025.csv";
const bytes = new Uint8Array(readFileSync(file));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const parse = async (b: Uint8Array) => collect(posFormat.parse([b]));

describe("pos_export_oct2025.csv", () => {
  it("80 sales lines, every total = quantity × price", async () => {
    const r = await parse(bytes);
    expect(r.issues).toEqual([]);
    expect(r.statements).toEqual([]);
    expect(r.records).toHaveLength(80);
    expect(r.records[0]).toEqual({ kind: "sales_line", date: "2025-10-01", item: "Screen Protector", quantity: "1", unitPrice: "500", total: "500", paymentMethod: "M-Pesa", raw: "2025-10-01,Screen Protector,1,500,500,M-Pesa", line: 2 });
    expect(r.records[3]).toMatchObject({ item: "iPhone 15 Pro", quantity: "2", unitPrice: "120000", total: "240000", paymentMethod: "Card", line: 5 });
    const total = r.records.reduce((sum, rec) => (rec.kind === "sales_line" ? addDecimals(sum, rec.total) : sum), "0");
    expect(total).toBe("3301100");
    expect(r.meta).toMatchObject({ format: "pos", lines: 81, extra: { records: 80, totalMismatches: 0, dateOrder: "YMD" } });
  });
});

describe("pos rows", () => {
  it("a total that is not quantity × price is flagged; bad cells are errors", async () => {
    const r = await parse(enc("Date,Item,Quantity,Price,Total,Payment Method\n2025-10-01,Case,2,2500,4500,Cash\n2025-10-02,Case,x,2500,5000,Cash\n2025-13-01,Case,1,1,1,Cash\n2025-10-03,Cable,1.5,2.25,3.375,Card\n"));
    expect(r.records.map((x) => x.line)).toEqual([2, 5]);
    expect(r.issues.map((i) => [i.code, i.line, i.field, i.severity])).toEqual([
      ["total_mismatch", 2, "Total", "warning"],
      ["invalid_number", 3, "Quantity", "error"],
      ["invalid_date", 4, "Date", "error"],
    ]);
    expect(r.issues[0]!.message).toBe('Expected "Total" to equal quantity × price = 2 × 2500 = 5000, found 4500');
  });
  it("missing required column is a FormatError", async () => {
    await expect(parse(enc("Date,Item,Quantity,Price,Total\n"))).resolves.toBeDefined();
    await expect(parse(enc("Date,Item,Quantity,Price\n2025-01-01,a,1,1\n"))).rejects.toMatchObject({ code: "header_not_found" });
  });
  it("sniff", () => {
    const head = readFileSync(file, "utf8");
    expect(posFormat.sniff(head, bytes)).toBe(0.9);
    expect(posFormat.sniff("Date,Amount\n", enc(""))).toBe(0);
  });
});

describe("pos properties", () => {
  it("sample well-formed", async () => expectWellFormed(await outcome(posFormat, bytes)));
  it("arbitrary bytes never crash", () => checkArbitraryBytes(posFormat));
  it("mutated samples never crash", () => checkMutatedSamples(posFormat, [bytes]));
  it("chunking never changes the result", () => checkChunking(posFormat, [bytes]));
});

describe("pos rejected rows", () => {
  it("the sample has none", async () => {
    expect((await parse(bytes)).rejected).toEqual([]);
  });

  it("lines dropped for a bad number or date carry their cells as written", async () => {
    const r = await parse(enc("Date,Item,Quantity,Price,Total,Payment Method\n2025-10-02,Case,x,2500,5000,Cash\n2025-13-01,Case,1,1,1,Cash\n2025-10-03,Cable,1,2,2,Card\n"));
    expect(r.rejected).toEqual([
      { kind: "sales_line", line: 2, raw: "2025-10-02,Case,x,2500,5000,Cash", fields: { date: "2025-10-02", item: "Case", quantity: "x", unitPrice: "2500", total: "5000", paymentMethod: "Cash" } },
      { kind: "sales_line", line: 3, raw: "2025-13-01,Case,1,1,1,Cash", fields: { date: "2025-13-01", item: "Case", quantity: "1", unitPrice: "1", total: "1", paymentMethod: "Cash" } },
    ]);
  });
});
