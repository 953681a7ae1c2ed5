/**
 * The quick reading of entries (quickTransaction, straight from the ":61:" line, totals from the
 * amount's integer units) against the general one (statementTransaction, totals re-read from the
 * amount string): the same events, in the same order with the same keys, and the same error, on
 * statements of entries at and near the quick shape, on samples, damaged samples and the bench
 * generator's file, in any chunking. The statements' totals show in balance_mismatch issues and in
 * MT942 control-total messages, so they are compared too.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { generateMt940 } from "@/bench/generate/mt940";
import { chunked } from "../collect";
import { FormatError, type ParseEvent, type ParseOptions } from "../types";
import { mutate, sample, type Mutation } from "../camt/test-support";
import { parseInformation, quickInformation } from "./information";
import { mt940Batches } from "./parse";

interface Run {
  events: ParseEvent[];
  /** The events as JSON, so key order counts too. */
  json: string;
  error?: { code: string; line: number; message: string };
}

async function run(chunks: Iterable<Uint8Array>, options: ParseOptions, quick: boolean): Promise<Run> {
  const events: ParseEvent[] = [];
  let error: Run["error"];
  try {
    for await (const batch of mt940Batches([...chunks], options, quick)) events.push(...batch);
  } catch (thrown) {
    if (!(thrown instanceof FormatError)) throw thrown;
    error = { code: thrown.code, line: thrown.line, message: thrown.message };
  }
  return { events, json: JSON.stringify(events), ...(error ? { error } : {}) };
}

/** The quick reading of `bytes`, whole and in chunks of each size, equals the general reading of the whole. */
async function expectSameReading(bytes: Uint8Array, options: ParseOptions, sizes: readonly number[]): Promise<Run> {
  const general = await run([bytes], options, false);
  for (const size of [bytes.length || 1, ...sizes]) {
    const quick = await run(chunked(bytes, size), options, true);
    expect(quick.error, `error in chunks of ${size}`).toEqual(general.error);
    expect(quick.events, `events in chunks of ${size}`).toStrictEqual(general.events);
    expect(quick.json, `key order in chunks of ${size}`).toBe(general.json);
  }
  return general;
}

const encoder = new TextEncoder();
const pick = <T>(...values: T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const digits = (min: number, max: number): fc.Arbitrary<string> => fc.array(pick(..."0123456789".split("")), { minLength: min, maxLength: max }).map((a) => a.join(""));

/** A ":61:" line at or near the quick shape, with its continuation lines. */
const statementLine = fc
  .record({
    lead: fc.oneof({ weight: 8, arbitrary: fc.constant("") }, { weight: 1, arbitrary: pick(" ", "\t", "\u00a0") }),
    valueDate: fc.oneof({ weight: 8, arbitrary: pick("240102", "241231", "250101") }, { weight: 1, arbitrary: pick("241302", "240230", "24010", "2401021") }),
    entryDate: fc.oneof({ weight: 4, arbitrary: pick("0102", "1231", "0101", "") }, { weight: 1, arbitrary: pick("0230", "1302", "010") }),
    mark: fc.oneof({ weight: 6, arbitrary: pick("C", "D") }, { weight: 1, arbitrary: pick("RC", "RD", "R", "X", "") }),
    funds: fc.oneof({ weight: 6, arbitrary: fc.constant("") }, { weight: 1, arbitrary: pick("R", "E", "Z") }),
    whole: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 99_999 }).map(String) }, { weight: 2, arbitrary: digits(0, 18) }, { weight: 1, arbitrary: pick("0", "00", "012", "999999999999999", "9999999999999") }),
    fraction: fc.oneof({ weight: 6, arbitrary: digits(2, 2).map((d) => "," + d) }, { weight: 3, arbitrary: fc.oneof(digits(0, 4).map((d) => "," + d), fc.constant(""), fc.constant(",,5")) }),
    type: fc.oneof({ weight: 6, arbitrary: pick("NTRF", "FMSC", "S202", "NCHK") }, { weight: 1, arbitrary: pick("XTRF", "Ntr1", "N1", "N") }),
    customer: pick("REF1", "NONREF", "", " REF 2 ", "NONREFX", "é"),
    bank: pick("", "//B1", "//NONREF", "// B 2 ", "//", "//B1//C"),
    tail: fc.oneof({ weight: 8, arbitrary: fc.constant("") }, { weight: 1, arbitrary: pick(" ", "\t", "\u00a0", "é", "\u2028") }),
    more: fc.oneof({ weight: 6, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.array(pick("Card transaction", "NL91ABNA0417164300", "  ", "x"), { minLength: 1, maxLength: 2 }) }),
  })
  .map((p) => [`:61:${p.lead}${p.valueDate}${p.entryDate}${p.mark}${p.funds}${p.whole}${p.fraction}${p.type}${p.customer}${p.bank}${p.tail}`, ...p.more]);

const information = fc.array(
  pick(
    [":86:/TRTP/SEPA OVERBOEKING/NAME/Caf\u00e9 Nord/REMI/Invoice 1"],
    [":86:/TRTP/SEPA/IBAN/NL12RABO0123456789/BIC/RABONL2U/NAME/J. JANSEN/REMI/Factuur", "-001/EREF/NOTPROVIDED"],
    [":86:/CNTP/NL91ABNA0417164300/ABNANL2A/Shop BV/AMSTERDAM/REMI/USTD//Order 42/"],
    [":86:166?00SEPA-UEBERWEISUNG?20EREF+E2E-1 SVWZ+Rechnung?32ACME GmbH"],
    [":86:free text REK: NL91ABNA0417164300/NAAM: Jansen"],
    [":86:/name/lower/REMI/x"],
    [":86:/TRTP/SEPA/NAME/A/B/REMI/x"],
    [":86:/TRTP/SEPA/NAME//REMI/ Invoice 2 "],
    [":86:/EREF/E2E-1/ORDP/x/NAME/Caf\u00e9"],
  ),
  { maxLength: 2 },
);

/**
 * A one-line ":86:" at and near the Dutch shape quickInformation reads: known keys (used and only
 * delimiting), keys that are not ones, values with slashes, white space and non-ASCII at either end,
 * empty values, repeated keys, a trailing slash.
 */
const dutchLine = fc
  .tuple(
    fc.array(
      fc.tuple(
        fc.oneof({ weight: 6, arbitrary: pick("TRTP", "NAME", "REMI", "IBAN", "BIC", "EREF", "CNTP", "ID", "FX", "ORDP", "ADDR") }, { weight: 1, arbitrary: pick("name", "ABCDE", "REMIT", "ID1", "BICs", "X", "", "NAM E", "1234") }),
        fc.oneof(
          { weight: 6, arbitrary: pick("SEPA OVERBOEKING", "Caf\u00e9 Nord", "Invoice 1", "NL91ABNA0417164300", "x") },
          { weight: 2, arbitrary: pick("", " ", " x", "x ", "\tx", "x\u00a0", "\u00a0", "\u3000x", "\u00e9", "USTD//Order 1", "STRD/x", "A/B", "NAME/J. Jansen", "NL91/ABNANL2A/Shop/AMS/") },
        ),
      ),
      { minLength: 1, maxLength: 6 },
    ),
    fc.oneof({ weight: 6, arbitrary: fc.constant("") }, { weight: 1, arbitrary: pick("/", " ", "  ", "\t", "\u00a0", "//", "/ ", "\u00e9") }),
    fc.oneof({ weight: 6, arbitrary: fc.constant("") }, { weight: 1, arbitrary: pick(" ", "x", "XID/A", "166?00") }),
  )
  .map(([pairs, tail, lead]) => lead + pairs.map(([key, value]) => `/${key}/${value}`).join("") + tail);

/** Mostly two decimals, as the usual entries; JPY none, BHD three, CLF four, XYZ and EU unknown. */
const currencies = fc.oneof({ weight: 4, arbitrary: pick("EUR", "USD") }, { weight: 3, arbitrary: pick("JPY", "BHD", "CLF", "XYZ", "EU") });
const balance = (tag: string) => fc.tuple(pick("C", "D"), currencies, digits(1, 6), pick(",00", ",5", ",", ",000", "")).map(([mark, currency, whole, fraction]) => `:${tag}:${mark}240102${currency}${whole}${fraction}`);

/** A statement (or MT942 report) of random entries; its balances and control totals rarely agree with them. */
const statement = fc
  .record({
    head: fc.oneof(
      { weight: 4, arbitrary: balance("60F").map((opening) => [":20:STMT", ":25:NL91ABNA0417164300", ":28C:1/1", opening]) },
      { weight: 2, arbitrary: pick([":20:STMT", ":25:NL91ABNA0417164300EUR"], [":20:STMT", ":25:ABNANL2A/123"], [":20:STMT", ":34F:JPY0,"], [":20:STMT"]) },
    ),
    entries: fc.array(fc.tuple(statementLine, information), { maxLength: 8 }),
    closing: fc.option(balance("62F")),
    control: fc.array(fc.tuple(pick("90D", "90C"), fc.nat({ max: 4 }), currencies, digits(1, 5), pick(",00", ",5", "")).map(([tag, count, currency, whole, fraction]) => `:${tag}:${count}${currency}${whole}${fraction}`), { maxLength: 2 }),
  })
  .map(({ head, entries, closing, control }) => [...head, ...entries.flatMap(([line, info]) => [...line, ...info.flat()]), ...(closing ? [closing] : []), ...control, "-"]);

/** Statements with CRLF, LF or CR breaks: the quick entries are read in place up to the break (HeldEntry). */
const statements = fc.tuple(fc.array(statement, { minLength: 1, maxLength: 3 }), pick("\r\n", "\n", "\r")).map(([lines, eol]) => lines.flat().join(eol) + eol);

describe("quick entries against the general reading", () => {
  it("random statements of entries at and near the quick shape, integrity on and off, in any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(statements, fc.integer({ min: 1, max: 64 }), fc.boolean(), async (text, size, integrity) => {
        await expectSameReading(encoder.encode(text), { integrity }, [size]);
      }),
      { numRuns: 1500 },
    );
  });

  it("balanced statements: no issues and the totals agree both ways", async () => {
    // Opening 0 and a closing balance equal to the entries' sum, so a total read wrongly shows as a balance_mismatch.
    const entry = fc.tuple(pick("C", "D"), fc.integer({ min: 1, max: 99_999_999 }));
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 30 }), async (entries) => {
        const sum = entries.reduce((total, [mark, cents]) => total + (mark === "D" ? -cents : cents), 0);
        const amount = (cents: number) => `${Math.floor(Math.abs(cents) / 100)},${String(Math.abs(cents) % 100).padStart(2, "0")}`;
        const lines = [":20:S", ":25:NL91ABNA0417164300", ":60F:C240102EUR0,00"];
        for (const [mark, cents] of entries) lines.push(`:61:2401020102${mark}${amount(cents)}NTRFREF//B1`, ":86:/TRTP/X/REMI/Y");
        lines.push(`:62F:${sum < 0 ? "D" : "C"}240102EUR${amount(sum)}`, "-");
        const general = await expectSameReading(encoder.encode(lines.join("\r\n")), {}, [7]);
        expect(general.events.filter((e) => e.type === "issue")).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("quickInformation: the same information as parseInformation, or undefined", () => {
    let read = 0;
    fc.assert(
      fc.property(dutchLine, (text) => {
        const quick = quickInformation(text);
        // Read in place (as from a chunk, see HeldEntry): the same, with slashes and capitals after the line break.
        expect(quickInformation(`:86:${text}\r\n:86:/NAME/X/`, 4, 4 + text.length)).toStrictEqual(quick);
        expect(quickInformation(`${text}\nNAME/REMI/x`, 0, text.length)).toStrictEqual(quick);
        if (quick === undefined) return;
        read++;
        const general = parseInformation([[text]]);
        expect(quick).toStrictEqual(general);
        expect(JSON.stringify(quick)).toBe(JSON.stringify(general));
      }),
      { numRuns: 5000 },
    );
    // Both ways must be exercised: the shape read quickly, and near misses left to parseInformation.
    expect(read).toBeGreaterThan(1000);
    expect(read).toBeLessThan(4000);
  });

  const names = readdirSync(path.join(import.meta.dirname, "../../../test/fixtures/samples/mt940"));

  it.each(names)("%s: same events whole and in chunks of 1–40 bytes", async (name) => {
    const input = sample("mt940", name);
    await expectSameReading(input, {}, Array.from({ length: 40 }, (_, i) => i + 1));
  });

  const fieldText = [":20:", ":25:", ":28C:", ":60F:", ":61:", ":86:", ":62F:", ":90D:", ":34F:", "-", "\r\n", "\n", "C", "D", "RC", ",", "0", "9", " ", "2402300301", "EUR", "JPY", "NONREF", "//"];
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    kind: pick("delete", "insert", "replace"),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 20 }),
    data: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), pick(...fieldText).map((t) => encoder.encode(t))),
  });

  it("damaged samples: same events and errors", async () => {
    const samples = names.map((name) => sample("mt940", name));
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: samples.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 97 }), fc.boolean(), async (index, mutations, size, integrity) => {
        await expectSameReading(mutate(samples[index]!, mutations), { integrity }, [size]);
      }),
      { numRuns: 500 },
    );
  });

  const scratch = mkdtempSync(path.join(tmpdir(), "mt940-quick-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("the benchmark generator's file, whole, damaged and in chunks", async () => {
    const { path: file } = generateMt940(path.join(scratch, "generated.sta"), 200_000, 11);
    const input = new Uint8Array(readFileSync(file));
    const general = await expectSameReading(input, {}, [65_536, 4_096, 333]);
    expect(general.events.filter((e) => e.type === "transaction").length).toBeGreaterThan(1000);
    expect(general.events.filter((e) => e.type === "issue")).toEqual([]);
    const damaged = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 8 }), { numRuns: 20, seed: 5 });
    for (const mutations of damaged) await expectSameReading(mutate(input, mutations), {}, [4_096]);
  });
});
