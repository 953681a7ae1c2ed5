import { describe, expect, it } from "vitest";
import { collect } from "./collect";
import { parseFile } from "./index";
import { FormatError } from "./types";

const refusal = async (bytes: Uint8Array) => {
  const error = await collect(parseFile([bytes])).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FormatError);
  return error as FormatError;
};
const text = (s: string) => new TextEncoder().encode(s);

describe("a file no format recognises is described, not just refused", () => {
  it.each([
    ["empty", new Uint8Array(0), "empty_file", 1, /found an empty file \(0 bytes\)$/],
    ["blank lines", text("\n \r\n\t\n"), "empty_file", 1, /found only blank lines$/],
    ["PNG", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]), "unknown_format", 1, /found a PNG image$/],
    ["ZIP", new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0]), "unknown_format", 1, /found a ZIP archive that is not an Excel workbook/],
    ["PDF", text("%PDF-1.4\n1 0 obj\n"), "unknown_format", 1, /found a PDF document/],
    ["binary", Uint8Array.from({ length: 512 }, (_, i) => (i * 31) % 256), "unknown_format", 1, /found binary content, not text$/],
    ["a NUL in text", text("Date,Description,Amount\n2025-01-05,ok,1\n2025-01-06,b\u0000d,2\n"), "unknown_format", 3, /found text with a NUL byte on line 3/],
    ["a first line past the sniffing window", text("x,".repeat(40_000)), "unknown_format", 1, /found a first line longer than 64 KiB/],
    ["prose", text("Dear customer\nyour statement is attached.\n"), "unknown_format", 1, /\(first line: "Dear customer"\)$/],
  ])("%s", async (_name, bytes, code, line, message) => {
    const error = await refusal(bytes);
    expect([error.code, error.line]).toEqual([code, line]);
    expect(error.message).toMatch(/^Expected a statement or dataset in one of the known formats \(ofx, .*csv\), found /);
    expect(error.message).toMatch(message);
  });
});
