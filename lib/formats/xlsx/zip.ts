/**
 * Just enough ZIP to read one workbook part at a time: the central directory (which needs the end of
 * the file, so the compressed bytes are buffered) and a streaming inflate of a single entry.
 */
import { Inflate } from "fflate";
import { FormatError } from "../types";

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u16(b: Uint8Array, o: number): number {
  if (o + 2 > b.length) throw new FormatError("zip_truncated", "Expected a complete ZIP structure, found the file cut short", 1);
  return b[o]! | (b[o + 1]! << 8);
}

function u32(b: Uint8Array, o: number): number {
  if (o + 4 > b.length) throw new FormatError("zip_truncated", "Expected a complete ZIP structure, found the file cut short", 1);
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

export function readCentralDirectory(zip: Uint8Array): Map<string, ZipEntry> {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (u32(zip, i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FormatError("zip_truncated", "Expected a ZIP end-of-central-directory record at the end of the workbook, found none (truncated file?)", 1);
  const count = u16(zip, eocd + 10);
  let offset = u32(zip, eocd + 16);
  if (offset === 0xffffffff || count === 0xffff) throw new FormatError("zip64_unsupported", "Expected a workbook under 4 GB (ZIP), found a ZIP64 archive", 1);
  const decoder = new TextDecoder();
  const entries = new Map<string, ZipEntry>();
  for (let n = 0; n < count; n++) {
    if (u32(zip, offset) !== CENTRAL) throw new FormatError("zip_corrupt", `Expected ZIP central directory entry ${n + 1} of ${count}, found other bytes`, 1);
    const method = u16(zip, offset + 10);
    const compressedSize = u32(zip, offset + 20);
    const nameLength = u16(zip, offset + 28);
    const extraLength = u16(zip, offset + 30);
    const commentLength = u16(zip, offset + 32);
    const localHeaderOffset = u32(zip, offset + 42);
    if (offset + 46 + nameLength > zip.length) throw new FormatError("zip_truncated", "Expected a complete ZIP structure, found the file cut short", 1);
    const name = decoder.decode(zip.subarray(offset + 46, offset + 46 + nameLength));
    entries.set(name, { name, method, compressedSize, localHeaderOffset });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The compressed bytes of an entry (a view, no copy). */
function entryData(zip: Uint8Array, entry: ZipEntry): Uint8Array {
  const o = entry.localHeaderOffset;
  if (u32(zip, o) !== LOCAL) throw new FormatError("zip_corrupt", `Expected a ZIP local header for ${entry.name}, found other bytes`, 1);
  const start = o + 30 + u16(zip, o + 26) + u16(zip, o + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) throw new FormatError("zip_truncated", `Expected ${entry.compressedSize} bytes of ${entry.name}, found the file cut short`, 1);
  return zip.subarray(start, end);
}

const SLICE = 64 * 1024;

/** Inflates an entry slice by slice, handing decoded UTF-8 text to `onText` as it comes. */
export function* inflateEntry(zip: Uint8Array, entry: ZipEntry, onText: (text: string) => void): Generator<void, void, undefined> {
  const data = entryData(zip, entry);
  const decoder = new TextDecoder();
  if (entry.method === 0) {
    for (let i = 0; i < data.length; i += SLICE) {
      onText(decoder.decode(data.subarray(i, i + SLICE), { stream: true }));
      yield;
    }
    onText(decoder.decode());
    return;
  }
  if (entry.method !== 8) throw new FormatError("zip_method_unsupported", `Expected ${entry.name} stored or deflated, found compression method ${entry.method}`, 1);
  const inflate = new Inflate((chunk, final) => {
    onText(decoder.decode(chunk, { stream: !final }));
  });
  try {
    for (let i = 0; i < data.length; i += SLICE) {
      inflate.push(data.subarray(i, i + SLICE), i + SLICE >= data.length);
      yield;
    }
    if (data.length === 0) inflate.push(new Uint8Array(0), true);
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError("zip_corrupt", `Expected deflate data in ${entry.name}, found corrupt bytes`, 1);
  }
}

/**
 * Most characters a part read whole may inflate to. A ZIP bomb (a few kilobytes that inflate to
 * gigabytes) would otherwise grow one string until memory or V8's string limit gave out, the latter
 * surfacing as a misleading "corrupt bytes". Real shared-strings parts stay far below this.
 */
export const MAX_PART_CHARS = 128 * 1024 * 1024;

/** A whole (small) entry as text: shared strings, styles, workbook, relationships. */
export function readEntryText(zip: Uint8Array, entry: ZipEntry, limit = MAX_PART_CHARS): string {
  const parts: string[] = [];
  let length = 0;
  const tooLarge = new FormatError(
    "xlsx_part_too_large",
    `Expected ${entry.name} to unpack to under ${Math.round(limit / 1024 / 1024)} MiB of text, found more (a ZIP bomb, or a workbook too large to read: save the sheet as CSV)`,
    1,
  );
  const inflated = inflateEntry(zip, entry, (t) => {
    length += t.length;
    if (length > limit) throw tooLarge;
    parts.push(t);
  });
  for (const _ of inflated) void _;
  return parts.join("");
}
