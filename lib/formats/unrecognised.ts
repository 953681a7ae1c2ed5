/**
 * What to tell the user when no format recognises a file: "none of them recognises" is no answer for
 * an empty file, a photo or an archive renamed .csv, or a text file with a NUL byte on line 900. This
 * names what the first bytes are, and where text stops being text, so the message says what to fix.
 */
import { createDecoder, sniffEncoding } from "./shared/text";
import { FormatError } from "./types";

const SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: "a PNG image" },
  { bytes: [0xff, 0xd8, 0xff], what: "a JPEG image" },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: "a GIF image" },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: "a PDF document (export the statement as CSV, OFX, camt.053 or MT940 instead)" },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: "a ZIP archive that is not an Excel workbook (unpack it and upload the file inside)" },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: "an empty ZIP archive" },
  { bytes: [0x1f, 0x8b], what: "a gzip-compressed file (decompress it first)" },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: "an old Excel (.xls) or other Office binary file (save it as .xlsx or CSV)" },
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66], what: "an RTF document" },
];

/** Longer than the sniffers' window: no format's first line is this long. */
const HEAD_LIMIT_LABEL = "64 KiB";

/** The FormatError for a file no registered format recognises; `head` is its first bytes (up to 64 KiB). */
export function unrecognisedFile(head: Uint8Array, formatNames: readonly string[]): FormatError {
  const expected = `Expected a statement or dataset in one of the known formats (${formatNames.join(", ")})`;
  if (head.length === 0) return new FormatError("empty_file", `${expected}, found an empty file (0 bytes)`, 1);
  const signature = SIGNATURES.find((s) => s.bytes.every((b, i) => head[i] === b));
  if (signature) return new FormatError("unknown_format", `${expected}, found ${signature.what}`, 1);

  const encoding = sniffEncoding(head);
  const text = createDecoder(encoding).decode(head);
  if (text.trim() === "") return new FormatError("empty_file", `${expected}, found only blank lines`, 1);
  // Control characters other than tab, line breaks and form feed do not occur in statement text.
  const control = /[\u0000-\u0008\u000b\u000e-\u001a\u001c-\u001f]/.exec(text);
  if (control) {
    // Many of them: a binary file, where lines mean nothing. A few: text with a stray byte worth locating.
    if ((text.match(/[\u0000-\u0008\u000e-\u001a\ufffd]/g) ?? []).length > text.length / 20) {
      return new FormatError("unknown_format", `${expected}, found binary content, not text`, 1);
    }
    const line = text.slice(0, control.index).split(/\r\n|\r|\n/).length;
    const code = control[0].charCodeAt(0);
    const name = code === 0 ? "a NUL byte" : `the control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
    return new FormatError("unknown_format", `${expected}, found text with ${name} on line ${line}, which no statement format contains`, line);
  }
  const firstBreak = text.search(/[\r\n]/);
  if (firstBreak < 0 && head.length >= 64 * 1024) {
    return new FormatError("unknown_format", `${expected}, found a first line longer than ${HEAD_LIMIT_LABEL} with no line break (too many columns, or not a text file)`, 1);
  }
  const firstLine = (firstBreak < 0 ? text : text.slice(0, firstBreak)).trim();
  return new FormatError("unknown_format", `${expected}, found text none of them recognises (first line: "${firstLine.slice(0, 80)}${firstLine.length > 80 ? "…" : ""}")`, 1);
}
