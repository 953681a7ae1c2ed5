import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeEntities as referenceDecodeEntities } from "./reference/tokenizer";
import { decodeEntities, OfxTokenizer, type OfxLeafSink, type OfxToken } from "./tokenizer";

function tokens(chunks: string[]): OfxToken[] {
  const out: OfxToken[] = [];
  const tokenizer = new OfxTokenizer();
  for (const chunk of chunks) tokenizer.feed(chunk, (t) => out.push(t));
  tokenizer.end((t) => out.push(t));
  return out;
}

describe("OfxTokenizer tags", () => {
  it("reads plain open and close tags with their names upper-cased, raw text and lines", () => {
    expect(tokens(["<stmttrn>\n<A.B:c-D_1>x</A.B:c-D_1>\n</STMTTRN>"])).toEqual([
      { kind: "open", name: "STMTTRN", selfClosing: false, line: 1, raw: "<stmttrn>" },
      { kind: "text", text: "\n", cdata: false, line: 1, raw: "\n" },
      { kind: "open", name: "A.B:C-D_1", selfClosing: false, line: 2, raw: "<A.B:c-D_1>" },
      { kind: "text", text: "x", cdata: false, line: 2, raw: "x" },
      { kind: "close", name: "A.B:C-D_1", line: 2, raw: "</A.B:c-D_1>" },
      { kind: "text", text: "\n", cdata: false, line: 2, raw: "\n" },
      { kind: "close", name: "STMTTRN", line: 3, raw: "</STMTTRN>" },
    ]);
  });

  it("gives the same tokens however the text is cut into chunks", () => {
    const text = '<OFX>\n<NAME>A &amp; B</NAME><MEMO attr="1">m<BR/></OFX>\r\n';
    const whole = tokens([text]);
    for (let cut = 1; cut < text.length; cut++) expect(tokens([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    expect(whole.find((t) => t.kind === "open" && t.name === "MEMO")).toEqual({ kind: "open", name: "MEMO", selfClosing: false, line: 2, raw: '<MEMO attr="1">' });
    expect(whole.find((t) => t.kind === "open" && t.name === "BR")).toMatchObject({ selfClosing: true });
  });

  it("still refuses over-long names and tags broken by another <", () => {
    expect(() => tokens([`<${"A".repeat(65)}>`])).toThrow(/at most 64 characters/);
    expect(() => tokens(["<NAME<OTHER>"])).toThrow(/Expected ">" to close the tag/);
  });
});

describe("OfxTokenizer names on the whole-leaf and plain-tag paths", () => {
  // Names are looked up by a key computed from their characters (TagNames): every name, however close
  // to another (case, punctuation, length around the keyed limit of 9), must come back upper-cased as written.
  const nameChar = fc.constantFrom(..."AZaz09_.:-".split(""), ..."BbQq".split(""));
  const name = fc.tuple(fc.constantFrom("A", "a", "Z", "_"), fc.array(nameChar, { maxLength: 12 })).map(([first, rest]) => first + rest.join(""));

  it("hands every leaf and aggregate tag with its name upper-cased as written", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.boolean()), { minLength: 1, maxLength: 40 }), (parts) => {
        const seen: string[] = [];
        const sink: OfxLeafSink = {
          acceptsLeaf: () => true,
          acceptsBlank: () => true,
          leaf: (leafName) => seen.push(leafName),
          // Names starting with "_" stand for aggregates here: handed as tags.
          acceptsTag: (tagName) => tagName.startsWith("_"),
          tag: (tagName, closing) => seen.push((closing ? "/" : "") + tagName),
          // Leaves right after an aggregate's open tag come in one run (leafRun), the others through leaf.
          leafRun: () => ({ add: (leafName) => seen.push("run " + leafName) }),
        };
        // An aggregate is closed right away (the leaves after it come through leaf) or at the end (through a run).
        const text =
          parts.map(([n, closed]) => (n.startsWith("_") ? (closed ? `<${n}>\n</${n}>` : `<${n}>\n`) : closed ? `<${n}>v</${n}>` : `<${n}>v\n`)).join("") +
          parts
            .filter(([n, closed]) => n.startsWith("_") && !closed)
            .map(([n]) => `</${n}>`)
            .reverse()
            .join("") +
          "<END>";
        const tokenizer = new OfxTokenizer();
        const tokens: OfxToken[] = [];
        tokenizer.feed(text, (token) => tokens.push(token), sink);
        const expected: string[] = [];
        const open: string[] = [];
        let inRun = false;
        for (const [n, closed] of parts) {
          const upper = n.toUpperCase();
          if (!n.startsWith("_")) expected.push(inRun ? "run " + upper : upper);
          else {
            expected.push(upper);
            if (closed) expected.push("/" + upper);
            else open.push(upper);
            inRun = !closed;
          }
        }
        expected.push(...open.reverse().map((n) => "/" + n));
        expect(seen).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("decodeEntities", () => {
  // Text holding only "&amp;" is decoded without the regex; anything else goes to it. Both must give
  // what the reference reader's decodeEntities (the regex alone) gives, for "&amp;" next to near misses.
  const piece = fc.constantFrom(
    "&amp;", "&amp;", "&amp;", "&amp", "&AMP;", "&Amp;", "&amp;amp;", "&&amp;", "&amp;;", "amp;", "&", ";", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;",
    "&#38;", "&#x26;", "&#X26;", "&#0;", "&#xD800;", "&#1114112;", "&bogus;", "&a;", "&abcdefg;", "&#;", "a", "Grocer ", " Sons", "é", "😀", " ", "\n",
  );

  it("gives what the regex alone gives, for text with and without entities", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 3 })), { maxLength: 12 }), (pieces) => {
        const text = pieces.join("");
        expect(decodeEntities(text)).toBe(referenceDecodeEntities(text));
      }),
      { numRuns: 5000 },
    );
    expect(decodeEntities("Grocer &amp; Sons")).toBe("Grocer & Sons");
    expect(decodeEntities("&amp;&amp;amp;")).toBe("&&amp;");
    expect(decodeEntities("R&D &amp; Co")).toBe("R&D & Co");
    expect(decodeEntities("&amp; &lt;b&gt;")).toBe("& <b>");
  });
});
