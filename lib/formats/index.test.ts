import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatName } from "@/lib/schemas/canonical";
import { chunked, collect } from "./collect";
import { formats, parseBatchesOf, parseFile, parseFileBatches } from "./index";
import { FormatError, type ParseEvent } from "./types";

const OFX = new Uint8Array(readFileSync("test/fixtures/samples/ofx/jseutter-ofxparse__bank_medium.ofx"));

describe("format registry", () => {
  it("registers a module for every format name, under its own name", () => {
    expect(Object.keys(formats).sort()).toEqual([...formatName.options].sort());
    for (const [key, module] of Object.entries(formats)) {
      expect(module.name).toBe(key);
      expect(typeof module.parse).toBe("function");
      expect(typeof module.sniff).toBe("function");
    }
  });
});

describe("parseFile", () => {
  it("detects the format from the first bytes and delegates, in chunks", async () => {
    const result = await collect(parseFile(chunked(OFX, 13)));
    expect(result.meta?.format).toBe("ofx");
    expect(result.statements[0]?.transactions).toHaveLength(3);
  });

  it("uses the format it is given, even when detection would say otherwise", async () => {
    await expect(collect(parseFile([OFX], { format: "qif" }))).rejects.toMatchObject({ name: "FormatError", code: "qif_missing_header" });
  });

  it("passes parse options through", async () => {
    const qif = new TextEncoder().encode("!Type:Bank\nD01/02/2025\nT-1\n^\n");
    const result = await collect(parseFile([qif], { dateOrder: "DMY" }));
    expect(result.statements[0]?.transactions[0]?.bookingDate).toBe("2025-02-01");
  });

  it("rejects content no format recognises with unknown_format on line 1", async () => {
    const error = await collect(parseFile([new Uint8Array([0, 0, 0, 1])])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ code: "unknown_format", line: 1 });
  });

  it("reads an async source (a stream) too", async () => {
    async function* stream() {
      yield* chunked(OFX, 100);
    }
    const result = await collect(parseFile(stream()));
    expect(result.meta?.format).toBe("ofx");
  });
});

/** Every sample file (and a few refusals), as bytes. */
function sampleFiles(): { name: string; bytes: Uint8Array }[] {
  const root = "test/fixtures/samples";
  const files = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) => readdirSync(join(root, dir.name)).map((file) => join(root, dir.name, file)));
  return files.map((path) => ({ name: path, bytes: new Uint8Array(readFileSync(path)) }));
}

/** Every event a stream gives, or the error it ends with (as code and line). */
async function outcome(events: AsyncIterable<ParseEvent>): Promise<{ events: ParseEvent[]; error?: unknown }> {
  const seen: ParseEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen };
  } catch (error) {
    return { events: seen, error: error instanceof FormatError ? { code: error.code, line: error.line, message: error.message } : String(error) };
  }
}

async function* flatten(batches: AsyncIterable<ParseEvent[]>): AsyncGenerator<ParseEvent, void, undefined> {
  for await (const batch of batches) yield* batch;
}

describe("parseFileBatches", () => {
  const samples = sampleFiles();

  it("covers the sample files", () => {
    expect(samples.length).toBeGreaterThan(30);
  });

  it.each([7, 4096])("gives exactly parseFile's events and errors for every sample file, in chunks of %i bytes", async (size) => {
    for (const sample of samples) {
      const expected = await outcome(parseFile(chunked(sample.bytes, size)));
      const actual = await outcome(flatten(parseFileBatches(chunked(sample.bytes, size))));
      expect(actual, sample.name).toEqual(expected);
    }
  });

  it("gives each module's events through parseBatchesOf, with and without a batch parser of its own", async () => {
    const withOwn = Object.values(formats).filter((module) => module.parseBatches).map((module) => module.name);
    expect(withOwn.sort()).toEqual(["bai2", "camt052", "camt053", "csv", "mpesa", "mt940", "mt942", "ofx"]);
    for (const sample of samples) {
      for (const name of ["csv", "qif", "mpesa"] as const) {
        const expected = await outcome(formats[name].parse(chunked(sample.bytes, 512)));
        const actual = await outcome(flatten(parseBatchesOf(formats[name])(chunked(sample.bytes, 512))));
        expect(actual, `${sample.name} as ${name}`).toEqual(expected);
      }
    }
  });

  it("refuses content no format recognises, as parseFile does", async () => {
    await expect(outcome(flatten(parseFileBatches([new Uint8Array([0, 0, 0, 1])])))).resolves.toMatchObject({ error: { code: "unknown_format", line: 1 } });
  });
});
