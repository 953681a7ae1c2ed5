/**
 * Hot-path decimal helpers for the parsers. They give exactly the results of `normalizeDecimal` and
 * repeated `addDecimals` from lib/money/decimal, without the per-call bigint round trips: a parser
 * normalises one amount per record and keeps running totals over millions of records, and profiling
 * showed BigInt parsing and formatting of every amount and every running total among the top costs.
 */
import { formatDecimal } from "@/lib/money/decimal";

const CANONICAL = /^(-)?(\d+)(?:\.(\d+))?$/;
const ALL_ZEROS = /^0*$/;

/**
 * The canonical form of a plain decimal ("-0012.50" → "-12.50", "-0.00" → "0.00", "+3" → "3"), or null
 * when the text is not one. Same result as `normalizeDecimal`, computed on the string: leading zeros of
 * the whole part go (one stays), the fraction keeps its scale, and zero loses its minus sign.
 */
export function canonicalDecimal(text: string): string | null {
  const trimmed = text.trim();
  const m = CANONICAL.exec(trimmed.startsWith("+") ? trimmed.slice(1) : trimmed);
  if (!m) return null;
  const [, minus, digits = "0", fraction] = m;
  let firstSignificant = 0;
  while (firstSignificant < digits.length - 1 && digits.charCodeAt(firstSignificant) === 48 /* 0 */) firstSignificant++;
  const whole = firstSignificant === 0 ? digits : digits.slice(firstSignificant);
  const zero = whole === "0" && (fraction === undefined || ALL_ZEROS.test(fraction));
  return (minus && !zero ? "-" : "") + whole + (fraction === undefined ? "" : "." + fraction);
}

/**
 * A running sum of decimal strings. `value` equals folding `addDecimals` over the same inputs from "0"
 * (the scale is the largest seen), but each addition parses only the new amount, not the total so far.
 */
export class DecimalTotal {
  private units = 0n;
  private scale = 0;

  /** Adds a plain decimal; throws like `addDecimals` when it is not one. */
  add(text: string): void {
    const trimmed = text.trim();
    const m = CANONICAL.exec(trimmed.startsWith("+") ? trimmed.slice(1) : trimmed);
    if (!m) throw new TypeError(`not a decimal: ${JSON.stringify(text)}`);
    const [, minus, whole = "0", fraction = ""] = m;
    let units = BigInt(whole + fraction);
    if (minus) units = -units;
    if (fraction.length > this.scale) {
      this.units *= 10n ** BigInt(fraction.length - this.scale);
      this.scale = fraction.length;
    } else if (fraction.length < this.scale) {
      units *= 10n ** BigInt(this.scale - fraction.length);
    }
    this.units += units;
  }

  get value(): string {
    return formatDecimal({ units: this.units, scale: this.scale });
  }
}
