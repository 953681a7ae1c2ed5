/**
 * What an M-Pesa statement line is, and who is on the other side, from its Details text.
 * Order matters: "M-Shwari Withdraw" is M-Shwari, not a withdrawal; "Pay Bill Charge" is a charge.
 */
export const MPESA_CATEGORIES = [
  "charge",
  "reversal",
  "fuliza",
  "mshwari",
  "airtime",
  "paybill",
  "buy_goods",
  "withdrawal",
  "deposit",
  "business_payment",
  "sent",
  "received",
  "other",
] as const;
export type MpesaCategory = (typeof MPESA_CATEGORIES)[number];

const RULES: ReadonlyArray<readonly [RegExp, MpesaCategory]> = [
  [/\bcharge\b|\bcharges\b/i, "charge"],
  [/revers/i, "reversal"],
  [/overdraft|fuliza/i, "fuliza"],
  [/m-?shwari/i, "mshwari"],
  [/airtime|bundle purchase/i, "airtime"],
  [/pay\s?bill/i, "paybill"],
  [/merchant payment|buy goods|till payment/i, "buy_goods"],
  [/withdrawal|withdraw\b.*agent|agent\b.*withdraw/i, "withdrawal"],
  [/deposit of funds|deposit at agent|\bdeposit\b/i, "deposit"],
  [/business payment|salary payment|promotion payment|b2c/i, "business_payment"],
  [/customer transfer to|send money|sent to|transfer to|customer payment to/i, "sent"],
  [/funds received|received from|receive funds|customer transfer from/i, "received"],
];

export function categorize(details: string): MpesaCategory {
  for (const [pattern, category] of RULES) if (pattern.test(details)) return category;
  return "other";
}

export interface Counterparty {
  name?: string;
  number?: string;
  account?: string;
}

const WITH_NUMBER = /\b(?:to|from|till|at)\s+([0-9][0-9*]*)\s*-\s*(.+)$/i;
const NAME_ONLY = /\b(?:to|from)\s+([A-Za-z][^0-9]*)$/;
const ACCOUNT = /\s+Acc(?:ount)?\.?\s*(?:No\.?\s*)?[:#]?\s*(\S+)\s*$/i;
const TRAILER = /\s+via\s+.*$|\.\s*Original conversation ID.*$/i;

/** "Pay Bill Online to 888880 - KPLC PREPAID Acc. 5440247" → number 888880, name KPLC PREPAID, account 5440247. */
export function parseCounterparty(details: string): Counterparty {
  const withNumber = WITH_NUMBER.exec(details);
  if (withNumber) {
    let rest = (withNumber[2] ?? "").replace(TRAILER, "");
    const out: Counterparty = { number: withNumber[1] };
    const account = ACCOUNT.exec(rest);
    if (account) {
      out.account = account[1];
      rest = rest.slice(0, account.index);
    }
    const name = rest.trim();
    if (name) out.name = name;
    return out;
  }
  const nameOnly = NAME_ONLY.exec(details);
  if (nameOnly?.[1]) return { name: nameOnly[1].replace(TRAILER, "").trim() };
  return {};
}
