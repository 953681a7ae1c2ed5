/**
 * CSV for spreadsheets, safe to open: RFC 4180 quoting, and any cell that a spreadsheet would read as
 * a formula (starting with = + - @, tab or carriage return — OWASP "CSV Injection") is made inert by a
 * leading single quote. A plain decimal number such as -120000 or -20.50 is left as it is: no
 * spreadsheet evaluates it as a formula, and amounts must stay exact strings.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

export function csvCell(value: string | null | undefined): string {
  const text = neutraliseCell(value ?? "");
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly (string | null | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
