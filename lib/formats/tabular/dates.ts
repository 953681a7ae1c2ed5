/**
 * Dates as written in tables: ISO, numeric day/month/year in either order, month names, compact
 * YYYYMMDD, each optionally followed by a time. Numeric day/month order is never guessed per value:
 * it comes from the whole column's evidence (DateEvidence) or from the caller.
 */
import { expandTwoDigitYear, isoDateFromParts } from "../shared/dates";

export type DateOrder = "YMD" | "DMY" | "MDY";

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  // German, French and Spanish abbreviations that differ from English.
  mär: 3, mrz: 3, mai: 5, okt: 10, dez: 12, janv: 1, févr: 2, fev: 2, avr: 4, juil: 7, aoû: 8, aou: 8, déc: 12,
  ene: 1, abr: 4, ago: 8, dic: 12,
};

const TIME = String.raw`(?:[T\s]+(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?))?`;
const YEAR_FIRST = new RegExp(String.raw`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})${TIME}$`);
const YEAR_LAST = new RegExp(String.raw`^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})${TIME}$`);
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const DAY_MONTHNAME = new RegExp(String.raw`^(\d{1,2})[-\s./]*([A-Za-zÀ-ÿ]{3,9})\.?[-\s./,]*(\d{4}|\d{2})${TIME}$`);
const MONTHNAME_DAY = new RegExp(String.raw`^([A-Za-zÀ-ÿ]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})${TIME}$`);

/** The shape of a date cell before the day/month order is applied. */
export type DateShape =
  | { kind: "fixed"; iso: string | null; time?: string }
  | { kind: "numeric"; first: number; second: number; year: number; time?: string };

function monthFromName(name: string): number | undefined {
  const key = name.toLowerCase();
  return MONTHS[key] ?? MONTHS[key.slice(0, 4)] ?? MONTHS[key.slice(0, 3)];
}

function withTime<T extends object>(value: T, time: string | undefined): T & { time?: string } {
  return time ? { ...value, time } : value;
}

/** Classifies a cell; null when it does not look like a date at all. */
export function dateShape(text: string): DateShape | null {
  const s = text.trim();
  let m = YEAR_FIRST.exec(s);
  if (m) return withTime({ kind: "fixed" as const, iso: isoDateFromParts(Number(m[1]), Number(m[2]), Number(m[3])) }, m[4]);
  m = YEAR_LAST.exec(s);
  if (m) {
    const yearText = m[4] ?? "";
    const year = yearText.length === 2 ? expandTwoDigitYear(Number(yearText)) : Number(yearText);
    return withTime({ kind: "numeric" as const, first: Number(m[1]), second: Number(m[3]), year }, m[5]);
  }
  m = COMPACT.exec(s);
  if (m) return { kind: "fixed" as const, iso: isoDateFromParts(Number(m[1]), Number(m[2]), Number(m[3])) };
  m = DAY_MONTHNAME.exec(s);
  if (m) {
    const month = monthFromName(m[2] ?? "");
    if (month === undefined) return null;
    const yearText = m[3] ?? "";
    const year = yearText.length === 2 ? expandTwoDigitYear(Number(yearText)) : Number(yearText);
    return withTime({ kind: "fixed" as const, iso: isoDateFromParts(year, month, Number(m[1])) }, m[4]);
  }
  m = MONTHNAME_DAY.exec(s);
  if (m) {
    const month = monthFromName(m[1] ?? "");
    if (month === undefined) return null;
    return withTime({ kind: "fixed" as const, iso: isoDateFromParts(Number(m[3]), month, Number(m[2])) }, m[4]);
  }
  return null;
}

export type DateResult = { ok: true; date: string; time?: string } | { ok: false; reason: string };

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * "YYYY-MM-DD" already written as the ISO day it names, or null (then the general path decides). A
 * check on character codes: running the date regexes on every cell showed in CSV profiles.
 */
export function isoDayAsWritten(s: string): string | null {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    year = year * 10 + d;
  }
  const m1 = s.charCodeAt(5) - 48;
  const m2 = s.charCodeAt(6) - 48;
  const d1 = s.charCodeAt(8) - 48;
  const d2 = s.charCodeAt(9) - 48;
  if (m1 < 0 || m1 > 9 || m2 < 0 || m2 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return null;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (year < 1000 || month < 1 || month > 12 || day < 1) return null;
  const days = month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0) ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day <= days ? s : null;
}

/**
 * "YYYY-MM-DD HH:MM:SS" (or with "T"), the day as written: what `dateShape` makes of it, checked on
 * character codes, or null (then the general path decides). Every M-Pesa completion time has this
 * shape, and the regexes and object spreads of the general path showed in its profiles.
 */
function isoDayAndSecondsAsWritten(s: string): { ok: true; date: string; time: string } | null {
  if (s.length !== 19) return null;
  const separator = s.charCodeAt(10);
  if (separator !== 32 /* space */ && separator !== 84 /* T */) return null;
  if (s.charCodeAt(13) !== 58 /* : */ || s.charCodeAt(16) !== 58) return null;
  for (const i of TIME_DIGITS) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const date = isoDayAsWritten(s.slice(0, 10));
  return date === null ? null : { ok: true, date, time: s.slice(11) };
}

const TIME_DIGITS = [11, 12, 14, 15, 17, 18];

/** Parses a date cell under a day/month order. */
export function parseTableDate(text: string, order: DateOrder): DateResult {
  const trimmed = text.trim();
  const iso = isoDayAsWritten(trimmed);
  if (iso !== null) return { ok: true, date: iso };
  const stamped = isoDayAndSecondsAsWritten(trimmed);
  if (stamped !== null) return stamped;
  if (trimmed === "") return { ok: false, reason: "an empty cell" };
  const shape = dateShape(trimmed);
  if (!shape) return { ok: false, reason: `"${trimmed}"` };
  let day: string | null;
  if (shape.kind === "fixed") day = shape.iso;
  else if (order === "MDY") day = isoDateFromParts(shape.year, shape.first, shape.second);
  else day = isoDateFromParts(shape.year, shape.second, shape.first);
  if (!day) {
    const reading = shape.kind === "numeric" ? (order === "MDY" ? " read as month/day/year" : " read as day/month/year") : "";
    return { ok: false, reason: `"${trimmed}", which is not a real calendar day${reading}` };
  }
  return shape.time ? { ok: true, date: day, time: shape.time } : { ok: true, date: day };
}

/** Plain-data evidence for the day/month order of numeric dates, small enough to keep for a whole file. */
export interface DateEvidenceData {
  values: number;
  /** Values whose year comes first (ISO and friends): no order question. */
  yearFirst: number;
  numeric: number;
  firstOver12: number;
  secondOver12: number;
  invalidDMY: number;
  invalidMDY: number;
  /** Earliest and latest day under each reading, to prefer the narrower span when the counts tie. */
  minDMY?: string;
  maxDMY?: string;
  minMDY?: string;
  maxMDY?: string;
}

export function emptyDateEvidence(): DateEvidenceData {
  return { values: 0, yearFirst: 0, numeric: 0, firstOver12: 0, secondOver12: 0, invalidDMY: 0, invalidMDY: 0 };
}

function widen(e: DateEvidenceData, key: "DMY" | "MDY", iso: string): void {
  const minKey = key === "DMY" ? "minDMY" : "minMDY";
  const maxKey = key === "DMY" ? "maxDMY" : "maxMDY";
  const min = e[minKey];
  const max = e[maxKey];
  if (min === undefined || iso < min) e[minKey] = iso;
  if (max === undefined || iso > max) e[maxKey] = iso;
}

export function addDateEvidence(e: DateEvidenceData, text: string): void {
  const shape = dateShape(text);
  if (!shape) return;
  e.values++;
  if (shape.kind === "fixed") {
    e.yearFirst++;
    return;
  }
  e.numeric++;
  if (shape.first > 12) e.firstOver12++;
  if (shape.second > 12) e.secondOver12++;
  const dmy = isoDateFromParts(shape.year, shape.second, shape.first);
  const mdy = isoDateFromParts(shape.year, shape.first, shape.second);
  if (dmy) widen(e, "DMY", dmy);
  else e.invalidDMY++;
  if (mdy) widen(e, "MDY", mdy);
  else e.invalidMDY++;
}

export function mergeDateEvidence(into: DateEvidenceData, from: DateEvidenceData): void {
  into.values += from.values;
  into.yearFirst += from.yearFirst;
  into.numeric += from.numeric;
  into.firstOver12 += from.firstOver12;
  into.secondOver12 += from.secondOver12;
  into.invalidDMY += from.invalidDMY;
  into.invalidMDY += from.invalidMDY;
  for (const key of ["DMY", "MDY"] as const) {
    const min = from[key === "DMY" ? "minDMY" : "minMDY"];
    const max = from[key === "DMY" ? "maxDMY" : "maxMDY"];
    if (min) widen(into, key, min);
    if (max) widen(into, key, max);
  }
}

function spanDays(min: string | undefined, max: string | undefined): number {
  if (!min || !max) return Number.POSITIVE_INFINITY;
  return (Date.parse(max) - Date.parse(min)) / 86_400_000;
}

export interface DateOrderDecision {
  order: DateOrder;
  /** "evidence": some values are only valid one way; "ambiguous": chosen by tie-break (see reason). */
  certainty: "evidence" | "ambiguous" | "none";
  reason: string;
}

/**
 * The order the evidence supports: fewest impossible values wins; a tie (no value > 12, or one impossible
 * value each way) goes to the reading that puts the dates in the narrower span, and is reported as ambiguous.
 */
export function decideDateOrder(e: DateEvidenceData): DateOrderDecision {
  if (e.numeric === 0) {
    return { order: "YMD", certainty: e.values > 0 ? "evidence" : "none", reason: e.values > 0 ? "every date is written year first or with a month name" : "no dates seen" };
  }
  if (e.invalidDMY !== e.invalidMDY) {
    const order = e.invalidDMY < e.invalidMDY ? "DMY" : "MDY";
    const detail = order === "DMY" ? `${e.firstOver12} value(s) have a first part above 12` : `${e.secondOver12} value(s) have a second part above 12`;
    return { order, certainty: "evidence", reason: detail };
  }
  const dmySpan = spanDays(e.minDMY, e.maxDMY);
  const mdySpan = spanDays(e.minMDY, e.maxMDY);
  const order: DateOrder = mdySpan < dmySpan ? "MDY" : "DMY";
  const why =
    e.invalidDMY === 0
      ? "no value has a part above 12"
      : `values contradict each other (${e.firstOver12} with a first part above 12, ${e.secondOver12} with a second part above 12)`;
  return {
    order,
    certainty: "ambiguous",
    reason: Number.isFinite(Math.min(dmySpan, mdySpan))
      ? `${why}; ${order} chosen because it gives the narrower date range (${order === "MDY" ? e.minMDY : e.minDMY} to ${order === "MDY" ? e.maxMDY : e.maxDMY})`
      : `${why}; ${order} chosen by default`,
  };
}
