/**
 * The OFX reader as it was before the fast paths (commit 9d2745e: tokenizer → token objects → tree →
 * node objects → statement reader with a Map of fields per transaction), kept unchanged and used only
 * by differential tests: the optimised reader must give exactly these events and errors on samples,
 * generated and damaged inputs, in every chunking. Not imported by any production code.
 */
import { decodeText, peekBytes, sniffEncoding } from "../../shared/text";
import type { ByteSource, ParseEvent, ParseOptions } from "../../types";
import { OfxStatementReader } from "./statement";
import { OfxTokenizer, type OfxToken } from "./tokenizer";
import { OfxTreeBuilder, type OfxNode } from "./tree";

export async function* ofxReferenceBatches(source: ByteSource, options: ParseOptions = {}): AsyncGenerator<ParseEvent[], void, undefined> {
  const { head, source: replay } = await peekBytes(source, 4096);
  const encoding = options.encoding ?? sniffEncoding(head);
  const tokenizer = new OfxTokenizer();
  const tree = new OfxTreeBuilder();
  const reader = new OfxStatementReader();
  const onNode = (node: OfxNode) => reader.handle(node);
  const onToken = (token: OfxToken) => tree.push(token, onNode);
  const pending = reader.out;
  try {
    for await (const text of decodeText(replay, encoding)) {
      tokenizer.feed(text, onToken);
      if (pending.length > 0) yield pending.splice(0);
    }
    tokenizer.end(onToken);
    tree.end(tokenizer.line, onNode);
    reader.finish();
  } catch (error) {
    if (pending.length > 0) yield pending.splice(0);
    throw error;
  }
  const last = pending.splice(0);
  last.push({ type: "meta", meta: { format: "ofx", encoding, lines: tokenizer.physicalLines, extra: reader.extra(leafStyle(tree)) } });
  yield last;
}

function leafStyle(tree: OfxTreeBuilder): "closed" | "unclosed" | "mixed" | "none" {
  if (tree.closedLeaves > 0 && tree.unclosedLeaves > 0) return "mixed";
  return tree.closedLeaves > 0 ? "closed" : tree.unclosedLeaves > 0 ? "unclosed" : "none";
}
