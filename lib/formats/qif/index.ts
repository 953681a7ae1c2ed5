/**
 * QIF (Quicken Interchange Format): bank, cash and credit-card sections, read line by line.
 */
import { decodeText, peekBytes, readLineBatches, sniffEncoding } from "../shared/text";
import type { FormatModule, FormatParser, FormatSniffer } from "../types";
import { QifReader } from "./reader";

export const parseQif: FormatParser = async function* (source, options = {}) {
  const { head, source: replay } = await peekBytes(source, 4096);
  const encoding = options.encoding ?? sniffEncoding(head);
  const reader = new QifReader(options);
  let lines = 0;
  // One async step per decoded chunk of lines, not per line.
  for await (const batch of readLineBatches(decodeText(replay, encoding))) {
    for (const line of batch) {
      lines = line.line;
      yield* reader.line(line);
    }
  }
  yield* reader.finish();
  yield { type: "meta", meta: { format: "qif", encoding, lines, extra: reader.extra() } };
};

export const sniffQif: FormatSniffer = (head) => {
  const start = head.replace(/^\uFEFF/, "").trimStart();
  if (/^!(Type:|Account\b|Option:|Clear:)/i.test(start)) return 0.95;
  if (/^!Type:(Bank|Cash|CCard|Oth [AL]|Invst)\s*$/im.test(head.slice(0, 4096))) return 0.6;
  return 0;
};

export const qifFormat: FormatModule = { name: "qif", parse: parseQif, sniff: sniffQif };
