/**
 * Shared pieces of the benchmark file generators: a seeded PRNG (the same seed always writes the
 * same bytes) and a buffered writer that stops once the file reaches its target size.
 */
import { closeSync, openSync, writeSync } from "node:fs";

export interface GeneratedFile {
  path: string;
  bytes: number;
  /** Transactions (or rows) written: what the parser should yield. */
  records: number;
}

/** mulberry32: tiny, fast and deterministic; statistical quality is irrelevant here. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** Minor units (cents) between 1 and max. */
  cents(max = 500_000): number {
    return this.int(1, max);
  }
  digits(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += String(this.int(0, 9));
    return out;
  }
}

export const PAYEES = ["ACME Hardware", "City Utilities", "Payroll Services", "Grocer & Sons", "Café Nord", "Airline Tickets", "Office Supplies Ltd", "Rent October", "Insurance Co", "Fuel Station 12"];

/** Cents → "1234.56" (or with another decimal mark). */
export function money(cents: number, decimalMark = "."): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}${decimalMark}${String(abs % 100).padStart(2, "0")}`;
}

/** Day `n` from 2025-01-01 as a Date (UTC), cycling through two years so dates stay valid. */
export function dayOf(n: number): Date {
  return new Date(Date.UTC(2025, 0, 1) + (n % 730) * 86_400_000);
}

export const pad = (n: number, width = 2) => String(n).padStart(width, "0");
export const isoDay = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
export const compactDay = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
export const yymmdd = (d: Date) => `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;

export class SizedWriter {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingLength = 0;
  written = 0;

  constructor(
    readonly path: string,
    private readonly target: number,
  ) {
    this.fd = openSync(path, "w");
  }

  /** True while the file (with what is buffered) is still below its target size. */
  get wantsMore(): boolean {
    return this.written + this.pendingLength < this.target;
  }

  write(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const buffer = Buffer.from(this.pending.join(""), "utf8");
    writeSync(this.fd, buffer);
    this.written += buffer.length;
    this.pending = [];
    this.pendingLength = 0;
  }

  close(): number {
    this.flush();
    closeSync(this.fd);
    return this.written;
  }
}
