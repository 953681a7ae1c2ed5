/**
 * Exact decimal arithmetic on strings, backed by bigint. Money never becomes a JS float.
 * Canonical form: optional "-", integer digits without leading zeros, optional "." and fraction
 * digits (scale kept as given), and zero is never negative ("-0.00" → "0.00").
 */

export interface ScaledDecimal {
  units: bigint;
  scale: number;
}

const CANONICAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a plain decimal ("-12.5", "0012.50", "+3"). Returns null for anything else. */
export function parseDecimal(text: string): ScaledDecimal | null {
  // The regex, its match array and the digit-string concatenation showed in M-Pesa profiles (two
  // running-balance sums per row); most amounts are short enough for the character-code path.
  if (!readShortDecimal(text, SHORT)) return parseDecimalByPattern(text);
  const units = BigInt(SHORT.n);
  return { units: SHORT.negative ? -units : units, scale: SHORT.scale };
}

/** What readShortDecimal read: the digits as one integer, how many, how many after the point, the sign. */
export interface ShortDecimal {
  n: number;
  digits: number;
  scale: number;
  negative: boolean;
}

const SHORT: ShortDecimal = { n: 0, digits: 0, scale: 0, negative: false };

/**
 * `[+-]digits[.digits]` of at most 15 digits in all, read on character codes into `into` (reused by
 * hot callers, so nothing is allocated); false for anything else ("12.", "", white space, more
 * digits), which the caller's general path decides. 15 digits stay below 2^53, so `n` is exact.
 */
export function readShortDecimal(text: string, into: ShortDecimal): boolean {
  const length = text.length;
  const first = text.charCodeAt(0);
  const negative = first === 45; /* - */
  let n = 0;
  let digits = 0;
  let fraction = -1;
  for (let i = negative || first === 43 /* + */ ? 1 : 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 /* . */ && fraction < 0 && digits > 0) {
      fraction = 0;
    } else {
      return false;
    }
  }
  if (digits === 0 || digits > 15 || fraction === 0) return false;
  into.n = n;
  into.digits = digits;
  into.scale = fraction < 0 ? 0 : fraction;
  into.negative = negative;
  return true;
}

/** The definition: /^(-)?(\d+)(?:\.(\d+))?$/ after trimming and one leading "+". Exported for the test. */
export function parseDecimalByPattern(text: string): ScaledDecimal | null {
  const trimmed = text.trim();
  const m = CANONICAL.exec(trimmed.startsWith("+") ? trimmed.slice(1) : trimmed);
  if (!m) return null;
  const [, minus, whole = "0", fraction = ""] = m;
  const units = BigInt(whole + fraction);
  return { units: minus ? -units : units, scale: fraction.length };
}

export function formatDecimal({ units, scale }: ScaledDecimal): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = scale > 0 ? digits.slice(0, -scale) : digits;
  const fraction = scale > 0 ? "." + digits.slice(-scale) : "";
  return (negative ? "-" : "") + whole + fraction;
}

/** Canonical form of a plain decimal string, or null if it is not one. */
export function normalizeDecimal(text: string): string | null {
  const parsed = parseDecimal(text);
  return parsed ? formatDecimal(parsed) : null;
}

function rescale(value: ScaledDecimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function must(text: string): ScaledDecimal {
  const parsed = parseDecimal(text);
  if (!parsed) throw new TypeError(`not a decimal: ${JSON.stringify(text)}`);
  return parsed;
}

export function addDecimals(...values: string[]): string {
  const parsed = values.map(must);
  const scale = Math.max(0, ...parsed.map((p) => p.scale));
  const units = parsed.reduce((sum, p) => sum + rescale(p, scale), 0n);
  return formatDecimal({ units, scale });
}

export function negateDecimal(value: string): string {
  const p = must(value);
  return formatDecimal({ units: -p.units, scale: p.scale });
}

/** -1, 0 or 1, comparing numerically ("1.50" equals "1.5"). */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const pa = must(a);
  const pb = must(b);
  const scale = Math.max(pa.scale, pb.scale);
  const diff = rescale(pa, scale) - rescale(pb, scale);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

/** Integer minor units (e.g. BAI2's implied decimals) to a decimal string with `scale` places. */
export function fromMinorUnits(units: bigint, scale: number): string {
  return formatDecimal({ units, scale });
}

/** A decimal string to integer minor units at `scale`; throws if it has more places than `scale`. */
export function toMinorUnits(value: string, scale: number): bigint {
  const p = must(value);
  if (p.scale > scale) {
    const factor = 10n ** BigInt(p.scale - scale);
    if (p.units % factor !== 0n) throw new RangeError(`${value} has more than ${scale} decimal places`);
    return p.units / factor;
  }
  return rescale(p, scale);
}

/** A running exact sum, cheaper than re-parsing a string total on every add. */
export class DecimalSum {
  private units = 0n;
  private scale = 0;
  add(value: string): void {
    const p = must(value);
    if (p.scale > this.scale) {
      this.units *= 10n ** BigInt(p.scale - this.scale);
      this.scale = p.scale;
    }
    this.units += rescale(p, this.scale);
  }
  toString(): string {
    return formatDecimal({ units: this.units, scale: this.scale });
  }
}
