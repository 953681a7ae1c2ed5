import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseOfxAmount, parseOfxAmountGeneral, parseOfxDateTime, plainOfxAmount } from "./values";

describe("parseOfxAmount", () => {
  it.each([
    ["-6.60", "-6.60"],
    ["+6.60", "6.60"],
    ["6,60", "6.60"],
    ["-6,60", "-6.60"],
    [".5", "0.5"],
    ["-.5", "-0.5"],
    ["120", "120"],
    ["0", "0"],
    ["-0.00", "0.00"],
    [" 382.34 ", "382.34"],
    ["007.10", "7.10"],
  ])("%j → %j", (text, expected) => {
    expect(parseOfxAmount(text)).toBe(expected);
  });

  it.each(["$20", "", " ", "-", ".", "1,234.56", "1.234,56", "12a", "1e5", "--1", "NaN", "20 USD"])("%j is not an amount", (text) => {
    expect(parseOfxAmount(text)).toBeNull();
  });
});

describe("parseOfxDateTime", () => {
  it.each([
    ["20251031", { date: "2025-10-31" }],
    ["202510311200", { date: "2025-10-31", timestamp: "2025-10-31T12:00:00" }],
    ["20251031120000", { date: "2025-10-31", timestamp: "2025-10-31T12:00:00" }],
    ["20251031120000.000", { date: "2025-10-31", timestamp: "2025-10-31T12:00:00.000" }],
    ["20251031120000.000[-5:EST]", { date: "2025-10-31", timestamp: "2025-10-31T12:00:00.000-05:00" }],
    ["20251031233000[+10:AEST]", { date: "2025-10-31", timestamp: "2025-10-31T23:30:00+10:00" }],
    ["20251031233000[0:GMT]", { date: "2025-10-31", timestamp: "2025-10-31T23:30:00+00:00" }],
    ["20251031233000[+5.5:IST]", { date: "2025-10-31", timestamp: "2025-10-31T23:30:00+05:30" }],
    ["20251031[-5:EST]", { date: "2025-10-31" }],
    ["20240229", { date: "2024-02-29" }],
  ])("%s", (text, expected) => {
    expect(parseOfxDateTime(text)).toEqual(expected);
  });

  it("keeps the calendar date as written even when the zone would move it in UTC", () => {
    expect(parseOfxDateTime("20251031233000[-8:PST]")?.date).toBe("2025-10-31");
  });

  it.each(["", "2025103", "20120231", "20230229", "20251301", "201120000000", "20251031250000", "20251031126000", "31/10/2025", "2025-10-31", "20251031x"])(
    "%j is not a date",
    (text) => {
      expect(parseOfxDateTime(text)).toBeNull();
    },
  );
});

describe("parseOfxDateTime reuse of the last answer", () => {
  it("answers a repeated text the same, with a frozen object no caller can change for the next", () => {
    const first = parseOfxDateTime("20250102120000[-5:EST]");
    expect(first).toEqual({ date: "2025-01-02", timestamp: "2025-01-02T12:00:00-05:00" });
    expect(() => {
      (first as { date: string }).date = "changed";
    }).toThrow(TypeError);
    expect(parseOfxDateTime("20250102120000[-5:EST]")).toEqual({ date: "2025-01-02", timestamp: "2025-01-02T12:00:00-05:00" });
    expect(parseOfxDateTime("20250230")).toBeNull();
    expect(parseOfxDateTime("20250230")).toBeNull();
    expect(parseOfxDateTime("20250228")).toEqual({ date: "2025-02-28" });
  });
});

describe("plainOfxAmount (the fast path of parseOfxAmount)", () => {
  it("answers null or exactly what the general path answers", () => {
    const amount = fc.array(fc.constantFrom("-", "+", "0", "0", "1", "9", ".", ".", ",", " ", "a", "\u0660"), { maxLength: 10 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.oneof(amount, fc.string({ maxLength: 8 })), (text) => {
        const fast = plainOfxAmount(text);
        if (fast !== null) expect(fast).toBe(parseOfxAmountGeneral(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it("takes the usual amounts", () => {
    for (const text of ["-12.34", "5.00", "0.01", "-0.5", "1234567.89"]) expect(plainOfxAmount(text)).toBe(text);
    for (const text of ["0.00", "-0.00", "007.10", "12", "+1.00", "1.", ".5", " 1.00"]) expect(plainOfxAmount(text)).toBeNull();
  });
});
