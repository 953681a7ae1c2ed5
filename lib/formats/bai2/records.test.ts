import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAccountIdentifier, parseAccountIdentifier, type AccountIdentifier, type SummaryItem } from "./accountIdentifier";
import { formatAccountTrailer, parseAccountTrailer, type AccountTrailer } from "./accountTrailer";
import { formatFileHeader, parseFileHeader, type FileHeader } from "./fileHeader";
import { formatFileTrailer, parseFileTrailer, type FileTrailer } from "./fileTrailer";
import type { Funds } from "./funds";
import { formatGroupHeader, parseGroupHeader, type GroupHeader } from "./groupHeader";
import { formatGroupTrailer, parseGroupTrailer, type GroupTrailer } from "./groupTrailer";
import { logicalRecordsOf } from "./testkit";
import { formatTransactionDetail, parseTransactionDetail, type TransactionDetail } from "./transactionDetail";

const RUNS = { numRuns: 200 };

/** The fields of the one logical record a string holds (the record and its 88s). */
async function fieldsOf(text: string): Promise<string[]> {
  const records = await logicalRecordsOf(text);
  expect(records).toHaveLength(1);
  return records[0]!.fields;
}

// Arbitraries for typed records. Identifiers are what a BAI2 field can hold: no "," or "/", no
// line breaks, no padding at either end (non-text fields are trimmed).
const identifier = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .:-]{0,14}[A-Za-z0-9]$|^[A-Za-z0-9]$/);
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
const isoDate = fc.date({ min: new Date("1980-01-01T00:00:00Z"), max: new Date("2079-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const pad = (n: number): string => String(n).padStart(2, "0");
const time = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${pad(h)}:${pad(m)}`),
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(([h, m, s]) => `${pad(h)}:${pad(m)}:${pad(s)}`),
  fc.constant("24:00"),
);
const amount = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n });
const unsignedAmount = fc.bigInt({ min: 0n, max: 10n ** 15n });
const count = fc.integer({ min: 0, max: 99999 });
const typeCode = fc.integer({ min: 1, max: 999 }).map((n) => String(n).padStart(3, "0"));
const currency = fc.constantFrom("USD", "GBP", "JPY", "KWD", "CAD");

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const funds: fc.Arbitrary<Funds> = fc.oneof(
  fc.constantFrom("0", "1", "2", "Z").map((type): Funds => ({ type })),
  fc.record({ immediate: maybe(unsignedAmount), oneDay: maybe(unsignedAmount), twoOrMoreDays: maybe(unsignedAmount) }).map((s): Funds => defined({ type: "S" as const, ...s })),
  fc.record({ valueDate: maybe(isoDate), valueTime: maybe(time) }).map((v): Funds => defined({ type: "V" as const, ...v })),
  fc.array(fc.record({ days: fc.integer({ min: 0, max: 30 }), amount: unsignedAmount }), { maxLength: 4 }).map((distributions): Funds => ({ type: "D", distributions })),
);

/** Text lines that cannot be mistaken for a record end: no "/" followed by blanks and a record code. */
const textLine = fc
  .stringMatching(/^[A-Za-z0-9 ,./:=#&'-]{0,40}$/)
  .filter((s) => !/\/[ \t]*(01|02|03|16|49|88|98|99),/.test(s));

describe("01 file header", () => {
  it("reads a sample line", async () => {
    const parsed = parseFileHeader(await fieldsOf("01,CITIDIRECT,8888888,150716,0713,00131100,,,2/"));
    expect(parsed).toEqual({ ok: true, value: { senderId: "CITIDIRECT", receiverId: "8888888", creationDate: "2015-07-16", creationTime: "07:13", fileId: "00131100", versionNumber: "2" } });
  });

  it("reads a time written with colons and the record length and block size", async () => {
    expect(parseFileHeader(await fieldsOf("01,NWBKGB2L,9876543,100215,14:59:35,2215,,,2/"))).toMatchObject({ ok: true, value: { creationTime: "14:59:35" } });
    expect(parseFileHeader(await fieldsOf("01,0004,12345,060321,0829,001,80,1,2/"))).toMatchObject({ ok: true, value: { physicalRecordLength: 80, blockSize: 1 } });
  });

  it.each([
    ["01,A,B,150716,0713,1,,,1/", "unsupported_version"],
    ["01,A,B,150716,0713,1,,,/", "unsupported_version"],
    ["01,A,B,151316,0713,1,,,2/", "invalid_date"],
    ["01,,B,150716,0713,1,,,2/", "missing_field"],
    ["01,A,B,150716,2500,1,,,2/", "invalid_time"],
  ])("rejects %s (%s)", async (line, code) => {
    const parsed = parseFileHeader(await fieldsOf(line));
    expect(parsed.ok ? "ok" : parsed.problem.code).toBe(code);
  });

  it("round-trips", async () => {
    const arb: fc.Arbitrary<FileHeader> = fc
      .record({ senderId: identifier, receiverId: identifier, creationDate: isoDate, creationTime: maybe(time), fileId: maybe(identifier), physicalRecordLength: maybe(count), blockSize: maybe(count), versionNumber: fc.constantFrom("2", "3") })
      .map(defined);
    await fc.assert(fc.asyncProperty(arb, async (h) => {
      expect(parseFileHeader(await fieldsOf(formatFileHeader(h)))).toEqual({ ok: true, value: h });
    }), RUNS);
  });
});

describe("02 group header", () => {
  it("reads a sample line", async () => {
    const parsed = parseGroupHeader(await fieldsOf("02,8888888,CITIGB00,1,150715,2340,GBP,2/"));
    expect(parsed).toEqual({ ok: true, value: { ultimateReceiverId: "8888888", originatorId: "CITIGB00", groupStatus: "1", asOfDate: "2015-07-15", asOfTime: "23:40", currency: "GBP", asOfDateModifier: "2" } });
  });

  it("reads 2400 as end of day and leaves a blank currency blank (the reader applies USD)", async () => {
    const parsed = parseGroupHeader(await fieldsOf("02,9876543,NWBKGB2L,1,091216,2400,,/"));
    expect(parsed).toEqual({ ok: true, value: { ultimateReceiverId: "9876543", originatorId: "NWBKGB2L", groupStatus: "1", asOfDate: "2009-12-16", asOfTime: "24:00" } });
  });

  it.each([
    ["02,A,B,5,150715,2340,GBP,2/", "invalid_code"],
    ["02,A,B,1,150732,2340,GBP,2/", "invalid_date"],
    ["02,A,B,1,,2340,GBP,2/", "missing_field"],
    ["02,A,B,1,150715,2340,POUNDS,2/", "invalid_currency"],
  ])("rejects %s (%s)", async (line, code) => {
    const parsed = parseGroupHeader(await fieldsOf(line));
    expect(parsed.ok ? "ok" : parsed.problem.code).toBe(code);
  });

  it("round-trips", async () => {
    const code = fc.constantFrom("1", "2", "3", "4");
    const arb: fc.Arbitrary<GroupHeader> = fc
      .record({ ultimateReceiverId: maybe(identifier), originatorId: maybe(identifier), groupStatus: maybe(code), asOfDate: isoDate, asOfTime: maybe(time), currency: maybe(currency), asOfDateModifier: maybe(code) })
      .map(defined);
    await fc.assert(fc.asyncProperty(arb, async (h) => {
      expect(parseGroupHeader(await fieldsOf(formatGroupHeader(h)))).toEqual({ ok: true, value: h });
    }), RUNS);
  });
});

describe("03 account identifier", () => {
  it("reads status and summary items", async () => {
    const parsed = parseAccountIdentifier(await fieldsOf("03,77777777,GBP,010,10000,,,015,10000,,,/"));
    expect(parsed).toEqual({ account: { accountNumber: "77777777", currency: "GBP", summaries: [{ typeCode: "010", amount: 10000n }, { typeCode: "015", amount: 10000n }] } });
  });

  it("reads signs, leading zeros, item counts and value-dated funds", async () => {
    const parsed = parseAccountIdentifier(await fieldsOf("03,10200123456,CAD,040,+000000000000,,,045,-000000000012,,/\n88,100,000000000208500,00003,V,060316,,400,000000000208500,00008,V,060316,/"));
    expect(parsed.account?.summaries).toEqual([
      { typeCode: "040", amount: 0n },
      { typeCode: "045", amount: -12n },
      { typeCode: "100", amount: 208500n, itemCount: 3, funds: { type: "V", valueDate: "2006-03-16" } },
      { typeCode: "400", amount: 208500n, itemCount: 8, funds: { type: "V", valueDate: "2006-03-16" } },
    ]);
  });

  it("joins a type code at the end of an 03 with its amount in the next 88", async () => {
    const fields = await fieldsOf("03,9876543210,,010,-500000,,,100,1000000,,,400,2000000,,,190/\n88,500000,,,110,1000000,,,072,500000,,,074,500000,,,040/\n88,-1500000,,/");
    expect(parseAccountIdentifier(fields).account?.summaries.map((s) => [s.typeCode, s.amount])).toEqual([
      ["010", -500000n], ["100", 1000000n], ["400", 2000000n], ["190", 500000n], ["110", 1000000n], ["072", 500000n], ["074", 500000n], ["040", -1500000n],
    ]);
  });

  it("reads funds type D inside a summary continued by an 88", async () => {
    const fields = await fieldsOf("03,0975312468,,010,500000,,,190,70000000,4,0,110/\n88,70000000,15,D,3,0,20000000,1,30000000,3,20000000/");
    expect(parseAccountIdentifier(fields).account?.summaries[2]).toEqual({
      typeCode: "110", amount: 70000000n, itemCount: 15,
      funds: { type: "D", distributions: [{ days: 0, amount: 20000000n }, { days: 1, amount: 30000000n }, { days: 3, amount: 20000000n }] },
    });
  });

  it("reads an account with no currency and no items", async () => {
    expect(parseAccountIdentifier(await fieldsOf("03,12345,/"))).toEqual({ account: { accountNumber: "12345", summaries: [] } });
    expect(parseAccountIdentifier(await fieldsOf("03,1234567890,,,,,/"))).toEqual({ account: { accountNumber: "1234567890", summaries: [] } });
  });

  it("keeps the items read before a bad one and names the problem", async () => {
    const parsed = parseAccountIdentifier(await fieldsOf("03,1,USD,010,100,,,015,1O0,,/"));
    expect(parsed.account?.summaries).toEqual([{ typeCode: "010", amount: 100n }]);
    expect(parsed.problem?.code).toBe("invalid_amount");
    expect(parsed.problem?.message).toBe('Expected an amount as digits with an optional + or - sign in field "amount of type 015", found "1O0"');
  });

  it("round-trips, whole and split into 88s", async () => {
    const summary: fc.Arbitrary<SummaryItem> = fc.record({ typeCode, amount: maybe(amount), itemCount: maybe(count), funds: maybe(funds) }).map(defined);
    const arb: fc.Arbitrary<AccountIdentifier> = fc.record({ accountNumber: identifier, currency: maybe(currency), summaries: fc.array(summary, { maxLength: 6 }) }).map(defined);
    await fc.assert(fc.asyncProperty(arb, fc.constantFrom(Infinity, 80, 40), async (a, maxLength) => {
      expect(parseAccountIdentifier(await fieldsOf(formatAccountIdentifier(a, maxLength)))).toEqual({ account: a });
    }), RUNS);
  });
});

describe("16 transaction detail", () => {
  it("reads a value-dated detail whose text comes in 88s", async () => {
    const text = "16,191,001,V,150715,,1234567890,RP12312312312312/\n88,FR:FP SIP INCOMING\n88,PY:RP1231231231231200                 A1234BC 22/03/66";
    expect(parseTransactionDetail(await fieldsOf(text))).toEqual({
      ok: true,
      value: { typeCode: "191", amount: 1n, funds: { type: "V", valueDate: "2015-07-15" }, bankReference: "1234567890", customerReference: "RP12312312312312", text: "FR:FP SIP INCOMING\nPY:RP1231231231231200                 A1234BC 22/03/66" },
    });
  });

  it.each([
    ["16,409,000000000002500,V,060316,,,,RETURNED CHEQUE     /", { typeCode: "409", amount: 2500n, funds: { type: "V", valueDate: "2006-03-16" }, text: "RETURNED CHEQUE     " }],
    ["16,115,450000,S,100000,200000,150000,,,/", { typeCode: "115", amount: 450000n, funds: { type: "S", immediate: 100000n, oneDay: 200000n, twoOrMoreDays: 150000n }, text: "" }],
    ["16,195,10000000,1,,,/", { typeCode: "195", amount: 10000000n, funds: { type: "1" }, text: "" }],
    ["16,174,25001,Z,,50848,/", { typeCode: "174", amount: 25001n, funds: { type: "Z" }, customerReference: "50848", text: "" }],
    ["16,142,490196,,172629,/", { typeCode: "142", amount: 490196n, bankReference: "172629" }],
    ["16,195,8325982,,,,FED NO: 2010, NY/NJ 10022", { typeCode: "195", amount: 8325982n, text: "FED NO: 2010, NY/NJ 10022" }],
    ["16,195,5,D,2,0,3,1,2,BR,CR,SPLIT AVAILABILITY/", { typeCode: "195", amount: 5n, funds: { type: "D", distributions: [{ days: 0, amount: 3n }, { days: 1, amount: 2n }] }, bankReference: "BR", customerReference: "CR", text: "SPLIT AVAILABILITY" }],
    ["16,218,20000000,V,040622,,SP4738,YRC065321/", { typeCode: "218", amount: 20000000n, funds: { type: "V", valueDate: "2004-06-22" }, bankReference: "SP4738", customerReference: "YRC065321" }],
  ])("reads %s", async (line, value) => {
    expect(parseTransactionDetail(await fieldsOf(line))).toEqual({ ok: true, value });
  });

  it.each([
    ["16,19,1,Z,,,x/", "invalid_type_code"],
    ["16,195,1.00,Z,,,x/", "invalid_amount"],
    ["16,195,100,Q,,,x/", "invalid_funds_type"],
    ["16,195,100,V,150732,,,,x/", "invalid_date"],
  ])("rejects %s (%s)", async (line, code) => {
    const parsed = parseTransactionDetail(await fieldsOf(line));
    expect(parsed.ok ? "ok" : parsed.problem.code).toBe(code);
  });

  it("round-trips, with text over any number of 88s and the head split at any width", async () => {
    const arb: fc.Arbitrary<TransactionDetail> = fc
      .record({
        typeCode,
        amount: maybe(unsignedAmount),
        funds: maybe(funds),
        bankReference: maybe(identifier),
        customerReference: maybe(identifier),
        text: maybe(fc.array(textLine, { minLength: 1, maxLength: 4 }).map((lines) => lines.join("\n"))),
      })
      .map(defined);
    await fc.assert(fc.asyncProperty(arb, fc.constantFrom(Infinity, 80, 30), async (d, maxLength) => {
      expect(parseTransactionDetail(await fieldsOf(formatTransactionDetail(d, maxLength)))).toEqual({ ok: true, value: d });
    }), RUNS);
  });
});

describe("49, 98 and 99 trailers", () => {
  it.each([
    ["49,20001,10/", { controlTotal: 20001n, recordCount: 10 }],
    ["49,+00000000000834000,14/", { controlTotal: 834000n, recordCount: 14 }],
    ["49,-1600,11/", { controlTotal: -1600n, recordCount: 11 }],
    ["49,,2/", { controlTotal: 0n, recordCount: 2 }],
  ])("49 %s", async (line, value) => {
    expect(parseAccountTrailer(await fieldsOf(line))).toEqual({ ok: true, value });
  });

  it.each([
    ["98,20001,1,12/", { controlTotal: 20001n, accountCount: 1, recordCount: 12 }],
    ["98,+00000000001280000,2,25/", { controlTotal: 1280000n, accountCount: 2, recordCount: 25 }],
  ])("98 %s", async (line, value) => {
    expect(parseGroupTrailer(await fieldsOf(line))).toEqual({ ok: true, value });
  });

  it.each([
    ["99,20001,1,14/", { controlTotal: 20001n, groupCount: 1, recordCount: 14 }],
    ["99,282030196,2,20", { controlTotal: 282030196n, groupCount: 2, recordCount: 20 }],
  ])("99 %s", async (line, value) => {
    expect(parseFileTrailer(await fieldsOf(line))).toEqual({ ok: true, value });
  });

  it.each([
    ["49,12.00,2/", parseAccountTrailer, "invalid_amount"],
    ["49,1200,two/", parseAccountTrailer, "invalid_count"],
    ["98,1,x,3/", parseGroupTrailer, "invalid_count"],
    ["99,1,1,-3/", parseFileTrailer, "invalid_count"],
  ] as const)("rejects %s", async (line, parse, code) => {
    const parsed = parse(await fieldsOf(line));
    expect(parsed.ok ? "ok" : parsed.problem.code).toBe(code);
  });

  it("round-trip", async () => {
    const account: fc.Arbitrary<AccountTrailer> = fc.record({ controlTotal: amount, recordCount: maybe(count) }).map(defined);
    const group: fc.Arbitrary<GroupTrailer> = fc.record({ controlTotal: amount, accountCount: maybe(count), recordCount: maybe(count) }).map(defined);
    const file: fc.Arbitrary<FileTrailer> = fc.record({ controlTotal: amount, groupCount: maybe(count), recordCount: maybe(count) }).map(defined);
    await fc.assert(fc.asyncProperty(account, group, file, async (a, g, f) => {
      expect(parseAccountTrailer(await fieldsOf(formatAccountTrailer(a)))).toEqual({ ok: true, value: a });
      expect(parseGroupTrailer(await fieldsOf(formatGroupTrailer(g)))).toEqual({ ok: true, value: g });
      expect(parseFileTrailer(await fieldsOf(formatFileTrailer(f)))).toEqual({ ok: true, value: f });
    }), RUNS);
  });
});
