/**
 * BAI2 (Cash Management Balance Reporting Specification, version 2; version 3/BTRS where it keeps
 * the same layout): balances and transactions per account, with trailer counts and control totals
 * verified unless the caller sets `integrity: false`.
 */
import { decodeText, peekBytes, sniffEncoding } from "../shared/text";
import { type ByteSource, type FormatModule, type FormatParser, type FormatSniffer, type ParseEvent, type ParseOptions } from "../types";
import { flattenBatches } from "../shared/batches";
import { LogicalAssembler } from "./logical";
import { Bai2Reader } from "./reader";

export function parseBai2(source: ByteSource, options?: ParseOptions): AsyncGenerator<ParseEvent, void, undefined> {
  return flattenBatches(bai2Batches(source, options));
}

/**
 * The events, one array per decoded chunk (see flattenBatches: no async step per event). A failure
 * part-way through a chunk still hands on the events of the records before it first.
 */
export function bai2Batches(source: ByteSource, options?: ParseOptions): AsyncGenerator<ParseEvent[], void, undefined> {
  return readBai2(source, options, true);
}

/**
 * `bai2Batches`; with `quickDetails` false every 16 goes the general way (record objects, field
 * readers), which the property tests compare the quick reading against.
 */
export async function* readBai2(source: ByteSource, options: ParseOptions | undefined, quickDetails: boolean): AsyncGenerator<ParseEvent[], void, undefined> {
  const { head, source: replay } = await peekBytes(source, 4096);
  const encoding = options?.encoding ?? sniffEncoding(head);
  const reader = new Bai2Reader(options);
  const assembler = new LogicalAssembler(quickDetails);
  let out: ParseEvent[] = [];
  const take = (): void => {
    for (let item = assembler.next(); item; item = assembler.next()) reader.accept(item, out);
  };
  try {
    for await (const text of decodeText(replay, encoding)) {
      assembler.push(text);
      take();
      if (out.length > 0) {
        yield out;
        out = [];
      }
    }
    assembler.end();
    take();
    reader.finish(Math.max(1, assembler.lines));
  } catch (error) {
    if (out.length > 0) yield out;
    throw error;
  }
  out.push({ type: "meta", meta: { format: "bai2", encoding, lines: assembler.lines, extra: reader.metaExtra() } });
  yield out;
}

/** A BAI2 file opens with its 01 file header: "01," then sender, receiver and a YYMMDD creation date. */
export const sniffBai2: FormatSniffer = (head) => {
  const start = head.replace(/^\uFEFF/, "").trimStart();
  if (/^01,[^,/\r\n]*,[^,/\r\n]*,\d{6},/.test(start)) return 0.99;
  if (start.startsWith("01,")) return 0.9;
  return 0;
};

export const parse: FormatParser = parseBai2;

export const bai2Format: FormatModule = { name: "bai2", parse, parseBatches: bai2Batches, sniff: sniffBai2 };
