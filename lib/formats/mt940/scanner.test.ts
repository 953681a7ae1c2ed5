/**
 * Differential tests: the parser as shipped (SwiftScanner straight from decoded chunks) against the
 * reference readers it replaced (readLineBatches + SwiftFieldReader, driven exactly as mt940Batches
 * drove them), on samples, generated files, damaged and random inputs, and every chunking. Events
 * are compared as JSON (key order included) together with the error that ended the parse, if any.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { generateMt940 } from "@/bench/generate/mt940";
import { chunked } from "../collect";
import { FormatError, type ByteSource, type ParseEvent, type ParseOptions } from "../types";
import { lineBatchesOf, MAX_LINE_CHARS, peekBytes, sniffEncoding } from "../shared/text";
import { mutate, sample, type Mutation } from "../camt/test-support";
import { SwiftFieldReader, type FieldReaderState, type SwiftToken } from "./fields";
import { Mt940Builder, mt940Batches } from "./parse";
import { hasUnusual, UNUSUAL_CHARACTERS } from "./scanner";

/** mt940Batches as it was before SwiftScanner, on the same builder. */
async function* referenceBatches(source: ByteSource, options: ParseOptions): AsyncGenerator<ParseEvent[], void, undefined> {
  const { head, source: replay } = await peekBytes(source);
  const encoding = options.encoding ?? sniffEncoding(head);
  const reader: FieldReaderState = { headerLines: 0, envelopeOpen: false, envelopeLine: 1, lastLine: 0 };
  const parser = new Mt940Builder(options.integrity !== false);
  const fields = new SwiftFieldReader(reader);
  const takeAll = (tokens: Iterable<SwiftToken>): void => {
    for (const token of tokens) {
      if (token.kind === "field") parser.field(token.field);
      else if (token.kind === "end") parser.statementEnd();
      else parser.envelope(token.messageType);
    }
  };
  try {
    for await (const batch of lineBatchesOf(replay, encoding)) {
      takeAll(fields.read(batch));
      if (parser.out.length > 0) yield parser.take();
    }
    takeAll(fields.end());
    if (reader.envelopeOpen) {
      throw new FormatError("truncated_message", 'Expected the SWIFT message opened with "{4:" to end with "-}", found the end of the file', reader.envelopeLine);
    }
    parser.statementEnd();
    if (parser.fieldsSeen === 0) {
      throw new FormatError("not_mt940", "Expected MT940 fields such as :20:, :25:, :60F: or :61: at the start of a line, found none", 1);
    }
  } catch (error) {
    parser.dropUnfinished();
    if (parser.out.length > 0) yield parser.take();
    throw error;
  }
  const extra = { statements: parser.statementCount, transactions: parser.transactionCount, headerLines: reader.headerLines, messageTypes: [...parser.messageTypes] };
  parser.out.push({ type: "meta", meta: { format: parser.isMt942 ? "mt942" : "mt940", encoding, lines: reader.lastLine, extra } });
  yield parser.take();
}

type BatchParser = (source: ByteSource, options: ParseOptions) => AsyncGenerator<ParseEvent[], void, undefined>;

/** Every event in order, then how the parse ended. */
async function outcome(parser: BatchParser, input: Uint8Array, chunks: Iterable<Uint8Array>, options: ParseOptions = {}): Promise<string> {
  const events: ParseEvent[] = [];
  try {
    for await (const batch of parser([...chunks], options)) for (const event of batch) events.push(event);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    return JSON.stringify(events) + `\nFormatError ${error.code}@${error.line}: ${error.message}`;
  }
  return JSON.stringify(events) + `\nok (${input.length} bytes)`;
}

async function expectSame(input: Uint8Array, chunks: () => Iterable<Uint8Array>, options?: ParseOptions): Promise<void> {
  expect(await outcome(mt940Batches, input, chunks(), options)).toBe(await outcome(referenceBatches, input, chunks(), options));
}

/** Cut in two at `at`. */
function* split(input: Uint8Array, at: number): Generator<Uint8Array> {
  yield input.subarray(0, at);
  yield input.subarray(at);
}

const encoder = new TextEncoder();
const names = readdirSync(path.join(import.meta.dirname, "../../../test/fixtures/samples/mt940"));
const samples = names.map((name) => sample("mt940", name));

const scratch = mkdtempSync(path.join(tmpdir(), "mt940-scanner-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("SwiftScanner against readLineBatches + SwiftFieldReader", () => {
  it.each(names)("%s: same events whole, in chunks of 1–97 bytes and cut in two anywhere", async (name) => {
    const input = sample("mt940", name);
    await expectSame(input, () => [input]);
    for (let size = 1; size <= 97; size++) await expectSame(input, () => chunked(input, size));
    for (let at = 0; at <= input.length; at++) await expectSame(input, () => split(input, at));
  });

  it("the benchmark generator's file: same events whole and in chunks", async () => {
    const { path: file } = generateMt940(path.join(scratch, "generated.sta"), 120_000, 7);
    const input = new Uint8Array(readFileSync(file));
    for (const size of [input.length, 65_536, 4_096, 333, 64, 7]) await expectSame(input, () => chunked(input, size));
  });

  const piece = fc.constantFrom(
    ":20:REF", ":25:NL91ABNA0417164300", ":25:ABNANL2A/123", ":28C:1/1", ":60F:C240101EUR100,00", ":60M:D240101EUR5,", ":62F:C240131EUR90,00",
    ":61:2401020102D10,00NTRFNONREF//X1", ":61:240102C5,NTRF", ":61:240102RC3,00NTRFC", ":61:bad", ":61:2401020102D10,00NTRFA//B\u2028",
    ":86:/TRTP/SEPA/NAME/Caf\u00e9 Nord/REMI/Invoice 1", ":86:166?00SEPA?20EREF+E2E SVWZ+Rechnung", ":86:free text", "continued text", "  ",
    ":34F:EUR0,", ":13D:2401011200+0100", ":90D:1EUR10,00", ":90C:2EUR5,00", ":NS:22x", ":20X:no", "ABNANL2A", "940",
    "-", "-}", "-XXX", "- ", "-continued", "{1:F01ABNANL2AXXXX0000000000}{2:O9401200}{4:", "{1:F01X}{2:I942X}{4::20:IN", "{1:F01X}", "{5:{CHK:1}}",
    "\u0001", "\u0003:61:240102C1,00NTRF", ":86:ctl\u0007x", "\u2029", "\ufeff:20:BOM", "",
  );
  const newline = fc.constantFrom("\r\n", "\n", "\r", "\r\r\n", "\n\r");
  const document = fc.array(fc.tuple(piece, newline), { maxLength: 40 }).chain((lines) =>
    fc.boolean().map((finalBreak) => lines.map(([text, nl], i) => text + (i < lines.length - 1 || finalBreak ? nl : "")).join("")),
  );

  it("random documents: same events and errors for any chunking, with and without integrity", async () => {
    await fc.assert(
      fc.asyncProperty(document, fc.integer({ min: 1, max: 64 }), fc.nat(), fc.boolean(), async (text, size, at, integrity) => {
        const input = encoder.encode(text);
        await expectSame(input, () => [input], { integrity });
        await expectSame(input, () => chunked(input, size), { integrity });
        await expectSame(input, () => split(input, at % (input.length + 1)), { integrity });
      }),
      { numRuns: 1500 },
    );
  });

  // Lines with only usual characters, so whole chunks take push's fast path for tag lines: tags
  // and tag-like lines cut short right before their break (the fast path reads the chunk past the
  // line's end: the break must stop it), empty fields, lower case and three-digit tags.
  const usualPiece = fc.constantFrom(
    ":20:REF", ":25:NL91ABNA0417164300", ":28C:1/1", ":60F:C240101EUR100,00", ":62F:C240131EUR90,00", ":61:2401020102D10,00NTRFNONREF//X1",
    ":61:240102C5,NTRF", ":86:/TRTP/SEPA/NAME/Caf\u00e9 Nord/REMI/Invoice 1", ":86:", ":61:", ":NS:", ":NS:22x", ":90D:1EUR10,00",
    ":", ":1", ":12", ":12A", ":12A:", ":1:", ":123:", ":12a:", ":N", ":NS", ":NSX:", "::", ":6", ":61", ":86", ":8", ":60F", ":61:x:",
    "continued text", "  ", "-", "-XXX", "-}", "{1:F01X}{2:O940X}{4::20:IN", "{1:F01X}", "ABNANL2A", "",
  );
  const usualDocument = fc.array(fc.tuple(usualPiece, newline), { maxLength: 40 }).chain((lines) =>
    fc.boolean().map((finalBreak) => lines.map(([text, nl], i) => text + (i < lines.length - 1 || finalBreak ? nl : "")).join("")),
  );

  it("random documents of usual characters (tag lines read inside their chunk): same events and errors for any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(usualDocument, fc.integer({ min: 1, max: 64 }), fc.nat(), fc.boolean(), async (text, size, at, integrity) => {
        expect(hasUnusual(text)).toBe(false);
        const input = encoder.encode(text);
        await expectSame(input, () => [input], { integrity });
        await expectSame(input, () => chunked(input, size), { integrity });
        await expectSame(input, () => split(input, at % (input.length + 1)), { integrity });
      }),
      { numRuns: 1500 },
    );
  });

  const fieldText = [":20:", ":25:", ":28C:", ":60F:", ":61:", ":86:", ":62F:", ":90D:", ":34F:", "-", "-}", "{4:", "?20", "/NAME/", "\r\n", "\n", "\r", "\u0002", "\u2028", "C", "D", "RC", ",", "2402300301", "EUR"];
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    kind: fc.constantFrom("delete", "insert", "replace"),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
    data: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(...fieldText).map((t) => encoder.encode(t))),
  });

  it("damaged samples: same events and errors for any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: samples.length - 1 }), fc.array(mutation, { maxLength: 6 }), fc.integer({ min: 1, max: 97 }), fc.nat(), async (index, mutations, size, at) => {
        const input = mutate(samples[index]!, mutations);
        await expectSame(input, () => [input]);
        await expectSame(input, () => chunked(input, size));
        await expectSame(input, () => split(input, at % (input.length + 1)));
      }),
      { numRuns: 400 },
    );
  });

  it("arbitrary bytes (any encoding the sniffer picks): same events and errors", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 17 }), async (input, size) => {
        await expectSame(input, () => [input]);
        await expectSame(input, () => chunked(input, size));
      }),
      { numRuns: 400 },
    );
  });

  describe("limits", () => {
    const head = ":20:REF\r\n:25:NL91ABNA0417164300\r\n:60F:C240101EUR0,00\r\n:61:240102C5,00NTRF\r\n:86:paid\r\n";
    it.each([
      ["a line of exactly the limit", head + ":86:" + "x".repeat(MAX_LINE_CHARS - 4) + "\r\n-\r\n"],
      ["a line one over the limit, mid-file", head + ":86:" + "x".repeat(MAX_LINE_CHARS - 3) + "\r\n:61:240103C1,00NTRF\r\n-\r\n"],
      ["a last line over the limit without a break", head + "y".repeat(MAX_LINE_CHARS + 5)],
      ["a line over the limit right after a CR", head + "\r" + "z".repeat(MAX_LINE_CHARS + 1) + "\n"],
      ["a field over 100,000 characters in continuation lines", head + ":86:start\r\n" + ("w".repeat(999) + "\r\n").repeat(101) + "-\r\n"],
    ])("%s: same events and error whole and in chunks", async (_, text) => {
      const input = encoder.encode(text);
      for (const size of [input.length, 65_536, 1 << 20, (1 << 20) + 3, 100_003]) await expectSame(input, () => chunked(input, size));
    });
  });
});

describe("hasUnusual", () => {
  const expected = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029]/;
  // Every code unit the regex matches, so each is drawn as often as the others below.
  const unusual = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter((c) => expected.test(c));

  it("finds exactly the control characters other than tab, LF and CR, and U+2028/U+2029, over every UTF-16 code unit", () => {
    const differing: number[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const text = String.fromCharCode(c);
      if (hasUnusual(text) !== expected.test(text)) differing.push(c);
    }
    expect(differing).toEqual([]);
    expect(UNUSUAL_CHARACTERS).toHaveLength(32);
  });

  it("gives the regex's answer on random text, one-byte and two-byte, with the character anywhere", () => {
    const unit = fc.oneof(
      fc.constantFrom(..."\t\r\n :/,0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcz\u00e9\u00ff"),
      fc.constantFrom(...unusual, "\u0080", "\u2027", "\u202a", "\u20ac", "\ufeff", "\ud83d"),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(..."abc :61:/\r\n") }, { weight: 1, arbitrary: unit }), { maxLength: 300 }), (units) => {
        const text = units.join("");
        expect(hasUnusual(text)).toBe(expected.test(text));
      }),
      { numRuns: 3000 },
    );
  });
});
