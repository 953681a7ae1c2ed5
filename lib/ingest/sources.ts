/**
 * Where an external account comes from, for account mappings: bank statement formats share one
 * namespace (an IBAN or bank + account number means the same account whatever the file format),
 * M-Pesa numbers and connector ids have their own.
 */
import type { ExternalAccount } from "@/lib/schemas/canonical";

export function mappingSource(format: string): string {
  if (format === "mpesa") return "mpesa";
  if (format.startsWith("connector:")) return format;
  return "bank";
}

/** The external account's key within its source: bank id and account number, or the number alone. */
export function externalAccountKey(account: ExternalAccount): string {
  return account.bankId ? `${account.bankId}/${account.id}` : account.id;
}

/**
 * The account ids the tabular parsers write when a file names no account (lib/formats/tabular/bank.ts:
 * the format name). They identify no real account, so they are never mapped: such a file gets the
 * account chosen for it on upload or on its import page.
 */
export const NO_ACCOUNT_IN_FILE: ReadonlySet<string> = new Set(["CSV", "XLSX"]);
