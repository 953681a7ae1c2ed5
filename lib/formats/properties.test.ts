/**
 * Cross-format properties over every registered parser and every sample file: arbitrary and
 * mutated bytes never crash, hang or throw anything but FormatError; every error and issue names a
 * line; every event fits the canonical schema; every rejected row follows an error issue on its line;
 * chunking never changes the result.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { balance, datasetRecord, parseIssue, statementInfo, transaction } from "@/lib/schemas/canonical";
import { chunked } from "./collect";
import { formats, parseFile } from "./index";
import { FormatError, type ByteSource, type ParseEvent } from "./types";

const HANG_MS = 3000;

const SAMPLE_FILES = [
  ...readdirSync("test/fixtures/samples", { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) => readdirSync(join("test/fixtures/samples", dir.name)).map((file) => join("test/fixtures/samples", dir.name, file))),
  ...readdirSync("lib/formats/qif/__fixtures__").map((file) => join("lib/formats/qif/__fixtures__", file)),
];
const FOLDER_FORMATS: Record<string, keyof typeof formats> = {
  bai2: "bai2",
  camt053: "camt053",
  mt940: "mt940",
  ofx: "ofx",
  csv: "csv",
  mpesa: "mpesa",
  pos: "pos",
  "trial-balance": "trial_balance",
  salespro: "salespro",
  __fixtures__: "qif",
};
const SAMPLES = SAMPLE_FILES.map((path) => ({
  path,
  bytes: new Uint8Array(readFileSync(path)),
  format: FOLDER_FORMATS[path.split("/").slice(-2)[0] ?? ""] ?? "csv",
}));

type Outcome = { events: ParseEvent[] } | { error: { code: string; line: number } };

function checkEvent(event: ParseEvent): void {
  switch (event.type) {
    case "statement":
      expect(statementInfo.safeParse(event.statement).error).toBeUndefined();
      break;
    case "balance":
      expect(balance.safeParse(event.balance).error).toBeUndefined();
      break;
    case "transaction":
      expect(transaction.safeParse(event.transaction).error).toBeUndefined();
      break;
    case "record":
      expect(datasetRecord.safeParse(event.record).error).toBeUndefined();
      break;
    case "issue":
      expect(parseIssue.safeParse(event.issue).error).toBeUndefined();
      expect(event.issue.line).toBeGreaterThanOrEqual(1);
      break;
    case "rejected":
      expect(["transaction", "sales_line", "gl_balance", "appointment"]).toContain(event.rejected.kind);
      expect(Number.isInteger(event.rejected.line) && event.rejected.line >= 1, `rejected row has line ${event.rejected.line}`).toBe(true);
      expect(event.rejected.raw).not.toBe("");
      for (const value of Object.values(event.rejected.fields)) expect(typeof value).toBe("string");
      break;
    case "meta":
      expect(event.meta.lines).toBeGreaterThanOrEqual(0);
      break;
  }
}

/** Every rejected row follows an error issue on its own line, so the review screen can say why. */
function checkRejectedRows(events: readonly ParseEvent[]): void {
  const errorLines = new Set<number>();
  for (const event of events) {
    if (event.type === "issue" && event.issue.severity === "error") errorLines.add(event.issue.line);
    if (event.type === "rejected") expect(errorLines.has(event.rejected.line), `rejected row on line ${event.rejected.line} has no error issue`).toBe(true);
  }
}

async function drain(events: AsyncIterable<ParseEvent>): Promise<Outcome> {
  const collected: ParseEvent[] = [];
  try {
    for await (const event of events) {
      checkEvent(event);
      collected.push(event);
    }
    expect(collected.filter((e) => e.type === "meta")).toHaveLength(1);
    expect(collected[collected.length - 1]?.type).toBe("meta");
    checkRejectedRows(collected);
    return { events: collected };
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    expect(Number.isInteger(error.line) && error.line >= 1, `${error.code} has line ${error.line}`).toBe(true);
    return { error: { code: error.code, line: error.line } };
  }
}

async function bounded(work: Promise<Outcome>, what: string): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const run = (name: keyof typeof formats, source: ByteSource) => bounded(drain(formats[name].parse(source)), name);

describe("every format on arbitrary bytes", () => {
  it.each(Object.keys(formats) as (keyof typeof formats)[])("%s never crashes, hangs or throws untyped errors", async (name) => {
    const text = fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), text), async (input) => {
        await run(name, [input]);
      }),
      { numRuns: 40 },
    );
  });
});

describe("every sample, mutated", () => {
  it("never crashes, hangs or throws untyped errors, through detection or its own parser", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(SAMPLES.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (index, edits, cut) => {
          const sample = SAMPLES[index]!;
          let input = new Uint8Array(sample.bytes);
          for (const [position, value] of edits) input[position % input.length] = value;
          if (cut !== undefined) input = input.subarray(0, cut % (input.length + 1));
          await bounded(drain(parseFile([input])), `${sample.path} via detection`);
          await run(sample.format, [input]);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("every sample, chunked", () => {
  it.each(SAMPLES.map((s) => [s.path, s] as const))("%s parses the same in chunks of any size", async (_path, sample) => {
    const whole = await bounded(drain(parseFile([sample.bytes])), sample.path);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 97 }), async (size) => {
        expect(await bounded(drain(parseFile(chunked(sample.bytes, size))), sample.path)).toEqual(whole);
      }),
      { numRuns: 3 },
    );
  });
});
