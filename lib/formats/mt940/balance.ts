/**
 * Balance fields: ":60F:"/":60M:" opening, ":62F:"/":62M:" closing, ":64:" closing available,
 * ":65:" forward available. Each is D/C mark, YYMMDD date, currency and comma-decimal amount.
 */
import type { BalanceType } from "@/lib/schemas/canonical";
import { parseYYMMDD } from "../shared/dates";
import { commaAmountToDecimal } from "./statement-line";

export const BALANCE_TAGS: Readonly<Record<string, BalanceType>> = {
  "60F": "opening",
  "60M": "opening",
  "62F": "closing",
  "62M": "closing",
  "64": "closing_available",
  "65": "forward_available",
};

export interface BalanceField {
  negative: boolean;
  dateText: string;
  /** Null when the date is not a calendar day. */
  date: string | null;
  currency: string;
  unsignedAmount: string;
}

const BALANCE = /^([CD])(\d{6})([A-Z]{3})(\d+(?:,\d*)?)$/;

/** Null when the text does not have the balance shape. */
export function parseBalanceField(text: string): BalanceField | null {
  const m = BALANCE.exec(text.trim());
  if (!m) return null;
  const [, mark, dateText = "", currency = "", amount = "0"] = m;
  return { negative: mark === "D", dateText, date: parseYYMMDD(dateText), currency, unsignedAmount: commaAmountToDecimal(amount) };
}

export interface ControlTotal {
  count: number;
  currency: string;
  unsignedAmount: string;
}

const CONTROL_TOTAL = /^(\d{1,5})([A-Z]{3})(\d+(?:,\d*)?)$/;

/** MT942 ":90D:"/":90C:": number and sum of debit/credit entries. */
export function parseControlTotal(text: string): ControlTotal | null {
  const m = CONTROL_TOTAL.exec(text.trim());
  if (!m) return null;
  return { count: Number(m[1]), currency: m[2]!, unsignedAmount: commaAmountToDecimal(m[3]!) };
}
