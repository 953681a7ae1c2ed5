import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DelimitedRow } from "./delimited";
import { infer } from "./evidence";
import { emptyDateEvidence, type DateOrder } from "./dates";
import { NumberEvidence, type DecimalSeparator } from "./numbers";
import { quickTransaction, rowContext, transactionOf } from "./bank";
import type { ColumnIndexMapping } from "./mapping";

// Cells that are valid, invalid or borderline for every column kind, with and without padding.
const dateCell = fc.constantFrom("2025-10-01", "2025-02-29", "2024-02-29", "2025-13-01", " 2025-10-01 ", "01/02/2025", "13/10/2025", "10/13/2025", "1.2.25", "2025-10-01T12:30", "2025-10-01 08:00:00Z", "20251001", "3 Okt 2025", "Oct 3, 2025", "", "  ", "soon", "0999-01-01");
const amountCell = fc.constantFrom("-1234.56", "1234.56", "0", "0.00", "-0.00", "007", "12", "1,234.56", "1.234,56", "(42.17)", "42.17-", "€12.50", "12.50 EUR", "KSh 1,500", "US$3", "1 234,56", "1'234.56", "−5.00", "+5", "", " ", "abc", "1.2.3", "123456789012345678901", "12345678901234567890.5", "-12345678901234567890", ".5", "5.", "1,5");
const currencyCell = fc.constantFrom("EUR", "eur", " usd ", "", "EURO", "$", "kes");
const textCell = fc.constantFrom("", " ", "Grocer & Sons", "  padded  ", "REF123", "ACH", "x");
const dateOrder = fc.constantFrom<DateOrder>("YMD", "DMY", "MDY");
const separator = fc.constantFrom<DecimalSeparator>(".", ",");

/** A header layout: which columns exist, in a random order, plus unmapped extras (some with empty or repeated names). */
const layout = fc.record({
  amountStyle: fc.constantFrom("amount", "debitCredit", "debitOnly", "creditOnly"),
  valueDate: fc.boolean(),
  balance: fc.boolean(),
  currency: fc.boolean(),
  reference: fc.boolean(),
  counterparty: fc.boolean(),
  counterpartyAccount: fc.boolean(),
  type: fc.boolean(),
  extras: fc.array(fc.constantFrom("Category", "Note", "", "Category", "time", "balance"), { maxLength: 3 }),
  order: fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
});

describe("quickTransaction", () => {
  it("gives transactionOf's transaction exactly when transactionOf has no issue, and null otherwise", () => {
    fc.assert(
      fc.property(layout, fc.array(fc.tuple(dateCell, amountCell, currencyCell, textCell), { minLength: 16, maxLength: 16 }), dateOrder, separator, fc.option(fc.constantFrom("KES", "USD")), fc.nat(), (l, cells, order, sep, defaultCurrency, shorten) => {
        const kinds: string[] = ["date", "description"];
        if (l.amountStyle === "amount") kinds.push("amount");
        if (l.amountStyle === "debitCredit" || l.amountStyle === "debitOnly") kinds.push("debit");
        if (l.amountStyle === "debitCredit" || l.amountStyle === "creditOnly") kinds.push("credit");
        for (const k of ["valueDate", "balance", "currency", "reference", "counterparty", "counterpartyAccount", "type"] as const) if (l[k]) kinds.push(k);
        const unordered: { kind: string; header: string }[] = kinds.map((k) => ({ kind: k, header: k }));
        for (const extra of l.extras) unordered.push({ kind: "extra", header: extra });
        const columns = unordered
          .map((c, i) => ({ c, key: l.order[i] ?? 0 }))
          .sort((a, b) => a.key - b.key)
          .map(({ c }) => c);
        const headers = columns.map((c) => c.header);
        const mapping: ColumnIndexMapping = {};
        columns.forEach((c, i) => {
          if (c.kind !== "extra") mapping[c.kind as keyof ColumnIndexMapping] = i;
        });
        const fields = columns.map((c, i) => {
          const [date, amount, currency, text] = cells[i]!;
          if (c.kind === "date" || c.kind === "valueDate") return date;
          if (c.kind === "amount" || c.kind === "debit" || c.kind === "credit" || c.kind === "balance") return amount;
          if (c.kind === "currency") return currency;
          return text;
        });
        // Rows shorter than the header happen (a ragged export): missing cells read as empty.
        const row = new DelimitedRow(fields.slice(0, fields.length - (shorten % 3)), 7, fields.join(","));
        const inference = infer(emptyDateEvidence(), new NumberEvidence(), "lookahead", { dateOrder: order, decimalSeparator: sep });
        const ctx = rowContext(headers, mapping, inference, defaultCurrency ?? undefined);
        const quick = quickTransaction(row, ctx);
        const general = transactionOf(row, ctx);
        if (general.issues.length === 0 && general.transaction) {
          expect(quick).toEqual(general.transaction);
          // Same keys in the same order, so the staged JSON is the same too.
          expect(JSON.stringify(quick)).toBe(JSON.stringify(general.transaction));
        } else expect(quick).toBeNull();
      }),
      { numRuns: 4000 },
    );
  });
});
