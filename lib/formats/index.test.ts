import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatName } from "@/lib/schemas/canonical";
import { chunked, collect } from "./collect";
import { formats, parseFile } from "./index";
import { FormatError } from "./types";

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
