import { describe, expect, it } from "vitest";
import { decimalEvidence, parseAmount } from "./numbers";

describe("parseAmount", () => {
  it.each([
    ["1,234.56", ".", "1234.56", undefined],
    ["1.234,56", ",", "1234.56", undefined],
    ["-1.234,56", ",", "-1234.56", undefined],
    ["1 234,56", ",", "1234.56", undefined],
    ["1\u00a0234,56", ",", "1234.56", undefined],
    ["1\u202f234,56", ",", "1234.56", undefined],
    ["1'234.56", ".", "1234.56", undefined],
    ["(12.00)", ".", "-12.00", undefined],
    ["(2,000.00)", ".", "-2000.00", undefined],
    ["12.00-", ".", "-12.00", undefined],
    ["\u221212.50", ".", "-12.50", undefined],
    ["$7,500.00", ".", "7500.00", undefined],
    ["-$7.50", ".", "-7.50", undefined],
    ["€ 1.234,50", ",", "1234.50", "EUR"],
    ["£12", ".", "12", "GBP"],
    ["KES 1,500", ".", "1500", "KES"],
    ["KSh 1,500.00", ".", "1500.00", "KES"],
    ["1,500.00 KES", ".", "1500.00", "KES"],
    ["+3", ".", "3", undefined],
    ["0012.50", ".", "12.50", undefined],
    [".5", ".", "0.5", undefined],
    ["1,500", ".", "1500", undefined],
    ["-0.00", ".", "0.00", undefined],
    ["12345678901234567890.123456789", ".", "12345678901234567890.123456789", undefined],
  ] as const)("%s with %s decimals → %s", (text, sep, value, currency) => {
    const r = parseAmount(text, sep);
    expect(r).toEqual({ ok: true, amount: currency ? { value, currency } : { value } });
  });

  it.each([
    ["", "."],
    ["abc", "."],
    ["12.34.56", "."],
    ["1,5", "."],
    ["1.5", ","],
    ["(-5)", "."],
    ["--5", "."],
    ["$", "."],
    ["12.", "."],
    ["1e5", "."],
    ["ABC123", "."],
  ] as const)("rejects %j with %s decimals", (text, sep) => {
    const r = parseAmount(text, sep);
    expect(r.ok).toBe(false);
  });

  it.each([
    ["123456789012345678901", ".", 21],
    ["-123456789012345678901234567890", ".", 30],
    ["1.234.567.890.123.456.789.012,5", ",", 22],
  ] as const)("rejects %s with %s decimals: %i digits before the point are no amount", (text, sep, digits) => {
    expect(parseAmount(text, sep)).toEqual({ ok: false, reason: expect.stringContaining(`${digits} digits before the decimal point (an amount has at most 20`) });
  });

  it("never uses floats: long fractions survive", () => {
    const r = parseAmount("0.1000000000000000055511151231257827", ".");
    expect(r.ok && r.amount.value).toBe("0.1000000000000000055511151231257827");
  });
});

describe("decimalEvidence", () => {
  it.each([
    ["12.50", "."],
    ["1,234.56", "."],
    ["-89,90", ","],
    ["1.234,56", ","],
    ["1.234.567", ","],
    ["1,234,567", "."],
    ["1,500", undefined],
    ["1.500", undefined],
    ["1500", undefined],
    ["text", undefined],
  ] as const)("%s proves %s", (text, sep) => {
    expect(decimalEvidence(text)).toBe(sep);
  });
});

describe("parseAmount on plain decimals (the character-code fast path)", () => {
  it("gives the canonical decimal of every plain -?digits(.digits) text", async () => {
    const fc = (await import("fast-check")).default;
    const { normalizeDecimal } = await import("@/lib/money/decimal");
    const digits = fc.array(fc.constantFrom("0", "1", "5", "9"), { minLength: 1, maxLength: 6 }).map((d) => d.join(""));
    const plain = fc.tuple(fc.boolean(), digits, fc.option(digits)).map(([minus, whole, fraction]) => `${minus ? "-" : ""}${whole}${fraction === null ? "" : "." + fraction}`);
    fc.assert(
      fc.property(plain, (text) => {
        expect(parseAmount(text, ".")).toEqual({ ok: true, amount: { value: normalizeDecimal(text) } });
      }),
      { numRuns: 3000 },
    );
  });

  it("still rejects or peels what is not plain", () => {
    expect(parseAmount("-", ".").ok).toBe(false);
    expect(parseAmount("-.5", ".")).toEqual({ ok: true, amount: { value: "-0.5" } });
    expect(parseAmount("0.", ".").ok).toBe(false);
  });
});
