/**
 * Bytes to text: encoding detection and an incremental physical-line reader.
 * Line numbers are 1-based physical lines; CRLF, LF and lone CR all end a line.
 */
import type { TextEncoding } from "@/lib/schemas/canonical";
import { FormatError, type ByteSource } from "../types";

/** Names the encoding from the first bytes: BOMs first, then UTF-16 without BOM, then UTF-8 validity. */
export function sniffEncoding(bytes: Uint8Array): TextEncoding {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8-bom";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  const sample = bytes.subarray(0, Math.min(bytes.length, 4096));
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 === 0 ? zeroEven++ : zeroOdd++;
  // ASCII text in UTF-16 has a zero in every other byte: which half tells the byte order.
  if (sample.length >= 4 && zeroOdd > sample.length / 4 && zeroEven === 0) return "utf-16le";
  if (sample.length >= 4 && zeroEven > sample.length / 4 && zeroOdd === 0) return "utf-16be";
  return isValidUtf8Prefix(sample) ? "utf-8" : "windows-1252";
}

/** True when the bytes are UTF-8, allowing a multi-byte sequence cut off at the very end. */
function isValidUtf8Prefix(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return false;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return true;
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

const DECODER_LABEL: Record<TextEncoding, string> = {
  "utf-8": "utf-8",
  "utf-8-bom": "utf-8",
  "utf-16le": "utf-16le",
  "utf-16be": "utf-16be",
  "windows-1252": "windows-1252",
};

/** A streaming decoder for the encoding; strips a BOM. */
export function createDecoder(encoding: TextEncoding): TextDecoder {
  return new TextDecoder(DECODER_LABEL[encoding], { fatal: false, ignoreBOM: false });
}

/** Buffers the first `size` bytes of a source and returns them with a source that replays everything. */
export async function peekBytes(source: ByteSource, size = 64 * 1024): Promise<{ head: Uint8Array; source: AsyncIterable<Uint8Array> }> {
  const iterator = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source as Iterable<Uint8Array>));
  const taken: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < size) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    taken.push(next.value);
    length += next.value.length;
  }
  const head = concatBytes(taken).subarray(0, Math.min(length, size));
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* taken;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, source: replay() };
}

function toAsync(items: Iterable<Uint8Array>): AsyncIterator<Uint8Array> {
  const it = items[Symbol.iterator]();
  return { next: async () => it.next() };
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Decodes a source to text chunks incrementally. The encoding is sniffed from the first chunk unless given. */
export async function* decodeText(source: ByteSource, encoding?: TextEncoding): AsyncGenerator<string, void, undefined> {
  let decoder: TextDecoder | undefined = encoding ? createDecoder(encoding) : undefined;
  for await (const chunk of source) {
    if (chunk.length === 0) continue;
    decoder ??= createDecoder(sniffEncoding(chunk));
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder?.decode();
  if (rest) yield rest;
}

/**
 * No line of a line-based format (MT940, QIF) comes near this. Without a bound, a file with no line
 * break grew one string until V8's string limit threw an untyped RangeError (past ~512 M characters,
 * well within the upload limit).
 */
export const MAX_LINE_CHARS = 1 << 20;

export interface PhysicalLine {
  /** The line's text without its terminator. */
  text: string;
  /** 1-based physical line number. */
  line: number;
}

/**
 * Splits decoded text into physical lines, one array per decoded chunk. A final line without a
 * terminator is still yielded; an empty file yields nothing. Holds at most one chunk's lines plus one
 * partial line in memory.
 *
 * Lines come in batches because each step of an async generator costs several promise round trips;
 * one line per step made that overhead a visible share of line-based parsing (MT940, QIF).
 */
export async function* readLineBatches(text: AsyncIterable<string>): AsyncGenerator<PhysicalLine[], void, undefined> {
  const tooLong = () => new FormatError("line_too_long", `Expected lines shorter than ${MAX_LINE_CHARS} characters, found a longer one`, line);
  let pending = "";
  let line = 1;
  let skipLf = false;
  for await (const chunk of text) {
    const batch: PhysicalLine[] = [];
    let start = 0;
    // Line breaks found with indexOf rather than a loop over every character (it showed in MT940
    // profiles). `skipLf`: the last break was a CR, so an LF right after it (even in the next chunk)
    // completes a CRLF instead of ending an empty line.
    let lf = chunk.indexOf("\n");
    let cr = chunk.indexOf("\r");
    while (lf !== -1 || cr !== -1) {
      const i = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (i === lf) {
        lf = chunk.indexOf("\n", i + 1);
        if (skipLf && i === start && pending === "") {
          skipLf = false;
          start = i + 1;
          continue;
        }
        if (pending.length + i - start > MAX_LINE_CHARS) throw tooLong();
        batch.push({ text: pending + chunk.slice(start, i), line: line++ });
        skipLf = false;
      } else {
        cr = chunk.indexOf("\r", i + 1);
        if (pending.length + i - start > MAX_LINE_CHARS) throw tooLong();
        batch.push({ text: pending + chunk.slice(start, i), line: line++ });
        skipLf = true;
      }
      pending = "";
      start = i + 1;
    }
    if (start < chunk.length) skipLf = false;
    pending += chunk.slice(start);
    if (pending.length > MAX_LINE_CHARS) throw tooLong();
    if (batch.length > 0) yield batch;
  }
  if (pending !== "") yield [{ text: pending, line }];
}

/** The same lines one at a time. */
export async function* readLines(text: AsyncIterable<string>): AsyncGenerator<PhysicalLine, void, undefined> {
  for await (const batch of readLineBatches(text)) yield* batch;
}

/** Bytes → batches of physical lines, with the encoding sniffed unless given. */
export function lineBatchesOf(source: ByteSource, encoding?: TextEncoding): AsyncGenerator<PhysicalLine[], void, undefined> {
  return readLineBatches(decodeText(source, encoding));
}

/** Bytes → physical lines, with the encoding sniffed unless given. */
export function linesOf(source: ByteSource, encoding?: TextEncoding): AsyncGenerator<PhysicalLine, void, undefined> {
  return readLines(decodeText(source, encoding));
}
