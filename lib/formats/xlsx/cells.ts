/** XLSX cell values to the text a CSV export would show: exact numbers, ISO dates for date-styled serials. */
import { isoDateFromParts } from "../shared/dates";

/** Column letters of a cell reference ("AB12" → 27, zero-based); undefined when malformed. */
export function columnIndex(ref: string): number | undefined {
  const m = /^([A-Z]{1,3})\d*$/.exec(ref);
  if (!m) return undefined;
  let n = 0;
  for (const ch of m[1]!) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/**
 * A stored number ("1234.5", "1.0000000000000001E-2", "0.30000000000000004") as a plain decimal, rounded
 * to Excel's 15 significant digits so binary noise does not become a cent. String arithmetic only.
 */
export function excelNumberText(text: string): string | null {
  const m = /^(-)?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const negative = m[1] === "-";
  let digits = (m[2] ?? "") + (m[3] ?? "");
  let point = (m[2] ?? "").length + Number(m[4] ?? "0");
  if (Math.abs(point) > 400) return null;
  const lead = digits.search(/[1-9]/);
  if (lead < 0) return "0";
  digits = digits.slice(lead);
  point -= lead;
  if (digits.length > 15) {
    const keep = digits.slice(0, 15).split("").map(Number);
    if (Number(digits[15]) >= 5) {
      let i = 14;
      for (; i >= 0; i--) {
        if (keep[i]! < 9) {
          keep[i]!++;
          break;
        }
        keep[i] = 0;
      }
      if (i < 0) {
        keep.unshift(1);
        point++;
      }
    }
    digits = keep.join("");
  }
  digits = digits.replace(/0+$/, "");
  if (digits === "") return "0";
  let out: string;
  if (point <= 0) out = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = digits.slice(0, point) + "." + digits.slice(point);
  return negative ? "-" + out : out;
}

const DAY_MS = 86_400_000;

/** An Excel serial day number as "YYYY-MM-DD" (plus " HH:MM:SS" when it has a time part). */
export function serialToDate(serialText: string, date1904: boolean): string | null {
  const serial = Number(serialText);
  if (!Number.isFinite(serial) || serial < 0 || serial > 2_958_465) return null;
  const days = Math.floor(serial);
  const seconds = Math.round((serial - days) * 86_400);
  let base: number;
  if (date1904) base = Date.UTC(1904, 0, 1);
  else {
    // Excel counts 1900-02-29, which never existed: serial 60 has no real day.
    if (days === 60) return null;
    base = days < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
    if (days === 0) return null;
  }
  const date = new Date(base + days * DAY_MS + Math.min(seconds, 86_399) * 1000);
  const iso = isoDateFromParts(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  if (!iso) return null;
  if (seconds === 0) return iso;
  const t = date.toISOString().slice(11, 19);
  return `${iso} ${t}`;
}
