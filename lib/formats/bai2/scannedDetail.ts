/**
 * A 16 transaction detail of the usual shape, read by the scanner straight from its buffer: a
 * three-digit type code, an unsigned amount of at most 15 digits, a funds type that brings no extra
 * fields (blank, 0, 1, 2 or Z), the two references and the text, continued by 88s of text only.
 *
 * Why: 16 records are nearly every record of a file, and the general reading built a fields array,
 * a physical and a logical record, a parsed detail, several field results, an outcome and an event
 * array for each (about fifteen objects and a BigInt per record; half the parsing time in profiles).
 * This one object carries what the transaction needs. Anything else (other funds types, signed or
 * blank amounts, padded fields, a record without an account, a type code that fixes no direction)
 * goes the general way, through `toLogical`, which gives exactly the fields the general scanner
 * would have read; a property test compares the two readings event for event.
 */
import { fromMinorUnits } from "@/lib/money/decimal";
import { descriptionOf } from "./canonical";
import type { LogicalRecord } from "./continuation";
import { classifyTypeCode } from "./typeCodes";

export class ScannedDetail {
  readonly kind = "detail" as const;
  /** Physical records: the 16 and its 88s. */
  records = 1;
  /** The 88s' raw text, in order, kept only for `toLogical`. */
  private continuations: string[] | undefined;

  constructor(
    readonly line: number,
    /** The type code as a number, 1–999. */
    readonly typeCode: number,
    /** The amount in minor units, as written (unsigned, at most 15 digits: an exact Number). */
    readonly units: number,
    /** How many digits were written (leading zeros included), to give back the field as written. */
    readonly amountDigits: number,
    /**
     * The amount's digits before its last two, leading zeros dropped ("" below 100): the whole
     * part of a two-place amount as written, so the usual amount's text needs no number formatting.
     */
    readonly hundreds: string,
    /** "" (blank), "0", "1", "2" or "Z". */
    readonly funds: string,
    /** 4 or 5 when the record ends before its customer reference or its text, else 6. */
    readonly fieldCount: number,
    /** Trimmed as the scanner trims fields; "" when blank or not written. */
    readonly bankReference: string,
    readonly customerReference: string,
    /** The text field, its wrapped lines and 88 lines "\n"-separated; undefined when not written. */
    public text: string | undefined,
    /** `descriptionOf(text)`, kept up to date as 88s add lines. */
    public description: string,
    /** The 16 as written, then each 88 after a "\n". */
    public raw: string,
  ) {}

  /** An 88 of text (the 16's text has begun, so the whole 88 is text): one more line. */
  continueText(text: string, raw: string): void {
    this.text = this.text + "\n" + text;
    // descriptionOf of the joined text: each part's trimmed, non-blank lines, joined by spaces.
    const more = descriptionOf(text);
    if (more !== "") this.description = this.description === "" ? more : this.description + " " + more;
    (this.continuations ??= []).push(raw);
    this.raw = this.raw + "\n" + raw;
    this.records++;
  }

  /** The logical record the general scanner and 88 assembly would have produced. */
  toLogical(): LogicalRecord {
    const fields = [typeCodeText(this.typeCode), String(this.units).padStart(this.amountDigits, "0"), this.funds, this.bankReference];
    if (this.fieldCount >= 5) fields.push(this.customerReference);
    if (this.text !== undefined) fields.push(this.text);
    const first = this.continuations ? this.raw.slice(0, this.raw.length - this.continuations.reduce((n, r) => n + r.length + 1, 0)) : this.raw;
    return { code: "16", fields, line: this.line, raws: this.continuations ? [first, ...this.continuations] : [first] };
  }
}

// Filled as codes are met; created full (of undefined) so reads stay on V8's fast path for
// packed arrays rather than a holey one's prototype lookups.
const TYPE_CODE_TEXT: (string | undefined)[] = new Array<string | undefined>(1000).fill(undefined);
/** `direction_level` of each type code that fixes credit or debit; null when it fixes neither. */
const MOVEMENT_CLASS: (string | null | undefined)[] = new Array<string | null | undefined>(1000).fill(undefined);

/** A type code number (1–999) written as its three digits, one string per code. */
export function typeCodeText(code: number): string {
  return (TYPE_CODE_TEXT[code] ??= String(code).padStart(3, "0"));
}

/** The transaction's `typeCodeClass` for a credit or debit type code; undefined for any other. */
export function movementClass(code: number): string | undefined {
  let known = MOVEMENT_CLASS[code];
  if (known === undefined) {
    const info = classifyTypeCode(typeCodeText(code));
    known = info && (info.direction === "credit" || info.direction === "debit") ? `${info.direction}_${info.level}` : null;
    MOVEMENT_CLASS[code] = known;
  }
  return known ?? undefined;
}

/** ".00" … ".99": the fraction of a two-decimal amount. */
const CENTS = Array.from({ length: 100 }, (_, i) => (i < 10 ? ".0" : ".") + i);

/**
 * `minorUnitsText(units, 2, negative)` from the whole part's digits as written (see
 * `ScannedDetail.hundreds`): a slice and a concatenation instead of formatting a number, which
 * showed as the reader's largest cost per record (String(whole) ~8 % of the profile's line ticks).
 */
export function twoPlaceText(hundreds: string, units: number, negative: boolean): string {
  const text = (hundreds === "" ? "0" : hundreds) + CENTS[units % 100]!;
  return negative && units !== 0 ? "-" + text : text;
}

/**
 * `fromMinorUnits(BigInt(units) * (negative ? -1n : 1n), scale)` for a whole Number below 2^53,
 * without BigInt (a property test holds them equal).
 */
export function minorUnitsText(units: number, scale: number, negative: boolean): string {
  if (!Number.isSafeInteger(units) || units < 0) return fromMinorUnits(BigInt(units) * (negative ? -1n : 1n), scale);
  if (scale === 2 && units < 1e15) {
    // Two places (most currencies): whole part and a ready fraction, one concatenation. The
    // quotient is exact enough for floor: below 10^13 its error is under 2^-10, each fraction
    // step is 0.01.
    const whole = Math.floor(units / 100);
    const cents = CENTS[units - whole * 100]!;
    if (!negative || units === 0) return String(whole) + cents;
    return (whole === 0 ? "-0" : String(-whole)) + cents;
  }
  const sign = negative && units !== 0 ? "-" : "";
  const digits = String(units);
  if (scale === 0) return sign + digits;
  if (digits.length <= scale) return sign + "0." + "0".repeat(scale - digits.length) + digits;
  return sign + digits.slice(0, digits.length - scale) + "." + digits.slice(digits.length - scale);
}
