/**
 * TEST REFERENCE ONLY: the camt reader as it was at commit 9d2745e (tokenizer → XmlEvent objects →
 * builder with a Map of every leaf per scope), kept unchanged and used only by the differential tests
 * (differential.test.ts): the fused reader must give exactly these events and errors on samples,
 * generated and damaged inputs, in every chunking. Not imported by any production code.
 */
/**
 * Safe streaming XML for camt: element open/close events with local names, the line where each
 * element starts, and leaf text, read by the purpose-built tokenizer in tokenizer.ts (which refuses
 * DTD declarations, deep nesting, over-long runs and malformed markup). Never builds a tree.
 */
import { XmlTokenizer, type XmlEvent } from "./tokenizer";

export { MAX_DEPTH, MAX_RUN, NO_ATTRIBUTES, type XmlEvent } from "./tokenizer";

/** Decoded text chunks in, batches of events out (one batch per piece, so memory stays bounded). */
export async function* xmlEvents(text: AsyncIterable<string>, lines: { count: number }): AsyncGenerator<XmlEvent[], void, undefined> {
  const tokenizer = new XmlTokenizer();
  let endsWithNewline = false;
  for await (const piece of pieces(text)) {
    endsWithNewline = isNewline(piece.charCodeAt(piece.length - 1));
    tokenizer.write(piece);
    const batch = tokenizer.take();
    if (batch.length > 0) yield batch;
  }
  const last = tokenizer.end();
  // A final newline ends the last line rather than starting another one.
  lines.count = Math.max(1, endsWithNewline ? last - 1 : last);
  const batch = tokenizer.take();
  if (batch.length > 0) yield batch;
}

function isNewline(code: number): boolean {
  return code === 10 || code === 13;
}

const PIECE_MIN = 16_384;
const PIECE_MAX = 65_536;

/**
 * Re-cuts the decoded text at positions that depend only on the text (the first newline after
 * PIECE_MIN characters, or PIECE_MAX characters), never on how the bytes arrived: events come in
 * the same batches for any chunking, and tiny chunks are not tokenised one by one.
 */
export async function* pieces(text: AsyncIterable<string>): AsyncGenerator<string, void, undefined> {
  let buffer = "";
  for await (const chunk of text) {
    buffer += chunk;
    while (buffer.length >= PIECE_MIN) {
      const newline = buffer.indexOf("\n", PIECE_MIN - 1);
      const cut = newline >= 0 && newline < PIECE_MAX ? newline + 1 : buffer.length >= PIECE_MAX ? PIECE_MAX : -1;
      if (cut < 0) break;
      yield buffer.slice(0, cut);
      buffer = buffer.slice(cut);
    }
  }
  if (buffer) yield buffer;
}
