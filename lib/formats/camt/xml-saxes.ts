/**
 * TEST REFERENCE ONLY (the differential tests in tokenizer.test.ts compare the camt tokenizer
 * against it; the parser does not use it). It is xml.ts as it was before the tokenizer:
 * safe streaming XML on top of saxes: element open/close events with local names, the line where
 * each element starts, and leaf text. Never builds a tree. Hostile input is refused up front:
 * any DOCTYPE or ENTITY declaration (so no external entities and no expansion bombs), nesting
 * deeper than MAX_DEPTH, and runs of text or markup longer than MAX_RUN characters.
 */
import { SaxesParser, type SaxesTagNS } from "saxes";
import { FormatError } from "../types";

import { MAX_DEPTH, MAX_RUN, type XmlEvent } from "./tokenizer";

const DECLARATION = /<!(DOCTYPE|ENTITY)/i;
/** Long enough to hold "<!DOCTYPE" split across chunks. */
const HOLD_BACK = 9;
const SAXES_POSITION = /^\d+:\d+: /;

/** Decoded text chunks in, batches of events out (one batch per chunk, so memory stays bounded). */
export async function* saxesXmlEvents(text: AsyncIterable<string>, lines: { count: number }): AsyncGenerator<XmlEvent[], void, undefined> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let batch: XmlEvent[] = [];
  let depth = 0;
  let startLine = 1;
  let leafText = "";

  parser.on("opentagstart", () => {
    startLine = parser.line;
    if (depth + 1 > MAX_DEPTH) {
      throw new FormatError("xml_too_deep", `Expected XML nested at most ${MAX_DEPTH} elements deep, found deeper nesting`, parser.line);
    }
  });
  parser.on("opentag", (tag: SaxesTagNS) => {
    depth++;
    leafText = "";
    const attributes: Record<string, string> = {};
    for (const key in tag.attributes) {
      const attribute = tag.attributes[key]!;
      attributes[attribute.local] = attribute.value;
    }
    batch.push({ kind: "open", name: tag.local, uri: tag.uri, attributes, line: startLine, depth });
  });
  parser.on("text", (chunk) => {
    leafText += chunk;
  });
  parser.on("cdata", (chunk) => {
    leafText += chunk;
  });
  parser.on("closetag", (tag: SaxesTagNS) => {
    batch.push({ kind: "close", name: tag.local, text: leafText, line: parser.line, depth, selfClosing: tag.isSelfClosing });
    leafText = "";
    depth--;
  });
  parser.on("doctype", () => {
    throw new FormatError("xml_doctype_forbidden", "Expected XML without a DOCTYPE declaration, found one", parser.line);
  });

  let pending = "";
  let run = 0;
  const write = (chunk: string): void => {
    try {
      parser.write(chunk);
    } catch (error) {
      throw asFormatError(error, parser.line);
    }
  };
  let endsWithNewline = false;
  let leadingLines = 0;
  let started = false;
  for await (const chunk of pieces(text)) {
    if (chunk.length > 0) endsWithNewline = /[\r\n]$/.test(chunk);
    if (!started) {
      const first = /\S/.exec(chunk);
      const before = first ? chunk.slice(0, first.index) : chunk;
      leadingLines += (before.match(/\r\n|\r|\n/g) ?? []).length;
      if (first) {
        started = true;
        if (first[0] !== "<") {
          throw new FormatError("xml_malformed", `Expected an XML document starting with "<", found "${chunk.slice(first.index, first.index + 20)}"`, leadingLines + 1);
        }
      }
    }
    let data = pending + chunk;
    const declaration = DECLARATION.exec(data);
    if (declaration) {
      write(data.slice(0, declaration.index));
      throw new FormatError("xml_doctype_forbidden", `Expected XML without DTD declarations, found "<!${declaration[1]}"`, parser.line);
    }
    run = checkRuns(chunk, run, parser.line);
    const lastOpen = data.lastIndexOf("<");
    pending = lastOpen >= 0 && data.length - lastOpen < HOLD_BACK ? data.slice(lastOpen) : "";
    data = data.slice(0, data.length - pending.length);
    write(data);
    lines.count = parser.line;
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  write(pending);
  // close() resets saxes' position, so the line count is taken first. A final newline ends the
  // last line rather than starting another one.
  lines.count = Math.max(1, endsWithNewline ? parser.line - 1 : parser.line);
  const openLine = parser.line;
  try {
    parser.close();
  } catch (error) {
    throw depth > 0
      ? new FormatError("xml_truncated", "Expected the XML document to close all its elements, found the end of the file", openLine)
      : asFormatError(error, openLine);
  }
  if (batch.length > 0) yield batch;
}

const PIECE_MIN = 16_384;
const PIECE_MAX = 65_536;

/**
 * Re-cuts the decoded text at positions that depend only on the text (the first newline after
 * PIECE_MIN characters, or PIECE_MAX characters), never on how the bytes arrived. saxes reports
 * some errors at the end of a write, so this keeps results identical for any chunking.
 */
async function* pieces(text: AsyncIterable<string>): AsyncGenerator<string, void, undefined> {
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

/** Returns the length of the trailing run without "<" or ">"; throws when any run is too long. */
function checkRuns(data: string, carried: number, line: number): number {
  const firstMarkup = firstIndexOfMarkup(data);
  const lastMarkup = Math.max(data.lastIndexOf("<"), data.lastIndexOf(">"));
  const leading = firstMarkup < 0 ? carried + data.length : carried + firstMarkup;
  let longest = leading;
  if (lastMarkup >= 0) longest = Math.max(longest, data.length - 1 - lastMarkup);
  if (longest > MAX_RUN) {
    throw new FormatError("xml_text_too_long", `Expected XML text and tags shorter than ${MAX_RUN} characters, found a longer run`, line);
  }
  return lastMarkup < 0 ? leading : data.length - 1 - lastMarkup;
}

function firstIndexOfMarkup(data: string): number {
  const open = data.indexOf("<");
  const close = data.indexOf(">");
  return open < 0 ? close : close < 0 ? open : Math.min(open, close);
}

function asFormatError(error: unknown, line: number): Error {
  if (error instanceof FormatError) return error;
  if (error instanceof Error && SAXES_POSITION.test(error.message)) {
    return new FormatError("xml_malformed", `Expected well-formed XML, found an error: ${error.message.replace(SAXES_POSITION, "")}`, Math.max(1, line));
  }
  return error instanceof Error ? error : new Error(String(error));
}
