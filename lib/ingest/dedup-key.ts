/**
 * Exact-duplicate keys, one rule for every source. Where the format guarantees a unique reference
 * (OFX FITID, M-Pesa receipt with the line's kind, provider transaction ids) the key is that reference;
 * otherwise it is a content fingerprint plus the row's occurrence number among identical rows of the
 * same file (`fp:<fingerprint>:<n>`), so two genuine identical purchases stay two, while re-importing the same or an
 * overlapping statement produces the same keys and adds nothing (the ledger's unique index enforces it).
 */
import { createHash } from "node:crypto";
import type { FormatName, SalesLine, Transaction } from "@/lib/schemas/canonical";
import { normalizeDecimal } from "@/lib/money/decimal";

/** Formats whose external id is unique per account by the format's own rules. */
const UNIQUE_REFERENCE_FORMATS: ReadonlySet<string> = new Set<FormatName>(["ofx", "mpesa"]);

export function guaranteesUniqueReference(source: string): boolean {
  return UNIQUE_REFERENCE_FORMATS.has(source) || source.startsWith("connector:");
}

/** "12.50" and "12.5" are the same amount: compare without trailing fraction zeros. */
export function amountKey(amount: string): string {
  const canonical = normalizeDecimal(amount) ?? amount;
  return canonical.includes(".") ? canonical.replace(/\.?0+$/, "") : canonical;
}

/** Case, spacing and punctuation differences between exports of the same bank line do not matter. */
export function normalizeText(text: string | undefined): string {
  return (text ?? "").normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

function sha(parts: string[]): string {
  return createHash("sha256").update(parts.join("\u001f")).digest("hex").slice(0, 32);
}

export function transactionFingerprint(externalAccount: string, t: Transaction): string {
  return sha([externalAccount, t.bookingDate, amountKey(t.amount), t.currency ?? "", normalizeText(t.description), normalizeText(t.counterpartyName)]);
}

export function salesLineFingerprint(s: SalesLine): string {
  return sha([s.date, s.time ?? "", normalizeText(s.item), amountKey(s.quantity), amountKey(s.unitPrice), amountKey(s.total), normalizeText(s.paymentMethod)]);
}

/**
 * The exact-duplicate basis of a staged row: its `ext:` key when the source guarantees a unique
 * reference, else its content fingerprint. The occurrence number is added set-based in SQL after
 * staging (row_number over the fingerprint), so memory does not grow with the file.
 */
export interface DedupBasis {
  dedupKey: string | null;
  fingerprint: string | null;
}

export function transactionDedupBasis(source: string, externalAccount: string, t: Transaction): DedupBasis {
  if (t.externalId && guaranteesUniqueReference(source)) return { dedupKey: `ext:${t.externalId}`, fingerprint: null };
  return { dedupKey: null, fingerprint: transactionFingerprint(externalAccount, t) };
}

export function salesLineDedupBasis(s: SalesLine): DedupBasis {
  return { dedupKey: null, fingerprint: salesLineFingerprint(s) };
}
