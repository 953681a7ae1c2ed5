import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { balance, parseIssue, statementInfo, transaction } from "@/lib/schemas/canonical";
import { chunked, collect, type CollectedParse } from "../collect";
import { FormatError, type ByteSource, type ParseOptions } from "../types";
import { bai2Format } from "./index";

const DIR = path.resolve(import.meta.dirname, "../../../test/fixtures/samples/bai2");
const SAMPLES = readdirSync(DIR).map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(DIR, name))) }));

type Outcome = { ok: CollectedParse } | { error: { code: string; line: number; message: string } };

/** Parses and checks the invariants every outcome must keep; anything but a FormatError fails the test. */
async function outcome(source: ByteSource, options?: ParseOptions): Promise<Outcome> {
  try {
    const result = await collect(bai2Format.parse(source, options));
    for (const issue of result.issues) parseIssue.parse(issue);
    for (const s of result.statements) {
      statementInfo.parse(s);
      for (const b of s.balances) balance.parse(b);
      for (const t of s.transactions) transaction.parse(t);
    }
    expect(result.meta?.format).toBe("bai2");
    return { ok: result };
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(error.line)).toBe(true);
    expect(error.message).not.toBe("");
    return { error: { code: error.code, line: error.line, message: error.message } };
  }
}

const bai2ish = fc
  .array(fc.constantFrom("01,", "02,", "03,", "16,", "49,", "88,", "98,", "99,", "/", ",", "\n", "\r\n", " ", "0", "1", "2", "9", "195", "409", "010", "V,", "S,", "D,", "Z", "150715", "2400", "USD", "-", "+", "A"), { maxLength: 200 })
  .map((parts) => "01,A,B,150716,0713,1,,,2/\n" + parts.join(""));

function mutate(bytes: Uint8Array, edits: { at: number; kind: number; byte: number }[]): Uint8Array {
  const out = Array.from(bytes);
  for (const { at, kind, byte } of edits) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (kind === 0) out[i] = byte;
    else if (kind === 1) out.splice(i, 0, byte);
    else out.splice(i, 1);
  }
  return new Uint8Array(out);
}

const SAFE_BYTES = [0x2c, 0x2f, 0x0a, 0x0d, 0x20, 0x30, 0x31, 0x39, 0x2d, 0x2b, 0x41, 0x56, 0x44, 0x53, 0xff, 0x00];
const edit = fc.record({ at: fc.nat(), kind: fc.integer({ min: 0, max: 2 }), byte: fc.oneof(fc.constantFrom(...SAFE_BYTES), fc.integer({ min: 0, max: 255 })) });

describe("robustness", () => {
  it("arbitrary bytes only ever end in a FormatError with a line, or a valid parse", async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
      await outcome([bytes]);
    }), { numRuns: 200 });
  });

  it("BAI2-like token soup only ever ends in a FormatError with a line, or a valid parse", async () => {
    await fc.assert(fc.asyncProperty(bai2ish, fc.boolean(), async (text, integrity) => {
      await outcome([new TextEncoder().encode(text)], { integrity });
    }), { numRuns: 300 });
  });

  it("mutated samples only ever end in a FormatError with a line, or a valid parse", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...SAMPLES), fc.array(edit, { minLength: 1, maxLength: 6 }), fc.boolean(), async (sample, edits, integrity) => {
      await outcome([mutate(sample.bytes, edits)], { integrity });
    }), { numRuns: 300 });
  });

  it("a sample truncated anywhere is rejected, never half-read as complete", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...SAMPLES.filter((s) => !s.name.includes("invalid"))), fc.double({ min: 0, max: 0.9, noNaN: true }), async (sample, fraction) => {
      const text = new TextDecoder().decode(sample.bytes);
      const cut = text.slice(0, Math.floor(text.lastIndexOf("99,") * fraction));
      const result = await outcome([new TextEncoder().encode(cut)]);
      expect("error" in result).toBe(true);
    }), { numRuns: 100 });
  });
});

describe("chunking", () => {
  it("every sample gives the same result in chunks of any size as whole", async () => {
    for (const sample of SAMPLES) {
      const whole = await outcome([sample.bytes]);
      for (const size of [1, 2, 3, 7, 64]) {
        expect(await outcome(chunked(sample.bytes, size)), `${sample.name} in chunks of ${size}`).toEqual(whole);
      }
    }
  });

  it("mutated samples give the same result in random chunk sizes as whole", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...SAMPLES), fc.array(edit, { maxLength: 4 }), fc.integer({ min: 1, max: 97 }), async (sample, edits, size) => {
      const bytes = mutate(sample.bytes, edits);
      expect(await outcome(chunked(bytes, size))).toEqual(await outcome([bytes]));
    }), { numRuns: 200 });
  });
});

describe("sniff", () => {
  it.each(SAMPLES.map((s) => [s.name, s.bytes] as const))("%s is BAI2 with high confidence", (_name, bytes) => {
    expect(bai2Format.sniff(new TextDecoder().decode(bytes), bytes)).toBeGreaterThanOrEqual(0.9);
  });

  it.each([
    ["\uFEFF01,A,B,150716,0713,1,,,2/", 0.99],
    ["  \n01,A,B,150716,0713,1,,,2/", 0.99],
    ["01,something odd", 0.9],
    [":20:STARTUMSE\n:25:123", 0],
    ["Date,Amount\n", 0],
    ["<?xml version", 0],
    ["OFXHEADER:100", 0],
    ["", 0],
    ["1,2,3", 0],
  ])("%j → %s", (head, confidence) => {
    expect(bai2Format.sniff(head, new TextEncoder().encode(head))).toBe(confidence);
  });
});
