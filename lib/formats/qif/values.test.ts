import { describe, expect, it } from "vitest";
import { parseQifAmount, possibleOrders, readQifDate, resolveQifDate, type QifDateOrder } from "./values";

describe("QIF dates", () => {
  it.each<[string, QifDateOrder, string | null]>([
    ["10/31/2025", "MDY", "2025-10-31"],
    ["10/31/25", "MDY", "2025-10-31"],
    ["10/31'25", "MDY", "2025-10-31"],
    ["1/ 5' 5", "MDY", "2005-01-05"],
    ["12/31/99", "MDY", "1999-12-31"],
    ["31/10/2025", "DMY", "2025-10-31"],
    ["31.10.2025", "DMY", "2025-10-31"],
    ["31-10-2025", "DMY", "2025-10-31"],
    ["2025-10-31", "MDY", "2025-10-31"],
    ["2025-10-31", "DMY", "2025-10-31"],
    ["25/10/31", "YMD", "2025-10-31"],
    ["31/10/2025", "MDY", null],
    ["02/30/2025", "MDY", null],
    ["02/29/2024", "MDY", "2024-02-29"],
  ])("%s as %s → %s", (text, order, expected) => {
    const parts = readQifDate(text);
    expect(parts && resolveQifDate(parts, order)).toBe(expected);
  });

  it.each(["", "2025", "10-31", "Oct 31 2025", "10/31/2025 12:00"])("%j is not a QIF date", (text) => {
    expect(readQifDate(text)).toBeNull();
  });

  it.each([
    ["10/31/2025", ["MDY"]],
    ["31/10/2025", ["DMY"]],
    ["01/02/2025", ["MDY", "DMY"]],
    ["05/05/2025", "any"],
    ["2025-01-02", "any"],
    ["31/31/2025", []],
  ])("%s could be %j", (text, orders) => {
    const parts = readQifDate(text);
    expect(parts && possibleOrders(parts)).toEqual(orders);
  });
});

describe("QIF amounts", () => {
  it.each<[string, "." | "," | undefined, string | null]>([
    ["-1,234.56", undefined, "-1234.56"],
    ["1234.5", undefined, "1234.5"],
    ["+12", undefined, "12"],
    ["-.5", undefined, "-0.5"],
    ["1,500", undefined, "1500"],
    ["12,50", undefined, "12.50"],
    ["-1.234,56", undefined, "-1234.56"],
    ["-1.234,56", ",", "-1234.56"],
    ["1,5", ",", "1.5"],
    ["1,234.56", ",", null],
    ["12,50", ".", null],
    ["$20", undefined, null],
    ["", undefined, null],
    ["-", undefined, null],
    ["1.2.3", undefined, null],
    ["12 EUR", undefined, null],
  ])("%j (%s) → %j", (text, separator, expected) => {
    expect(parseQifAmount(text, separator)).toBe(expected);
  });
});
