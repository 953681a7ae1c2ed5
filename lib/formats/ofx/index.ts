/**
 * OFX / QFX bank and credit-card statements: SGML v1, XML v2 and the hybrids in between, read as a
 * stream (tokenizer → element events → canonical events); no document is ever built.
 */
import { decodeText, peekBytes, sniffEncoding } from "../shared/text";
import type { FormatModule, FormatParser, FormatSniffer } from "../types";
import { OfxStatementReader } from "./statement";
import { OfxTokenizer } from "./tokenizer";
import { OfxTreeBuilder } from "./tree";

export const parseOfx: FormatParser = async function* (source, options = {}) {
  const { head, source: replay } = await peekBytes(source, 4096);
  const encoding = options.encoding ?? sniffEncoding(head);
  const tokenizer = new OfxTokenizer();
  const tree = new OfxTreeBuilder();
  const reader = new OfxStatementReader();
  for await (const text of decodeText(replay, encoding)) {
    for (const token of tokenizer.feed(text)) for (const node of tree.push(token)) yield* reader.handle(node);
  }
  for (const token of tokenizer.end()) for (const node of tree.push(token)) yield* reader.handle(node);
  for (const node of tree.end(tokenizer.line)) yield* reader.handle(node);
  reader.finish();
  yield { type: "meta", meta: { format: "ofx", encoding, lines: tokenizer.physicalLines, extra: reader.extra(leafStyle(tree)) } };
};

function leafStyle(tree: OfxTreeBuilder): "closed" | "unclosed" | "mixed" | "none" {
  if (tree.closedLeaves > 0 && tree.unclosedLeaves > 0) return "mixed";
  return tree.closedLeaves > 0 ? "closed" : tree.unclosedLeaves > 0 ? "unclosed" : "none";
}

export const sniffOfx: FormatSniffer = (head) => {
  const start = head.replace(/^\uFEFF/, "").trimStart();
  if (/^OFXHEADER\s*:/i.test(start)) return 1;
  const opening = start.slice(0, 4096);
  if (/<\?OFX\s/i.test(opening)) return 1;
  if (/^(?:<\?xml[^>]*>\s*)?<OFX>/i.test(start)) return 0.95;
  if (/<OFX>/.test(head)) return 0.8;
  if (/OFXHEADER/i.test(opening)) return 0.6;
  return 0;
};

export const ofxFormat: FormatModule = { name: "ofx", parse: parseOfx, sniff: sniffOfx };
