/**
 * Test helpers shared by the table formats' suites: parse outcome (result or FormatError, anything else
 * rethrown), canonical-schema checks, and the fast-check properties every parser must hold.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { datasetRecord, parseIssue, statementInfo, transaction, balance } from "@/lib/schemas/canonical";
import { chunked, collect, type CollectedParse } from "../collect";
import { FormatError, type FormatModule, type ParseEvent, type ParseOptions } from "../types";

export type Outcome = { ok: true; result: CollectedParse; metaLast: boolean } | { ok: false; error: FormatError };

export async function outcome(format: FormatModule, bytes: Uint8Array, chunkSize?: number, options?: ParseOptions): Promise<Outcome> {
  const source = chunkSize ? [...chunked(bytes, chunkSize)] : [bytes];
  const events: ParseEvent[] = [];
  try {
    for await (const event of format.parse(source, options)) events.push(event);
  } catch (error) {
    if (error instanceof FormatError) return { ok: false, error };
    throw error;
  }
  async function* replay(): AsyncGenerator<ParseEvent> {
    yield* events;
  }
  const metaCount = events.filter((e) => e.type === "meta").length;
  return { ok: true, result: await collect(replay()), metaLast: metaCount === 1 && events[events.length - 1]?.type === "meta" };
}

/** Every rule a successful or failed parse must satisfy. */
export function expectWellFormed(o: Outcome): void {
  if (!o.ok) {
    expect(o.error.line).toBeGreaterThanOrEqual(1);
    expect(o.error.code).toMatch(/^[a-z0-9_]+$/);
    return;
  }
  expect(o.metaLast).toBe(true);
  for (const issue of o.result.issues) {
    expect(parseIssue.safeParse(issue).success).toBe(true);
    expect(issue.line).toBeGreaterThanOrEqual(1);
  }
  for (const s of o.result.statements) {
    expect(statementInfo.safeParse(s).success).toBe(true);
    for (const t of s.transactions) expect(transaction.safeParse(t).success, JSON.stringify(t)).toBe(true);
    for (const b of s.balances) expect(balance.safeParse(b).success).toBe(true);
  }
  for (const r of o.result.records) expect(datasetRecord.safeParse(r).success, JSON.stringify(r)).toBe(true);
  const errorLines = new Set(o.result.issues.filter((i) => i.severity === "error").map((i) => i.line));
  for (const r of o.result.rejected) {
    expect(r.line).toBeGreaterThanOrEqual(1);
    expect(r.raw).not.toBe("");
    expect(errorLines.has(r.line), `rejected row on line ${r.line} has no error issue`).toBe(true);
  }
}

function comparable(o: Outcome): unknown {
  return o.ok ? { ok: true, result: o.result } : { ok: false, code: o.error.code, line: o.error.line, message: o.error.message };
}

/** A byte-level mutation of a sample: overwrite, delete or insert a few bytes. */
export const mutatedSample = (samples: Uint8Array[]): fc.Arbitrary<Uint8Array> =>
  fc
    .tuple(
      fc.constantFrom(...samples),
      fc.array(fc.tuple(fc.constantFrom("set", "delete", "insert"), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 6 }),
    )
    .map(([sample, ops]) => {
      let bytes = Array.from(sample);
      for (const [op, at, value, length] of ops) {
        const i = bytes.length === 0 ? 0 : at % bytes.length;
        if (op === "set") bytes[i] = value;
        else if (op === "delete") bytes.splice(i, length);
        else bytes.splice(i, 0, ...Array.from({ length }, (_, k) => (value + k * 37) % 256));
      }
      return Uint8Array.from(bytes);
    });

const interesting = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.string({ maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
  fc.array(fc.constantFrom(",", ";", "\t", "|", '"', "\n", "\r\n", "\r", "a", "1", "-", ".", "Date", "Amount", "12/10/2025", "(1,234.50)", " "), { maxLength: 80 }).map((parts) => new TextEncoder().encode(parts.join(""))),
);

export async function checkArbitraryBytes(format: FormatModule, numRuns = 200): Promise<void> {
  await fc.assert(
    fc.asyncProperty(interesting, async (bytes) => {
      expectWellFormed(await outcome(format, bytes));
    }),
    { numRuns },
  );
}

export async function checkMutatedSamples(format: FormatModule, samples: Uint8Array[], numRuns = 200): Promise<void> {
  await fc.assert(
    fc.asyncProperty(mutatedSample(samples), async (bytes) => {
      expectWellFormed(await outcome(format, bytes));
    }),
    { numRuns },
  );
}

export async function checkChunking(format: FormatModule, samples: Uint8Array[], numRuns = 100): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.constantFrom(...samples), mutatedSample(samples)), fc.integer({ min: 1, max: 97 }), async (bytes, size) => {
      const whole = await outcome(format, bytes);
      const pieces = await outcome(format, bytes, size);
      expect(comparable(pieces)).toEqual(comparable(whole));
    }),
    { numRuns },
  );
}
