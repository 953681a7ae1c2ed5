/**
 * Amounts as written in spreadsheets and bank exports, to exact decimal strings.
 * Handles 1,234.56 / 1.234,56 / 1 234,56 (with NBSP or narrow NBSP) / 1'234.56 / (12.00) / 12.00- /
 * U+2212 minus / currency symbols and codes. Never goes through a JS number.
 */
import { canonicalDecimal } from "../shared/decimal";

export type DecimalSeparator = "." | ",";

const KNOWN_CODES = "KES|KSH|USD|EUR|GBP|CHF|CAD|AUD|NZD|JPY|ZAR|UGX|TZS|RWF|NGN|GHS|INR|SEK|NOK|DKK|PLN|CZK|HUF|CNY|HKD|SGD|AED|MXN|BRL";
const LEADING_MARK = new RegExp(`^(KSh\\.?|US\\$|${KNOWN_CODES}|€|£|\\$)\\s*`, "i");
const TRAILING_MARK = new RegExp(`\\s*(KSh\\.?|${KNOWN_CODES}|€|£|\\$)$`, "i");
const SPACES = /[\s\u00a0\u202f\u2009\u2007']/g;

/** The ISO code a currency mark names; "$" alone is USD, CAD, AUD… so it names none. */
function currencyOfMark(mark: string): string | undefined {
  const upper = mark.toUpperCase().replace(/\.$/, "");
  if (upper === "KSH") return "KES";
  if (upper === "€") return "EUR";
  if (upper === "£") return "GBP";
  if (upper === "US$") return "USD";
  return /^[A-Z]{3}$/.test(upper) ? upper : undefined;
}

export interface ParsedAmount {
  value: string;
  currency?: string;
}

export type AmountResult = { ok: true; amount: ParsedAmount } | { ok: false; reason: string };

interface Stripped {
  negative: boolean;
  digits: string;
  currency?: string;
}

/** Peels sign notation and currency marks off both ends; null when what remains is not digits and separators. */
function stripNotation(text: string): Stripped | null {
  let s = text.trim().replace(/\u2212/g, "-");
  let negatives = 0;
  let currency: string | undefined;
  let sawMark = false;
  for (let guard = 0; guard < 8; guard++) {
    const before = s;
    if (s.length >= 2 && s.startsWith("(") && s.endsWith(")")) {
      negatives++;
      s = s.slice(1, -1).trim();
    }
    if (s.startsWith("-")) {
      negatives++;
      s = s.slice(1).trim();
    } else if (s.startsWith("+")) s = s.slice(1).trim();
    if (s.endsWith("-")) {
      negatives++;
      s = s.slice(0, -1).trim();
    } else if (s.endsWith("+")) s = s.slice(0, -1).trim();
    const lead = LEADING_MARK.exec(s);
    const trail = lead ? null : TRAILING_MARK.exec(s);
    const mark = lead ?? trail;
    if (mark) {
      if (sawMark) return null;
      sawMark = true;
      currency = currencyOfMark(mark[1] ?? "");
      s = lead ? s.slice(mark[0].length) : s.slice(0, s.length - mark[0].length);
    }
    if (s === before) break;
  }
  if (negatives > 1) return null;
  const digits = s.replace(SPACES, "");
  if (!/^\d[\d.,]*$/.test(digits) && !/^[.,]\d+$/.test(digits)) return null;
  return currency ? { negative: negatives === 1, digits, currency } : { negative: negatives === 1, digits };
}

/**
 * Which decimal separator a value proves, if any. "1,500" and "1.500" prove nothing (thousands or
 * decimal); "12.50", "1,234.56", "-89,90", "1.234,56" do.
 */
export function decimalEvidence(text: string): DecimalSeparator | undefined {
  const stripped = stripNotation(text);
  if (!stripped) return undefined;
  const { digits } = stripped;
  const lastDot = digits.lastIndexOf(".");
  const lastComma = digits.lastIndexOf(",");
  if (lastDot >= 0 && lastComma >= 0) return lastDot > lastComma ? "." : ",";
  const sep = lastDot >= 0 ? "." : lastComma >= 0 ? "," : undefined;
  if (!sep) return undefined;
  const count = digits.split(sep).length - 1;
  if (count > 1) return sep === "." ? "," : ".";
  const after = digits.length - digits.indexOf(sep) - 1;
  return after === 3 ? undefined : sep;
}

const PLAIN_DOT = /^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;
const PLAIN_COMMA = /^-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$/;

/**
 * True when `s` is already its own canonical decimal with "." as the separator: an optional "-",
 * digits without a leading zero (or a single 0 without a minus), optionally "." and digits. Character
 * codes, not regexes: this runs for every amount and balance cell.
 */
function isCanonicalDotDecimal(s: string): boolean {
  const len = s.length;
  let i = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  const first = s.charCodeAt(i);
  if (!(first >= 48 && first <= 57)) return false;
  // A leading zero needs the general path ("007" → "7", "-0.00" → "0.00"), unless it is "0" or "0.x".
  if (first === 48 && (i === 1 || (i + 1 < len && s.charCodeAt(i + 1) !== 46))) return false;
  for (i++; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) break;
    if (c < 48 || c > 57) return false;
  }
  if (i === len) return true;
  if (i === len - 1) return false;
  for (i++; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * More digits than this before the decimal point is not an amount but a misread column (an account
 * number, a reference): 10^20 is beyond any ledger in any currency. Such a value is refused on its row
 * rather than committed. (Up to the limit amounts stay exact, far past what a float could hold.)
 */
export const MAX_AMOUNT_DIGITS = 20;

/**
 * `parseAmount`'s value for a trimmed cell that is already a canonical "." decimal within the digit
 * limit ("-1234.56", "0.31"), else null (then `parseAmount` decides). No result objects: the CSV
 * path asks this for every amount and balance cell.
 */
export function canonicalAmount(trimmed: string, decimalSeparator: DecimalSeparator): string | null {
  if (decimalSeparator !== "." || trimmed.length === 0 || !isCanonicalDotDecimal(trimmed)) return null;
  // Digits before the point, as parseAmount counts them (a canonical value has at most one "-").
  if (trimmed.length > MAX_AMOUNT_DIGITS) {
    const point = trimmed.indexOf(".");
    if ((point < 0 ? trimmed.length : point) - (trimmed.charCodeAt(0) === 45 ? 1 : 0) > MAX_AMOUNT_DIGITS) return null;
  }
  return trimmed;
}

/** Parses an amount with a known decimal separator. Empty text is not an amount (the caller decides). */
export function parseAmount(text: string, decimalSeparator: DecimalSeparator): AmountResult {
  const result = readAmount(text, decimalSeparator);
  if (!result.ok) return result;
  const value = result.amount.value;
  const point = value.indexOf(".");
  const digits = (point < 0 ? value.length : point) - (value.charCodeAt(0) === 45 /* - */ ? 1 : 0);
  if (digits <= MAX_AMOUNT_DIGITS) return result;
  return { ok: false, reason: `"${text.trim()}", ${digits} digits before the decimal point (an amount has at most ${MAX_AMOUNT_DIGITS}; is this an account number?)` };
}

function readAmount(text: string, decimalSeparator: DecimalSeparator): AmountResult {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, reason: "an empty cell" };
  if (decimalSeparator === "." && isCanonicalDotDecimal(trimmed)) return { ok: true, amount: { value: trimmed } };
  // Fast path for the common plain forms ("-1234.56", "1,234.56"), which need no notation peeling.
  const plainPattern = decimalSeparator === "." ? PLAIN_DOT : PLAIN_COMMA;
  if (plainPattern.test(trimmed)) {
    const plain = trimmed.replace(decimalSeparator === "." ? /,/g : /\./g, "").replace(",", ".");
    // Grouped amounts ("15,306.00") are usually canonical once the separators are gone.
    if (isCanonicalDotDecimal(plain)) return { ok: true, amount: { value: plain } };
    const normalized = canonicalDecimal(plain);
    if (normalized !== null) return { ok: true, amount: { value: normalized } };
  }
  const stripped = stripNotation(trimmed);
  if (!stripped) return { ok: false, reason: `"${trimmed}"` };
  const thousands = decimalSeparator === "." ? "," : ".";
  const { digits } = stripped;
  const parts = digits.split(decimalSeparator);
  if (parts.length > 2) return { ok: false, reason: `"${trimmed}" (more than one decimal separator "${decimalSeparator}")` };
  const whole = parts[0] ?? "";
  const groups = whole.split(thousands);
  // Thousands separators must group by three, or "1.5" read with "," decimals would become 15.
  if (groups.length > 1 && (groups.slice(1).some((g) => g.length !== 3) || groups[0] === "" || (groups[0]?.length ?? 0) > 3)) {
    return { ok: false, reason: `"${trimmed}" (digit grouping does not fit "${decimalSeparator}" as the decimal separator)` };
  }
  const plain = groups.join("") + (parts.length === 2 ? "." + parts[1] : "");
  const normalized = canonicalDecimal((stripped.negative ? "-" : "") + (plain.startsWith(".") ? "0" + plain : plain));
  if (normalized === null) return { ok: false, reason: `"${trimmed}"` };
  return { ok: true, amount: stripped.currency ? { value: normalized, currency: stripped.currency } : { value: normalized } };
}

/** Tallies decimal-separator evidence over a column in O(1) memory. */
export class NumberEvidence {
  dot = 0;
  comma = 0;
  values = 0;

  add(text: string): void {
    if (text.trim() === "") return;
    this.values++;
    const sep = decimalEvidence(text);
    if (sep === ".") this.dot++;
    else if (sep === ",") this.comma++;
  }

  merge(other: { dot: number; comma: number; values: number }): void {
    this.dot += other.dot;
    this.comma += other.comma;
    this.values += other.values;
  }

  /** The separator the evidence supports; "." when nothing decides (the majority of exports). */
  decide(): { separator: DecimalSeparator; decided: boolean; conflicting: boolean } {
    const conflicting = this.dot > 0 && this.comma > 0;
    if (this.comma > this.dot) return { separator: ",", decided: true, conflicting };
    return { separator: ".", decided: this.dot > 0, conflicting };
  }
}
