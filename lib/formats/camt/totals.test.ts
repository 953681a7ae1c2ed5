/**
 * StatementTotals.addEntry (which reads a short amount once for its three totals) against the
 * reference's (reference/totals.ts, the amount added three times as text): the same entries, valid
 * and not, give the same control-total and balance issues, whose messages carry every count and sum.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StatementTotals } from "./totals";
import { StatementTotals as ReferenceTotals } from "./reference/totals";
import { Scope } from "./scope";
import { Scope as ReferenceScope } from "./reference/scope";
import { EntryFields } from "./entry-fields";
import { PathNode } from "./path-node";

const amount = fc.oneof(
  fc.constantFrom("10.00", "0.00", "0", "007.50", "12.", ".5", "", " 3.25 ", "-1.00", "+1.00", "1e3", "x", "999999999999999", "9999999999999999", "123456789012.345"),
  fc.tuple(fc.stringMatching(/^\d{1,20}$/), fc.option(fc.stringMatching(/^\d{1,12}$/))).map(([whole, fraction]) => (fraction === null ? whole : `${whole}.${fraction}`)),
);
const entry = fc.record({
  amount: fc.option(amount),
  indicator: fc.option(fc.constantFrom("CRDT", "DBIT", " DBIT ", "BOOK")),
  status: fc.option(fc.constantFrom("BOOK", "PDNG", " BOOK ")),
  statusCode: fc.boolean(),
});

describe("StatementTotals.addEntry", () => {
  it("counts and sums entries as the reference does", () => {
    const fields = new EntryFields();
    const root = new PathNode("Ntry", undefined, 4);
    const node = (name: string, parent = root) => new PathNode(name, parent, parent.depth + 1);
    const amt = node("Amt"), indicator = node("CdtDbtInd"), sts = node("Sts"), stsCd = node("Cd", sts);
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
        const totals = new StatementTotals();
        const reference = new ReferenceTotals();
        for (const e of entries) {
          const scope = new ReferenceScope(4, 1, "an entry");
          fields.reset(4, 1, "an entry");
          if (e.amount !== null) (fields.leaf(amt, "", e.amount), scope.add("Amt", e.amount));
          if (e.indicator !== null) (fields.leaf(indicator, "", e.indicator), scope.add("CdtDbtInd", e.indicator));
          if (e.status !== null) {
            if (e.statusCode) (fields.leaf(stsCd, "", e.status), scope.add("Sts/Cd", e.status));
            else (fields.leaf(sts, "", e.status), scope.add("Sts", e.status));
          }
          totals.addEntry(fields);
          reference.addEntry(scope);
        }
        // Summary figures that never match, so every total shows in an issue's message.
        const statement = new Scope(3, 1, "a statement");
        const referenceStatement = new ReferenceScope(3, 1, "a statement");
        for (const name of ["TtlNtries", "TtlCdtNtries", "TtlDbtNtries"]) {
          for (const [path, value] of [[`TxsSummry/${name}/NbOfNtries`, "999"], [`TxsSummry/${name}/Sum`, "0.001"]] as const) {
            statement.add(path, value);
            referenceStatement.add(path, value);
          }
        }
        for (const t of [totals, reference]) {
          t.summaryLine = 2;
          t.addBalance({ type: "opening", amount: "0.00", currency: "EUR", line: 3 });
          t.addBalance({ type: "closing", amount: "0.001", currency: "EUR", line: 4 });
        }
        expect(totals.check(statement, false)).toEqual(reference.check(referenceStatement, false));
      }),
      { numRuns: 2000 },
    );
  });
});
