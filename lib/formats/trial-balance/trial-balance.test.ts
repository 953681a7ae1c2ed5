import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { collect } from "../collect";
import { checkArbitraryBytes, checkChunking, checkMutatedSamples, expectWellFormed, outcome } from "../tabular/property-helpers";
import { normalizePeriod, trialBalanceFormat } from "./index";

const file = "test/fixtures/samples/trial-balance/trial_balance_ABEX_2022-06.csv";
const bytes = new Uint8Array(readFileSync(file));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const parse = async (b: Uint8Array) => collect(trialBalanceFormat.parse([b]));

describe("trial_balance_ABEX_2022-06.csv", () => {
  it("59 GL balances, every third zero, one blank balance as an error, one inactive account, profile in meta", async () => {
    const r = await parse(bytes);
    expect(r.records).toHaveLength(59);
    expect(r.issues).toEqual([
      { severity: "error", code: "missing_balance", line: 9, field: "balance", message: 'Expected a balance for account 100070 in field "balance", found an empty cell' },
    ]);
    expect(r.records[0]).toEqual({
      kind: "gl_balance",
      entity: "ABEX",
      period: "2022-06",
      accountCode: "100000",
      accountName: "Cash at Bank - HDFC",
      balance: "0",
      statementType: "BS",
      status: "active",
      raw: "100000,Cash at Bank - HDFC,0,ABEX,AB01,2022-06,BS,active,Ops",
      line: 2,
    });
    expect(r.records.find((x) => x.kind === "gl_balance" && x.accountCode === "100110")).toMatchObject({ status: "inactive", balance: "50051837.03" });
    expect(r.records.find((x) => x.kind === "gl_balance" && x.accountCode === "100500")).toMatchObject({ balance: "179679955.0" });
    expect(r.meta?.extra).toMatchObject({
      rows: 60,
      records: 59,
      zeroBalanceAccounts: 20,
      blankBalances: 1,
      inactiveAccounts: 1,
      balanceSum: "702411753.18",
      perEntityPeriod: [{ entity: "ABEX", period: "2022-06", accounts: 59, zeroBalanceAccounts: 20, balanceSum: "702411753.18" }],
    });
  });

  it("per entity and period sums", async () => {
    const r = await parse(enc("account_code,account_name,balance,entity,period\n1,Cash,10.50,A,2022-06\n2,Bank,-0.50,A,2022-06\n1,Cash,0,B,06/2022\n1,Cash,3,A,Jul 2022\n"));
    expect(r.meta?.extra.perEntityPeriod).toEqual([
      { entity: "A", period: "2022-06", accounts: 2, zeroBalanceAccounts: 0, balanceSum: "10.00" },
      { entity: "B", period: "2022-06", accounts: 1, zeroBalanceAccounts: 1, balanceSum: "0" },
      { entity: "A", period: "2022-07", accounts: 1, zeroBalanceAccounts: 0, balanceSum: "3" },
    ]);
  });

  it("a missing required column is a FormatError naming it", async () => {
    await expect(parse(enc("account_code,account_name,balance,period\n1,Cash,1,2022-06\n"))).rejects.toMatchObject({ code: "missing_columns", line: 1, message: expect.stringContaining('"entity"') });
  });

  it("an unreadable balance is an error issue", async () => {
    const r = await parse(enc("account_code,account_name,balance,entity,period\n1,Cash,ten,A,2022-06\n"));
    expect(r.issues[0]).toMatchObject({ code: "invalid_balance", line: 2, field: "balance" });
  });

  it.each([
    ["2022-06", "2022-06"],
    ["2022/6", "2022-06"],
    ["06/2022", "2022-06"],
    ["Jun 2022", "2022-06"],
    ["2022-06-30", "2022-06"],
    ["FY22 P6", "FY22 P6"],
  ])("period %s → %s", (text, period) => {
    expect(normalizePeriod(text)).toBe(period);
  });

  it("sniff", () => {
    const head = readFileSync(file, "utf8");
    expect(trialBalanceFormat.sniff(head, bytes)).toBe(0.9);
  });
});

describe("trial balance properties", () => {
  it("sample well-formed", async () => expectWellFormed(await outcome(trialBalanceFormat, bytes)));
  it("arbitrary bytes never crash", () => checkArbitraryBytes(trialBalanceFormat));
  it("mutated samples never crash", () => checkMutatedSamples(trialBalanceFormat, [bytes]));
  it("chunking never changes the result", () => checkChunking(trialBalanceFormat, [bytes]));
});

describe("trial balance rejected rows", () => {
  it("the blank balance on line 9 is yielded for correction", async () => {
    const r = await parse(bytes);
    expect(r.rejected).toEqual([
      {
        kind: "gl_balance",
        line: 9,
        raw: "100070,Trade Payables,,ABEX,AB01,2022-06,BS,active,Ops",
        fields: { accountCode: "100070", accountName: "Trade Payables", balance: "", entity: "ABEX", period: "2022-06", statementType: "BS", status: "active", company_code: "AB01", department: "Ops" },
      },
    ]);
  });

  it("a missing account code and a balance that is not a number are rejected too", async () => {
    const r = await parse(enc("account_code,account_name,balance,entity,period\n,Cash,5,AB,2022-06\n1000,Bank,12x,AB,2022-06\n1010,Till,1,AB,2022-06\n"));
    expect(r.rejected.map((x) => [x.line, x.fields.accountCode, x.fields.balance])).toEqual([
      [2, "", "5"],
      [3, "1000", "12x"],
    ]);
    expect(r.records).toHaveLength(1);
  });
});
