/**
 * Adversarial property test of the OFX quick path (OfxTokenizer.quickBlock, OfxStatementReader.quickTransaction)
 * against the general path alone (`ofxBatches(…, false)`), which is the arbiter: every event, issue and
 * error must be the same, with the same keys in the same order, at any chunking. Transaction blocks are
 * generated mostly as banks write them and then bent: entities (well formed and not), CDATA, comments,
 * processing instructions, lower- and mixed-case names, a leaf twice or out of order, unknown leaves and
 * aggregates, empty, blank and Unicode-blank values, values holding ">" or "/", odd blanks and line
 * breaks between tags, odd close tags, nested blocks, blocks outside a transaction list or a statement,
 * blocks padded to around the 4,096-character limit, invalid dates and amounts, missing leaves; in SGML
 * and XML documents with several statements and currencies, encoded as UTF-8, windows-1252 or UTF-16,
 * whole, in chunks of random size and cut at random offsets and next to block boundaries.
 * OFX_QUICK_RUNS=25000 runs it longer (1,500 runs by default, about 8 s).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from "vitest";
import { chunked, cutAt } from "../collect";
import type { ParseOptions } from "../types";
import { ofxBatches } from "./index";
import { OfxStatementReader } from "./statement";
import { run, type Outcome } from "./test-support";

/** The quick path and the general path on the same chunks: the same outcome, serialised the same way. */
async function sameAsGeneral(chunks: () => Iterable<Uint8Array>, options: ParseOptions): Promise<Outcome> {
  const quick = await run(ofxBatches(chunks(), options));
  const general = await run(ofxBatches(chunks(), options, false));
  expect(quick).toStrictEqual(general);
  expect(JSON.stringify(quick)).toBe(JSON.stringify(general));
  return quick;
}

const SGML_HEADER = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n";
const XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE"?>\n';

const QUICK = ["TRNTYPE", "DTPOSTED", "TRNAMT", "FITID", "NAME", "MEMO"] as const;
type QuickName = (typeof QUICK)[number];

const USUAL: Record<QuickName, string[]> = {
  TRNTYPE: ["DEBIT", "CREDIT", "POS", "0"],
  DTPOSTED: ["20250101120000.000[-5:EST]", "20251031", "20251031120000", "20251031235960[+5.5:IST]", "202510311200", "20240229"],
  TRNAMT: ["-259.46", "1252.98", "0.50", "-0.01", "100", "+6.60", "6,60"],
  FITID: ["1-0-514879", "33-2104-609347", "0", "A&amp;B-1"],
  NAME: ["Café Nord", "Grocer &amp; Sons", "ACME Hardware", "Müller GmbH", "O'Brien \"Pub\""],
  MEMO: ["Invoice 51632", "Invoice 09947", "Ref: 12/34 > 5", "Zahlung für Miete"],
};
const ODD_DATES = ["20251301", "20250230", "2025103", "2025-10-31", "20251031250000", "20251031120000[+15:X]", "20251031[-3]", "20251031120000.1234567", " 20251031 ", "20251031\u00a0", "２０２５１０３１"];
const ODD_AMOUNTS = ["$20", "1,234.56", "1e3", "- 1.00", "00.10", "-.5", "5.", "-0", "0.00", "1.000", "１.00", "+", "."];
const ODD_TEXTS = [
  "", " ", "\t", "\r\n", "\u00a0", "\u2028", "\u3000", "\ufeff", "\u00a0x\u00a0", "x\u2028", "\u0085x", "x\u000b", "\fx",
  "&amp;", "&amp", "&AMP;", "&lt;b&gt;", "&#x41;", "&#65;", "&#0;", "&#xD800;", "&#x110000;", "&#32;", "&#x20;x&#x20;", "&nbsp;", "&#160;", "&#x2028;", "&bogus;", "a & b", "&", "&#",
  "a>b", "a/b", "/", ">", "R&D &amp; Co", "Ünïcødé", "日本語", "😀 emoji", "two\nlines", "\r\n x \r\n", "line\rbreak", "tab\tin", "a\u0000b", "\u00ff\u00e9\u00a3",
  "<![CDATA[x<y]]>", "a<!-- c -->b", "a<?pi x?>b", "5 < 6", "a <b", "x".repeat(300),
];

const nameCase = fc.constantFrom<(n: string) => string>(
  (n) => n, (n) => n, (n) => n, (n) => n, (n) => n, (n) => n, (n) => n, (n) => n,
  (n) => n.toLowerCase(),
  (n) => n[0] + n.slice(1).toLowerCase(),
);
const between = fc.constantFrom("\n", "\n", "\n", "", "", "\r\n", "\r", " ", "\t", "\n  ", "\n\n\n", "\f", "\v", "\u00a0", "\u2028", "\r\r\n", "\n\r");
const closeStyle = fc.constantFrom("none", "none", "none", "none", "same", "same", "lower", "spaced", "other", "slash");

function valueFor(name: string) {
  const usual = (USUAL as Record<string, string[]>)[name] ?? ["x", "5", "EUR"];
  const odd = name === "DTPOSTED" ? [...ODD_DATES, ...ODD_TEXTS] : name === "TRNAMT" ? [...ODD_AMOUNTS, ...ODD_TEXTS] : ODD_TEXTS;
  return fc.oneof(
    { weight: 16, arbitrary: fc.constantFrom(...usual) },
    { weight: 3, arbitrary: fc.constantFrom(...odd) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: "binary" }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...usual), fc.constantFrom(" ", "\u00a0", "\n", "&amp;", "\t", "\u2028", "&#32;")).map(([v, pad]) => pad + v + pad) },
  );
}

interface Leaf {
  name: string;
  written: string;
  value: string;
  close: string;
  after: string;
}
const usualBetween = fc.constantFrom("\n", "\n", "\n", "", "\r\n", " ", "\t", "\n  ");
/** A leaf mostly as banks write it (SGML or XML), sometimes bent in its name's case, value, close tag or the blank after it. */
const leafOf = (name: string) =>
  fc.oneof(
    {
      weight: 24,
      arbitrary: fc.record({ name: fc.constant(name), written: fc.constant(name), value: fc.constantFrom(...(USUAL as Record<string, string[]>)[name]!), close: fc.constantFrom("none", "none", "same"), after: usualBetween }),
    },
    { weight: 1, arbitrary: fc.record({ name: fc.constant(name), written: nameCase.map((f) => f(name)), value: valueFor(name), close: closeStyle, after: between }) },
    { weight: 1, arbitrary: fc.record({ name: fc.constant(name), written: fc.constant(name), value: valueFor(name), close: fc.constantFrom("none", "same"), after: usualBetween }) },
  );

function writeLeaf(leaf: Leaf): string {
  const { written, value, close, after } = leaf;
  const end =
    close === "same" ? `</${written}>` : close === "lower" ? `</${written.toLowerCase()}>` : close === "spaced" ? `</${written} >` : close === "other" ? "</OTHER>" : close === "slash" ? "</>" : "";
  return `<${written}>${value}${end}${after}`;
}

/** Pieces that make a block unusual: other leaves, aggregates, markup that is not a tag, nested blocks. */
const strange = fc.oneof(
  fc.constantFrom(
    "<CHECKNUM>1001\n", "<SIC>5411\n", "<DTUSER>20251030\n", "<DTAVAIL>20251301\n", "<REFNUM>r-1</REFNUM>", "<EXTDNAME>Extended\n", "<PAYEEID>77\n", "<SRVRTID>s\n",
    "<X-CUSTOM>x\n", "<NAME2>n\n", "<TRNAMT.X>1\n", "<CORRECTFITID>9\n<CORRECTACTION>REPLACE\n",
    "<PAYEE><NAME>Payee Name<ADDR1>1 Main St</PAYEE>\n", "<CURRENCY><CURSYM>EUR<CURRATE>1.1</CURRENCY>\n", "<ORIGCURRENCY><CURSYM>gbp<CURRATE>0.9</ORIGCURRENCY>\n",
    "<BANKACCTTO><BANKID>1<ACCTID>99</BANKACCTTO>\n", "<CCACCTTO><ACCTID>4111</CCACCTTO>\n", "<payee><name>p</payee>",
    "<!-- comment -->", "<!---->", "<![CDATA[cdata]]>", "<?pi body?>", "junk", "\u00a0", "</PAYEE>", "</NAME>", "<NAME/>", "<MEMO />", "<NAME >spaced\n",
    "<STMTTRN>", "</STMTTRN>", "<STMTTRN><DTPOSTED>20251031<TRNAMT>1.00<FITID>in</STMTTRN>", "<STMTTRN>\n<TRNAMT>2.00\n",
    "<LEDGERBAL><BALAMT>1.00<DTASOF>20251031</LEDGERBAL>", "<STMTRS>", "</BANKTRANLIST>", "</OFX>", "&amp;", "< x", "<>", "<1>",
  ),
  fc.constantFrom(...QUICK).chain((name) => leafOf(name).map(writeLeaf)),
);

interface BlockSpec {
  leaves: [boolean, Leaf][];
  shuffle: number[];
  duplicate: number | null;
  extras: [number, string][];
  open: string;
  afterOpen: string;
  close: string;
  after: string;
  pad: number | null;
}

const blockSpec: fc.Arbitrary<BlockSpec> = fc.record({
  leaves: fc.tuple(...QUICK.map((name) => fc.tuple(fc.constantFrom(true, true, true, true, true, true, true, true, true, true, true, false), leafOf(name)))),
  shuffle: fc.oneof({ weight: 8, arbitrary: fc.constant<never[]>([]) }, { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }) }),
  duplicate: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
  extras: fc.oneof({ weight: 8, arbitrary: fc.constant<never[]>([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(fc.nat(), strange), { minLength: 1, maxLength: 2 }) }),
  open: fc.oneof({ weight: 20, arbitrary: fc.constant("<STMTTRN>") }, { weight: 1, arbitrary: fc.constantFrom("<stmttrn>", "<StmtTrn>", "<STMTTRN >", "<STMTTRN/>") }),
  afterOpen: fc.oneof({ weight: 10, arbitrary: usualBetween }, { weight: 1, arbitrary: between }),
  close: fc.oneof({ weight: 20, arbitrary: fc.constant("</STMTTRN>") }, { weight: 1, arbitrary: fc.constantFrom("</stmttrn>", "</STMTTRN >", "</StmtTrn>", "", "</STMTTRN/>", "</STMTTRN\n>") }),
  after: fc.oneof({ weight: 10, arbitrary: usualBetween }, { weight: 1, arbitrary: between }),
  // Pad the MEMO (or add one) so that the block reaches about the 4,096-character limit of a quick block.
  pad: fc.oneof({ weight: 10, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 4080, max: 4110 }) }),
});

function writeBlock(spec: BlockSpec): string {
  const leaves = spec.leaves.filter(([keep]) => keep).map(([, leaf]) => ({ ...leaf }));
  for (const at of spec.shuffle) {
    if (leaves.length < 2) break;
    const i = at % leaves.length;
    const j = (i + 1 + ((at >> 3) % (leaves.length - 1))) % leaves.length;
    [leaves[i], leaves[j]] = [leaves[j]!, leaves[i]!];
  }
  if (spec.duplicate !== null && leaves.length > 0) {
    const i = spec.duplicate % leaves.length;
    leaves.splice((i + 1 + (spec.duplicate >> 4)) % (leaves.length + 1), 0, { ...leaves[i]!, value: (leaves[i]!.value || "x") + "2" });
  }
  const write = () => {
    const pieces = leaves.map(writeLeaf);
    for (const [at, piece] of spec.extras) pieces.splice(at % (pieces.length + 1), 0, piece);
    return `${spec.open}${spec.afterOpen}${pieces.join("")}`;
  };
  if (spec.pad !== null) {
    let memo = leaves.find((leaf) => leaf.name === "MEMO");
    if (!memo) leaves.push((memo = { name: "MEMO", written: "MEMO", value: "", close: "none", after: "\n" }));
    memo.value = "";
    // The characters from the open tag's "<" to the close tag's "<" (where quickBlock checks the limit).
    memo.value = "m".repeat(Math.max(1, spec.pad - write().length));
  }
  return `${write()}${spec.close}${spec.after}`;
}

const block = blockSpec.map(writeBlock);

/** Where the blocks of one list go. */
const place = fc.oneof({ weight: 14, arbitrary: fc.constant("list") }, { weight: 1, arbitrary: fc.constantFrom("statement", "ledgerbal", "memo", "name", "fitidPayee", "nested", "payee") });

interface StatementSpec {
  credit: boolean;
  curdef: string;
  account: "before" | "after" | "none";
  place: string;
  blocks: string[];
  tail: string[];
}
const statementSpec: fc.Arbitrary<StatementSpec> = fc.record({
  credit: fc.boolean(),
  curdef: fc.constantFrom("USD", "EUR", "eur", "EURO", "", "GBP"),
  account: fc.oneof({ weight: 14, arbitrary: fc.constant<"before">("before") }, { weight: 1, arbitrary: fc.constantFrom<"after" | "none">("after", "none") }),
  place,
  blocks: fc.array(block, { minLength: 1, maxLength: 5 }),
  tail: fc.array(block, { maxLength: 1 }),
});

function writeStatement(spec: StatementSpec, xml: boolean): string {
  const agg = spec.credit ? "CCSTMTRS" : "STMTRS";
  const c = (name: string, value: string) => (xml ? `<${name}>${value}</${name}>` : `<${name}>${value}`);
  const from = spec.credit ? `<CCACCTFROM>${c("ACCTID", "4111")}</CCACCTFROM>` : `<BANKACCTFROM>${c("BANKID", "1")}${c("ACCTID", "42")}${c("ACCTTYPE", "CHECKING")}</BANKACCTFROM>`;
  const body = spec.blocks.join("");
  const list =
    spec.place === "memo" ? `${c("DTSTART", "20250101")}<MEMO>${body}</MEMO>` :
    spec.place === "name" ? `<NAME>\n${body}</NAME>` :
    spec.place === "fitidPayee" ? `<FITID><PAYEE>${body}</PAYEE></FITID>` :
    spec.place === "nested" ? `<STMTTRN><TRNAMT>1.00\n${body}</STMTTRN>` :
    spec.place === "payee" ? `<PAYEE>${body}</PAYEE>` :
    spec.place === "list" ? `${c("DTSTART", "20250101")}\n${c("DTEND", "20261231")}\n${body}` : "";
  const outside = spec.place === "statement" ? body : "";
  const ledger = spec.place === "ledgerbal" ? `<LEDGERBAL>${c("BALAMT", "10.00")}${body}${c("DTASOF", "20251031")}</LEDGERBAL>` : `<LEDGERBAL>${c("BALAMT", "10.00")}${c("DTASOF", "20251031")}</LEDGERBAL>`;
  return (
    `<STMTTRNRS><TRNUID>1<${agg}>${c("CURDEF", spec.curdef)}\n${spec.account === "before" ? from : ""}\n` +
    `${outside}<BANKTRANLIST>${list}</BANKTRANLIST>\n${spec.account === "after" ? from : ""}${ledger}\n${spec.tail.join("")}</${agg}></STMTTRNRS>\n`
  );
}

interface DocumentSpec {
  xml: boolean;
  statements: StatementSpec[];
  before: string[];
  after: string[];
  eol: "lf" | "crlf" | "cr";
  encoding: "utf-8" | "windows-1252" | "utf-16le";
}
const documentSpec: fc.Arbitrary<DocumentSpec> = fc.record({
  xml: fc.boolean(),
  statements: fc.array(statementSpec, { minLength: 1, maxLength: 3 }),
  // Blocks inside <OFX> but outside any statement, and after </OFX>.
  before: fc.oneof({ weight: 6, arbitrary: fc.constant<never[]>([]) }, { weight: 1, arbitrary: fc.array(block, { minLength: 1, maxLength: 2 }) }),
  after: fc.oneof({ weight: 6, arbitrary: fc.constant<never[]>([]) }, { weight: 1, arbitrary: fc.array(block, { minLength: 1, maxLength: 2 }) }),
  eol: fc.constantFrom<"lf" | "crlf" | "cr">("lf", "lf", "lf", "crlf", "crlf", "cr"),
  encoding: fc.constantFrom<"utf-8" | "windows-1252" | "utf-16le">("utf-8", "utf-8", "utf-8", "windows-1252", "utf-16le"),
});

function writeDocument(spec: DocumentSpec): string {
  const head = spec.xml ? XML_HEADER : SGML_HEADER;
  const signon = spec.xml
    ? "<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><DTSERVER>20251031</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS></SIGNONMSGSRSV1>"
    : "<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20251031<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>";
  const bank = spec.statements.filter((s) => !s.credit).map((s) => writeStatement(s, spec.xml)).join("");
  const cards = spec.statements.filter((s) => s.credit).map((s) => writeStatement(s, spec.xml).replace("<STMTTRNRS>", "<CCSTMTTRNRS>").replace("</STMTTRNRS>", "</CCSTMTTRNRS>")).join("");
  const text =
    `${head}<OFX>\n${signon}\n${spec.before.join("")}` +
    `${bank ? `<BANKMSGSRSV1>\n${bank}</BANKMSGSRSV1>\n` : ""}${cards ? `<CREDITCARDMSGSRSV1>\n${cards}</CREDITCARDMSGSRSV1>\n` : ""}</OFX>\n${spec.after.join("")}`;
  // Only the "\n" written by the document itself and its blocks' blanks change; values keep their own breaks.
  return spec.eol === "lf" ? text : text.replace(/(?<!\r)\n/g, spec.eol === "crlf" ? "\r\n" : "\r");
}

/**
 * The document's bytes in its encoding, the text they decode from (windows-1252: every UTF-16 unit past
 * U+00FF written "?"; bytes 0x80–0x9F then decode to other characters, as in a real file), and the byte
 * offset of each character of that text (for cuts next to tags).
 */
function encode(original: string, encoding: DocumentSpec["encoding"]): { text: string; input: Uint8Array; offsets: (index: number) => number } {
  if (encoding === "windows-1252") {
    const text = original.replace(/[^\u0000-\u00ff]/g, "?");
    return { text, input: Uint8Array.from(text, (ch) => ch.charCodeAt(0)), offsets: (i) => i };
  }
  if (encoding === "utf-16le") {
    const input = new Uint8Array(2 + original.length * 2);
    input[0] = 0xff;
    input[1] = 0xfe;
    for (let i = 0; i < original.length; i++) {
      input[2 + 2 * i] = original.charCodeAt(i) & 0xff;
      input[3 + 2 * i] = original.charCodeAt(i) >> 8;
    }
    return { text: original, input, offsets: (i) => 2 + 2 * i };
  }
  const encoder = new TextEncoder();
  return { text: original, input: encoder.encode(original), offsets: (i) => encoder.encode(original.slice(0, i)).length };
}

/** Byte offsets of every "<STMTTRN" / "</STMTTRN" (any case) and of the ">" that ends each. */
function boundaries(text: string, offsets: (index: number) => number): number[] {
  const out: number[] = [];
  for (const match of text.matchAll(/<\/?stmttrn[^>]*>/gi)) {
    out.push(offsets(match.index), offsets(match.index + match[0].length));
  }
  return out;
}

const cutsNear = fc.array(fc.tuple(fc.nat(), fc.integer({ min: -12, max: 12 })), { minLength: 1, maxLength: 6 });

describe("OFX quick transaction blocks against the general path (adversarial, generated)", () => {
  let spy: MockInstance<OfxStatementReader["quickTransaction"]>;
  beforeAll(() => {
    spy = vi.spyOn(OfxStatementReader.prototype, "quickTransaction");
  });
  afterAll(() => spy.mockRestore());

  const runs = Number(process.env.OFX_QUICK_RUNS ?? 1500);
  it("every event, issue and error the same, whole, in chunks, cut at random and next to block boundaries", { timeout: Math.max(60_000, runs * 20) }, async () => {
    let taken = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(documentSpec, fc.array(fc.nat(), { maxLength: 8 }), cutsNear, fc.integer({ min: 1, max: 400 }), async (spec, cuts, near, size) => {
        const { text, input, offsets } = encode(writeDocument(spec), spec.encoding);
        const options: ParseOptions = spec.encoding === "windows-1252" ? { encoding: "windows-1252" } : {};
        spy.mockClear();
        await sameAsGeneral(() => [input], options);
        const results = spy.mock.results.map((result) => result.value as boolean);
        taken += results.filter((value) => value).length;
        refused += results.filter((value) => !value).length;
        const edges = boundaries(text, offsets);
        const nearCuts = edges.length === 0 ? [] : near.map(([which, delta]) => Math.max(0, edges[which % edges.length]! + delta));
        await sameAsGeneral(() => cutAt(input, [...cuts, ...nearCuts]), options);
        // Small chunks on long documents take long: at least 1/400 of the input per chunk.
        await sameAsGeneral(() => chunked(input, Math.max(size, Math.ceil(input.length / 400))), options);
      }),
      { numRuns: runs },
    );
    // The generator must keep both sides busy: most blocks taken whole, many handed back.
    expect(taken).toBeGreaterThan(runs);
    expect(refused).toBeGreaterThan(runs / 5);
  });

  it("long runs of blocks (usual and not) in one statement, in chunks of any size and cut at random", { timeout: Math.max(60_000, runs * 20) }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(block, { minLength: 20, maxLength: 120 }),
        fc.boolean(),
        fc.constantFrom("lf", "crlf", "cr"),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 1, max: 5000 }),
        async (blocks, xml, eol, cuts, size) => {
          const list = blocks.join("");
          const lines = (text: string) => (eol === "lf" ? text : text.replace(/(?<!\r)\n/g, eol === "crlf" ? "\r\n" : "\r"));
          const text = `${xml ? XML_HEADER : SGML_HEADER}<OFX>\n<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR\n<BANKACCTFROM><BANKID>1<ACCTID>42</BANKACCTFROM>\n<BANKTRANLIST>\n${list}</BANKTRANLIST>\n<LEDGERBAL><BALAMT>1.00<DTASOF>20251031</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n`;
          const input = new TextEncoder().encode(lines(text));
          await sameAsGeneral(() => [input], {});
          await sameAsGeneral(() => cutAt(input, cuts), {});
          await sameAsGeneral(() => chunked(input, Math.max(size, Math.ceil(input.length / 300))), {});
        },
      ),
      { numRuns: Math.ceil(runs / 10) },
    );
  });

  it("a run of usual blocks, whatever blank is between them, up to a block that is not usual and after it: each usual block taken whole", async () => {
    const usual = (fitid: number) => `<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>20251031\n<TRNAMT>-1.00\n<FITID>${fitid}\n<NAME>A &amp; B\n<MEMO>m\n</STMTTRN>`;
    // Blanks skipBlank skips (taken), then ones it does not (\f, NBSP: handed back), a lower-case tag and a comment.
    const blanks = ["", "\n", "\r\n", "\r", " \t\n\n", "\r\r\n"];
    const stops = ["\f", "\u00a0", "\n<stmttrn>\n<TRNAMT>2.00\n<DTPOSTED>20251031\n<FITID>x\n</STMTTRN>\n", "\n<!-- c -->\n", "\n<STMTTRN>\n<TRNAMT>1.00\n<BOGUS>1\n</STMTTRN>\n"];
    for (const stop of stops) {
      const list = blanks.map((blank, index) => blank + usual(index)).join("") + stop + blanks.map((blank, index) => usual(100 + index) + blank).join("") + "\n";
      const text = `${SGML_HEADER}<OFX>\n<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKACCTFROM><ACCTID>42</BANKACCTFROM>\n<BANKTRANLIST>\n${list}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n`;
      const input = new TextEncoder().encode(text);
      spy.mockClear();
      const whole = await sameAsGeneral(() => [input], {});
      expect(whole.events.filter((event) => event.type === "transaction").length).toBeGreaterThanOrEqual(12);
      // The six usual blocks before the stop are taken whole, and so are those after it (all but the
      // first of them when a blank skipBlank does not skip is left as text before it).
      expect(spy.mock.results.slice(0, 6).map((result) => result.value)).toEqual([true, true, true, true, true, true]);
      expect(spy.mock.results.filter((result) => result.value === true).length).toBeGreaterThanOrEqual(11);
      for (const size of [1, 9, 64, 150, 1000]) await sameAsGeneral(() => chunked(input, size), {});
    }
  });

  it("blocks at, just under and past the deepest nesting the tree allows (MAX_DEPTH)", async () => {
    const usual = "<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>20251031\n<TRNAMT>-1.00\n<FITID>1\n<NAME>A &amp; B\n<MEMO>m\n</STMTTRN>\n";
    for (let depth = 43; depth <= 49; depth++) {
      // <OFX>, <BANKMSGSRSV1>, <STMTTRNRS>, <STMTRS>, <BANKTRANLIST>, then <PAYEE>s: the blocks open at `depth`.
      const payees = Math.max(0, depth - 5);
      const text = `${SGML_HEADER}<OFX>\n<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKACCTFROM><ACCTID>42</BANKACCTFROM>\n<BANKTRANLIST>\n${"<PAYEE>".repeat(payees)}${usual}${usual}${"</PAYEE>".repeat(payees)}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n`;
      const input = new TextEncoder().encode(text);
      spy.mockClear();
      const whole = await sameAsGeneral(() => [input], {});
      // Within MAX_DEPTH both blocks are taken whole; past it the tree refuses the open tag and the parse fails.
      expect(spy.mock.results.map((result) => result.value)).toEqual(depth < 48 ? [true, true] : []);
      expect(whole.error?.code).toBe(depth < 48 ? undefined : "ofx_too_deep");
      for (const size of [1, 7, 64, 100]) await sameAsGeneral(() => chunked(input, size), {});
    }
  });

  it("blocks just under, at and past the 4,096-character limit of a quick block, and one with a value past the raw text kept", async () => {
    const document = (list: string) =>
      `${SGML_HEADER}<OFX>\n<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKACCTFROM><ACCTID>42</BANKACCTFROM>\n<BANKTRANLIST>\n${list}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n`;
    const head = "<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>20251031\n<TRNAMT>-1.00\n<FITID>1\n<NAME>A &amp; B\n<MEMO>";
    for (const length of [4094, 4095, 4096, 4097]) {
      // From the open tag's "<" to the close tag's "<": `length` characters.
      const memo = "m".repeat(length - head.length - 1);
      const list = `${head}${memo}\n</STMTTRN>\n`.repeat(2);
      const input = new TextEncoder().encode(document(list));
      spy.mockClear();
      await sameAsGeneral(() => [input], {});
      expect(spy.mock.results.map((result) => result.value)).toEqual(length < 4096 ? [true, true] : []);
      for (const size of [7, 100, 4096]) await sameAsGeneral(() => chunked(input, size), {});
    }
    const input = new TextEncoder().encode(document(`${head}${"m".repeat(70_000)}\n</STMTTRN>\n${head}short\n</STMTTRN>\n`));
    spy.mockClear();
    const whole = await sameAsGeneral(() => [input], {});
    expect(spy.mock.results.map((result) => result.value)).toEqual([true]);
    expect(whole.events.filter((event) => event.type === "transaction")).toHaveLength(2);
    for (const size of [1000, 65_536]) await sameAsGeneral(() => chunked(input, size), {});
  });
});
