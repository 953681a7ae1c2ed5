import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { collect } from "../collect";
import { FormatError, type ParseOptions } from "../types";
import { bai2Format } from "./index";

const DIR = path.resolve(import.meta.dirname, "../../../test/fixtures/samples/bai2");

function read(name: string): Uint8Array {
  return readFileSync(path.join(DIR, name));
}

function parseSample(name: string, options?: ParseOptions) {
  return collect(bai2Format.parse([read(name)], options));
}

async function rejection(name: string, options?: ParseOptions): Promise<FormatError> {
  try {
    await parseSample(name, options);
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error(`${name} parsed without error`);
}

describe("ministryofjustice-bai2 samples", () => {
  it("citi_example: header facts, one GBP account, one value-dated detail with its 88 text", async () => {
    const result = await parseSample("ministryofjustice-bai2__citi_example.bai2");
    expect(result.issues).toEqual([]);
    expect(result.meta).toMatchObject({
      format: "bai2",
      encoding: "utf-8",
      lines: 14,
      extra: {
        senderId: "CITIDIRECT", receiverId: "8888888", fileCreationDate: "2015-07-16", fileCreationTime: "07:13", version: "2",
        groupCount: 1, accountCount: 1, recordCount: 14, fileControlTotal: "20001", integrity: "verified",
        groups: [{ currency: "GBP", asOfDate: "2015-07-15", asOfTime: "23:40", originatorId: "CITIGB00" }],
      },
    });
    expect(result.statements).toHaveLength(1);
    const [statement] = result.statements;
    expect(statement?.account).toEqual({ id: "77777777", bankId: "CITIGB00", currency: "GBP" });
    expect(statement?.balances.map((b) => [b.type, b.sourceCode, b.amount, b.currency, b.date])).toEqual([
      ["opening", "010", "100.00", "GBP", "2015-07-15"],
      ["closing", "015", "100.00", "GBP", "2015-07-15"],
    ]);
    expect(statement?.transactions).toHaveLength(1);
    const detail = statement!.transactions[0]!;
    const seven88 = readFileSync(path.join(DIR, "ministryofjustice-bai2__citi_example.bai2"), "utf8").split("\n").filter((l) => l.startsWith("88,")).map((l) => l.slice(3));
    expect(seven88).toHaveLength(7);
    expect(detail).toMatchObject({
      typeCode: "191", amount: "0.01", currency: "GBP", bookingDate: "2015-07-15", valueDate: "2015-07-15",
      bankReference: "1234567890", externalId: "1234567890", customerReference: "RP12312312312312",
      description: seven88.join(" "), details: { fundsType: "V", typeCodeClass: "credit_detail" }, line: 4,
    });
    expect(detail.raw.split("\n")).toHaveLength(8);
  });

  it("nwb_example: integrity on, time written 14:59:35, as-of 2400 = end of day, 03 continued by 88, empty funds types", async () => {
    const result = await parseSample("ministryofjustice-bai2__nwb_example.bai2");
    expect(result.issues).toEqual([]);
    expect(result.meta?.extra).toMatchObject({ fileCreationTime: "14:59:35", integrity: "verified", groups: [{ asOfTime: "24:00", asOfEndOfDay: true, asOfDate: "2009-12-16" }] });
    const [statement] = result.statements;
    expect(statement?.account).toEqual({ id: "88888888 600004", bankId: "NWBKGB2L", currency: "GBP" });
    expect(statement?.balances.map((b) => [b.sourceCode, b.type, b.amount])).toEqual([
      ["010", "opening", "365.21"], ["015", "closing", "338.45"], ["045", "closing_available", "338.45"], ["040", "opening_available", "338.45"],
      ["072", "information", "0.00"], ["074", "information", "0.00"], ["075", "information", "0.00"],
    ]);
    expect(statement?.transactions.map((t) => [t.typeCode, t.amount, t.details?.fundsType])).toEqual([
      ["699", "-9.71", undefined], ["699", "-1.00", undefined], ["699", "-1.23", undefined], ["699", "-15.71", undefined], ["399", "0.89", undefined],
    ]);
    expect(statement?.transactions[4]?.description).toBe("TFR XBANKGO24007680SJ CAT JPY 2 GBPXBANKGO24007680BGC INTERNATIONAL-5373 CLIE NT SECCY AC TFR");
  });

  it("svb_us_example: two groups, 03 summaries over three 88s, a last 99 with no / and no final newline", async () => {
    const result = await parseSample("ministryofjustice-bai2__svb_us_example.bai2");
    expect(result.issues).toEqual([]);
    expect(result.meta?.extra).toMatchObject({ groupCount: 2, accountCount: 2, recordCount: 20, fileControlTotal: "282030196" });
    expect(result.statements.map((s) => [s.account.id, s.from, s.balances.length, s.transactions.map((t) => t.amount)])).toEqual([
      ["1234567890", "2022-02-01", 6, ["4901.96"]],
      ["1234567890", "2022-02-02", 6, ["9058.00"]],
    ]);
    expect(result.statements[0]?.balances.find((b) => b.type === "opening_available")?.amount).toBe("327425.37");
    expect(result.statements[0]?.transactions[0]).toMatchObject({ typeCode: "142", bankReference: "172629", description: "SOME PAYMENT ACH OFFSET" });
  });

  it("account_trailer_amount_blank_example: blank 49 control totals read as 0", async () => {
    const result = await parseSample("ministryofjustice-bai2__account_trailer_amount_blank_example.bai2");
    expect(result.issues).toEqual([]);
    expect(result.statements.map((s) => [s.account.id, s.account.currency, s.balances.length, s.transactions.length])).toEqual([
      ["12345", "USD", 0, 0],
      ["54321", "USD", 0, 0],
    ]);
    expect(result.meta?.extra).toMatchObject({ fileControlTotal: "0", recordCount: 8 });
  });
});

describe("moov-io-bai2 samples", () => {
  it("sample1: 1 CAD group, 2 accounts, 27 records, 17 signed transactions", async () => {
    const result = await parseSample("moov-io-bai2__sample1.txt");
    expect(result.issues).toEqual([]);
    expect(result.meta?.extra).toMatchObject({ groupCount: 1, accountCount: 2, recordCount: 27, transactionCount: 17, groups: [{ currency: "CAD" }] });
    expect(result.statements).toHaveLength(2);
    expect(result.statements[0]?.account).toEqual({ id: "10200123456", bankId: "0004", currency: "CAD" });
    expect(result.statements[0]?.transactions).toHaveLength(11);
    const amounts = result.statements.flatMap((s) => s.transactions.map((t) => t.amount));
    expect(amounts).toEqual(["-25.00", "-900.00", "-5.00", "2035.00", "25.00", "25.00", "-200.00", "-900.00", "-20.00", "-25.00", "-10.00", "115.00", "1000.00", "-1000.00", "-90.00", "-20.00", "-5.00"]);
    expect(result.statements[0]?.transactions[0]).toMatchObject({ typeCode: "409", description: "RETURNED CHEQUE", valueDate: "2006-03-16", bookingDate: "2006-03-17", currency: "CAD", line: 5 });
  });

  it("sample1: the first account's 49 states control total 834000 over 14 records, and a changed total is caught", async () => {
    const text = new TextDecoder().decode(read("moov-io-bai2__sample1.txt"));
    expect(text).toContain("49,+00000000000834000,14/");
    const broken = new TextEncoder().encode(text.replace("49,+00000000000834000,14/", "49,+00000000000834001,14/"));
    await expect(collect(bai2Format.parse([broken]))).rejects.toMatchObject({ code: "control_total_mismatch", line: 16 });
    const miscounted = new TextEncoder().encode(text.replace("49,+00000000000834000,14/", "49,+00000000000834000,13/"));
    await expect(collect(bai2Format.parse([miscounted]))).rejects.toMatchObject({ code: "record_count_mismatch", line: 16 });
  });

  it("sample2: 4 groups, funds types S and D, value-dated V, negative status amounts", async () => {
    const result = await parseSample("moov-io-bai2__sample2.txt");
    expect(result.issues).toEqual([]);
    expect(result.meta?.extra).toMatchObject({ groupCount: 4, accountCount: 5, recordCount: 31, fileControlTotal: "345450000" });
    const all = result.statements.flatMap((s) => s.transactions);
    expect(all.map((t) => [t.typeCode, t.amount, t.details?.fundsType])).toEqual([
      ["115", "4500.00", "S"], ["115", "5000.00", "S"], ["218", "200000.00", "V"], ["195", "100000.00", "1"],
    ]);
    expect(all[0]?.details).toMatchObject({ availableImmediately: "1000.00", availableInOneDay: "2000.00", availableInTwoOrMoreDays: "1500.00" });
    expect(all[2]).toMatchObject({ valueDate: "2004-06-22", bankReference: "SP4738", customerReference: "YRC065321", description: "PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO" });
    expect(result.statements[1]?.balances.map((b) => [b.sourceCode, b.amount])).toEqual([["010", "-5000.00"], ["072", "5000.00"], ["074", "5000.00"], ["040", "-15000.00"]]);
  });

  it("sample3: several records per line, a 16 text wrapped without 88, funds Z, negative totals", async () => {
    const result = await parseSample("moov-io-bai2__sample3.txt");
    expect(result.issues).toEqual([]);
    expect(result.meta?.extra).toMatchObject({ groupCount: 1, accountCount: 15, recordCount: 74, fileControlTotal: "2508440" });
    expect(result.statements[0]?.transactions.map((t) => [t.amount, t.line])).toEqual([
      ["25.00", 3], ["5.00", 3], ["1.00", 4], ["-25.00", 5], ["-6.00", 7], ["-1.00", 9],
    ]);
    const wrapped = result.statements[7]?.transactions[0];
    expect(wrapped).toMatchObject({ amount: "25.00", line: 18, description: "111111     ACH_SETL           1111111111 111111111111111 1111111111" });
    expect(result.statements[0]?.balances.find((b) => b.sourceCode === "010")?.amount).toBe("-35.00");
  });
});

describe("venturehacks-bai2 samples", () => {
  it("daily: 1 group, 1 account, 1 credit of type 174", async () => {
    const result = await parseSample("venturehacks-bai2__daily.bai2");
    expect(result.issues).toEqual([]);
    expect(result.statements).toHaveLength(1);
    expect(result.statements[0]?.transactions).toEqual([
      expect.objectContaining({ typeCode: "174", amount: "250.01", currency: "USD", customerReference: "50848", description: "SAMPLE CONTINUATION TEXT,", details: { typeCodeClass: "credit_detail", fundsType: "Z" } }),
    ]);
  });

  it("eod: 1 credit of type 195 whose unterminated 16 and 88 text contains commas", async () => {
    const result = await parseSample("venturehacks-bai2__eod.bai2");
    expect(result.issues).toEqual([]);
    const transactions = result.statements.flatMap((s) => s.transactions);
    expect(transactions).toHaveLength(1);
    expect(transactions[0]).toMatchObject({ typeCode: "195", amount: "83259.82" });
    expect(transactions[0]?.description).toContain("ORG ADDRESS:=1995 SE. 57TH ST. NY, NY 10022 BNF ID:=3300333333");
    expect(transactions[0]?.description.startsWith("FED NO: 20100831L1B77D1CDSDSDJSIO15608310954FT01 SENDER BNK:=ETRADE BANK")).toBe(true);
  });

  it("invalid_checksum_eod: rejected at the 49 (8325983 stated, 8325982 read)", async () => {
    const error = await rejection("venturehacks-bai2__invalid_checksum_eod.bai2");
    expect(error.code).toBe("control_total_mismatch");
    expect(error.line).toBe(15);
    expect(error.message).toContain("8325982");
    expect(error.message).toContain("8325983");
  });

  it("invalid_checksum_eod: parses when the caller turns integrity checks off", async () => {
    const result = await parseSample("venturehacks-bai2__invalid_checksum_eod.bai2", { integrity: false });
    expect(result.statements[0]?.transactions.map((t) => t.amount)).toEqual(["83259.82"]);
    expect(result.meta?.extra.integrity).toBe("skipped");
  });
});
