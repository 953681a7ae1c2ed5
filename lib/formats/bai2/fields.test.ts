import { describe, expect, it } from "vitest";
import { fromMinorUnits } from "@/lib/money/decimal";
import { minorUnits } from "./currencies";
import { readAmount, readCount, readCurrency, readDate, readTime, writeDate, writeTime } from "./fields";
import { fundsExtraFieldCount, readFunds, writeFunds } from "./funds";

describe("amounts in minor units", () => {
  it.each([
    ["25001", 25001n],
    ["+000000000000", 0n],
    ["000000000002500", 2500n],
    ["+00000000000834000", 834000n],
    ["-3500", -3500n],
    ["00", 0n],
    ["", undefined],
  ])("%j → %s", (text, units) => {
    expect(readAmount(text, "amount")).toEqual({ ok: true, value: units });
  });

  it.each(["12.50", "1,000", "$20", "12-", "--5", "+", "1e5", "١٢"])("rejects %j naming the field and the text", (text) => {
    const result = readAmount(text, "amount");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe("invalid_amount");
      expect(result.problem.message).toContain('field "amount"');
      expect(result.problem.message).toContain(JSON.stringify(text));
    }
  });

  it.each([
    ["USD", 250001n, "2500.01"],
    ["GBP", 1n, "0.01"],
    ["CAD", -25000n, "-250.00"],
    ["JPY", 2700n, "2700"],
    ["KRW", 15n, "15"],
    ["KWD", 12345n, "12.345"],
    ["BHD", -5n, "-0.005"],
    ["CLF", 10000n, "1.0000"],
    ["EUR", 0n, "0.00"],
  ])("%s %s minor units → %s", (currency, units, decimal) => {
    expect(fromMinorUnits(units, minorUnits(currency))).toBe(decimal);
  });
});

describe("dates and times", () => {
  it.each([
    ["150715", "2015-07-15"],
    ["000229", "2000-02-29"],
    ["991231", "1999-12-31"],
    ["", undefined],
  ])("date %j → %s", (text, iso) => {
    expect(readDate(text, "as-of date")).toEqual({ ok: true, value: iso });
  });

  it.each(["251332", "010229", "150231", "15071", "2015-07-15", "abcdef"])("rejects impossible or malformed date %j", (text) => {
    const result = readDate(text, "as-of date");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toBe(`Expected a date as YYMMDD in field "as-of date", found ${JSON.stringify(text)}`);
  });

  it.each([
    ["0713", "07:13"],
    ["2359", "23:59"],
    ["0000", "00:00"],
    ["2400", "24:00"],
    ["9999", "24:00"],
    ["14:59:35", "14:59:35"],
    ["145935", "14:59:35"],
    ["", undefined],
  ])("time %j → %s", (text, time) => {
    expect(readTime(text, "as-of time")).toEqual({ ok: true, value: time });
  });

  it.each(["2401", "2460", "1260x", "7", "25:00", "9998"])("rejects time %j", (text) => {
    expect(readTime(text, "as-of time").ok).toBe(false);
  });

  it("writes dates and times back in BAI2 form", () => {
    expect(writeDate("2015-07-15")).toBe("150715");
    expect(writeTime("24:00")).toBe("2400");
    expect(writeTime("14:59:35")).toBe("145935");
  });
});

describe("currencies and counts", () => {
  it.each([
    ["GBP", "GBP"],
    ["gbp", "GBP"],
    ["", undefined],
  ])("currency %j → %s", (text, code) => {
    expect(readCurrency(text, "currency code")).toEqual({ ok: true, value: code });
  });

  it.each(["US", "USDX", "12A", "U$D"])("rejects currency %j", (text) => {
    expect(readCurrency(text, "currency code").ok).toBe(false);
  });

  it.each([
    ["00003", 3],
    ["14", 14],
    ["", undefined],
  ])("count %j → %s", (text, n) => {
    expect(readCount(text, "number of records")).toEqual({ ok: true, value: n });
  });

  it.each(["-1", "1.5", "x"])("rejects count %j", (text) => {
    expect(readCount(text, "number of records").ok).toBe(false);
  });
});

describe("funds types", () => {
  it.each([
    [["0"], { funds: { type: "0" }, next: 1 }],
    [["1"], { funds: { type: "1" }, next: 1 }],
    [["2"], { funds: { type: "2" }, next: 1 }],
    [["Z"], { funds: { type: "Z" }, next: 1 }],
    [["z"], { funds: { type: "Z" }, next: 1 }],
    [[""], { funds: undefined, next: 1 }],
    [["S", "100000", "200000", "150000"], { funds: { type: "S", immediate: 100000n, oneDay: 200000n, twoOrMoreDays: 150000n }, next: 4 }],
    [["S", "", "200000", "300000"], { funds: { type: "S", oneDay: 200000n, twoOrMoreDays: 300000n }, next: 4 }],
    [["V", "150715", ""], { funds: { type: "V", valueDate: "2015-07-15" }, next: 3 }],
    [["V", "060316", "1200"], { funds: { type: "V", valueDate: "2006-03-16", valueTime: "12:00" }, next: 3 }],
    [["D", "3", "0", "20000000", "1", "30000000", "3", "20000000"], { funds: { type: "D", distributions: [{ days: 0, amount: 20000000n }, { days: 1, amount: 30000000n }, { days: 3, amount: 20000000n }] }, next: 8 }],
    [["D", "0"], { funds: { type: "D", distributions: [] }, next: 2 }],
  ])("%j", (fields, expected) => {
    expect(readFunds(fields, 0)).toEqual({ ok: true, value: expected });
  });

  it.each([
    [["X"], "invalid_funds_type"],
    [["V", "151315", ""], "invalid_date"],
    [["V", "150715", "2500"], "invalid_time"],
    [["S", "1.00", "", ""], "invalid_amount"],
    [["D", "2", "0", "100"], "invalid_distribution"],
    [["D", "1", "", "100"], "invalid_distribution"],
    [["D", "x"], "invalid_count"],
  ])("rejects %j with %s", (fields, code) => {
    const result = readFunds(fields, 0);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.code).toBe(code);
  });

  it("counts the extra fields each funds type brings", () => {
    expect(fundsExtraFieldCount(["195", "1", "Z"], 2)).toBe(0);
    expect(fundsExtraFieldCount(["195", "1", "S"], 2)).toBe(3);
    expect(fundsExtraFieldCount(["195", "1", "V"], 2)).toBe(2);
    expect(fundsExtraFieldCount(["195", "1", "D"], 2)).toBeUndefined();
    expect(fundsExtraFieldCount(["195", "1", "D", "2"], 2)).toBe(5);
  });

  it("writes every funds type back to the same fields", () => {
    const samples: string[][] = [["Z"], [""], ["S", "1", "", "3"], ["V", "150715", ""], ["V", "150715", "2400"], ["D", "2", "0", "5", "1", "6"]];
    for (const fields of samples) {
      const read = readFunds(fields, 0);
      expect(read.ok).toBe(true);
      if (read.ok) expect(writeFunds(read.value.funds)).toEqual(fields);
    }
  });
});
