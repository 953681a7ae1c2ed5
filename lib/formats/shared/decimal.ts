/**
 * Hot-path decimal helpers for the parsers. They give exactly the results of `normalizeDecimal` and
 * repeated `addDecimals` from lib/money/decimal, without the per-call bigint round trips: a parser
 * normalises one amount per record and keeps running totals over millions of records, and profiling
 * showed BigInt parsing and formatting of every amount and every running total among the top costs.
 */
import { formatDecimal, negateDecimal, readShortDecimal, type ShortDecimal } from "@/lib/money/decimal";

const CANONICAL = /^(-)?(\d+)(?:\.(\d+))?$/;
const ALL_ZEROS = /^0*$/;
/** DecimalTotal's reading slot, reused: it reads every amount of a file. */
const SHORT: ShortDecimal = { n: 0, digits: 0, scale: 0, negative: false };

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
 * `negateDecimal` for a canonical decimal (what canonicalDecimal and scaleToCurrency return), on the
 * string: "-x" → "x", zero stays unsigned, "x" → "-x". Anything else goes through negateDecimal.
 */
export function negateCanonical(value: string): string {
  if (value.startsWith("-")) return value.slice(1);
  if (!/^\d+(\.\d+)?$/.test(value)) return negateDecimal(value);
  return /^0(\.0+)?$/.test(value) ? value : "-" + value;
}

/**
 * A running sum of decimal strings. `value` equals folding `addDecimals` over the same inputs from "0"
 * (the scale is the largest seen), but each addition parses only the new amount, not the total so far.
 */
export class DecimalTotal {
  private units = 0n;
  /**
   * Additions not yet moved into `units`, at the same scale, as an exact integer Number: BigInt
   * arithmetic on every entry still showed in MT940 profiles. Kept below 2^52 in magnitude, and only
   * amounts of at most 15 digits go here, so every value stays an exact integer.
   */
  private small = 0;
  private scale = 0;

  /** Adds a plain decimal; throws like `addDecimals` when it is not one. */
  add(text: string): void {
    const read = SHORT;
    if (readShortDecimal(text, read)) {
      this.addUnits(read.n, read.digits, read.scale, read.negative);
      return;
    }
    this.settle();
    const trimmed = text.trim();
    const m = CANONICAL.exec(trimmed.startsWith("+") ? trimmed.slice(1) : trimmed);
    if (!m) throw new TypeError(`not a decimal: ${JSON.stringify(text)}`);
    const [, minus, whole = "0", fraction = ""] = m;
    this.addBig(BigInt(whole + fraction), fraction.length, minus !== undefined);
  }

  /**
   * Adds (negative ? -n : n) × 10^-scale, `n` an integer of `digits` digits, at most 15 (what
   * readShortDecimal reads): for a caller that has read the amount's digits already.
   */
  addUnits(n: number, digits: number, scale: number, negative: boolean): void {
    if (scale < this.scale) {
      if (digits + this.scale - scale > 15) {
        this.settle();
        this.addBig(BigInt(n), scale, negative);
        return;
      }
      n *= 10 ** (this.scale - scale);
    } else if (scale > this.scale) {
      this.settle();
      this.units *= 10n ** BigInt(scale - this.scale);
      this.scale = scale;
    }
    this.small += negative ? -n : n;
    if (Math.abs(this.small) > 2 ** 52) this.settle();
  }

  /** The BigInt way, with `small` settled. */
  private addBig(units: bigint, scale: number, negative: boolean): void {
    if (negative) units = -units;
    if (scale > this.scale) {
      this.units *= 10n ** BigInt(scale - this.scale);
      this.scale = scale;
    } else if (scale < this.scale) {
      units *= 10n ** BigInt(this.scale - scale);
    }
    this.units += units;
  }

  private settle(): void {
    if (this.small === 0) return;
    this.units += BigInt(this.small);
    this.small = 0;
  }

  get value(): string {
    return formatDecimal({ units: this.units + BigInt(this.small), scale: this.scale });
  }
}
