/**
 * The profile of an import, built while its rows stream past: counts, empty fields, date range, debit
 * and credit sums per currency, stated balances with the opening + transactions = closing check, and
 * the parser's own facts (control totals, encoding, date order, number format). Memory is O(statements
 * + currencies + fields), never O(rows).
 */
import { DecimalSum, addDecimals, compareDecimals, negateDecimal } from "@/lib/money/decimal";
import type { Balance, DatasetRecord, ParseIssue, Transaction } from "@/lib/schemas/canonical";
import type { JsonValue, ParseMeta } from "@/lib/formats/types";

export interface BalanceCheck {
  statementNo: number;
  currency: string | null;
  opening: string;
  transactions: string;
  expectedClosing: string;
  closing: string;
  difference: string;
}

export interface ImportProfile {
  format: string | null;
  encoding: string | null;
  rows: number;
  statements: number;
  byKind: Record<string, number>;
  rejected: number;
  errors: number;
  warnings: number;
  emptyFields: Record<string, number>;
  dateRange: { from: string; to: string } | null;
  totals: Record<string, { credits: string; debits: string; count: number }>;
  balanceChecks: BalanceCheck[];
  zeroBalances: number;
  balanceSum: string | null;
  parser: Record<string, JsonValue>;
}

const TRANSACTION_FIELDS = ["valueDate", "currency", "externalId", "bankReference", "customerReference", "typeCode", "counterpartyName", "counterpartyAccount"] as const;

interface StatementState {
  opening?: Balance;
  closing?: Balance;
  sum: DecimalSum;
  currency: string | null;
}

export class ProfileBuilder {
  private rows = 0;
  private statementCount = 0;
  private rejected = 0;
  private errors = 0;
  private warnings = 0;
  private readonly byKind: Record<string, number> = {};
  private readonly emptyFields: Record<string, number> = {};
  private from: string | null = null;
  private to: string | null = null;
  private readonly totals = new Map<string, { credits: DecimalSum; debits: DecimalSum; count: number }>();
  private readonly statements: StatementState[] = [];
  private zeroBalances = 0;
  private glSum: DecimalSum | null = null;
  private meta: ParseMeta | null = null;

  statement(currency: string | undefined): void {
    this.statementCount++;
    this.statements.push({ sum: new DecimalSum(), currency: currency ?? null });
  }

  balance(b: Balance): void {
    const current = this.statements.at(-1);
    if (!current) return;
    if (b.type === "opening") current.opening ??= b;
    if (b.type === "closing") current.closing = b;
  }

  private seeDate(date: string): void {
    if (this.from === null || date < this.from) this.from = date;
    if (this.to === null || date > this.to) this.to = date;
  }

  transaction(t: Transaction, fallbackCurrency: string | null): void {
    this.count("transaction");
    this.seeDate(t.bookingDate);
    for (const field of TRANSACTION_FIELDS) if (t[field] === undefined || t[field] === "") this.emptyFields[field] = (this.emptyFields[field] ?? 0) + 1;
    if (t.description.trim() === "") this.emptyFields.description = (this.emptyFields.description ?? 0) + 1;
    const currency = t.currency ?? fallbackCurrency ?? "?";
    let total = this.totals.get(currency);
    if (!total) this.totals.set(currency, (total = { credits: new DecimalSum(), debits: new DecimalSum(), count: 0 }));
    total.count++;
    (t.amount.startsWith("-") ? total.debits : total.credits).add(t.amount);
    this.statements.at(-1)?.sum.add(t.amount);
  }

  record(r: DatasetRecord): void {
    this.count(r.kind);
    if (r.kind === "sales_line") this.seeDate(r.date);
    if (r.kind === "gl_balance") {
      (this.glSum ??= new DecimalSum()).add(r.balance);
      if (compareDecimals(r.balance, "0") === 0) this.zeroBalances++;
    }
  }

  rejectedRow(): void {
    this.rejected++;
  }

  issue(i: ParseIssue): void {
    if (i.severity === "error") this.errors++;
    if (i.severity === "warning") this.warnings++;
  }

  finish(meta: ParseMeta): void {
    this.meta = meta;
  }

  private count(kind: string): void {
    this.rows++;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
  }

  result(): ImportProfile {
    const balanceChecks: BalanceCheck[] = [];
    this.statements.forEach((s, index) => {
      if (!s.opening || !s.closing) return;
      const transactions = s.sum.toString();
      const expectedClosing = addDecimals(s.opening.amount, transactions);
      balanceChecks.push({
        statementNo: index,
        currency: s.closing.currency ?? s.currency,
        opening: s.opening.amount,
        transactions,
        expectedClosing,
        closing: s.closing.amount,
        difference: addDecimals(s.closing.amount, negateDecimal(expectedClosing)),
      });
    });
    const totals: ImportProfile["totals"] = {};
    for (const [currency, t] of this.totals) totals[currency] = { credits: t.credits.toString(), debits: t.debits.toString(), count: t.count };
    return {
      format: this.meta?.format ?? null,
      encoding: this.meta?.encoding ?? null,
      rows: this.rows,
      statements: this.statementCount,
      byKind: this.byKind,
      rejected: this.rejected,
      errors: this.errors,
      warnings: this.warnings,
      emptyFields: this.emptyFields,
      dateRange: this.from && this.to ? { from: this.from, to: this.to } : null,
      totals,
      balanceChecks,
      zeroBalances: this.zeroBalances,
      balanceSum: this.glSum?.toString() ?? null,
      parser: this.meta?.extra ?? {},
    };
  }
}
