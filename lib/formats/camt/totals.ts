/**
 * Statement-level integrity for camt: TxsSummry control totals (numbers and sums of entries)
 * and opening + booked entries = closing. A broken control total is structural (FormatError,
 * unless the caller turned integrity checks off); a balance that does not follow is a warning,
 * since banks differ on which entries their balances include.
 */
import type { Balance, ParseIssue } from "@/lib/schemas/canonical";
import { addDecimals, compareDecimals, readShortDecimal, type ShortDecimal } from "@/lib/money/decimal";
import { DecimalTotal } from "../shared/decimal";
import { isDigit } from "../shared/chars";
import { FormatError } from "../types";
import type { Scope } from "./scope";
import { F, type EntryFields } from "./entry-fields";

const UNSIGNED = /^\d{1,30}(\.\d{1,30})?$/;
/** addEntry's reading slot, reused: it reads every entry's amount. */
const AMOUNT: ShortDecimal = { n: 0, digits: 0, scale: 0, negative: false };

interface Side {
  count: number;
  /** A DecimalTotal rather than a string: re-parsing the growing sum per entry was a hot spot. */
  sum: DecimalTotal;
}

export class StatementTotals {
  private readonly all: Side = { count: 0, sum: new DecimalTotal() };
  private readonly credit: Side = { count: 0, sum: new DecimalTotal() };
  private readonly debit: Side = { count: 0, sum: new DecimalTotal() };
  private readonly booked = new DecimalTotal();
  private complete = true;
  private opening: Balance | undefined;
  private closing: Balance | undefined;
  summaryLine: number | undefined;

  /** Counts an entry from its own Amt and CdtDbtInd, whether or not it became transactions. */
  addEntry(entry: EntryFields): void {
    const amount = entry.first(F.Amt)?.trim() ?? "";
    const direction = entry.first(F.CdtDbtInd)?.trim();
    // The amount read once for its three totals: an unsigned decimal of at most 15 digits (what
    // readShortDecimal reads, starting with a digit) is one UNSIGNED accepts; others take the pattern.
    const read = AMOUNT;
    const short = isDigit(amount.charCodeAt(0)) && readShortDecimal(amount, read);
    if ((!short && !UNSIGNED.test(amount)) || (direction !== "CRDT" && direction !== "DBIT")) {
      this.complete = false;
      return;
    }
    const side = direction === "CRDT" ? this.credit : this.debit;
    this.all.count++;
    side.count++;
    const status = entry.first(F.Sts, F.Sts_Cd)?.trim();
    const booked = status === undefined || status === "BOOK";
    if (short) {
      this.all.sum.addUnits(read.n, read.digits, read.scale, false);
      side.sum.addUnits(read.n, read.digits, read.scale, false);
      if (booked) this.booked.addUnits(read.n, read.digits, read.scale, direction === "DBIT");
      return;
    }
    this.all.sum.add(amount);
    side.sum.add(amount);
    if (booked) this.booked.add(direction === "CRDT" ? amount : `-${amount}`);
  }

  addBalance(balance: Balance): void {
    if (balance.type === "opening") this.opening ??= balance;
    if (balance.type === "closing") this.closing ??= balance;
  }

  /** Throws on a broken control total (integrity on); returns the issues to report. */
  check(statement: Scope, integrity: boolean): ParseIssue[] {
    const issues: ParseIssue[] = [];
    if (this.complete && this.summaryLine !== undefined && !paginatedBeyondFirstPage(statement)) {
      const groups: [string, Side][] = [["TtlNtries", this.all], ["TtlCdtNtries", this.credit], ["TtlDbtNtries", this.debit]];
      for (const [name, side] of groups) {
        const count = statement.first(`TxsSummry/${name}/NbOfNtries`)?.trim();
        const sum = statement.first(`TxsSummry/${name}/Sum`)?.trim();
        const countWrong = count !== undefined && /^\d+$/.test(count) && Number(count) !== side.count;
        const sumWrong = sum !== undefined && UNSIGNED.test(sum) && compareDecimals(sum, side.sum.value) !== 0;
        if (!countWrong && !sumWrong) continue;
        const message = `Expected TxsSummry/${name} to match the entries, found ${count ?? "?"} entries totalling ${sum ?? "?"} in the summary but ${side.count} entries totalling ${side.sum.value} in the statement`;
        if (integrity) throw new FormatError("control_total_mismatch", message, this.summaryLine);
        issues.push({ severity: "warning", code: "control_total_mismatch", message, line: this.summaryLine, field: `TxsSummry/${name}` });
      }
    }
    const { opening, closing } = this;
    if (this.complete && opening && closing && opening.currency === closing.currency) {
      const expected = addDecimals(opening.amount, this.booked.value);
      if (compareDecimals(expected, closing.amount) !== 0) {
        issues.push({
          severity: "warning",
          code: "balance_mismatch",
          message: `Expected the closing balance to equal opening ${opening.amount} plus booked entries ${this.booked.value} = ${expected}, found ${closing.amount}`,
          line: closing.line,
          field: "Bal",
        });
      }
    }
    return issues;
  }
}

/** A later page of a paginated statement may summarise the whole statement, not the page. */
function paginatedBeyondFirstPage(statement: Scope): boolean {
  const page = statement.first("StmtPgntn/PgNb", "RptPgntn/PgNb")?.trim();
  const last = statement.first("StmtPgntn/LastPgInd", "RptPgntn/LastPgInd")?.trim();
  return (page !== undefined && page !== "1") || last === "false";
}
