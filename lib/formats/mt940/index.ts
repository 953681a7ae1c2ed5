/**
 * SWIFT MT940 (customer statement) and MT942 (interim transaction report). Both read through the
 * same parser; meta.format says which one the content turned out to be.
 */
import type { FormatBatchParser, FormatModule, FormatSniffer } from "../types";
import { mt940Batches, parseMt940 } from "./parse";

const STATEMENT_TAG = /^:(20|25|28C?|60[FM]|61|62[FM]|86):/m;
const MT942_TAG = /^:(34F|13D|90[DC]):/m;

function envelopeType(head: string): string | undefined {
  return /\{1:F01[^}]*\}\s*\{2:[IO](\d{3})/.exec(head)?.[1];
}

const sniffMt940: FormatSniffer = (head) => {
  const type = envelopeType(head);
  if (type === "940") return 0.95;
  if (type === "942") return 0.6;
  const mt942 = MT942_TAG.test(head);
  if (/^:20:/m.test(head) && /^:(61|60F|60M):/m.test(head)) return mt942 ? 0.6 : 0.95;
  if (/\{1:F01/.test(head) && STATEMENT_TAG.test(head)) return 0.8;
  if (/^:(60[FM]|61|62[FM]):/m.test(head)) return 0.6;
  return 0;
};

const sniffMt942: FormatSniffer = (head) => {
  const type = envelopeType(head);
  if (type === "942") return 0.95;
  if (type === "940") return 0.3;
  if (/^:20:/m.test(head) && MT942_TAG.test(head)) return 0.95;
  return MT942_TAG.test(head) && STATEMENT_TAG.test(head) ? 0.7 : 0;
};

const parseMt940Batches: FormatBatchParser = (source, options = {}) => mt940Batches(source, options);

export const mt940Format: FormatModule = { name: "mt940", parse: parseMt940, parseBatches: parseMt940Batches, sniff: sniffMt940 };
export const mt942Format: FormatModule = { name: "mt942", parse: parseMt940, parseBatches: parseMt940Batches, sniff: sniffMt942 };
