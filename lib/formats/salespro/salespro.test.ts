import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { collect } from "../collect";
import { checkArbitraryBytes, checkChunking, checkMutatedSamples, expectWellFormed, outcome } from "../tabular/property-helpers";
import { parseBoolean, parseTimestamp, salesproFormat } from "./index";

const file = "test/fixtures/samples/salespro/SalesPro2025-06-18.csv";
const bytes = new Uint8Array(readFileSync(file));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const parse = async (b: Uint8Array) => collect(salesproFormat.parse([b]));

describe("SalesPro2025-06-18.csv", () => {
  it("BOM, dotted columns, booleans, $ amounts, one invalid date, one _id updated later", async () => {
    const r = await parse(bytes);
    expect(r.meta).toMatchObject({ format: "salespro", encoding: "utf-8-bom", extra: { rows: 41, records: 41, upsertKey: "_id", orderKey: "_updated_at" } });
    expect(r.records).toHaveLength(41);
    const appts = r.records.flatMap((x) => (x.kind === "appointment" ? [x] : []));
    expect(appts[0]).toMatchObject({ id: "ap01000X", createdAt: "2025-06-01T08:00:00.000Z", updatedAt: "2025-06-01T11:00:00.000Z", isSale: true, saleAmount: "7000.00", customerName: "Jo Smith0", salesRepEmail: "sam.cole@example.com", line: 2 });
    expect(appts[0]!.fields["customer.nameFirst"]).toBe("Jo");
    expect(Object.keys(appts[0]!.fields)[0]).toBe("_id");
    expect(appts.map((a) => a.isSale).slice(0, 8)).toEqual([true, true, true, false, false, true, false, true]);
    expect(appts.find((a) => a.id === "ap01011X")?.saleAmount).toBe("7500.00");
    expect(appts.find((a) => a.id === "ap01003X" && a.line === 5)?.saleAmount).toBeUndefined();
    expect(r.issues).toEqual([
      { severity: "error", code: "invalid_timestamp", line: 15, field: "_created_at", message: 'Expected an ISO 8601 timestamp such as 2025-06-01T08:00:00.000Z in field "_created_at", found "invalid_date"' },
    ]);
    const bad = appts.find((a) => a.id === "ap01013X")!;
    expect(bad.createdAt).toBeUndefined();
    expect(bad.fields._created_at).toBe("invalid_date");
    const versions = appts.filter((a) => a.id === "ap01003X");
    expect(versions.map((v) => [v.line, v.updatedAt, v.isSale, v.saleAmount])).toEqual([
      [5, "2025-06-02T14:00:00.000Z", false, undefined],
      [42, "2025-06-19T10:00:00.000Z", true, "7500.00"],
    ]);
  });

  it.each([
    ["true", true], ["TRUE", true], ["1", true], ["yes", true], ["Yes", true],
    ["false", false], ["FALSE", false], ["0", false], ["no", false],
    ["maybe", undefined], ["", undefined],
  ])("boolean %j → %j", (text, value) => {
    expect(parseBoolean(text)).toBe(value);
  });

  it.each([
    ["2025-06-01T08:00:00.000Z", true],
    ["2025-06-01T08:00:00+03:00", true],
    ["2025-06-01", true],
    ["2025-02-30T08:00:00Z", false],
    ["2025-06-01T25:00:00Z", false],
    ["invalid_date", false],
  ])("timestamp %s valid: %s", (text, ok) => {
    expect(parseTimestamp(text) !== null).toBe(ok);
  });

  it("bad boolean and amount are issues naming the field", async () => {
    const r = await parse(enc("_id,_created_at,isSale,saleAmount\na1,2025-01-01T00:00:00Z,perhaps,$x\n,2025-01-01T00:00:00Z,1,$1\n"));
    expect(r.issues.map((i) => [i.code, i.line, i.field])).toEqual([
      ["invalid_boolean", 2, "isSale"],
      ["invalid_amount", 2, "saleAmount"],
      ["missing_id", 3, "_id"],
    ]);
  });

  it("sniff", () => {
    const head = readFileSync(file, "utf8");
    expect(salesproFormat.sniff(head, bytes)).toBe(0.9);
  });
});

describe("salespro properties", () => {
  it("sample well-formed", async () => expectWellFormed(await outcome(salesproFormat, bytes)));
  it("arbitrary bytes never crash", () => checkArbitraryBytes(salesproFormat));
  it("mutated samples never crash", () => checkMutatedSamples(salesproFormat, [bytes]));
  it("chunking never changes the result", () => checkChunking(salesproFormat, [bytes]));
});

describe("salespro rejected rows", () => {
  it("the sample keeps every row (a bad timestamp stays in fields), so nothing is rejected", async () => {
    expect((await parse(bytes)).rejected).toEqual([]);
  });

  it("a row without _id is rejected with every column by its dotted name", async () => {
    const r = await parse(enc("_id,_created_at,saleAmount,customer.nameFirst\n,2025-06-01T08:00:00.000Z,$10,Jo\nap1,2025-06-01T08:00:00.000Z,,\n"));
    expect(r.rejected).toEqual([
      {
        kind: "appointment",
        line: 2,
        raw: ",2025-06-01T08:00:00.000Z,$10,Jo",
        fields: { _id: "", _created_at: "2025-06-01T08:00:00.000Z", saleAmount: "$10", "customer.nameFirst": "Jo", id: "", createdAt: "2025-06-01T08:00:00.000Z", customerName: "Jo" },
      },
    ]);
    expect(r.records).toHaveLength(1);
  });
});
