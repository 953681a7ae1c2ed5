import { describe, expect, it } from "vitest";
import { detectDialect, readDelimitedRows, type Dialect, type TableRow } from "./delimited";

async function rowsOf(text: string, dialect: Dialect, pieces = 1): Promise<{ rows: TableRow[]; lines: number }> {
  const size = Math.max(1, Math.ceil(text.length / pieces));
  async function* chunks(): AsyncGenerator<string> {
    for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
  }
  let lines = 0;
  const rows: TableRow[] = [];
  for await (const row of readDelimitedRows(chunks(), dialect, (n) => (lines = n))) rows.push(row);
  return { rows, lines };
}

const comma: Dialect = { delimiter: ",", quoteChar: '"', newline: "\n" };

describe("readDelimitedRows", () => {
  it("gives each row its physical start line, counting newlines inside quotes", async () => {
    const text = 'a,b\n"multi\nline",2\n\nc,"x\r\ny"\nlast,1';
    for (const pieces of [1, 2, 3, 7, text.length]) {
      const { rows, lines } = await rowsOf(text, comma, pieces);
      expect(rows.map((r) => [r.line, r.fields])).toEqual([
        [1, ["a", "b"]],
        [2, ["multi\nline", "2"]],
        // Line breaks are unified to LF before rows are split (mixed-ending files), inside quotes too.
        [5, ["c", "x\ny"]],
        [7, ["last", "1"]],
      ]);
      expect(lines).toBe(7);
      expect(rows[1]!.raw).toBe('"multi\nline",2');
    }
  });

  it("CRLF files: lines counted once per CRLF", async () => {
    const { rows, lines } = await rowsOf("h1;h2\r\n1;2\r\n3;4\r\n", { delimiter: ";", quoteChar: '"', newline: "\r\n" }, 5);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(lines).toBe(3);
  });

  it("mixed line endings: CRLF, LF and lone CR each end a row and a line, in any chunking", async () => {
    const text = "h1,h2\r\n1,2\n3,4\r5,6\r\n\r7,8";
    for (const pieces of [1, 2, 3, 5, text.length]) {
      for (const newline of ["\r\n", "\n", "\r"] as const) {
        const { rows, lines } = await rowsOf(text, { ...comma, newline }, pieces);
        expect(rows.map((r) => [r.line, r.fields, r.raw])).toEqual([
          [1, ["h1", "h2"], "h1,h2"],
          [2, ["1", "2"], "1,2"],
          [3, ["3", "4"], "3,4"],
          [4, ["5", "6"], "5,6"],
          [6, ["7", "8"], "7,8"],
        ]);
        expect(lines).toBe(6);
      }
    }
  });

  it("a row over a megabyte is refused on its line, whether it arrives whole or in pieces", async () => {
    const text = `a,b\n1,${"x".repeat(1_100_000)}\n2,3\n`;
    for (const pieces of [1, 40]) {
      const error = await rowsOf(text, comma, pieces).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "row_too_long", line: 2 });
    }
  });

  it("escaped quotes", async () => {
    const { rows } = await rowsOf('a,"say ""hi"""\n', comma);
    expect(rows[0]!.fields).toEqual(["a", 'say "hi"']);
  });
});

describe("detectDialect", () => {
  it.each([
    ["Date,Amount\n2025-01-01,1.00\n", ","],
    ["Date;Amount\n01.01.2025;1,00\n01.02.2025;-2,50\n", ";"],
    ["Date\tAmount\n2025-01-01\t1.00\n", "\t"],
    ["Date|Amount|Memo\n2025-01-01|1.00|a, b\n", "|"],
  ])("%j → %j", (text, delimiter) => {
    expect(detectDialect(text, true).dialect.delimiter).toBe(delimiter);
  });
  it("detects CRLF", () => {
    expect(detectDialect("a,b\r\n1,2\r\n", true).dialect.newline).toBe("\r\n");
  });
});
