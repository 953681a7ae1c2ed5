import { describe, expect, it } from "vitest";
import { addDecimals, compareDecimals, fromMinorUnits, negateDecimal, normalizeDecimal, toMinorUnits } from "./decimal";

describe("decimal", () => {
  it.each([
    ["0012.50", "12.50"], ["-0.00", "0.00"], ["+3", "3"], ["-7", "-7"], ["1e3", null], ["1,5", null], ["", null], [".5", null],
  ])("normalizes %j to %j", (input, expected) => expect(normalizeDecimal(input)).toBe(expected));
  it("adds exactly where floats would not", () => {
    expect(addDecimals("0.1", "0.2")).toBe("0.3");
    expect(addDecimals("-6.60", "382.34", "1000000000000000000000.01")).toBe("1000000000000000000375.75");
  });
  it("negates, compares and converts minor units", () => {
    expect(negateDecimal("-5.00")).toBe("5.00");
    expect(compareDecimals("1.50", "1.5")).toBe(0);
    expect(compareDecimals("-2", "1")).toBe(-1);
    expect(fromMinorUnits(-2500n, 2)).toBe("-25.00");
    expect(fromMinorUnits(1n, 2)).toBe("0.01");
    expect(toMinorUnits("12.3", 2)).toBe(1230n);
    expect(() => toMinorUnits("0.001", 2)).toThrow(RangeError);
  });
});

describe("parseDecimal's character-code path", () => {
  it("reads every text as the pattern does: signs, spaces, points, long and leading-zero digits", async () => {
    const fc = (await import("fast-check")).default;
    const { parseDecimal, parseDecimalByPattern } = await import("./decimal");
    const text = fc.array(fc.constantFrom("0", "1", "5", "9", "9", "9", ".", "-", "+", " ", "e", ","), { minLength: 0, maxLength: 22 }).map((cs) => cs.join(""));
    const digits = fc.tuple(fc.boolean(), fc.stringMatching(/^\d{1,20}$/), fc.option(fc.stringMatching(/^\d{0,6}$/))).map(([minus, whole, fraction]) => `${minus ? "-" : ""}${whole}${fraction === null ? "" : "." + fraction}`);
    fc.assert(
      fc.property(fc.oneof(text, digits), (t) => {
        expect(parseDecimal(t), JSON.stringify(t)).toEqual(parseDecimalByPattern(t));
      }),
      { numRuns: 20_000 },
    );
    expect(parseDecimal("999999999999999")).toEqual({ units: 999999999999999n, scale: 0 });
    expect(parseDecimal("-9999999999999.99")).toEqual({ units: -999999999999999n, scale: 2 });
    expect(parseDecimal("12345678901234567.89")).toEqual({ units: 1234567890123456789n, scale: 2 });
  });
});
