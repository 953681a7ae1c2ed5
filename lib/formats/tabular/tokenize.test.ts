import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRowsWithPapaparse, type Dialect } from "./delimited";
import { tokenizeRows } from "./tokenize";

const dialects: Dialect[] = [
  { delimiter: ",", quoteChar: '"', newline: "\n" },
  { delimiter: ";", quoteChar: '"', newline: "\r\n" },
  { delimiter: "\t", quoteChar: "'", newline: "\r" },
  { delimiter: "|", quoteChar: '"', newline: "\n" },
];

// Few distinct characters, so quotes, delimiters and line breaks meet in every arrangement.
const piece = fc.constantFrom("a", "bc", ",", ";", "\t", "|", '"', "'", "\n", "\r", "\r\n", " ", '""', "");
const text = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(""));

describe("tokenizeRows", () => {
  it("gives papaparse's rows and offsets whenever it answers (final and unfinished input)", () => {
    let answered = 0;
    fc.assert(
      fc.property(text, fc.constantFrom(...dialects), fc.boolean(), (input, dialect, final) => {
        const fast = tokenizeRows(input, dialect, final);
        if (fast === null) return;
        answered++;
        expect(fast).toEqual(parseRowsWithPapaparse(input, dialect, final));
      }),
      { numRuns: 5000 },
    );
    // The fast path must take most inputs, or it is not the path being tested.
    expect(answered).toBeGreaterThan(2500);
  });

  it("gives papaparse's rows for well-formed tables mixing quoted and quote-free rows", () => {
    // The soup above is mostly unbalanced quotes (answered null); this builds rows papaparse and the
    // fast path both accept, so quote-free rows follow quoted ones whose values hold delimiters and
    // line breaks: the delimiter and newline positions carried from one row to the next must be
    // re-searched past them.
    const value = fc.array(fc.constantFrom("a", "1", " ", ",", ";", "\t", "|", "\n", "\r\n", '"', "'"), { maxLength: 6 }).map((parts) => parts.join(""));
    const table = fc.tuple(
      fc.constantFrom(...dialects),
      fc.array(fc.array(fc.tuple(value, fc.boolean()), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
    );
    fc.assert(
      fc.property(table, fc.boolean(), ([dialect, rows, trailingNewline], final) => {
        const { delimiter, quoteChar: q, newline } = dialect;
        const cell = ([v, quoted]: [string, boolean]) =>
          quoted ? q + v.split(q).join(q + q) + q : v.split(delimiter).join("").split(q).join("").split("\r").join("").split("\n").join("");
        const input = rows.map((row) => row.map(cell).join(delimiter)).join(newline) + (trailingNewline ? newline : "");
        const fast = tokenizeRows(input, dialect, final);
        expect(fast).toEqual(parseRowsWithPapaparse(input, dialect, final));
      }),
      { numRuns: 3000 },
    );
  });

  it("reads quoted fields with delimiters, escaped quotes and line breaks", () => {
    const dialect = dialects[0]!;
    const input = 'a,"b,c","say ""hi""","x\ny"\nlast,1';
    expect(tokenizeRows(input, dialect, true)).toEqual({
      rows: [
        { fields: ["a", "b,c", 'say "hi"', "x\ny"], end: 27 },
        { fields: ["last", "1"], end: input.length },
      ],
      consumed: input.length,
    });
    // Not final: the unterminated last row waits for more text.
    expect(tokenizeRows(input, dialect, false)).toEqual({ rows: [{ fields: ["a", "b,c", 'say "hi"', "x\ny"], end: 27 }], consumed: 27 });
  });

  it("leaves to papaparse what it does not reproduce", () => {
    const dialect = dialects[0]!;
    expect(tokenizeRows('"a" ,b\n', dialect, true)).toBeNull();
    expect(tokenizeRows('"a"x,b\n', dialect, true)).toBeNull();
    expect(tokenizeRows('"open,b\n', dialect, true)).toBeNull();
    expect(tokenizeRows("a,b\n", { delimiter: "::", quoteChar: '"', newline: "\n" }, true)).toBeNull();
  });
});
