/**
 * Which canonical balance an account-status type code reports. Codes without a canonical
 * counterpart (averages, floats, targets, loan positions) are kept as `information` with their
 * source code, so nothing the bank sent is dropped or relabelled as something it is not.
 */
import type { BalanceType } from "@/lib/schemas/canonical";

const CANONICAL_BALANCE: Readonly<Record<string, BalanceType>> = {
  "010": "opening",
  "015": "closing",
  "030": "interim",
  "040": "opening_available",
  "045": "closing_available",
  "059": "interim_available",
  "060": "interim_available",
};

export function balanceTypeFor(statusCode: string): BalanceType {
  return CANONICAL_BALANCE[statusCode] ?? "information";
}
