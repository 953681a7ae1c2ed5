/**
 * TEST REFERENCE ONLY: the camt reader as it was at commit 9d2745e (tokenizer → XmlEvent objects →
 * builder with a Map of every leaf per scope), kept unchanged and used only by the differential tests
 * (differential.test.ts): the fused reader must give exactly these events and errors on samples,
 * generated and damaged inputs, in every chunking. Not imported by any production code.
 */
/** A camt <Bal>: type code, amount with CdtDbtInd, and a Dt or DtTm date. */
import type { Balance, BalanceType, ParseIssue } from "@/lib/schemas/canonical";
import { parseIsoDate } from "../../shared/dates";
import { signedAmount } from "../amount";
import type { Scope } from "./scope";

export const BALANCE_CODES: Readonly<Record<string, BalanceType>> = {
  OPBD: "opening",
  PRCD: "opening",
  CLBD: "closing",
  OPAV: "opening_available",
  CLAV: "closing_available",
  FWAV: "forward_available",
  ITBD: "interim",
  ITAV: "interim_available",
  INFO: "information",
  XPCD: "expected",
};

export function interpretBalance(bal: Scope, accountCurrency: string | undefined): { balance?: Balance; issues: ParseIssue[] } {
  const code = (bal.first("Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry", "Tp/Cd") ?? "").trim();
  const type = BALANCE_CODES[code];
  if (!type) {
    return {
      issues: [{ severity: "warning", code: "unknown_balance_type", message: `Expected a balance type code such as OPBD, PRCD, CLBD, OPAV, CLAV, FWAV, ITBD, ITAV, INFO or XPCD, found "${code}"; the balance is skipped`, line: bal.line, field: "Bal/Tp" }],
    };
  }
  const currency = bal.first("Amt@Ccy")?.trim() || accountCurrency;
  const signed = signedAmount(bal.first("Amt"), bal.first("CdtDbtInd"), currency, { line: bal.line, element: "Bal" });
  if (signed.amount === null) return { issues: signed.issues };
  const issues = [...signed.issues];
  const dateText = bal.first("Dt/Dt", "Dt/DtTm");
  const date = dateText === undefined ? null : parseIsoDate(dateText);
  if (dateText !== undefined && date === null) {
    issues.push({ severity: "error", code: "invalid_date", message: `Expected a balance date as YYYY-MM-DD in Bal/Dt, found "${dateText.trim()}"; the balance is kept without a date`, line: bal.line, field: "Bal/Dt" });
  }
  const balance: Balance = {
    type,
    sourceCode: code,
    ...(date ? { date } : {}),
    amount: signed.amount,
    ...(currency && /^[A-Z]{3}$/.test(currency) ? { currency } : {}),
    line: bal.line,
  };
  return { balance, issues };
}
