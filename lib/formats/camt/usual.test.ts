/**
 * usualTransaction (entry.ts) against entryTransactions, the general path it must equal: random
 * entries and details filled slot by slot (every path EntryFields keeps, weighted towards the ones
 * the usual shape allows, values valid and not), compared as JSON so that even the order of the
 * keys must match. That is stricter than storage needs (staged records and ledger details are jsonb,
 * which does not keep key order), but it keeps the parser's events the same whichever path built them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collapseWhiteSpace, entryTransactions, usualTransaction, type EntryContext } from "./entry";
import { signedAmount, usualAmount } from "./amount";
import { EntryFields, PATHS } from "./entry-fields";
import { PathNode } from "./path-node";

type Leaves = [path: string, value: string][];

/** Fields of a subtree at `depth` holding the leaves, put as the readers put them (leaf by leaf). */
function fieldsOf(leaves: Leaves, depth: number, line: number, what: string, into = new EntryFields()): EntryFields {
  const root = new PathNode(what === "an entry" ? "Ntry" : "TxDtls", undefined, depth);
  into.reset(depth, line, what);
  for (const [path, value] of leaves) {
    const [elements, attribute] = path.split("@") as [string, string | undefined];
    let node = root;
    for (const name of elements.split("/")) node = new PathNode(name, node, node.depth + 1);
    into.leaf(node, attribute === undefined ? "" : "@Ccy", value);
  }
  return into;
}

/** Paths the usual shape allows in an entry or a detail (others drawn from all PATHS below). */
const ENTRY_PATHS = ["Amt", "Amt@Ccy", "CdtDbtInd", "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm", "AcctSvcrRef", "Sts", "Sts/Cd", "Sts/Prtry", "BkTxCd/Domn/Cd", "BkTxCd/Domn/Fmly/Cd", "BkTxCd/Domn/Fmly/SubFmlyCd", "BkTxCd/Prtry/Cd", "AddtlNtryInf"];
const DETAIL_PATHS = ["CdtDbtInd", "Refs/EndToEndId", "Refs/InstrId", "Refs/AcctSvcrRef", "RltdPties/Cdtr/Nm", "RltdPties/Cdtr/Pty/Nm", "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm", "RltdPties/CdtrAcct/Id/IBAN", "RltdPties/CdtrAcct/Id/Othr/Id", "RltdPties/DbtrAcct/Id/IBAN", "RltdPties/DbtrAcct/Id/Othr/Id", "BkTxCd/Domn/Cd", "BkTxCd/Prtry/Cd", "RmtInf/Ustrd", "AddtlTxInf"];

const valueOf = (path: string): fc.Arbitrary<string> => {
  if (path.endsWith("Amt")) return fc.constantFrom("10.00", "10.00", "10", "3.5", "1.005", "0.00", " 7.25 ", "x", "12345678901234567890.5", "0.50", "010.00", "0", "12.", "0.000");
  if (path.endsWith("@Ccy")) return fc.constantFrom("EUR", "EUR", "JPY", "KWD", "USD", "", "eur", " EUR ");
  if (path === "CdtDbtInd") return fc.constantFrom("CRDT", "DBIT", "DBIT", " CRDT ", "BOOK");
  if (path.includes("Dt")) return fc.constantFrom("2024-01-15", "2024-01-15", "2024-01-16T10:00:00", " 2024-01-15 ", "2024-02-30", "15.01.2024");
  return fc.constantFrom("A-1", "NOTPROVIDED", " padded ", "a  b\tc", "x\ny", " ", "true", "TRUE", "PMNT", "Caf\u00e9", "a\u00a0b");
};

/**
 * Leaves on `required` and some of `paths` (one of them twice now and then), and in one case of
 * five `extra` (a detail's own amount) or up to two on any path EntryFields keeps, in any order.
 */
const leaves = (required: readonly string[], paths: readonly string[], extra: readonly string[]): fc.Arbitrary<Leaves> =>
  fc
    .tuple(
      fc.subarray([...paths]),
      fc.oneof({ weight: 8, arbitrary: fc.constant([]) }, fc.constant([...extra]), fc.subarray([...PATHS], { maxLength: 2 })),
      fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, fc.subarray([...paths], { maxLength: 1 })),
    )
    .chain(([usual, any, twice]) => fc.tuple(...[...required, ...usual, ...any, ...twice].map((path) => valueOf(path).map((value): [string, string] => [path, value]))))
    .chain((pairs) => fc.shuffledSubarray(pairs, { minLength: pairs.length }));

const context: fc.Arbitrary<EntryContext> = fc.record({ accountCurrency: fc.constantFrom("EUR", "JPY", "X"), messageId: fc.constantFrom("M-1", "") }, { requiredKeys: [] });

describe("usualTransaction", () => {
  it("gives exactly entryTransactions' one transaction, and nothing to report, or leaves the entry to it", () => {
    let built = 0;
    const pool = [new EntryFields(), new EntryFields()];
    fc.assert(
      fc.property(leaves(["Amt", "CdtDbtInd", "BookgDt/Dt"], ENTRY_PATHS.slice(3), ["NtryRef"]), fc.option(leaves([], DETAIL_PATHS, ["Amt"]), { nil: undefined }), context, (entryLeaves, detailLeaves, ctx) => {
        // Reused fields, as the builder reuses them: reset must leave nothing of the last entry.
        const entry = fieldsOf(entryLeaves, 4, 7, "an entry", pool[0]);
        entry.append("<Ntry>raw</Ntry>");
        const details = detailLeaves === undefined ? [] : [fieldsOf(detailLeaves, 6, 8, "a transaction detail", pool[1])];
        const usual = usualTransaction(entry, details[0], ctx);
        if (usual === undefined) return;
        built++;
        const general = entryTransactions(entry, details, ctx);
        expect(JSON.stringify(general)).toBe(JSON.stringify({ transactions: [usual], issues: [] }));
      }),
      { numRuns: 3000 },
    );
    // A fair share of the entries have the usual shape (583 to 667 of 3000 in three runs).
    expect(built).toBeGreaterThan(300);
  });
});

describe("usualAmount", () => {
  it("is signedAmount's amount when it raises no issue, else undefined", () => {
    const text = fc.oneof(
      fc.stringMatching(/^ ?(0|00|[1-9])?\d{0,30}(\.\d{0,31})? ?$/),
      fc.constantFrom("", "0", "0.00", "00.00", "0.000", "-1.00", "+1.00", "1e3", ".50", "12.", "1234567890123456789012345678901.00"),
    );
    const currency = fc.option(fc.constantFrom("EUR", "JPY", "KWD", "CLF", "DEM", "eur", ""), { nil: undefined });
    const indicator = fc.option(fc.constantFrom("CRDT", "DBIT", " DBIT ", "BOOK"), { nil: undefined });
    fc.assert(
      fc.property(fc.option(text, { nil: undefined }), indicator, currency, (t, i, c) => {
        const signed = signedAmount(t, i, c, { line: 1, element: "Ntry" });
        expect(usualAmount(t, i, c)).toBe(signed.issues.length === 0 ? signed.amount : undefined);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("collapseWhiteSpace", () => {
  it("equals replace(/\\s+/g, \" \")", () => {
    const text = fc.array(fc.constantFrom(" ", " ", "a", "b", "\t", "\n", "\r", "\u00a0", "\u3000", "\u2028", "\ufeff", "\u200b"), { maxLength: 12 }).map((chars) => chars.join(""));
    fc.assert(fc.property(text, (t) => {
      expect(collapseWhiteSpace(t)).toBe(t.replace(/\s+/g, " "));
    }), { numRuns: 5000 });
  });
});
