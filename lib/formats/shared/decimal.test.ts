import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDecimals } from "@/lib/money/decimal";
import { DecimalTotal } from "./decimal";

// Short and very long amounts, signs and scales mixed, so both the Number fast path and the BigInt
// path (and the moves between them) are exercised.
const digits = (max: number) => fc.array(fc.constantFrom("0", "1", "4", "9"), { minLength: 1, maxLength: max }).map((d) => d.join(""));
const amount = fc
  .tuple(fc.constantFrom("", "-", "+"), fc.oneof(digits(4), digits(14), digits(24)), fc.option(fc.oneof(digits(2), digits(6))))
  .map(([sign, whole, fraction]) => `${sign}${whole}${fraction === null ? "" : "." + fraction}`);

describe("DecimalTotal", () => {
  it("equals folding addDecimals over the same amounts", () => {
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 60 }), (amounts) => {
        const total = new DecimalTotal();
        let expected = "0";
        for (const a of amounts) {
          total.add(a);
          expected = addDecimals(expected, a);
        }
        expect(total.value).toBe(expected);
      }),
      { numRuns: 1500 },
    );
  });

  it("stays exact past 2^53 in many small steps", () => {
    const total = new DecimalTotal();
    let expected = "0";
    for (let i = 0; i < 2000; i++) {
      total.add("999999999999.99");
      expected = addDecimals(expected, "999999999999.99");
    }
    expect(total.value).toBe(expected);
  });

  it("addUnits equals add of the same amount, mixed with add, across scales and past 15 digits", () => {
    // readShortDecimal's reading of each amount, handed over as addUnits takes it (MT940's quick entries).
    const short = fc.tuple(fc.boolean(), digits(15), fc.nat({ max: 4 })).map(([negative, all, scale]) => {
      const s = Math.min(scale, all.length - 1);
      const text = `${negative ? "-" : ""}${all.slice(0, all.length - s)}${s > 0 ? "." + all.slice(all.length - s) : ""}`;
      return { text, n: Number(all), digits: all.length, scale: s, negative };
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(short, amount), { maxLength: 60 }), (amounts) => {
        const total = new DecimalTotal();
        let expected = "0";
        for (const a of amounts) {
          if (typeof a === "string") total.add(a);
          else total.addUnits(a.n, a.digits, a.scale, a.negative);
          expected = addDecimals(expected, typeof a === "string" ? a : a.text);
        }
        expect(total.value).toBe(expected);
      }),
      { numRuns: 1500 },
    );
  });

  it("refuses what is not a plain decimal", () => {
    for (const bad of ["", "-", "5.", ".5", "1.2.3", "1e5"]) expect(() => new DecimalTotal().add(bad)).toThrow(TypeError);
  });
});
