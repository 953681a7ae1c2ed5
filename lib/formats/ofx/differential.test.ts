/**
 * The optimised OFX reader (leaf fast path in the tokenizer, fields in slots, transactions built
 * straight from them) against the reference copy of the reader before those changes: the same events
 * and the same error (code, message, line) on samples, generated statements and damaged inputs, in
 * any chunking.
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { chunked, cutAt } from "../collect";
import { ofxBatches } from "./index";
import { ofxReferenceBatches } from "./reference/index";
import { OfxStatementReader } from "./statement";
import { run, type Outcome } from "./test-support";

async function same(chunks: () => Iterable<Uint8Array>): Promise<Outcome> {
  const actual = await run(ofxBatches(chunks(), {}));
  const expected = await run(ofxReferenceBatches(chunks(), {}));
  expect(actual).toEqual(expected);
  return actual;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const SAMPLE_DIR = "test/fixtures/samples/ofx/";
const SAMPLES = readdirSync(SAMPLE_DIR).filter((name) => name.endsWith(".ofx")).map((name) => new Uint8Array(readFileSync(SAMPLE_DIR + name)));

const SGML_HEADER = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n";

/** Leaf values: ordinary ones, entities, blank, CDATA, markup-looking and unusual white space. */
const value = fc.oneof(
  fc.constantFrom("DEBIT", "-12.34", "+6,60", ".5", "$20", "1,234.56", "", " ", "20251031", "20251031120000.000[-5:EST]", "20251301", "2025103112", "20251031235960[+5.5:IST]", "EUR", "usd", "eu"),
  fc.constantFrom("AT&amp;T", "A&B 5 < 6", "&#233;&#x41;", "&#32;", "&bogus;", "<![CDATA[x<y]]>", "a<!-- c -->b", "\u00a0x\u00a0", "x\u2028", "Café", "\r\n", "line\rbreak"),
  fc.string({ maxLength: 8 }),
);
const leafName = fc.constantFrom(
  "TRNTYPE", "DTPOSTED", "DTUSER", "DTAVAIL", "TRNAMT", "FITID", "NAME", "MEMO", "EXTDNAME", "SIC", "PAYEEID", "SRVRTID",
  "CORRECTFITID", "CORRECTACTION", "REFNUM", "CHECKNUM", "CURSYM", "CURRATE", "ACCTID", "BANKID", "ACCTTYPE", "BALAMT",
  "DTASOF", "CODE", "MESSAGE", "X-CUSTOM", "trnamt", "Name", "MKTGINFO",
);
const aggregate = fc.constantFrom("PAYEE", "CURRENCY", "ORIGCURRENCY", "BANKACCTTO", "CCACCTTO", "STATUS", "LEDGERBAL", "AVAILBAL", "X", "payee", "Currency");
const space = fc.constantFrom("", "", "\n", "\r\n", "  ", "\t", "\r");

/** One leaf: unclosed (SGML), closed (XML), or closed with a different name. */
const leaf = fc.tuple(leafName, value, fc.constantFrom("unclosed", "closed", "closed", "other"), space).map(([name, text, style, after]) =>
  style === "unclosed" ? `<${name}>${text}${after}` : style === "closed" ? `<${name}>${text}</${name}>${after}` : `<${name}>${text}</OTHER>${after}`,
);
/** An aggregate closed as opened, in another case, by an outer element's close, or not at all. */
const block = fc
  .tuple(aggregate, fc.array(leaf, { maxLength: 3 }), space, fc.constantFrom("same", "same", "upper", "outer", "none"))
  .map(([name, inner, after, close]) => `<${name}>${inner.join("")}${close === "same" ? `</${name}>` : close === "upper" ? `</${name.toUpperCase()}>` : close === "outer" ? "</STMTTRN>" : ""}${after}`);
const transaction = fc.tuple(fc.array(fc.oneof(leaf, leaf, leaf, block), { maxLength: 10 }), space, fc.boolean()).map(([parts, after, closed]) => `<STMTTRN>${after}${parts.join("")}${closed ? "</STMTTRN>" : ""}${after}`);
const statement = fc
  .tuple(fc.array(transaction, { maxLength: 5 }), fc.constantFrom("CHECKING", ""), fc.boolean(), space, fc.array(leaf, { maxLength: 2 }))
  .map(([transactions, type, credit, after, extra]) => {
    const agg = credit ? "CCSTMTRS" : "STMTRS";
    const from = credit ? "<CCACCTFROM><ACCTID>4111</CCACCTFROM>" : `<BANKACCTFROM><BANKID>1<ACCTID>42<ACCTTYPE>${type}</BANKACCTFROM>`;
    return `<${agg}><CURDEF>USD${after}${from}<BANKTRANLIST><DTSTART>20251001<DTEND>20251031${after}${transactions.join("")}</BANKTRANLIST>${extra.join("")}<LEDGERBAL><BALAMT>10.00<DTASOF>20251031</LEDGERBAL></${agg}>${after}`;
  });
const document = fc.tuple(fc.array(statement, { minLength: 1, maxLength: 2 }), fc.boolean(), fc.constantFrom("", "<!-- c -->", "junk", "<?OFX x?>")).map(([statements, xml, tail]) => {
  const head = xml ? '<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n' : SGML_HEADER;
  return `${head}<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS></SONRS></SIGNONMSGSRSV1>\n<BANKMSGSRSV1><STMTTRNRS>${statements.join("")}</STMTTRNRS></BANKMSGSRSV1></OFX>${tail}\n`;
});

/** Damage: insert, delete or replace a piece of markup at some offset. */
const damage = fc.array(
  fc.tuple(fc.nat(), fc.constantFrom("insert", "delete", "replace"), fc.constantFrom("<", ">", "</", "<X>", "</STMTTRN>", "<STMTTRN>", "&", "\n", "<![CDATA[", "]]>", "<!--", "<!DOCTYPE x>", "<?", "/", "A")),
  { maxLength: 4 },
);
function damaged(text: string, edits: [number, string, string][]): string {
  let out = text;
  for (const [at, how, piece] of edits) {
    const i = at % (out.length + 1);
    out = how === "insert" ? out.slice(0, i) + piece + out.slice(i) : how === "delete" ? out.slice(0, i) + out.slice(i + piece.length) : out.slice(0, i) + piece + out.slice(i + piece.length);
  }
  return out;
}

describe("OFX reader against the reference reader", () => {
  it("samples, whole and cut in two at every offset", async () => {
    for (const input of SAMPLES) {
      const whole = await same(() => [input]);
      expect(whole.error).toBeUndefined();
      for (let cut = 1; cut < input.length; cut++) await same(() => [input.subarray(0, cut), input.subarray(cut)]);
    }
  });

  it("samples in small chunks of every size up to 64", async () => {
    for (const input of SAMPLES) for (let size = 1; size <= 64; size++) await same(() => chunked(input, size));
  });

  it("generated statements (SGML, XML and mixed leaves), cut anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(document, fc.array(fc.nat(), { maxLength: 6 }), async (text, cuts) => {
        const input = bytes(text);
        await same(() => [input]);
        await same(() => cutAt(input, cuts));
      }),
      { numRuns: 400 },
    );
  });

  it("aggregates nested up to and past MAX_DEPTH, closed in any order", async () => {
    for (const depth of [46, 47, 48, 49]) {
      const opens = Array.from({ length: depth }, (_, i) => (i % 2 === 0 ? "<PAYEE>" : "<bal>\n")).join("");
      const closes = Array.from({ length: depth }, (_, i) => (i % 2 === 0 ? "</PAYEE>" : "</BAL>")).reverse().join("");
      for (const tail of [closes, "</PAYEE>" + closes, closes.slice(8), "</OFX>"]) {
        const input = bytes(`${SGML_HEADER}<OFX>\n${opens}<NAME>x\n${tail}</OFX>\n<PAYEE></PAYEE>`);
        await same(() => [input]);
        for (const size of [1, 7, 64]) await same(() => chunked(input, size));
      }
    }
  });

  // Transactions at the edges of the whole-leaf and plain-tag paths (and of a reader taking a
  // transaction's leaves in one pass, tried in the second pass of docs/performance.md's seventh
  // session): every kind of line break, closed leaves with blanks and other markup between, nested,
  // lower-case, unclosed, misplaced transactions, raw text past MAX_RAW_CHARS, too many fields.
  const transactionEdges = [
    // Line breaks of every kind between and inside values, before a warning whose line must stay right.
    "<STMTTRN>\r\n<TRNTYPE>DEBIT\r<DTPOSTED>20251031\n\n<TRNAMT>-1.00\r\n<MEMO>two\nlines\r\n</STMTTRN>junk\n<STMTTRN><DTPOSTED>x</STMTTRN>",
    // Closed leaves with blanks between, then other markup, then leaves again.
    "<STMTTRN> <TRNAMT>1.00</TRNAMT>\t<DTPOSTED>20251031</DTPOSTED> <!-- c --><NAME>a</NAME><PAYEE><NAME>p</PAYEE><MEMO>m</STMTTRN>",
    "<STMTTRN><TRNAMT>1.00<DTPOSTED>20251031<NAME>A &amp; B<MEMO><![CDATA[x]]><FITID> \u00a0 <SIC>\u00a0 5\u00a0</STMTTRN>",
    "<STMTTRN><TRNAMT>1.00<DTPOSTED>20251031<NAME>x</name><MEMO></MEMO><FITID>  \n<CHECKNUM>5 < 6<REFNUM>r</STMTTRN>",
    // Nested, lower case, unclosed, and outside a statement or after </OFX>.
    "<STMTTRN><TRNAMT>1.00<STMTTRN><DTPOSTED>20251031<NAME>inner</STMTTRN><MEMO>outer</STMTTRN>",
    "<stmttrn>\n<trnamt>2.00\n<dtposted>20251031\n</StmtTrn>",
    "<STMTTRN><TRNAMT>3.00<DTPOSTED>20251031",
    "<MEMO><STMTTRN><TRNAMT>1.00<DTPOSTED>20251031</STMTTRN></MEMO>",
  ];
  const edgeDocument = (transactions: string, outside = "") =>
    `${SGML_HEADER}<OFX>${outside}<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKACCTFROM><ACCTID>42</BANKACCTFROM><BANKTRANLIST>\n${transactions}\n</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n`;

  it("transactions at the edges of the fast paths, whole and in chunks", async () => {
    const long = "x".repeat(70_000);
    const manyFields = Array.from({ length: 300 }, (_, i) => `<X${i}>${i}\n`).join("");
    const texts = [
      ...transactionEdges.map((t) => edgeDocument(t)),
      edgeDocument(transactionEdges.join("\n")),
      // A transaction outside any statement, and one after </OFX>.
      edgeDocument(transactionEdges[0]!, "<STMTTRN><TRNAMT>1.00<DTPOSTED>20251031</STMTTRN>") + "<STMTTRN><TRNAMT>1.00\n",
      // Raw text past MAX_RAW_CHARS, and more fields than a transaction keeps.
      edgeDocument(`<STMTTRN><TRNAMT>1.00<MEMO>${long}\n<NAME>after<DTPOSTED>x</STMTTRN>`),
      edgeDocument(`<STMTTRN><TRNAMT>1.00${manyFields}<DTPOSTED>x</STMTTRN>`),
    ];
    for (const text of texts) {
      const input = bytes(text);
      await same(() => [input]);
      for (const size of [1, 2, 3, 5, 7, 13, 64, 1000]) await same(() => chunked(input, size));
    }
  });

  it("generated transactions with those edges, cut anywhere", async () => {
    const piece = fc.oneof(leaf, leaf, fc.constantFrom(...transactionEdges), fc.constantFrom("\r", "\r\n", " ", "<!-- c -->", "x", "</PAYEE>", "<PAYEE>"));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.array(piece, { maxLength: 8 }), fc.boolean())), fc.array(fc.nat(), { maxLength: 6 }), async (parts, cuts) => {
        const transactions = parts.map(([inner, closed]) => `<STMTTRN>${inner.join("")}${closed ? "</STMTTRN>" : ""}`).join("");
        const input = bytes(edgeDocument(transactions));
        await same(() => [input]);
        await same(() => cutAt(input, cuts));
      }),
      { numRuns: 300 },
    );
  });

  it("damaged samples and generated statements, cut anywhere", async () => {
    const texts = SAMPLES.map((input) => new TextDecoder("latin1").decode(input));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...texts), document), damage, fc.array(fc.nat(), { maxLength: 4 }), async (text, edits, cuts) => {
        const input = bytes(damaged(text, edits));
        await same(() => [input]);
        await same(() => cutAt(input, cuts));
      }),
      { numRuns: 400 },
    );
  });
});

/**
 * Usual transaction blocks read whole (OfxTokenizer.quickBlock, OfxStatementReader.quickTransaction)
 * against the general path (ofxBatches without quick blocks) and the reference reader: blocks as the
 * bench writes them, near them (each leaf optional, closed or not, entities, odd blanks and values),
 * past them (another leaf, another order or case, CDATA, comments, too long) and damaged, whole and cut
 * anywhere, so a block also crosses chunk ends.
 */
describe("OFX usual transaction blocks read whole, against the general path", () => {
  async function sameQuick(chunks: () => Iterable<Uint8Array>): Promise<Outcome> {
    const quick = await run(ofxBatches(chunks(), {}));
    const general = await run(ofxBatches(chunks(), {}, false));
    expect(quick).toStrictEqual(general);
    // The same keys in the same order (toStrictEqual does not see order).
    expect(JSON.stringify(quick)).toBe(JSON.stringify(general));
    expect(quick).toEqual(await run(ofxReferenceBatches(chunks(), {})));
    return quick;
  }

  const USUAL_VALUES: Record<string, string[]> = {
    TRNTYPE: ["DEBIT", "CREDIT"],
    DTPOSTED: ["20250101120000.000[-5:EST]", "20251031", "20251031120000", "20251031235960[+5.5:IST]"],
    TRNAMT: ["-259.46", "1252.98", "0.50", "-0.01"],
    FITID: ["1-0-514879", "33-2104-609347"],
    NAME: ["Café Nord", "Grocer &amp; Sons", "ACME Hardware"],
    MEMO: ["Invoice 51632", "Invoice 09947"],
  };
  const ODD_VALUES = ["", " ", "\u00a0x\u00a0", "x\u2028", "&#233;&#x41;", "&#32;", "&bogus;", "a>b", "two\nlines", "line\rbreak", "20251301", "2025103112", "+6,60", ".5", "$20", "1,234.56", "0.00", "-0", "<![CDATA[x]]>", "a<!-- c -->b", "5 < 6"];
  const NAMES = Object.keys(USUAL_VALUES);
  const blank = fc.constantFrom("\n", "\n", "", "\r\n", "\r", " ", "\t", "\n  ", "\f", "\u00a0");
  /** One leaf of the usual set, mostly as the bench writes it. */
  const usualLeaf = (name: string) =>
    fc
      .tuple(
        fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...USUAL_VALUES[name]!) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_VALUES) }),
        fc.constantFrom("unclosed", "unclosed", "unclosed", "unclosed", "closed", "closed", "lower", "other"),
        blank,
        fc.constantFrom(name, name, name, name, name, name, name.toLowerCase()),
      )
      .map(([text, style, after, written]) =>
        style === "unclosed" ? `<${written}>${text}${after}` : style === "closed" ? `<${written}>${text}</${written}>${after}` : style === "lower" ? `<${written}>${text}</${written.toLowerCase()}>${after}` : `<${written}>${text}</MEMO>${after}`,
      );
  const strange = fc.constantFrom("<DTUSER>20251031\n", "<CHECKNUM>5\n", "<X-CUSTOM>x\n", "<PAYEE><NAME>p</PAYEE>", "<!-- c -->", "<![CDATA[x]]>", "junk", "</PAYEE>", "<STMTTRN>", "<MEMO>dup\n");
  /** A block: the usual leaves, each kept or left out, sometimes shuffled, with strange pieces slipped in. */
  const quickBlock = fc
    .tuple(
      fc.tuple(...NAMES.map((name) => fc.tuple(fc.constantFrom(true, true, true, true, true, false), usualLeaf(name)))),
      fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(fc.nat(), strange), { minLength: 1, maxLength: 2 }) }),
      fc.constantFrom("usual", "usual", "usual", "usual", "usual", "shuffled"),
      fc.constantFrom("<STMTTRN>", "<STMTTRN>", "<STMTTRN>", "<stmttrn>"),
      fc.constantFrom("</STMTTRN>", "</STMTTRN>", "</STMTTRN>", "</STMTTRN>", "</stmttrn>", ""),
      blank,
      fc.constantFrom("", "", "", "", "", "", "", "x".repeat(4100)),
    )
    .map(([leaves, extras, order, open, close, after, long]) => {
      const kept = leaves.filter(([keep]) => keep).map(([, leaf]) => leaf);
      if (order === "shuffled") kept.reverse();
      for (const [at, piece] of extras) kept.splice(at % (kept.length + 1), 0, piece);
      if (long !== "") kept.push(`<MEMO>${long}\n`);
      return `${open}${after}${kept.join("")}${close}${after}`;
    });
  /**
   * Blocks in a statement, or where the reader does not take one: before the account is read, in a
   * text element, in another transaction, outside a statement, after </OFX>.
   */
  const quickDocument = fc
    .tuple(fc.array(quickBlock, { minLength: 1, maxLength: 6 }), fc.constantFrom("statement", "statement", "statement", "noAccount", "inMemo", "nested", "outside", "afterEnd"), fc.boolean())
    .map(([blocks, where, xml]) => {
      const head = xml ? '<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n' : SGML_HEADER;
      const body = blocks.join("");
      const account = where === "noAccount" ? "" : "<BANKACCTFROM><BANKID>1<ACCTID>42<ACCTTYPE>CHECKING</BANKACCTFROM>";
      const list = where === "inMemo" ? `<MEMO>${body}</MEMO>` : where === "nested" ? `<STMTTRN><TRNAMT>1.00\n${body}</STMTTRN>` : body;
      const statement = where === "outside" ? body : `<STMTRS><CURDEF>USD\n${account}\n<BANKTRANLIST><DTSTART>20250101<DTEND>20261231\n${list}</BANKTRANLIST>\n</STMTRS>`;
      return `${head}<OFX>\n<BANKMSGSRSV1><STMTTRNRS>${statement}</STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n${where === "afterEnd" ? body : ""}`;
    });

  it("takes every block as the bench writes it", async () => {
    const spy = vi.spyOn(OfxStatementReader.prototype, "quickTransaction");
    try {
      const blocks = Object.values(USUAL_VALUES)[0]!.flatMap((type, i) =>
        USUAL_VALUES.NAME!.map((name, j) => `<STMTTRN>\n<TRNTYPE>${type}\n<DTPOSTED>20250101120000.000[-5:EST]\n<TRNAMT>-${i + 1}${j}.46\n<FITID>1-${i}-${j}\n<NAME>${name}\n<MEMO>Invoice ${i}${j}\n</STMTTRN>\n`),
      );
      const input = bytes(`${SGML_HEADER}<OFX>\n<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKACCTFROM><ACCTID>42</BANKACCTFROM>\n<BANKTRANLIST>\n${blocks.join("")}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n`);
      const whole = await sameQuick(() => [input]);
      expect(whole.error).toBeUndefined();
      // Each block once by the quick path (the general run and the reference reader do not ask), and taken.
      expect(spy.mock.results.map((result) => result.value)).toEqual(blocks.map(() => true));
    } finally {
      spy.mockRestore();
    }
  });

  it("usual blocks where the reader does not take them whole, whole and in chunks", async () => {
    const usual = "<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>20251031\n<TRNAMT>-1.00\n<FITID>1\n<NAME>n\n<MEMO>m\n</STMTTRN>\n";
    const statement = (list: string, account = "<BANKACCTFROM><ACCTID>42</BANKACCTFROM>") => `<STMTRS><CURDEF>USD\n${account}\n<BANKTRANLIST>\n${list}</BANKTRANLIST></STMTRS>`;
    const document = (inside: string, after = "") => `${SGML_HEADER}<OFX>\n<BANKMSGSRSV1><STMTTRNRS>${inside}</STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n${after}`;
    const texts = [
      // In a text element (the first block settles <MEMO> as an aggregate, the next ones are quick candidates).
      document(statement(`<MEMO>${usual}${usual}${usual}</MEMO>`)),
      // In another transaction, outside a statement, after </OFX>, before the account is read.
      document(statement(`<STMTTRN><TRNAMT>1.00\n${usual}${usual}</STMTTRN>`)),
      document(usual + usual + statement(usual)),
      document(statement(usual), usual + usual),
      document(statement(usual + usual, "")),
    ];
    for (const text of texts) {
      const input = bytes(text);
      await sameQuick(() => [input]);
      for (const size of [1, 7, 64, 100]) await sameQuick(() => chunked(input, size));
    }
  });

  it("usual, near-usual and unusual blocks, whole, in small chunks and cut anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(quickDocument, fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 1, max: 200 }), async (text, cuts, size) => {
        const input = bytes(text);
        await sameQuick(() => [input]);
        await sameQuick(() => cutAt(input, cuts));
        await sameQuick(() => chunked(input, size));
      }),
      { numRuns: 400 },
    );
  });

  it("damaged blocks, cut anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(quickDocument, damage, fc.array(fc.nat(), { maxLength: 6 }), async (text, edits, cuts) => {
        const input = bytes(damaged(text, edits));
        await sameQuick(() => [input]);
        await sameQuick(() => cutAt(input, cuts));
      }),
      { numRuns: 400 },
    );
  });
});
