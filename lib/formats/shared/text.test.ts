import { describe, expect, it } from "vitest";
import { chunked } from "../collect";
import { FormatError } from "../types";
import { linesOf, MAX_LINE_CHARS, readLineBatches, sniffEncoding } from "./text";

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

describe("line length bound", () => {
  const lines = async (text: string, size: number) => {
    async function* chunks() {
      for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
    }
    const out: string[] = [];
    for await (const batch of readLineBatches(chunks())) for (const l of batch) out.push(l.text);
    return out;
  };

  it("a line over MAX_LINE_CHARS is a FormatError on its line, whole or in pieces, ended or not", async () => {
    for (const text of [`a\nb\n${"x".repeat(MAX_LINE_CHARS + 1)}\nc\n`, `a\nb\n${"x".repeat(MAX_LINE_CHARS + 1)}`, `a\r\nb\r${"x".repeat(MAX_LINE_CHARS + 1)}\r\n`]) {
      for (const size of [text.length, 4096, 70_000]) {
        const error = await lines(text, size).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(FormatError);
        expect(error).toMatchObject({ code: "line_too_long", line: 3 });
      }
    }
  });

  it("a line of exactly MAX_LINE_CHARS is read", async () => {
    expect((await lines(`${"x".repeat(MAX_LINE_CHARS)}\nb`, 65_536)).map((l) => l.length)).toEqual([MAX_LINE_CHARS, 1]);
  });
});
