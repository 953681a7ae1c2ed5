import { describe, expect, it } from "vitest";
import { chunked } from "../collect";
import { linesOf, sniffEncoding } from "./text";

async function lines(bytes: Uint8Array, size = bytes.length || 1) {
  const out: [number, string][] = [];
  for await (const l of linesOf(chunked(bytes, size))) out.push([l.line, l.text]);
  return out;
}
const enc = (s: string) => new TextEncoder().encode(s);

describe("readLines", () => {
  it.each([1, 2, 3, 7, 1000])("splits LF, CRLF and lone CR the same at chunk size %i", async (size) => {
    expect(await lines(enc("a\nb\r\nc\rd"), size)).toEqual([[1, "a"], [2, "b"], [3, "c"], [4, "d"]]);
    expect(await lines(enc("a\r\n\r\nb\n"), size)).toEqual([[1, "a"], [2, ""], [3, "b"]]);
  });
  it("yields nothing for an empty file", async () => {
    expect(await lines(new Uint8Array(0))).toEqual([]);
  });
  it("decodes a multi-byte character split across chunks", async () => {
    expect(await lines(enc("Grüße\n"), 1)).toEqual([[1, "Grüße"]]);
  });
});

describe("sniffEncoding", () => {
  it.each([
    [[0xef, 0xbb, 0xbf, 0x41], "utf-8-bom"],
    [[0xff, 0xfe, 0x41, 0x00], "utf-16le"],
    [[0xfe, 0xff, 0x00, 0x41], "utf-16be"],
    [[0x41, 0x00, 0x42, 0x00, 0x43, 0x00], "utf-16le"],
    [[0x00, 0x41, 0x00, 0x42, 0x00, 0x43], "utf-16be"],
    [[0x47, 0x72, 0xc3, 0xbc, 0xc3, 0x9f], "utf-8"],
    [[0x47, 0x72, 0xfc, 0xdf, 0x65], "windows-1252"],
  ] as const)("%j is %s", (bytes, expected) => {
    expect(sniffEncoding(Uint8Array.from(bytes))).toBe(expected);
  });
});

describe("readLineBatches against a character-by-character reference", () => {
  /** The per-character splitter readLineBatches had before it searched with indexOf. */
  function referenceLines(chunks: string[]): { text: string; line: number }[] {
    const out: { text: string; line: number }[] = [];
    let pending = "";
    let line = 1;
    let skipLf = false;
    for (const chunk of chunks) {
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        const ch = chunk.charCodeAt(i);
        if (ch === 10) {
          if (skipLf && i === start && pending === "") {
            skipLf = false;
            start = i + 1;
            continue;
          }
          out.push({ text: pending + chunk.slice(start, i), line: line++ });
          pending = "";
          start = i + 1;
          skipLf = false;
        } else if (ch === 13) {
          out.push({ text: pending + chunk.slice(start, i), line: line++ });
          pending = "";
          start = i + 1;
          skipLf = true;
        } else skipLf = false;
      }
      pending += chunk.slice(start);
    }
    if (pending !== "") out.push({ text: pending, line });
    return out;
  }

  it("splits any text in any chunking the same way", async () => {
    const fc = (await import("fast-check")).default;
    const { readLineBatches } = await import("./text");
    const piece = fc.constantFrom("a", "bc", "\n", "\r", "\r\n", "\n\r", "");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(piece, { maxLength: 6 }).map((p) => p.join("")), { maxLength: 8 }), async (chunks) => {
        async function* source(): AsyncGenerator<string> {
          yield* chunks;
        }
        const lines: { text: string; line: number }[] = [];
        for await (const batch of readLineBatches(source())) lines.push(...batch);
        expect(lines).toEqual(referenceLines(chunks));
      }),
      { numRuns: 1500 },
    );
  });
});
