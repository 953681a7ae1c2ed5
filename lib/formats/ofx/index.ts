/**
 * OFX / QFX bank and credit-card statements: SGML v1, XML v2 and the hybrids in between, read as a
 * stream (tokenizer → element events → canonical events); no document is ever built.
 */
import { decodeText, peekBytes, sniffEncoding } from "../shared/text";
import { flattenBatches } from "../shared/batches";
import type { ByteSource, FormatModule, FormatParser, FormatSniffer, ParseEvent, ParseOptions } from "../types";
import { OfxStatementReader } from "./statement";
import { OfxTokenizer, type OfxLeafSink, type OfxToken } from "./tokenizer";
import { OfxTreeBuilder, type OfxNode } from "./tree";

export const parseOfx: FormatParser = (source, options = {}) => flattenBatches(ofxBatches(source, options));

/**
 * The events, one array per decoded chunk (see flattenBatches: no async step per event). With
 * `quickBlocks` false every transaction goes the general way (no OfxTokenizer.quickBlock), which
 * differential.test.ts compares the quick one against.
 */
export async function* ofxBatches(source: ByteSource, options: ParseOptions, quickBlocks = true): AsyncGenerator<ParseEvent[], void, undefined> {
  const { head, source: replay } = await peekBytes(source, 4096);
  const encoding = options.encoding ?? sniffEncoding(head);
  const tree = new OfxTreeBuilder();
  const reader = new OfxStatementReader();
  const tokenizer = new OfxTokenizer(quickBlocks ? reader : null);
  const onNode = (node: OfxNode) => reader.handle(node);
  const onToken = (token: OfxToken) => tree.push(token, onNode);
  // Whole leaves and plain aggregate tags straight from the tokenizer to the reader: no token or node
  // objects for the usual `<NAME>value` or `<STMTTRN>` (differential.test.ts holds this to the reader
  // before the change).
  const sink: OfxLeafSink = {
    acceptsLeaf: (name) => tree.acceptsLeaf(name),
    acceptsBlank: () => tree.acceptsBlank(),
    leaf: (name, value, line, raw) => reader.leafNode(name, value, line, raw),
    acceptsTag: (name, closing) => tree.acceptsTag(name, closing),
    tag: (name, closing, line, raw) => {
      tree.tag(name, closing, line);
      if (closing) reader.endNode(name, raw);
      else reader.startNode(name, line, raw);
    },
    leafRun: () => reader.leafRun(),
  };
  const pending = reader.out;
  try {
    for await (const text of decodeText(replay, encoding)) {
      tokenizer.feed(text, onToken, sink);
      if (pending.length > 0) yield pending.splice(0);
    }
    tokenizer.end(onToken, sink);
    tree.end(tokenizer.line, onNode);
    reader.finish();
  } catch (error) {
    // Events found before a failure still reach the caller, in order, before the error does.
    if (pending.length > 0) yield pending.splice(0);
    throw error;
  }
  const last = pending.splice(0);
  last.push({ type: "meta", meta: { format: "ofx", encoding, lines: tokenizer.physicalLines, extra: reader.extra(leafStyle(tree.closedLeaves + tokenizer.closedLeaves, tree.unclosedLeaves + tokenizer.unclosedLeaves)) } });
  yield last;
}

/** From the leaves written with and without close tags (the tree's and the tokenizer's counts together). */
function leafStyle(closed: number, unclosed: number): "closed" | "unclosed" | "mixed" | "none" {
  if (closed > 0 && unclosed > 0) return "mixed";
  return closed > 0 ? "closed" : unclosed > 0 ? "unclosed" : "none";
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

export const ofxFormat: FormatModule = { name: "ofx", parse: parseOfx, parseBatches: (source, options = {}) => ofxBatches(source, options), sniff: sniffOfx };
