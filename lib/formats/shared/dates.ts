/**
 * Calendar dates from parts, checked against the calendar. An impossible date is null, never
 * clamped, rolled over or replaced by today: the caller reports it as an issue naming line and field.
 */

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** "YYYY-MM-DD" if year/month/day name a real calendar day, else null. */
export function isoDateFromParts(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (year < 1000 || year > 9999 || month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * Two-digit years in bank formats (BAI2, MT940 YYMMDD): 00–79 → 2000s, 80–99 → 1900s.
 * Bank statements before 1980 in these formats do not exist in practice.
 */
export function expandTwoDigitYear(yy: number): number {
  return yy < 80 ? 2000 + yy : 1900 + yy;
}

/** Parses compact YYMMDD; null when not six digits or not a real day. */
export function parseYYMMDD(text: string): string | null {
  if (!/^\d{6}$/.test(text)) return null;
  return isoDateFromParts(expandTwoDigitYear(Number(text.slice(0, 2))), Number(text.slice(2, 4)), Number(text.slice(4, 6)));
}

/** Parses compact YYYYMMDD; null when not eight digits or not a real day. */
export function parseYYYYMMDD(text: string): string | null {
  if (!/^\d{8}$/.test(text)) return null;
  return isoDateFromParts(Number(text.slice(0, 4)), Number(text.slice(4, 6)), Number(text.slice(6, 8)));
}

/** Parses ISO "YYYY-MM-DD" (optionally followed by a time); null when malformed or not a real day. */
export function parseIsoDate(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(text.trim());
  if (!m) return null;
  return isoDateFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
}
