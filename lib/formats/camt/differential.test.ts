/**
 * The quick entry reader (quick.ts) is checked twice: the reader with it against the same reader
 * with it switched off (every entry read by the tokenizer and builder, the general path), and both
 * against the reference, on canonical entries (the form it reads), near-canonical ones (one to
 * three texts that make the source differ from the raw text) and damaged ones.
 *
 * The fused camt reader (the tokenizer handing interned element paths straight to the builder, no
 * event objects; entry fields in fixed slots) against the reference copy of the reader before those
 * changes (reference/: tokenizer → XmlEvent objects → builder with a Map of every leaf): the same
 * events, in the same batches, and the same error (code, message, line) on samples, generated
 * statements and damaged inputs, in any chunking, with integrity checks on and off.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { generateCamt053 } from "@/bench/generate/camt053";
import { chunked, cutAt } from "../collect";
import { FormatError, type ParseEvent, type ParseOptions } from "../types";
import { camtBatches } from "./parse";
import { camtReferenceBatches } from "./reference/parse";
import { mutate, type Mutation } from "./test-support";

/** Counts the entries the quick reader read, and switches it off for the general path's run. */
const quick = vi.hoisted(() => ({ off: false, read: 0, calls: 0 }));
vi.mock("./quick", async (original) => {
  const module = await original<typeof import("./quick")>();
  return {
    ...module,
    readCanonicalEntry: (...args: Parameters<typeof module.readCanonicalEntry>) => {
      if (quick.off) return -1;
      quick.calls++;
      const elements = module.readCanonicalEntry(...args);
      if (elements > 0) quick.read++;
      return elements;
    },
  };
});

/** Counts the transactions usualTransaction built, and switches it off (entryTransactions for every entry). */
const usual = vi.hoisted(() => ({ off: false, built: 0 }));
vi.mock("./entry", async (original) => {
  const module = await original<typeof import("./entry")>();
  return {
    ...module,
    usualTransaction: (...args: Parameters<typeof module.usualTransaction>) => {
      if (usual.off) return undefined;
      const transaction = module.usualTransaction(...args);
      if (transaction !== undefined) usual.built++;
      return transaction;
    },
  };
});

type Outcome = { batches: ParseEvent[][]; error?: { code: string; message: string; line: number } };

async function run(batches: AsyncGenerator<ParseEvent[], void, undefined>): Promise<Outcome> {
  const out: ParseEvent[][] = [];
  try {
    for await (const batch of batches) out.push(batch);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    return { batches: out, error: { code: error.code, message: error.message, line: error.line } };
  }
  return { batches: out };
}

async function same(chunks: () => Iterable<Uint8Array>, options: ParseOptions = {}): Promise<Outcome> {
  const actual = await run(camtBatches(chunks(), options));
  const expected = await run(camtReferenceBatches(chunks(), options));
  expect(actual).toEqual(expected);
  return actual;
}

/**
 * `same`, and the reader without its fast paths gives the same too: without the quick entry reader
 * (quick.ts) and without usualTransaction (entry.ts), every entry read by the tokenizer and builder
 * and made into transactions by entryTransactions.
 */
async function sameWithoutFastPaths(chunks: () => Iterable<Uint8Array>, options: ParseOptions = {}): Promise<Outcome> {
  const actual = await same(chunks, options);
  quick.off = true;
  usual.off = true;
  try {
    expect(await run(camtBatches(chunks(), options))).toEqual(actual);
  } finally {
    quick.off = false;
    usual.off = false;
  }
  return actual;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const SAMPLE_DIR = path.join(import.meta.dirname, "../../../test/fixtures/samples/camt053");
const SAMPLES = readdirSync(SAMPLE_DIR).map((name) => new Uint8Array(readFileSync(path.join(SAMPLE_DIR, name))));

/** A generated statement file as the bench writes it (compact, one entry per line), about `size` bytes. */
function generated(size: number, seed: number): Uint8Array {
  const dir = mkdtempSync(path.join(tmpdir(), "camt-differential-"));
  try {
    const file = path.join(dir, "camt.xml");
    generateCamt053(file, size, seed);
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const GENERATED = generated(60_000, 7);
/** The same file pretty-printed: white space between every pair of tags. */
const PRETTY = bytes(new TextDecoder().decode(GENERATED).replace(/></g, ">\n    <"));
/**
 * A generated file without line breaks: pieces are then cut every 65,536 characters, mid-entry, so
 * entries span pieces (a reader keeping an entry's source text must carry it across them).
 */
const ONE_LINE = new TextDecoder().decode(generated(200_000, 11)).replace(/\n/g, "");
/** Text that makes an entry's source differ from its re-serialised raw text, inserted after a ">". */
const UNCANONICAL = [" ", "\n", "\r\n", "\r", "<!-- c -->", "<?pi x?>", "&amp;", "&gt;", ">", '"', "&#65;", "<![CDATA[x]]>", "<X/>", "<X ></X>", "<X></X >", '<p:X xmlns:p="u"></p:X>', "'", "Caf\u00e9", "x>"];

/** Leaf values: ordinary, blank, padded, entities, CDATA, comments and markup-looking text. */
const anyValue = fc.oneof(
  fc.constantFrom("10.00", "0.5", "1.005", "", " ", " 12.00 ", "CRDT", "DBIT", "BOOK", "PDNG", "2024-01-15", "2024-01-15T10:00:00", "2024-02-30", "EUR", "JPY"),
  fc.constantFrom("AT&amp;T", "a &lt; b &gt; c", "&#233;&#x41;", "x\"y", "a>b", "&quot;q&quot;", "x&apos;", "<![CDATA[x<y]]>", "a<!-- c -->b", "a<?pi x?>b", "Café", "\r\n", "line\rbreak", "NOTPROVIDED"),
  fc.string({ maxLength: 6 }),
);
const anySpace = fc.constantFrom("", "", "", "\n", "\r\n", "  ", "\t");
/**
 * Values the quick reader takes as they stand (the four escapes it decodes, inner line breaks and
 * tabs, non-ASCII) and a few it must leave to the general path (blank, white space at an end that
 * trim removes, other entities).
 */
const canonicalValue = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("10.00", "0.5", "1.005", "CRDT", "DBIT", "BOOK", "PDNG", "2024-01-15", "2024-01-15T10:00:00", "2024-02-30", "EUR", "JPY", "NOTPROVIDED", "x") },
  { weight: 4, arbitrary: fc.constantFrom("AT&amp;T", "a &lt; b &gt; c", "&quot;q&quot;", "&amp;", "x'y", "Caf\u00e9", "a\nb", "a\tb", "\u00e9t\u00e9", "\ud83d\ude00") },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "\u00a0x", "x\u2028", "\ufeffx", "x\u3000", "&apos;", "&#65;", "a>b", "x\"y", "x\r\ny") },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

/**
 * Statement documents: leaf values, white space inside entries and between elements outside them,
 * namespace prefixes and leaf styles ("full", or "empty" for a self-closing tag) drawn as given;
 * each entry written `copies` times in a row (an entry is read quickly only when the elements it
 * names were seen at their places before).
 */
function shapes(value: fc.Arbitrary<string>, space: fc.Arbitrary<string>, between: fc.Arbitrary<string>, prefixes: fc.Arbitrary<string>, styles: fc.Arbitrary<string>, copies = 1) {
  const ccy = fc.constantFrom("", ' Ccy="EUR"', ' Ccy="USD"', ' Ccy="JPY"', " Ccy='EUR'", ' Ccy=""', ' Ccy="EUR" x="1"', ' Ccy="E&amp;R"');
  const leaf = (name: string, withCcy = false) =>
    fc.tuple(withCcy ? ccy : fc.constant(""), value, space, styles).map(([attrs, text, after, style]) =>
      style === "empty" ? `<${name}${attrs}/>${after}` : `<${name}${attrs}>${text}</${name}>${after}`,
    );
  const wrap = (name: string, inner: fc.Arbitrary<string>) => fc.tuple(inner, space).map(([text, after]) => `<${name}>${text}</${name}>${after}`);
  const some = (...parts: fc.Arbitrary<string>[]) => fc.array(fc.oneof(...parts), { maxLength: 4 }).map((xs) => xs.join(""));

  const refs = wrap("Refs", some(leaf("EndToEndId"), leaf("InstrId"), leaf("AcctSvcrRef"), leaf("MsgId"), leaf("PmtInfId"), leaf("TxId"), leaf("MndtId"), leaf("ChqNb")));
  const party = (side: string) =>
    fc.oneof(wrap(side, some(leaf("Nm"), wrap("Pty", leaf("Nm")))), wrap(`${side}Acct`, wrap("Id", fc.oneof(leaf("IBAN"), wrap("Othr", leaf("Id"))))));
  const parties = wrap("RltdPties", some(party("Dbtr"), party("Cdtr"), wrap("UltmtDbtr", leaf("Nm")), wrap("UltmtCdtr", wrap("Pty", leaf("Nm")))));
  const amountDetails = wrap(
    "AmtDtls",
    some(wrap("InstdAmt", some(leaf("Amt", true), wrap("CcyXchg", leaf("XchgRate")))), wrap("TxAmt", some(leaf("Amt", true), wrap("CcyXchg", leaf("XchgRate"))))),
  );
  const txCode = wrap("BkTxCd", fc.oneof(wrap("Domn", some(leaf("Cd"), wrap("Fmly", some(leaf("Cd"), leaf("SubFmlyCd"))))), wrap("Prtry", leaf("Cd"))));
  const remittance = wrap("RmtInf", some(leaf("Ustrd"), leaf("Ustrd"), wrap("Strd", wrap("CdtrRefInf", leaf("Ref")))));
  const detail = wrap("TxDtls", some(refs, leaf("Amt", true), leaf("CdtDbtInd"), amountDetails, txCode, parties, remittance, leaf("AddtlTxInf"), wrap("RltdAgts", wrap("DbtrAgt", wrap("FinInstnId", leaf("BIC"))))));
  const entryDetails = wrap("NtryDtls", some(detail, detail, wrap("Btch", some(leaf("NbOfTxs"), leaf("PmtInfId")))));
  const date = (name: string) => wrap(name, fc.oneof(leaf("Dt"), leaf("DtTm")));
  const entry = fc
    .tuple(
      fc.constantFrom("10.00", "3.50", "1.005", "x", "6.00"),
      fc.constantFrom("CRDT", "DBIT", "BOOK"),
      ccy,
      some(leaf("NtryRef"), leaf("AcctSvcrRef"), leaf("RvslInd"), date("BookgDt"), date("ValDt"), leaf("Sts"), wrap("Sts", leaf("Cd")), txCode, amountDetails, leaf("AddtlNtryInf"), entryDetails, entryDetails),
      between,
    )
    .map(([amount, indicator, attrs, inner, after]) => `<Ntry><Amt${attrs}>${amount}</Amt><CdtDbtInd>${indicator}</CdtDbtInd><BookgDt><Dt>2024-01-15</Dt></BookgDt>${inner}</Ntry>${after}`.repeat(copies));
  const balance = fc
    .tuple(fc.constantFrom("OPBD", "CLBD", "PRCD", "XXXX"), fc.constantFrom("10.00", "0", "x"), fc.constantFrom("CRDT", "DBIT"), between)
    .map(([code, amount, indicator, after]) => `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>${indicator}</CdtDbtInd><Dt><Dt>2024-01-31</Dt></Dt></Bal>${after}`);
  const summary = fc
    .tuple(fc.constantFrom("1", "2", "3"), fc.constantFrom("10.00", "13.50"))
    .map(([count, sum]) => `<TxsSummry><TtlNtries><NbOfNtries>${count}</NbOfNtries><Sum>${sum}</Sum></TtlNtries></TxsSummry>`);
  const statement = fc
    .tuple(
      fc.constantFrom("<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>", "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>", "<Acct><Id><Othr><Id>42</Id></Othr></Id><Ownr><Nm>Me</Nm></Ownr></Acct>", "<Acct><Ccy>EUR</Ccy></Acct>"),
      fc.array(fc.oneof(balance, entry, entry, summary), { maxLength: 5 }),
      between,
    )
    .map(([account, parts, after]) => `<STMT><Id>S-1</Id><FrToDt><FrDtTm>2024-01-01T00:00:00</FrDtTm></FrToDt>${account}${after}${parts.join("")}</STMT>${after}`);
  const documentText = fc
    .tuple(fc.array(statement, { minLength: 1, maxLength: 2 }), fc.constantFrom("053", "052"), prefixes, fc.boolean(), between)
    .map(([statements, kind, prefix, declaration, after]) => {
      const [message, element] = kind === "053" ? ["BkToCstmrStmt", "Stmt"] : ["BkToCstmrAcctRpt", "Rpt"];
      const ns = `urn:iso:std:iso:20022:tech:xsd:camt.${kind}.001.02`;
      const body = statements.join("").replace(/STMT>/g, `${element}>`);
      const xml = `${declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ""}<${prefix}Document xmlns${prefix ? ":" + prefix.slice(0, -1) : ""}="${ns}">${after}<${prefix}${message}><GrpHdr><MsgId>M-1</MsgId></GrpHdr>${after}${body}</${prefix}${message}></${prefix}Document>\n`;
      // A prefixed document prefixes every element, so the same reader sees the same local names.
      return prefix ? xml.replace(/<(\/?)(?!c:|\?|!)([A-Za-z])/g, `<$1${prefix}$2`) : xml;
    });
  return documentText;
}

const documentText = shapes(anyValue, anySpace, anySpace, fc.constantFrom("", "c:"), fc.constantFrom("full", "full", "full", "empty"));
/** Documents whose entries are mostly canonical: no white space inside them, no prefixes (one in ten documents has them). */
const canonicalText = shapes(canonicalValue, fc.constant(""), fc.constantFrom("", "\n"), fc.constantFrom("", "", "", "", "", "", "", "", "", "c:"), fc.constantFrom(...Array<string>(19).fill("full"), "empty"), 3);

const xmlPieces = ["<", ">", "</", "/>", "<Ntry>", "</Ntry>", "<TxDtls>", "</TxDtls>", "<NtryDtls>", '<Amt Ccy="EUR">', "DBIT", "&amp;", "&", "<!DOCTYPE x>", "<![CDATA[", "]]>", "\n", "\r", "2024-02-30", "1.005", "<Bal>", "</Stmt>"];
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("delete", "insert", "replace"),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 60 }),
  data: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(...xmlPieces).map((t) => bytes(t))),
});

describe("camt fused reader against the reference reader", () => {
  it.each(SAMPLES.map((input, i) => [i, input] as const))("sample %i, whole and in chunks of 1, 2, 3, 7, 64 and 4096 bytes", async (_, input) => {
    for (const size of [0, 1, 2, 3, 7, 64, 4096]) await same(() => (size === 0 ? [input] : chunked(input, size)));
  });

  it("generated statements (compact and pretty-printed), whole and in chunks", async () => {
    for (const input of [GENERATED, PRETTY]) {
      quick.read = 0;
      usual.built = 0;
      const whole = await sameWithoutFastPaths(() => [input]);
      expect(whole.error).toBeUndefined();
      const transactions = whole.batches.flat().filter((e) => e.type === "transaction").length;
      expect(transactions).toBeGreaterThan(50);
      // Compact: every entry but the first and the first naming the other party (Dbtr after Cdtr),
      // whose element names are new there, is read quickly; pretty-printed: none.
      expect(quick.read).toBe(input === GENERATED ? transactions - 2 : 0);
      // Every generated entry has the usual shape, however it was read.
      expect(usual.built).toBe(transactions);
      for (const size of [1, 13, 4096, 65_536]) await sameWithoutFastPaths(() => chunked(input, size));
      await sameWithoutFastPaths(() => [input], { integrity: false });
    }
  });

  it("entries spanning pieces, whole and in chunks", async () => {
    const input = bytes(ONE_LINE);
    quick.read = 0;
    const whole = await sameWithoutFastPaths(() => [input]);
    expect(whole.error).toBeUndefined();
    expect(quick.read).toBeGreaterThan(100);
    for (const size of [1, 4096, 65_536]) await sameWithoutFastPaths(() => chunked(input, size));
  });

  it("canonical generated documents read quickly give what the general path gives, any chunking, integrity on and off", async () => {
    quick.read = 0;
    usual.built = 0;
    let read = 0;
    await fc.assert(
      fc.asyncProperty(canonicalText, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), async (text, cuts, integrity) => {
        const input = bytes(text);
        const outcome = await sameWithoutFastPaths(() => cutAt(input, cuts), { integrity });
        if (!outcome.error && outcome.batches.flat().some((e) => e.type === "transaction")) read++;
      }),
      { numRuns: 300 },
    );
    expect(read).toBeGreaterThan(60);
    // Entries come in threes, and the second and third of a canonical three are read quickly
    // (224 to 307 in six runs of 300 documents; 150 is well below that).
    expect(quick.read).toBeGreaterThan(150);
    // Transactions usualTransaction built, the rest left to entryTransactions (195 to 228 in four runs).
    expect(usual.built).toBeGreaterThan(100);
  });

  it("canonical documents with one to three non-canonical texts inserted after a random \">\"", async () => {
    await fc.assert(
      fc.asyncProperty(
        canonicalText,
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...UNCANONICAL)), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        async (text, insertions, cuts) => {
          const after = [...text.matchAll(/>/g)].map((m) => m.index + 1);
          for (const [index, piece] of insertions.map(([i, t]) => [after[i % after.length]!, t] as const).sort((a, b) => b[0] - a[0])) {
            text = text.slice(0, index) + piece + text.slice(index);
          }
          const input = bytes(text);
          await sameWithoutFastPaths(() => cutAt(input, cuts));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("damaged canonical documents give the same events and errors with and without the quick reader", async () => {
    await fc.assert(
      fc.asyncProperty(canonicalText, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 4 }), async (text, mutations, cuts) => {
        const input = mutate(bytes(text), mutations);
        await sameWithoutFastPaths(() => cutAt(input, cuts));
      }),
      { numRuns: 300 },
    );
  });

  it("the quick reader is not asked again in a statement after 32 entries in a row it gave up on", async () => {
    // A comment before each </Ntry>: every entry is read to its end before the reader gives up.
    const late = (count: number) => Array.from({ length: count }, (_, i) => `\n<Ntry><Amt Ccy="EUR">${i + 1}.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-15</Dt></BookgDt><!-- c --></Ntry>`).join("");
    const canonical = (count: number) => Array.from({ length: count }, (_, i) => `\n<Ntry><Amt Ccy="EUR">${i + 1}.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-15</Dt></BookgDt></Ntry>`).join("");
    const statement = (entries: string) => `<Stmt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>${entries}\n</Stmt>`;
    const text = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr>${statement(late(40))}${statement(late(31) + canonical(5) + late(40))}${statement(canonical(10))}</BkToCstmrStmt></Document>`;
    quick.read = 0;
    quick.calls = 0;
    await sameWithoutFastPaths(() => [bytes(text)]);
    // The first entry of each statement is read by the general path (the statement is announced
    // at it). First statement: entries 2 to 33 asked. Second: 30 misses, 5 read, then 32 misses.
    // Third: the 9 after the first.
    expect([quick.calls, quick.read]).toEqual([32 + 30 + 5 + 32 + 9, 5 + 9]);
  });

  it("an entry's end is the first \"</Ntry>\", not an element or text ending in \"Ntry>\" before it", async () => {
    // The close is found through "Ntry>" and the "</" before it (parse.ts, entryClose): <RltdNtry>
    // and <XNtry> end in it, and so does "Ntry>" in a text (which the general path then reads).
    const entry = (i: number, text: string) =>
      `\n<Ntry><Amt Ccy="EUR">${i + 1}.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-15</Dt></BookgDt><RltdNtry><XNtry>${i}</XNtry></RltdNtry><AddtlNtryInf>${text}</AddtlNtryInf></Ntry>`;
    const entries = Array.from({ length: 12 }, (_, i) => entry(i, i === 7 ? "a Ntry> b" : `note ${i}`)).join("");
    const text = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>${entries}\n</Stmt></BkToCstmrStmt></Document>`;
    quick.read = 0;
    await sameWithoutFastPaths(() => [bytes(text)]);
    // All but the first (read by the general path, which announces the statement) and the eighth.
    expect(quick.read).toBe(10);
  });

  it("runs of tags that start or end a detail are replayed with the detail's effects; runs with two such are not kept", async () => {
    // One detail (its start and end replayed), two details (</TxDtls><TxDtls> ends one and starts
    // another: read tag by tag each time), a TxDtls nested in a detail (not a detail itself), an
    // empty detail, and details whose amounts give issues at the detail's line (the last one a
    // line below the entry's).
    const shapes = [
      "<NtryDtls><TxDtls><Refs><EndToEndId>A</EndToEndId></Refs></TxDtls></NtryDtls>",
      "<NtryDtls><TxDtls><Amt Ccy=\"EUR\">0.50</Amt></TxDtls><TxDtls><Amt Ccy=\"EUR\">0.50</Amt></TxDtls></NtryDtls>",
      "<NtryDtls><TxDtls><NtryDtls><TxDtls><AddtlTxInf>in</AddtlTxInf></TxDtls></NtryDtls><AddtlTxInf>out</AddtlTxInf></TxDtls></NtryDtls>",
      "<NtryDtls><TxDtls></TxDtls></NtryDtls>",
      "<NtryDtls><TxDtls><Amt Ccy=\"EUR\">x</Amt></TxDtls><TxDtls><Amt Ccy=\"EUR\">2.00</Amt></TxDtls></NtryDtls>",
      "<NtryDtls><TxDtls><Amt Ccy=\"EUR\">1.005</Amt></TxDtls></NtryDtls>",
      "<AddtlNtryInf>two\nlines</AddtlNtryInf><NtryDtls><TxDtls><Amt Ccy=\"EUR\">x</Amt></TxDtls></NtryDtls>",
    ];
    const entry = (i: number) =>
      `\n<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-15</Dt></BookgDt>${shapes[i % shapes.length]}</Ntry>`;
    const order = [0, 0, 0, 1, 1, 0, 2, 2, 1, 3, 3, 0, 4, 4, 5, 5, 2, 3, 0, 1, 6, 6, 6];
    const text = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>${order.map(entry).join("")}\n</Stmt></BkToCstmrStmt></Document>`;
    quick.read = 0;
    const outcome = await sameWithoutFastPaths(() => [bytes(text)]);
    expect(outcome.error).toBeUndefined();
    expect(outcome.batches.flat().filter((e) => e.type === "issue").length).toBeGreaterThan(2);
    // The first entry announces the statement (general path); the first of the second, third and
    // last shapes name elements new at their places (the tokenizer reads them); the others are read quickly.
    expect(quick.read).toBe(order.length - 4);
  });

  it("canonical entries nested to the depth limit and one past it", async () => {
    // Document, message, Stmt and Ntry are four levels: 60 more reach MAX_DEPTH (64), 61 pass it.
    const nest = (levels: number) => Array.from({ length: levels }, (_, i) => `<D${i}>`).join("") + "x" + Array.from({ length: levels }, (_, i) => `</D${levels - 1 - i}>`).join("");
    const entryOf = (levels: number) => `\n<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-15</Dt></BookgDt>${nest(levels)}</Ntry>`;
    const head = '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>';
    for (const last of [60, 61]) {
      quick.read = 0;
      const outcome = await sameWithoutFastPaths(() => [bytes(head + entryOf(60) + entryOf(60) + entryOf(last) + "\n</Stmt></BkToCstmrStmt></Document>")]);
      expect(outcome.error?.code).toBe(last === 60 ? undefined : "xml_too_deep");
      expect(quick.read).toBe(last === 60 ? 2 : 1);
    }
  });

  it("a canonical entry inside one piece that crosses the size bound through its leaf keys is left to the general path", { timeout: 120_000 }, async () => {
    // Twenty nested elements with 1,000-character names make each leaf below them count about
    // 20,000 characters (its key) while taking 8 in the source: 800 such leaves cross 16,000,000
    // in an entry of about 47,000 characters, which fits in one piece (entries start lines).
    const names = Array.from({ length: 20 }, (_, i) => `N${i}`.padEnd(1_000, "x"));
    const nest = (leaves: number) => names.map((n) => `<${n}>`).join("") + "<L>x</L>".repeat(leaves) + [...names].reverse().map((n) => `</${n}>`).join("");
    const entryOf = (inner: string) => `\n<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-15</Dt></BookgDt>${inner}</Ntry>`;
    const inEntry = (leaves: number) => entryOf(nest(leaves));
    const inDetail = (leaves: number) => entryOf(`<NtryDtls><TxDtls>${nest(leaves)}</TxDtls></NtryDtls>`);
    const head = '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>';
    const tail = "\n</Stmt></BkToCstmrStmt></Document>";
    for (const shape of [inEntry, inDetail]) {
      for (const [last, after] of [[790, ""], [810, ""], [810, "</Bad>"]] as const) {
        quick.read = 0;
        const input = bytes(head + shape(2) + shape(700) + shape(last) + after + tail);
        const outcome = await sameWithoutFastPaths(() => [input]);
        expect(outcome.error?.code).toBe(last === 790 ? undefined : after ? "xml_malformed" : "camt_element_too_large");
        // The second entry is read quickly (the first names the elements); the third only while it fits.
        expect(quick.read).toBe(last === 790 ? 2 : 1);
      }
    }
  });

  it("entries whose markup stops being canonical anywhere, also after a piece cut", async () => {
    const after = [...ONE_LINE.matchAll(/>/g)].map((m) => m.index + 1);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(after.length - 1), fc.constantFrom(...UNCANONICAL)), { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { maxLength: 3 }), async (insertions, cuts) => {
        let text = ONE_LINE;
        for (const [index, piece] of [...insertions].sort((a, b) => b[0] - a[0])) text = text.slice(0, after[index]) + piece + text.slice(after[index]);
        const input = bytes(text);
        await same(() => cutAt(input, cuts));
      }),
      { numRuns: 60 },
    );
  });

  it("an entry over the size bound fails at the same element, before or after an XML error in the same or a later piece", { timeout: 120_000 }, async () => {
    // Each <Note> adds 19,997 characters to the count (tags, text and leaf key and value), so the
    // 801st crosses 16,000,000. Without line breaks the pieces are cut every 65,536 characters.
    const note = `<Note>${"x".repeat(9_990)}</Note>`;
    const head = '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>';
    const entryOf = (notes: string[]) => `<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-15</Dt></BookgDt>${notes.join("")}</Ntry>`;
    const first = entryOf([note]);
    const notes = (count: number, insert: Record<number, string> = {}) => Array.from({ length: count }, (_, i) => (insert[i] ?? "") + note);
    const cases = [
      notes(820),
      notes(820, { 799: "</Bad>" }),
      notes(820, { 800: "</Bad>" }),
      notes(820, { 801: "</Bad>" }),
      notes(820, { 815: "</Bad>" }),
      notes(820, { 400: "<!-- c -->" }),
      notes(820, { 400: "<!-- c -->", 802: "</Bad>" }),
      notes(790),
    ];
    const codes: (string | undefined)[] = [];
    for (const body of cases) {
      const input = bytes(`${head}${first}${entryOf(body)}</Stmt></BkToCstmrStmt></Document>`);
      codes.push((await same(() => [input])).error?.code);
    }
    // The cases reach both orders: the bound first (an XML error pieces later) and the XML error first.
    const [large, malformed] = ["camt_element_too_large", "xml_malformed"];
    expect(codes).toEqual([large, malformed, malformed, malformed, large, large, malformed, undefined]);
  });

  it("generated documents (namespaces, attributes, entities, CDATA, comments, split details), any chunking, integrity on and off", async () => {
    let read = 0;
    usual.built = 0;
    await fc.assert(
      fc.asyncProperty(documentText, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), async (text, cuts, integrity) => {
        const input = bytes(text);
        const outcome = await sameWithoutFastPaths(() => cutAt(input, cuts), { integrity });
        if (!outcome.error && outcome.batches.flat().some((e) => e.type === "transaction")) read++;
      }),
      { numRuns: 400 },
    );
    // Many documents must be read to transactions, not refused, for the comparison to mean much
    // (about 30 % are; 60 of 400 is far below what any seed gives).
    expect(read).toBeGreaterThan(60);
    // Entries of the usual shape among them, built by usualTransaction (80 to 95 in four runs).
    expect(usual.built).toBeGreaterThan(40);
  });

  it("damaged samples and generated files give the same events and errors in any chunking", async () => {
    const inputs = [...SAMPLES, GENERATED.subarray(0, 8_000), PRETTY.subarray(0, 12_000)];
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: inputs.length - 1 }), fc.array(mutation, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 5 }), async (index, mutations, cuts) => {
        const input = mutate(inputs[index]!, mutations);
        await same(() => cutAt(input, cuts));
      }),
      { numRuns: 400 },
    );
  });

  it("damaged generated documents give the same events and errors", async () => {
    await fc.assert(
      fc.asyncProperty(documentText, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 4 }), async (text, mutations, cuts) => {
        const input = mutate(bytes(text), mutations);
        await same(() => cutAt(input, cuts));
      }),
      { numRuns: 300 },
    );
  });
});
