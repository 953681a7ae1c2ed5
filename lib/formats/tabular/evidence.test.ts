import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DelimitedRow, type TableRow } from "./delimited";
import { addDateEvidence, emptyDateEvidence } from "./dates";
import { ColumnEvidence, RowWindow } from "./evidence";
import { NumberEvidence } from "./numbers";

// Cells near the character-code fast paths' edges (padding, signs, separators, lengths), and far from them.
const cell = fc.oneof(
  fc.constantFrom("2025-10-01", "2025-02-30", "9999-99-99", "2025-1-01", " 2025-10-01", "2025/10/01", "2025-10-01T08:00", "01/02/2025", "13.10.2025", "3 Okt 2025", "20251001", "", " "),
  fc.constantFrom("-259.46", "259.46", "1.500", "-1.500", "12", "-", "-.5", ".5", "5.", "0.1234", "1,234.56", "1.234,56", "(42.17)", "42.17-", "+5.00", "€12.50", " 12.50", "1 500", "--5", "1.2.3"),
  fc.stringMatching(/^[-+ .,0-9]{0,12}$/),
);

describe("ColumnEvidence", () => {
  it("tallies exactly what addDateEvidence and NumberEvidence.add tally, cell by cell", () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 0, maxLength: 4 }), { maxLength: 30 }), (rows) => {
        const evidence = new ColumnEvidence([0, 2], [1, 3]);
        const dates = [emptyDateEvidence(), emptyDateEvidence()];
        const numbers = [new NumberEvidence(), new NumberEvidence()];
        for (const fields of rows) {
          evidence.add(new DelimitedRow(fields, 1, fields.join(",")));
          addDateEvidence(dates[0]!, fields[0] ?? "");
          addDateEvidence(dates[1]!, fields[2] ?? "");
          numbers[0]!.add(fields[1] ?? "");
          numbers[1]!.add(fields[3] ?? "");
        }
        expect(evidence.dates.get(0)).toEqual(dates[0]);
        expect(evidence.dates.get(2)).toEqual(dates[1]);
        expect(evidence.numbers.get(1)).toEqual(numbers[0]);
        expect(evidence.numbers.get(3)).toEqual(numbers[1]);
        expect(evidence.rows).toBe(rows.length);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("RowWindow", () => {
  it("replays the rows it holds, in order, in batches of at most 1024, and empties itself", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom("a", "", "b c"), { maxLength: 5 }), { maxLength: 2600 }), (widths) => {
        const rows: TableRow[] = widths.map((fields, i) => new DelimitedRow(fields, i + 1, fields.join(";")));
        const window = new RowWindow();
        for (const row of rows) window.push(row);
        expect(window.length).toBe(rows.length);
        const batches = [...window.batches()];
        expect(batches.every((b) => b.length > 0 && b.length <= 1024)).toBe(true);
        expect(batches.flat()).toEqual(rows);
        expect(window.length).toBe(0);
      }),
      { numRuns: 30 },
    );
  });
});
