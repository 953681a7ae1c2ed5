/**
 * A bank CSV (Date, Description, Reference, Amount) whose row i is a pure function of (seed, i), so a
 * scenario can write the whole file, a subset of it, or plant rows at chosen places and still know
 * exactly what every row holds. Descriptions carry a per-row invoice number and absolute amounts are
 * distinct for the first 9,000,000 rows, so no two rows of a file share a fingerprint and no two rows
 * could be mistaken for likely duplicates of each other: every duplicate a scenario finds is one it
 * planted.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { dayOf, isoDay, money, PAYEES, seededRandom } from "./common";

export interface BankRow {
  date: string;
  description: string;
  reference: string;
  /** Signed decimal string, e.g. "-12.50". */
  amount: string;
}

export interface BankRowOptions {
  seed: number;
  /** Rows per calendar day (dates start at 2025-01-01 and cycle through two years). */
  perDay: number;
  /** Added to the invoice number, so files written with different offsets never share a description. */
  invoiceOffset?: number;
}

export const BANK_CSV_HEADER = "Date,Description,Reference,Amount\n";

export function bankRow(i: number, options: BankRowOptions): BankRow {
  const random = seededRandom((options.seed * 1_000_003 + i * 2_654_435_761) >>> 0);
  random();
  // 7919 is prime and does not divide 9,000,000, so i -> cents is one-to-one below 9M rows.
  const cents = ((i * 7919) % 9_000_000) + 1;
  const amount = money(random() < 0.3 ? cents : -cents);
  const payee = PAYEES[Math.floor(random() * PAYEES.length)] ?? "ACME Hardware";
  const invoice = String(i + (options.invoiceOffset ?? 0)).padStart(8, "0");
  const description = random() < 0.2 ? `${payee}, invoice ${invoice}` : `${payee} invoice ${invoice}`;
  const reference = `REF${String(Math.floor(random() * 1e8)).padStart(8, "0")}`;
  return { date: isoDay(dayOf(Math.floor(i / options.perDay))), description, reference, amount };
}

export function csvLine(row: BankRow): string {
  const description = row.description.includes(",") ? `"${row.description.replace(/"/g, '""')}"` : row.description;
  return `${row.date},${description},${row.reference},${row.amount}\n`;
}

/** Writes the header and then `rowAt(i)` for i in [0, count); returns the byte size. */
export function writeBankCsv(path: string, count: number, rowAt: (i: number) => BankRow): number {
  const fd = openSync(path, "w");
  let pending: string[] = [BANK_CSV_HEADER];
  let pendingLength = BANK_CSV_HEADER.length;
  let written = 0;
  const flush = () => {
    const buffer = Buffer.from(pending.join(""), "utf8");
    writeSync(fd, buffer);
    written += buffer.length;
    pending = [];
    pendingLength = 0;
  };
  try {
    for (let i = 0; i < count; i++) {
      const line = csvLine(rowAt(i));
      pending.push(line);
      pendingLength += line.length;
      if (pendingLength >= 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return written;
}
