import { readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError } from "../types";
import { sample } from "./test-support";
import { MAX_DEPTH, MAX_RUN, XmlTokenizer, type XmlEvent } from "./tokenizer";
import { xmlEvents } from "./xml";
import { saxesXmlEvents } from "./xml-saxes";

const names = readdirSync(path.join(import.meta.dirname, "../../../test/fixtures/samples/camt053"));
const texts = names.map((name) => new TextDecoder().decode(sample("camt053", name)));

type Result = { events: XmlEvent[]; lines: number } | { code: string; line: number };

/** The tokenizer alone, fed the given pieces in order. */
function tokenize(pieces: readonly string[]): Result {
  const tokenizer = new XmlTokenizer();
  const events: XmlEvent[] = [];
  try {
    for (const piece of pieces) {
      tokenizer.write(piece);
      events.push(...tokenizer.take());
    }
    const lines = tokenizer.end();
    events.push(...tokenizer.take());
    return { events, lines };
  } catch (error) {
    if (error instanceof FormatError) return { code: error.code, line: error.line };
    throw error;
  }
}

async function through(read: typeof xmlEvents, text: string, chunk?: number): Promise<Result> {
  const lines = { count: 0 };
  const events: XmlEvent[] = [];
  async function* source(): AsyncGenerator<string> {
    if (!chunk) yield text;
    else for (let at = 0; at < text.length; at += chunk) yield text.slice(at, at + chunk);
  }
  try {
    for await (const batch of read(source(), lines)) events.push(...batch);
    return { events, lines: lines.count };
  } catch (error) {
    if (error instanceof FormatError) return { code: error.code, line: error.line };
    throw error;
  }
}

const refused = (text: string): { code: string; line: number } => {
  const result = tokenize([text]);
  if (!("code" in result)) throw new Error(`expected a refusal, got ${result.events.length} events`);
  return result;
};

describe("camt XML tokenizer", () => {
  it("a sample cut in two at every offset gives the events of the whole", () => {
    const text = texts[0]!;
    const whole = tokenize([text]);
    expect("events" in whole && whole.events.length).toBeGreaterThan(100);
    for (let at = 0; at <= text.length; at++) expect(tokenize([text.slice(0, at), text.slice(at)])).toEqual(whole);
  });

  it.each(names.map((name, i) => [name, i] as const))("%s: cut into three at many offsets, equal to the whole and to saxes", async (_name, i) => {
    const text = texts[i]!;
    const whole = tokenize([text]);
    const reference = await through(saxesXmlEvents, text);
    expect("events" in whole && whole.events).toEqual("events" in reference && reference.events);
    expect(await through(xmlEvents, text)).toEqual(reference);
    for (let a = 0; a < text.length; a += 97) {
      const b = Math.min(text.length, a + 1 + ((a * 7) % 300));
      expect(tokenize([text.slice(0, a), text.slice(a, b), text.slice(b)])).toEqual(whole);
    }
  });

  it("reads entities, character references, CDATA, comments and processing instructions", () => {
    const result = tokenize(['<?xml version="1.0" encoding="UTF-8"?>\n<!-- a -->\n<?pi body?>\n<D a="1 &amp; &lt;2&gt; &quot;&apos; &#65;&#x42;"><T>x &amp; y &#233; &#x1F600;<![CDATA[<raw> & ]]>z<!-- no --><?p?>w</T></D>\n']);
    expect(result).toEqual({
      events: [
        { kind: "open", name: "D", uri: "", attributes: { a: "1 & <2> \"' AB" }, line: 4, depth: 1 },
        { kind: "open", name: "T", uri: "", attributes: {}, line: 4, depth: 2 },
        { kind: "close", name: "T", text: "x & y \u00e9 \u{1F600}<raw> & zw", line: 4, depth: 2, selfClosing: false },
        { kind: "close", name: "D", text: "", line: 4, depth: 1, selfClosing: false },
      ],
      lines: 5,
    });
  });

  it("resolves namespaces by prefix and keys attributes by local name", () => {
    const result = tokenize(['<p:D xmlns:p="urn:p" xmlns="urn:d"><E q:Ccy="EUR" xmlns:q="urn:q"/><p:F/></p:D>']);
    expect("events" in result && result.events.filter((e) => e.kind === "open")).toEqual([
      { kind: "open", name: "D", uri: "urn:p", attributes: { p: "urn:p", xmlns: "urn:d" }, line: 1, depth: 1 },
      { kind: "open", name: "E", uri: "urn:d", attributes: { Ccy: "EUR", q: "urn:q" }, line: 1, depth: 2 },
      { kind: "open", name: "F", uri: "urn:p", attributes: {}, line: 1, depth: 2 },
    ]);
  });

  it("counts lines across LF, CR LF and lone CR, normalising them in text and attributes", async () => {
    const text = "<D>\r\n<A\r\n b='x\r\ny\tz'>1\r2\r\n3</A>\r<B\n/>\n</D>";
    const result = tokenize([text]);
    expect("events" in result && result.events).toEqual((await through(saxesXmlEvents, text) as { events: XmlEvent[] }).events);
    expect(result).toEqual({
      events: [
        { kind: "open", name: "D", uri: "", attributes: {}, line: 1, depth: 1 },
        // saxes took an element's line after the character ending its name: here the line break.
        { kind: "open", name: "A", uri: "", attributes: { b: "x y z" }, line: 3, depth: 2 },
        { kind: "close", name: "A", text: "1\n2\n3", line: 6, depth: 2, selfClosing: false },
        { kind: "open", name: "B", uri: "", attributes: {}, line: 8, depth: 2 },
        { kind: "close", name: "B", text: "", line: 8, depth: 2, selfClosing: true },
        { kind: "close", name: "D", text: "\n", line: 9, depth: 1, selfClosing: false },
      ],
      lines: 9,
    });
    // A CR LF cut between its two characters is still one line break.
    expect(tokenize(["<D>\r", "\n<A/></D>"])).toEqual(tokenize(["<D>\r\n<A/></D>"]));
  });

  it.each([
    ["DOCTYPE", '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "b">]>\n<D/>', "xml_doctype_forbidden", 2],
    ["ENTITY inside a comment", "<D>\n<!-- <!ENTITY a 'b'> --></D>", "xml_doctype_forbidden", 2],
    ["lower-case doctype", "<!doctype x><D/>", "xml_doctype_forbidden", 1],
    ["too deep", "<D>\n" + "<a>".repeat(MAX_DEPTH) + "</a>".repeat(MAX_DEPTH) + "</D>", "xml_too_deep", 2],
    ["long text", `<D>\n<A>${"x".repeat(MAX_RUN + 1)}</A></D>`, "xml_text_too_long", 2],
    ["long attribute", `<D>\n<A b="${"x".repeat(MAX_RUN + 1)}"/></D>`, "xml_text_too_long", 2],
    ["long unfinished text", `<D>\n<A>${"x".repeat(MAX_RUN + 1)}`, "xml_text_too_long", 2],
    ["mismatched tag", "<D>\n<A></B></D>", "xml_malformed", 2],
    ["closing tag with nothing open", "<D/>\n</D>", "xml_malformed", 2],
    ["unclosed", "<D>\n<A>\n", "xml_truncated", 3],
    ["unfinished tag", "<D/>\n<!-- x", "xml_malformed", 2],
    ["control character", "<D>\n\u0001</D>", "xml_malformed", 2],
    ["U+FFFF", "<D>\n\uFFFF</D>", "xml_malformed", 2],
    ["undefined entity", "<D>\n&nbsp;</D>", "xml_malformed", 2],
    ["bare ampersand", "<D>\nA & B</D>", "xml_malformed", 2],
    ["character reference to NUL", "<D>&#0;</D>", "xml_malformed", 1],
    ["character reference past Unicode", "<D>&#x110000;</D>", "xml_malformed", 1],
    ["]]> in text", "<D>a]]>b</D>", "xml_malformed", 1],
    ["-- in a comment", "<D><!-- a -- b --></D>", "xml_malformed", 1],
    ["unquoted attribute", "<D a=1/>", "xml_malformed", 1],
    ["attribute without value", "<D a/>", "xml_malformed", 1],
    ["< in an attribute", '<D a="<"/>', "xml_malformed", 1],
    ["no space between attributes", '<D a="1"b="2"/>', "xml_malformed", 1],
    ["duplicate attribute", '<D a="1" a="2"/>', "xml_malformed", 1],
    ["duplicate attribute through prefixes", '<D xmlns:p="u" xmlns:q="u" p:a="1" q:a="2"/>', "xml_malformed", 1],
    ["unbound prefix", "<p:D/>", "xml_malformed", 1],
    ["xmlns prefix on an element", '<xmlns:D xmlns:xmlns="u"/>', "xml_malformed", 1],
    ["text before the root", "\n\nhello <D/>", "xml_malformed", 3],
    ["text after the root", "<D/>\nhello", "xml_malformed", 2],
    ["two roots", "<D/>\n<E/>", "xml_malformed", 2],
    ["CDATA outside the root", "<![CDATA[x]]><D/>", "xml_malformed", 1],
    ["declaration not at the start", ' <?xml version="1.0"?><D/>', "xml_malformed", 1],
    ["declaration without a version", "<?xml?><D/>", "xml_malformed", 1],
    ["colon in a processing instruction target", "<D><?a:b c?></D>", "xml_malformed", 1],
    ["name starting with a digit", "<1D/>", "xml_malformed", 1],
    ["empty", "", "xml_malformed", 1],
    ["white space only", "\n\n", "xml_malformed", 3],
  ])("%s is refused, as saxes refused it", async (_name, text, code, line) => {
    expect(refused(text)).toEqual({ code, line });
    const reference = await through(saxesXmlEvents, text);
    expect("code" in reference).toBe(true);
    expect(await through(xmlEvents, text)).toEqual({ code, line });
  });

  it("an unpaired surrogate is let through, as saxes did (decoders never produce one)", async () => {
    const text = "<D>\uD800x</D>";
    expect(tokenize([text])).toEqual({ events: (await through(saxesXmlEvents, text) as { events: XmlEvent[] }).events, lines: 1 });
  });

  it("a DOCTYPE cut anywhere is still refused", () => {
    const text = "<?xml version='1.0'?>\n<!DOCTYPE d>\n<D/>";
    for (let at = 0; at <= text.length; at++) expect(tokenize([text.slice(0, at), text.slice(at)])).toEqual({ code: "xml_doctype_forbidden", line: 2 });
  });

  it("a declaration is only \"<!\" then DOCTYPE or ENTITY: a \"!\" anywhere else is text, cut anywhere", () => {
    // The scan looks for "!" and checks the "<" before it: "!" in text, attributes and comments, at
    // the start of a chunk, and right after a "<" that ended the previous chunk.
    const text = '<D a="!DOCTYPE">!ENTITY x!DOCTYPE<!-- !DOCTYPE --><A>!</A>!</D>';
    const whole = tokenize([text]);
    expect("events" in whole).toBe(true);
    for (let at = 0; at <= text.length; at++) expect(tokenize([text.slice(0, at), text.slice(at)])).toEqual(whole);
    const refused = "<D>!x<!-- a -->!<!ENTITY y><A/></D>";
    for (let at = 0; at <= refused.length; at++) expect(tokenize([refused.slice(0, at), refused.slice(at)])).toEqual({ code: "xml_doctype_forbidden", line: 1 });
  });
});

// ---- Differential: generated well-formed documents read the same as saxes read them. ----

interface Node {
  name: string;
  attributes: [string, string][];
  children: (Node | string)[];
}

const space = fc.constantFrom(" ", "\n", "\r\n", "\t", "  ", "\r");
const name = fc.constantFrom("D", "Ntry", "Amt", "a", "B-1", "c.d", "_e", "Nm\u00e9", "\u00c9t", "x:Y");
const textPart = fc.oneof(
  fc.constantFrom("&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#65;", "&#x20AC;", "&#x1F600;", "<![CDATA[<a> & ]]>", "<!-- c -->", "<?pi x?>", "\r\n", "\r", "\n", " ", "]x", "]]x", ">"),
  fc.string({ maxLength: 8 }).map((s) => s.replace(/[<&\]\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, "").replace(/[\ud800-\udfff]/g, "")),
);
const text = fc.array(textPart, { maxLength: 5 }).map((parts) => parts.join(""));
const attributeValue = fc.array(fc.oneof(fc.constantFrom("&amp;", "&lt;", "&#10;", "\r\n", "\t", ">", "'", "EUR"), fc.string({ maxLength: 5 }).map((s) => s.replace(/[<&"\x00-\x1f\ufffe\uffff\ud800-\udfff]/g, ""))), { maxLength: 4 }).map((parts) => parts.join(""));

const tree: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.record({
    name,
    attributes: fc.uniqueArray(fc.tuple(fc.constantFrom("Ccy", "a", "b:c", "Tp"), attributeValue), { maxLength: 3, selector: ([key]) => key }),
    children: fc.array(fc.oneof({ weight: 2, arbitrary: text }, { weight: 1, arbitrary: tie("node") }), { maxLength: 4 }),
  }),
})).node;

function render(node: Node, gap: string): string {
  const attributes = node.attributes.map(([key, value]) => ` ${key}${gap.length > 1 ? " = " : "="}"${value}"`).join("");
  const open = `<${node.name}${attributes}${node.name.includes(":") || node.attributes.some(([k]) => k.includes(":")) ? ' xmlns:x="urn:x" xmlns:b="urn:b"' : ""}`;
  if (node.children.length === 0 && gap === " ") return `${open}${gap}/>`;
  return `${open}${gap}>${node.children.map((child) => (typeof child === "string" ? child : render(child, gap))).join("")}</${node.name}${gap.trim() === "" && gap !== " " ? gap : ""}>`;
}

describe("camt XML tokenizer against saxes", () => {
  it("generated well-formed documents give the same events and lines, for any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(tree, space, fc.boolean(), fc.constantFrom("", "\n", "\r\n"), fc.integer({ min: 1, max: 40 }), async (root, gap, declaration, tail, chunk) => {
        const document = `${declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ""}<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">${render(root, gap)}</Document>${tail}`;
        const reference = await through(saxesXmlEvents, document);
        expect("events" in reference).toBe(true);
        expect(await through(xmlEvents, document, chunk)).toEqual(reference);
        const cut = Math.floor(document.length / 2);
        const tokenized = tokenize([document.slice(0, cut), document.slice(cut)]);
        expect("events" in tokenized && tokenized.events).toEqual("events" in reference && reference.events);
      }),
      { numRuns: 300 },
    );
  });
});

describe("camt XML tokenizer against saxes on damaged documents", () => {
  const pieces = ["<", ">", "</", "/>", "<!--", "-->", "<![CDATA[", "]]>", "&", "&amp;", "&#0;", '"', "'", "=", " ", "\n", "\r", "x:", "xmlns:x='u'", "<?", "?>", "\u0001", "\uFFFE", "<a>", "</a>", "--"];
  const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom("insert", "delete", "replace"), length: fc.integer({ min: 1, max: 20 }), piece: fc.constantFrom(...pieces) });

  it("a mutated sample is refused exactly when saxes refused it (the code may differ between xml_malformed and xml_truncated)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: texts.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), async (index, edits) => {
        let text = texts[index]!;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + (e.kind === "delete" ? "" : e.piece) + text.slice(at + (e.kind === "insert" ? 0 : e.kind === "delete" ? e.length : e.piece.length));
        }
        const ours = await through(xmlEvents, text);
        const reference = await through(saxesXmlEvents, text);
        if ("events" in reference) expect(ours).toEqual(reference);
        else expect("code" in ours).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
