/**
 * Stripe amounts are integers in the currency's minor unit, by Stripe's own table
 * (https://docs.stripe.com/currencies): zero-decimal currencies count whole units, three-decimal
 * ones thousandths, all others hundredths. ISK, HUF and TWD stay two-decimal in the API even where
 * only whole units can be charged or paid out (Stripe: "an ISK amount of 100 represents 1 króna").
 */
import { fromMinorUnits } from "@/lib/money/decimal";

export const ZERO_DECIMAL = new Set(["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]);
export const THREE_DECIMAL = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);

/** Decimal places of a Stripe amount in this currency (upper-case ISO code). */
export function stripeScale(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

/** A Stripe integer amount as an exact decimal string in major units: 1050 USD → "10.50", 500 JPY → "500". */
export function fromStripeAmount(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`${amount} is not a whole number of minor units`);
  return fromMinorUnits(BigInt(amount), stripeScale(currency));
}
