import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FormatName } from "@/lib/schemas/canonical";
import { detectAmong, detectFormat } from "./detect";
import type { FormatModule } from "./types";

const SAMPLES = "test/fixtures/samples";
const EXPECTED_BY_FOLDER: Record<string, FormatName> = {
  bai2: "bai2",
  camt053: "camt053",
  mt940: "mt940",
  ofx: "ofx",
  csv: "csv",
  mpesa: "mpesa",
  pos: "pos",
  "trial-balance": "trial_balance",
  salespro: "salespro",
};

const samples = Object.entries(EXPECTED_BY_FOLDER).flatMap(([folder, format]) =>
  readdirSync(join(SAMPLES, folder)).map((file) => ({ path: join(SAMPLES, folder, file), format })),
);
const qifFixtures = readdirSync("lib/formats/qif/__fixtures__").map((file) => ({ path: join("lib/formats/qif/__fixtures__", file), format: "qif" as const }));

describe("detectFormat over every sample", () => {
  it.each([...samples, ...qifFixtures].map((s) => [s.path, s.format] as const))("%s → %s", (path, format) => {
    const detection = detectFormat(new Uint8Array(readFileSync(path)));
    expect(detection.format).toBe(format);
    expect(detection.confidence).toBeGreaterThan(0);
    for (const alternative of detection.alternatives) expect(alternative.confidence).toBeLessThanOrEqual(detection.confidence);
  });

  it("reports the encoding", () => {
    expect(detectFormat(new Uint8Array(readFileSync(`${SAMPLES}/csv/bank_de_semicolon_cp1252.csv`))).encoding).toBe("windows-1252");
    expect(detectFormat(new Uint8Array(readFileSync(`${SAMPLES}/csv/bank_us_debit_credit_bom.csv`))).encoding).toBe("utf-8-bom");
    expect(detectFormat(new Uint8Array(readFileSync(`${SAMPLES}/ofx/jseutter-ofxparse__bank_medium.ofx`))).encoding).toBe("utf-8");
  });

  it("detects an OFX file written as UTF-16 LE with a BOM", () => {
    const text = readFileSync(`${SAMPLES}/ofx/jseutter-ofxparse__suncorp.ofx`, "latin1");
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, "utf16le")]);
    expect(detectFormat(utf16)).toMatchObject({ format: "ofx", encoding: "utf-16le" });
  });

  it("names nothing for empty or meaningless bytes", () => {
    expect(detectFormat(new Uint8Array(0)).format).toBeNull();
    expect(detectFormat(new Uint8Array([0, 1, 2, 3, 0, 0, 255])).format).toBeNull();
  });
});

describe("detectAmong", () => {
  const module = (name: FormatName, sniff: FormatModule["sniff"]): FormatModule => ({
    name,
    sniff,
    parse: async function* () {},
  });
  const bytes = new TextEncoder().encode("anything");

  it("the surest module wins and the others are alternatives, surest first", () => {
    const result = detectAmong(bytes, [module("csv", () => 0.3), module("pos", () => 0.9), module("qif", () => 0.5), module("ofx", () => 0)]);
    expect(result).toEqual({
      format: "pos",
      confidence: 0.9,
      encoding: "utf-8",
      alternatives: [
        { format: "qif", confidence: 0.5 },
        { format: "csv", confidence: 0.3 },
      ],
    });
  });

  it("a tie goes to the module registered first", () => {
    expect(detectAmong(bytes, [module("mpesa", () => 0.8), module("csv", () => 0.8)]).format).toBe("mpesa");
  });

  it("a sniffer that throws or answers nonsense counts as no opinion", () => {
    const result = detectAmong(bytes, [
      module("ofx", () => {
        throw new Error("boom");
      }),
      module("qif", () => Number.NaN),
      module("csv", () => 7),
    ]);
    expect(result).toMatchObject({ format: "csv", confidence: 1, alternatives: [] });
  });

  it("gives the sniffers the decoded head without a BOM and the raw bytes", () => {
    let seen = "";
    let raw = 0;
    detectAmong(new Uint8Array([0xef, 0xbb, 0xbf, 0x41, 0x42]), [
      module("csv", (head, b) => {
        seen = head;
        raw = b.length;
        return 0;
      }),
    ]);
    expect([seen, raw]).toEqual(["AB", 5]);
  });
});
