/**
 * The quick reading of 16 records (ScannedDetail, built straight from the scanner's buffer) against
 * the general one (physical and logical records, field readers): the same events, in the same
 * order with the same keys, and the same error, on generated files of every 16 shape, on damaged
 * samples and on every chunking.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromMinorUnits } from "@/lib/money/decimal";
import { chunked } from "../collect";
import { FormatError, type ByteSource, type ParseEvent, type ParseOptions } from "../types";
import { readBai2 } from "./index";
import { minorUnitsText, twoPlaceText } from "./scannedDetail";

const DIR = path.resolve(import.meta.dirname, "../../../test/fixtures/samples/bai2");
const SAMPLES = readdirSync(DIR).map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(DIR, name))) }));

interface Run {
  events: ParseEvent[];
  /** The events as JSON, so key order counts too. */
  json: string;
  error?: { code: string; line: number; message: string };
}

async function run(source: ByteSource, options: ParseOptions | undefined, quick: boolean): Promise<Run> {
  const events: ParseEvent[] = [];
  let error: Run["error"];
  try {
    for await (const batch of readBai2(source, options, quick)) events.push(...batch);
  } catch (thrown) {
    if (!(thrown instanceof FormatError)) throw thrown;
    error = { code: thrown.code, line: thrown.line, message: thrown.message };
  }
  return { events, json: JSON.stringify(events), ...(error ? { error } : {}) };
}

/** The quick reading of `bytes`, whole and in chunks of `size`, equals the general reading of the whole. */
async function expectSameReading(bytes: Uint8Array, options: ParseOptions | undefined, sizes: number[]): Promise<Run> {
  const general = await run([bytes], options, false);
  for (const size of [Infinity, ...sizes]) {
    const quick = await run(size === Infinity ? [bytes] : chunked(bytes, size), options, true);
    expect(quick.error, `error in chunks of ${size}`).toEqual(general.error);
    expect(quick.events, `events in chunks of ${size}`).toStrictEqual(general.events);
    expect(quick.json, `key order in chunks of ${size}`).toBe(general.json);
  }
  return general;
}

const text = (chars: string, maxLength: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...chars.split("")), { maxLength }).map((a) => a.join(""));
const digits = (min: number, max: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(..."0123456789".split("")), { minLength: min, maxLength: max }).map((a) => a.join(""));

/** A 16 record as written, of the usual shape or near it, with its 88s. */
const detailRecord = fc
  .record({
    typeCode: fc.oneof(fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, "0")), fc.constantFrom("195", "475", "010", "890", "720", "16", "1950", " 195", "19a", "")),
    amount: fc.oneof(digits(1, 15), digits(16, 20), fc.constantFrom("", "-1250", "+1250", " 100", "100 ", "0", "000", "0000000000000000001")),
    funds: fc.constantFrom("", "0", "1", "2", "Z", "z", " Z", "Z ", "S,100,200,", "V,250131,1200", "V,,", "D,1,0,100", "D,2,0,100,1,200", "D,x", "X", "9"),
    bank: fc.oneof(text("AB12 /-", 12), fc.constantFrom("", "  ", " B1 ", "\tB2", "B3\u00a0", "B\u2028")),
    customer: fc.oneof(text("CD34 -", 10), fc.constantFrom("", " C1 ")),
    /** How the record goes on after the bank reference: stops there, after the customer reference, or has text. */
    shape: fc.constantFrom("bank", "customer", "text", "text", "text"),
    body: text("PAYMENT ,/-0123 \u00e9", 30),
    end: fc.constantFrom("/", "", " /", "/  "),
    continuations: fc.array(fc.oneof(text("MORE TEXT ,/-", 20), fc.constantFrom("", "1,2,3", "X,Y/")), { maxLength: 3 }),
  })
  .map((d) => {
    let record = `16,${d.typeCode},${d.amount},${d.funds},${d.bank}`;
    if (d.shape !== "bank") record += `,${d.customer}`;
    if (d.shape === "text") record += `,${d.body}`;
    return [record + d.end, ...d.continuations.map((c) => `88,${c}/`)];
  });

const separator = fc.constantFrom("\n", "\n", "\r\n", "\r", " ", "", "\n\n", "  \n");

/** A file of one group whose accounts hold generated details; trailers right or (sometimes) wrong. */
const bai2File = fc
  .record({
    currency: fc.constantFrom("", "USD", "JPY", "KWD", "CLF"),
    version: fc.constantFrom("2", "3"),
    accounts: fc.array(fc.record({ details: fc.array(detailRecord, { maxLength: 8 }), currency: fc.constantFrom("", "", "EUR"), right: fc.boolean(), stray: fc.constantFrom("", "", "", "GARBAGE", "88,ORPHAN/") }), { minLength: 1, maxLength: 3 }),
    before: fc.array(detailRecord, { maxLength: 1 }),
    separators: fc.array(separator, { minLength: 1, maxLength: 8 }),
  })
  .map((f) => {
    const records: string[][] = [[`01,SENDER,RECEIVER,250201,0800,1,80,,${f.version}/`], [`02,RECEIVER,BANK1,1,250131,2400,${f.currency},2/`], ...f.before];
    let groupTotal = 0n;
    let groupRecords = 2;
    for (const [i, account] of f.accounts.entries()) {
      const accountRecords: string[][] = [[`03,${1000 + i},${account.currency},010,500,,,015,700,,/`], ...account.details];
      if (account.stray) accountRecords.push([account.stray]);
      // The total the general reading would verify: 03 amounts plus every amount that is signed digits.
      let total = 1200n;
      for (const detail of account.details) {
        const amount = detail[0]!.split(",")[2] ?? "";
        if (/^[+-]?\d{1,30}$/.test(amount)) total += BigInt(amount);
      }
      const count = accountRecords.reduce((n, r) => n + r.length, 0) + 1;
      const stated = account.right ? total : total + 1n;
      accountRecords.push([`49,${stated},${account.right ? count : count + 1}/`]);
      records.push(...accountRecords);
      groupTotal += stated;
      groupRecords += count;
    }
    records.push([`98,${groupTotal},${f.accounts.length},${groupRecords}/`], [`99,${groupTotal},1,${groupRecords + 2}/`]);
    const physical = records.flat();
    return physical.map((r, i) => r + (i === physical.length - 1 ? "\n" : f.separators[i % f.separators.length])).join("");
  });

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

const SAFE_BYTES = [0x2c, 0x2f, 0x0a, 0x0d, 0x20, 0x30, 0x31, 0x39, 0x2d, 0x2b, 0x41, 0x5a, 0x56, 0x44, 0x53, 0x00];
const edit = fc.record({ at: fc.nat(), kind: fc.integer({ min: 0, max: 2 }), byte: fc.oneof(fc.constantFrom(...SAFE_BYTES), fc.integer({ min: 0, max: 255 })) });

const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("quick 16 records give the general reading's events", () => {
  it("on generated files of every detail shape, whole and in any chunks", async () => {
    let parsed = 0;
    let details = 0;
    await fc.assert(
      fc.asyncProperty(bai2File, fc.boolean(), fc.integer({ min: 1, max: 97 }), async (file, integrity, size) => {
        const general = await expectSameReading(encode(file), { integrity }, [size, 1]);
        if (!general.error) parsed++;
        details += general.events.filter((e) => e.type === "transaction" || e.type === "rejected").length;
      }),
      { numRuns: 400 },
    );
    // The generator must reach the interesting cases: whole files read, and many details.
    expect(parsed).toBeGreaterThan(40);
    expect(details).toBeGreaterThan(400);
  });

  it("on files whose trailers match, so every record is read to the end", async () => {
    const quiet = bai2File.filter((f) => !/GARBAGE|ORPHAN/.test(f));
    await fc.assert(
      fc.asyncProperty(quiet, fc.integer({ min: 1, max: 97 }), async (file, size) => {
        await expectSameReading(encode(file), { integrity: false }, [size]);
      }),
      { numRuns: 200 },
    );
  });

  it("on every sample in chunks of every size up to 70", async () => {
    for (const sample of SAMPLES) {
      await expectSameReading(sample.bytes, undefined, Array.from({ length: 70 }, (_, i) => i + 1));
    }
  });

  it("on damaged samples and damaged generated files", async () => {
    const sources = fc.oneof(fc.constantFrom(...SAMPLES.map((s) => s.bytes)), bai2File.map(encode));
    await fc.assert(
      fc.asyncProperty(sources, fc.array(edit, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.integer({ min: 1, max: 97 }), async (bytes, edits, integrity, size) => {
        await expectSameReading(mutate(bytes, edits), { integrity }, [size]);
      }),
      { numRuns: 400 },
    );
  });

  it("on a file of the benchmark's shape: one group, details with and without 88s", async () => {
    const lines = ["01,BENCHBANK,CUSTOMER,251031,1200,1,80,,2/", "02,CUSTOMER,BENCHBANK,1,251031,2400,USD,2/"];
    let groupTotal = 0n;
    let groupRecords = 2;
    for (let a = 0; a < 3; a++) {
      lines.push(`03,${100000001 + a},USD,010,123456,,,015,654321,,/`);
      let total = 123456n + 654321n;
      let count = 2;
      for (let i = 0; i < 300; i++) {
        const amount = BigInt((i * 7919 + a * 104729) % 500000);
        lines.push(`16,${["165", "195", "475", "699"][i % 4]},${amount},Z,B${String(i * 31).padStart(9, "0")},C${String(i).padStart(7, "0")},PAYMENT INVOICE ${String(i * 13).padStart(6, "0")}/`);
        total += amount;
        count++;
        if (i % 10 === 0) {
          lines.push(`88,ADDITIONAL TEXT FOR ${String(i).padStart(8, "0")}, WITH A COMMA/`);
          count++;
        }
      }
      lines.push(`49,${total},${count}/`);
      groupTotal += total;
      groupRecords += count;
    }
    lines.push(`98,${groupTotal},3,${groupRecords}/`, `99,${groupTotal},1,${groupRecords + 2}/`);
    const general = await expectSameReading(encode(lines.join("\n") + "\n"), undefined, [1, 7, 64, 4096, 65536]);
    expect(general.error).toBeUndefined();
    expect(general.events.filter((e) => e.type === "transaction")).toHaveLength(900);
  });
});

describe("minorUnitsText", () => {
  it("equals fromMinorUnits for every whole Number below 2^53, scale and sign", () => {
    const units = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.maxSafeNat().map((n) => n % 1e15), fc.maxSafeNat(), fc.constantFrom(1e15 - 1, 1e15, 1e15 + 1, 2 ** 53 - 1));
    const scale = fc.oneof(fc.constant(2), fc.integer({ min: 0, max: 8 }));
    fc.assert(
      fc.property(units, scale, fc.boolean(), (units, scale, negative) => {
        expect(minorUnitsText(units, scale, negative)).toBe(fromMinorUnits(negative ? -BigInt(units) : BigInt(units), scale));
      }),
      { numRuns: 5000 },
    );
    // Every fraction, in both signs, at the small end and just below 10^15 where the quick form stops.
    for (const base of [0, 1e15 - 10_000]) {
      for (let units = base; units < base + 10_000; units++) {
        for (const negative of [false, true]) expect(minorUnitsText(units, 2, negative)).toBe(fromMinorUnits(negative ? -BigInt(units) : BigInt(units), 2));
      }
    }
  });
});

describe("twoPlaceText", () => {
  // The scanner's `hundreds`: the amount's digits as written, leading zeros dropped, less the last two.
  const hundredsOf = (written: string): string => written.replace(/^0+/, "").slice(0, -2);

  it("equals fromMinorUnits at two places for every amount of 1-15 digits as written, in both signs", () => {
    const written = fc.oneof(
      fc.array(fc.constantFrom(..."0123456789".split("")), { minLength: 1, maxLength: 15 }).map((a) => a.join("")),
      fc.integer({ min: 0, max: 100_000 }).chain((n) => fc.integer({ min: 0, max: 6 }).map((zeros) => "0".repeat(zeros) + String(n))),
    );
    fc.assert(
      fc.property(written, fc.boolean(), (text, negative) => {
        const units = Number(text);
        expect(twoPlaceText(hundredsOf(text), units, negative)).toBe(fromMinorUnits(negative ? -BigInt(text) : BigInt(text), 2));
      }),
      { numRuns: 5000 },
    );
    for (const text of ["0", "00", "000", "7", "07", "007", "99", "100", "0100", "999999999999999"]) {
      for (const negative of [false, true]) expect(twoPlaceText(hundredsOf(text), Number(text), negative)).toBe(fromMinorUnits(negative ? -BigInt(text) : BigInt(text), 2));
    }
  });
});
