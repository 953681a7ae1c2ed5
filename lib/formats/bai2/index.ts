/**
 * BAI2 (Cash Management Balance Reporting Specification, version 2; version 3/BTRS where it keeps
 * the same layout): balances and transactions per account, with trailer counts and control totals
 * verified unless the caller sets `integrity: false`.
 */
import { decodeText, peekBytes, sniffEncoding } from "../shared/text";
import { type ByteSource, type FormatModule, type FormatParser, type FormatSniffer, type ParseEvent, type ParseOptions } from "../types";
import { LogicalAssembler } from "./logical";
import { Bai2Reader } from "./reader";

export async function* parseBai2(source: ByteSource, options?: ParseOptions): AsyncGenerator<ParseEvent, void, undefined> {
  const { head, source: replay } = await peekBytes(source, 4096);
  const encoding = options?.encoding ?? sniffEncoding(head);
  const reader = new Bai2Reader(options);
  const assembler = new LogicalAssembler();
  // Plain loops over the event arrays: `yield*` of an array in an async generator goes through an
  // async-from-sync iterator, an extra promise per event.
  for await (const text of decodeText(replay, encoding)) {
    assembler.push(text);
    for (let item = assembler.next(); item; item = assembler.next()) for (const event of reader.accept(item)) yield event;
  }
  assembler.end();
  for (let item = assembler.next(); item; item = assembler.next()) for (const event of reader.accept(item)) yield event;
  reader.finish(Math.max(1, assembler.lines));
  yield { type: "meta", meta: { format: "bai2", encoding, lines: assembler.lines, extra: reader.metaExtra() } };
}

/** A BAI2 file opens with its 01 file header: "01," then sender, receiver and a YYMMDD creation date. */
export const sniffBai2: FormatSniffer = (head) => {
  const start = head.replace(/^\uFEFF/, "").trimStart();
  if (/^01,[^,/\r\n]*,[^,/\r\n]*,\d{6},/.test(start)) return 0.99;
  if (start.startsWith("01,")) return 0.9;
  return 0;
};

export const parse: FormatParser = parseBai2;

export const bai2Format: FormatModule = { name: "bai2", parse, sniff: sniffBai2 };
