import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDecimal, negateDecimal, parseDecimal } from "@/lib/money/decimal";
import { signedAmount } from "../mt940/transaction";
import { minorUnits, scaleToCurrency } from "./currency";

/** The BigInt reading scaleToCurrency had before its string fast path: the reference it must agree with. */
function reference(text: string, currency: string | undefined) {
  const parsed = parseDecimal(text);
  if (!parsed) return null;
  const allowed = minorUnits(currency);
  if (allowed === undefined || parsed.scale === allowed) return { amount: formatDecimal(parsed) };
  if (parsed.scale > allowed) return { amount: formatDecimal(parsed), excessDecimals: { written: parsed.scale, allowed } };
  return { amount: formatDecimal({ units: parsed.units * 10n ** BigInt(allowed - parsed.scale), scale: allowed }) };
}

const digits = fc.array(fc.constantFrom("0", "1", "7", "9"), { minLength: 1, maxLength: 5 }).map((d) => d.join(""));
const decimalText = fc
  .tuple(fc.constantFrom("", "-", "+", " "), digits, fc.option(digits), fc.constantFrom("", " "))
  .map(([sign, whole, fraction, pad]) => `${sign}${whole}${fraction === null ? "" : "." + fraction}${pad}`);
const currency = fc.constantFrom(undefined, "EUR", "JPY", "KWD", "CLF", "DEM");

describe("scaleToCurrency", () => {
  it("matches the BigInt reading for every plain decimal and currency", () => {
    fc.assert(
      fc.property(decimalText, currency, (text, code) => {
        expect(scaleToCurrency(text, code)).toEqual(reference(text, code));
      }),
      { numRuns: 3000 },
    );
    expect(scaleToCurrency("1,5", "EUR")).toBeNull();
  });

  it("signs amounts as negateDecimal does, zero staying unsigned", () => {
    const field = { tag: "61", lines: [""], line: 1 };
    fc.assert(
      fc.property(fc.tuple(digits, fc.option(digits)), currency, ([whole, fraction], code) => {
        const text = fraction === null ? whole : `${whole}.${fraction}`;
        const scaled = reference(text, code)!.amount;
        expect(signedAmount(text, code, true, field).amount).toBe(negateDecimal(scaled));
        expect(signedAmount(text, code, false, field).amount).toBe(scaled);
      }),
      { numRuns: 2000 },
    );
  });
});
