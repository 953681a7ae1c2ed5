/**
 * ISO 4217 minor units, used to check an amount's decimals against its currency and to write
 * amounts in their currency's usual scale ("9," in MT940 EUR becomes "9.00"). Shared by the camt and
 * MT940 parsers. Currencies missing here (historic ones such as DEM) are left exactly as written.
 */
import { canonicalDecimal } from "../shared/decimal";

const ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
const THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND";
const FOUR_DECIMALS = "CLF UYW";
const TWO_DECIMALS =
  "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY COP " +
  "CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR " +
  "JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN " +
  "NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP " +
  "SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWG";

const MINOR_UNITS: ReadonlyMap<string, number> = new Map([
  ...ZERO_DECIMALS.split(" ").map((code) => [code, 0] as const),
  ...TWO_DECIMALS.split(" ").map((code) => [code, 2] as const),
  ...THREE_DECIMALS.split(" ").map((code) => [code, 3] as const),
  ...FOUR_DECIMALS.split(" ").map((code) => [code, 4] as const),
]);

/** The currency's number of minor-unit digits, or undefined when the code is not a current ISO 4217 one. */
export function minorUnits(currency: string | undefined): number | undefined {
  return currency === undefined ? undefined : MINOR_UNITS.get(currency);
}

export interface ScaledAmount {
  /** Canonical decimal string, padded to the currency's minor units when it had fewer digits. */
  amount: string;
  /** Set when the amount has more decimals than the currency allows: the value is kept exactly as written. */
  excessDecimals?: { written: number; allowed: number };
}

/** Scales a plain decimal string to its currency's minor units without ever rounding. Null if not a decimal. */
export function scaleToCurrency(text: string, currency: string | undefined): ScaledAmount | null {
  // On the canonical string (same result as parseDecimal + formatDecimal, without BigInt): this runs
  // for every entry of every statement.
  const canonical = canonicalDecimal(text);
  if (canonical === null) return null;
  const point = canonical.indexOf(".");
  const scale = point < 0 ? 0 : canonical.length - point - 1;
  const allowed = minorUnits(currency);
  if (allowed === undefined || scale === allowed) return { amount: canonical };
  if (scale > allowed) return { amount: canonical, excessDecimals: { written: scale, allowed } };
  return { amount: (point < 0 ? canonical + "." : canonical) + "0".repeat(allowed - scale) };
}
