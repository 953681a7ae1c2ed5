import { describe, expect, it } from "vitest";
import { FormatError, type ParseOptions } from "../types";
import { parseText } from "./testkit";

interface AccountSpec {
  records: string[];
  /** The 49 control total, stated by the test rather than computed by the code under test. */
  total: string;
}

/** A whole file around the given accounts; trailer counts follow from the records given. */
function bai2File(accounts: AccountSpec[], groupHeader = "02,RECEIVER,BANK1,1,250131,2400,,2/"): string {
  const lines = ["01,BANK1,RECEIVER,250201,0800,7,80,1,2/", groupHeader];
  let groupTotal = 0n;
  for (const account of accounts) {
    lines.push(...account.records, `49,${account.total},${account.records.length + 1}/`);
    groupTotal += BigInt(account.total);
  }
  const groupRecords = lines.length; // 02 .. last 49, plus the 98, minus the 01
  lines.push(`98,${groupTotal},${accounts.length},${groupRecords}/`);
  lines.push(`99,${groupTotal},1,${lines.length + 1}/`);
  return lines.join("\n") + "\n";
}

async function rejection(text: string, options?: ParseOptions): Promise<FormatError> {
  try {
    await parseText(text, options);
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error("parsed without error");
}

const simple = bai2File([{ records: ["03,111,,010,10000,,,015,12500,,/", "16,195,2500,Z,REF1,CUST1,WIRE IN/"], total: "25000" }]);

describe("currencies and implied decimals", () => {
  it("reads a blank group currency as USD and lets a blank account currency inherit it", async () => {
    const result = await parseText(simple);
    expect(result.issues).toEqual([]);
    expect(result.statements[0]?.account).toEqual({ id: "111", bankId: "BANK1", currency: "USD" });
    expect(result.statements[0]?.transactions[0]).toMatchObject({ amount: "25.00", currency: "USD", externalId: "REF1", bankReference: "REF1", customerReference: "CUST1", description: "WIRE IN" });
  });

  it.each([
    ["JPY", "", "2500", "2500", "-2500"],
    ["USD", "KWD", "2500", "2.500", "-2.500"],
    ["GBP", "", "2500", "25.00", "-25.00"],
    ["EUR", "BHD", "5", "0.005", "-0.005"],
  ])("group %s, account %j: %s minor units → %s credit, %s debit", async (groupCurrency, accountCurrency, units, credit, debit) => {
    const text = bai2File(
      [{ records: [`03,222,${accountCurrency},010,${units},,/`, `16,195,${units},,,,IN/`, `16,495,${units},,,,OUT/`], total: String(3n * BigInt(units)) }],
      `02,RECEIVER,BANK1,1,250131,2400,${groupCurrency},2/`,
    );
    const result = await parseText(text);
    const currency = accountCurrency || groupCurrency;
    expect(result.statements[0]?.account.currency).toBe(currency);
    expect(result.statements[0]?.balances[0]).toMatchObject({ type: "opening", amount: credit, currency });
    expect(result.statements[0]?.transactions.map((t) => t.amount)).toEqual([credit, debit]);
  });
});

describe("type codes decide the sign", () => {
  it.each([
    ["108", "1.00"], ["195", "1.00"], ["399", "1.00"], ["721", "1.00"], ["905", "1.00"], ["919", "1.00"],
    ["409", "-1.00"], ["451", "-1.00"], ["699", "-1.00"], ["925", "-1.00"], ["999", "-1.00"],
  ])("16 of type %s → %s", async (code, amount) => {
    const result = await parseText(bai2File([{ records: ["03,1,USD/", `16,${code},100,Z,,,TEXT SAYS DEBIT CREDIT/`], total: "100" }]));
    expect(result.issues).toEqual([]);
    expect(result.statements[0]?.transactions[0]?.amount).toBe(amount);
  });

  it.each([
    ["850", "unknown_type_code"],
    ["750", "unknown_type_code"],
    ["010", "non_transaction_type_code"],
    ["890", "non_transaction_type_code"],
  ])("16 of type %s is reported (%s), not signed by guess, and the totals still hold", async (code, issueCode) => {
    const result = await parseText(bai2File([{ records: ["03,1,USD/", `16,${code},100,Z,,,X/`, "16,195,5,Z,,,OK/"], total: "105" }]));
    expect(result.statements[0]?.transactions.map((t) => t.amount)).toEqual(["0.05"]);
    expect(result.issues).toEqual([expect.objectContaining({ severity: "error", code: issueCode, line: 4, field: "type code" })]);
  });
});

describe("recoverable problems in a 16", () => {
  it("reports an impossible value date on its line and carries on", async () => {
    const result = await parseText(bai2File([{ records: ["03,1,USD/", "16,195,100,V,250230,,,,BAD DATE/", "16,195,5,V,250131,,,,GOOD/"], total: "105" }]));
    expect(result.statements[0]?.transactions).toEqual([expect.objectContaining({ amount: "0.05", valueDate: "2025-01-31", line: 5 })]);
    expect(result.issues).toEqual([{ severity: "error", code: "invalid_date", line: 4, field: "value date", message: 'Expected a date as YYMMDD in field "value date", found "250230"' }]);
  });

  it("reports an amount that is not a number, and says the control total could not be verified", async () => {
    const result = await parseText(bai2File([{ records: ["03,1,USD/", "16,195,12.00,Z,,,X/"], total: "1200" }]));
    expect(result.statements[0]?.transactions).toEqual([]);
    expect(result.issues.map((i) => [i.severity, i.code, i.line])).toEqual([["error", "invalid_amount", 4], ["warning", "control_total_unverified", 5]]);
  });

  it("reports a missing amount", async () => {
    const result = await parseText(bai2File([{ records: ["03,1,USD/", "16,195,,Z,,,X/"], total: "0" }]));
    expect(result.issues.map((i) => i.code)).toEqual(["missing_amount"]);
  });

  it("keeps a written sign on a detail amount, with a warning", async () => {
    const result = await parseText(bai2File([{ records: ["03,1,USD/", "16,495,-100,Z,,,REVERSAL/"], total: "-100" }]));
    expect(result.statements[0]?.transactions[0]?.amount).toBe("1.00");
    expect(result.issues.map((i) => [i.severity, i.code])).toEqual([["warning", "signed_detail_amount"]]);
  });

  it("reports a line that is not a record and carries on", async () => {
    const text = simple.replace("16,195", "GARBAGE LINE\n16,195");
    const result = await parseText(text, { integrity: false });
    expect(result.issues).toEqual([expect.objectContaining({ code: "unrecognized_record", line: 4 })]);
    expect(result.statements[0]?.transactions).toHaveLength(1);
  });
});

describe("balances", () => {
  it("maps status codes to canonical balances and keeps the source code; summaries are not balances", async () => {
    const result = await parseText(bai2File([{ records: ["03,1,USD,010,-100,,,015,200,,,030,300,,,040,400,,,045,500,,,060,600,,,072,700,,,100,800,2,,400,900,3,/"], total: "4300" }]));
    expect(result.statements[0]?.balances.map((b) => [b.type, b.sourceCode, b.amount, b.date, b.line])).toEqual([
      ["opening", "010", "-1.00", "2025-01-31", 3],
      ["closing", "015", "2.00", "2025-01-31", 3],
      ["interim", "030", "3.00", "2025-01-31", 3],
      ["opening_available", "040", "4.00", "2025-01-31", 3],
      ["closing_available", "045", "5.00", "2025-01-31", 3],
      ["interim_available", "060", "6.00", "2025-01-31", 3],
      ["information", "072", "7.00", "2025-01-31", 3],
    ]);
  });

  it("reports a bad summary item but keeps the balances before it", async () => {
    const result = await parseText(bai2File([{ records: ["03,1,USD,010,100,,,015,x,,/"], total: "100" }]));
    expect(result.statements[0]?.balances.map((b) => b.sourceCode)).toEqual(["010"]);
    expect(result.issues.map((i) => [i.code, i.line])).toEqual([["invalid_amount", 3], ["control_total_unverified", 4]]);
  });
});

describe("trailer checks", () => {
  const lines = simple.trimEnd().split("\n");
  const replaceLine = (index: number, line: string): string => lines.map((l, i) => (i === index ? line : l)).join("\n");

  it.each([
    [4, "49,25001,3/", "control_total_mismatch"],
    [4, "49,25000,4/", "record_count_mismatch"],
    [5, "98,25001,1,5/", "control_total_mismatch"],
    [5, "98,25000,2,5/", "account_count_mismatch"],
    [5, "98,25000,1,6/", "record_count_mismatch"],
    [6, "99,25001,1,7/", "control_total_mismatch"],
    [6, "99,25000,2,7/", "group_count_mismatch"],
    [6, "99,25000,1,8/", "record_count_mismatch"],
  ])("line %i as %s is rejected with %s on that line", async (index, line, code) => {
    const error = await rejection(replaceLine(index, line));
    expect(error).toMatchObject({ code, line: index + 1 });
    expect(error.message).toMatch(/^Expected /);
    const skipped = await parseText(replaceLine(index, line), { integrity: false });
    expect(skipped.statements[0]?.transactions).toHaveLength(1);
  });

  it("warns when a trailer leaves a count blank", async () => {
    const result = await parseText(replaceLine(4, "49,25000,/"));
    expect(result.issues.map((i) => [i.severity, i.code, i.line])).toEqual([["warning", "count_missing", 5]]);
  });

  it("counts each 88 and each record sharing a line", async () => {
    const text = ["01,B,R,250201,0800,7,,,2/ 02,R,B,1,250131,,USD,2/", "03,1,USD,010,5/", "88,,,015,5,,/ 16,195,1,Z,,,A/", "88,B/ 49,11,5/ 98,11,1,7/", "99,11,1,9/"].join("\n");
    const result = await parseText(text);
    expect(result.issues).toEqual([]);
    expect(result.statements[0]?.transactions[0]?.description).toBe("A B");
  });
});

describe("structure", () => {
  it.each([
    ["an empty file", "", "not_bai2", 1],
    ["blank lines only", "\n\n  \n", "not_bai2", 1],
    ["a file that is not BAI2", "Date,Amount\n2025-01-01,5\n", "not_bai2", 1],
    ["a file starting with a group header", "02,R,B,1,250131,,USD,2/\n", "not_bai2", 1],
    ["a file with no 99", simple.replace(/99,.*\n$/, ""), "truncated_file", 6],
    ["a file cut inside an account", simple.split("\n").slice(0, 4).join("\n"), "truncated_file", 4],
    ["a file cut after its 01", "01,B,R,250201,0800,7,,,2/\n", "truncated_file", 1],
    ["a record after the 99", simple + "02,R,B,1,250131,,USD,2/\n", "data_after_file_trailer", 8],
    ["text after the 99", simple + "trailing junk\n", "data_after_file_trailer", 8],
    ["a 16 outside an account", simple.replace("03,111,,010,10000,,,015,12500,,/\n", ""), "unexpected_record", 3],
    ["a second 01", simple.replace("02,", "01,B,R,250201,0800,7,,,2/\n02,"), "unexpected_record", 2],
    ["BAI version 1", simple.replace(",1,2/", ",1,1/"), "unsupported_version", 1],
    ["an impossible as-of date", simple.replace("250131", "250132"), "invalid_date", 2],
    ["an unreadable account number", simple.replace("03,111,", "03,,"), "missing_field", 3],
  ])("rejects %s", async (_name, text, code, line) => {
    expect(await rejection(text)).toMatchObject({ code, line });
  });

  it("accepts a BTRS (version 3) header and a UTF-8 BOM", async () => {
    const result = await parseText("\uFEFF" + simple.replace(",80,1,2/", ",80,1,3/").replace(",2400,,2/", ",2400,USD,2/"));
    expect(result.meta).toMatchObject({ encoding: "utf-8-bom", extra: { version: "3" } });
    expect(result.statements[0]?.transactions).toHaveLength(1);
  });

  it("reads the same records from a blocked file with no line breaks", async () => {
    const blocked = simple.trimEnd().split("\n").map((r) => r.padEnd(80, " ")).join("");
    const whole = await parseText(simple);
    const fromBlocks = await parseText(blocked);
    const strip = (r: typeof whole) => r.statements.map((s) => ({ ...s, line: 0, balances: s.balances.map((b) => ({ ...b, line: 0 })), transactions: s.transactions.map((t) => ({ ...t, line: 0 })) }));
    expect(strip(fromBlocks)).toEqual(strip(whole));
    expect(fromBlocks.meta?.lines).toBe(1);
  });
});

describe("BTRS (version 3)", () => {
  const btrs = (groupCurrency: string, accountCurrency: string): string =>
    bai2File([{ records: [`03,1,${accountCurrency},010,100,,/`], total: "100" }], `02,R,BANK1,1,250131,9999,${groupCurrency},2/`).replace(",80,1,2/", ",80,1,3/");

  it("takes the currency from the account when the group states none, and reads 9999 as end of day", async () => {
    const result = await parseText(btrs("", "GBP"));
    expect(result.statements[0]?.account.currency).toBe("GBP");
    expect(result.meta?.extra).toMatchObject({ version: "3", groups: [{ asOfTime: "24:00", asOfEndOfDay: true }] });
    expect(result.meta?.extra.groups).toEqual([expect.not.objectContaining({ currency: expect.anything() })]);
  });

  it("does not assume USD when neither group nor account states a currency", async () => {
    expect(await rejection(btrs("", ""))).toMatchObject({ code: "missing_currency", line: 3 });
  });

  it("still inherits a stated group currency", async () => {
    expect((await parseText(btrs("EUR", ""))).statements[0]?.account.currency).toBe("EUR");
  });
});

describe("rejected 16 records (kept for correction in review)", () => {
  it("a 16 dropped for its amount, date or type code is yielded with its record text and what could be read", async () => {
    const result = await parseText(
      bai2File([{ records: ["03,1,USD/", "16,195,12.00,Z,,,X/", "16,475,100,V,250230,,BR1,CR1,BAD DATE/", "16,850,250,Z,B9,C9,WHO/", "88,MORE TEXT/", "16,195,5,Z,,,OK/"], total: "355" }]),
      { integrity: false },
    );
    expect(result.statements[0]?.transactions.map((t) => t.line)).toEqual([8]);
    expect(result.rejected).toEqual([
      { kind: "transaction", line: 4, raw: "16,195,12.00,Z,,,X/", fields: { bookingDate: "2025-01-31", typeCode: "195", currency: "USD", amount: "12.00", fundsType: "Z", description: "" } },
      { kind: "transaction", line: 5, raw: "16,475,100,V,250230,,BR1,CR1,BAD DATE/", fields: { bookingDate: "2025-01-31", typeCode: "475", currency: "USD", amount: "-1.00", fundsType: "V", description: "" } },
      {
        kind: "transaction",
        line: 6,
        raw: "16,850,250,Z,B9,C9,WHO/\n88,MORE TEXT/",
        fields: { bookingDate: "2025-01-31", typeCode: "850", currency: "USD", amount: "2.50", fundsType: "Z", externalId: "B9", bankReference: "B9", customerReference: "C9", description: "WHO MORE TEXT" },
      },
    ]);
    const errorLines = result.issues.filter((i) => i.severity === "error").map((i) => i.line);
    expect(errorLines).toEqual([4, 5, 6]);
  });
});
