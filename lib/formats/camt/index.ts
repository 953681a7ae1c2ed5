/**
 * ISO 20022 bank-to-customer cash management: camt.053 statements and camt.052 account reports
 * (versions .001.02 to .001.10 and later, told apart by namespace). One parser serves both;
 * meta.format says which message the file held.
 */
import type { FormatBatchParser, FormatModule, FormatSniffer } from "../types";
import { camtBatches, parseCamt } from "./parse";

function looksLikeXml(head: string): boolean {
  return /^\uFEFF?\s*</.test(head);
}

const sniffCamt053: FormatSniffer = (head) => {
  if (!looksLikeXml(head)) return 0;
  if (/camt\.053\.001/.test(head) || /<(\w+:)?BkToCstmrStmt[\s>]/.test(head)) return 0.95;
  if (/camt\.052\.001/.test(head) || /<(\w+:)?BkToCstmrAcctRpt[\s>]/.test(head)) return 0.5;
  return 0;
};

const sniffCamt052: FormatSniffer = (head) => {
  if (!looksLikeXml(head)) return 0;
  if (/camt\.052\.001/.test(head) || /<(\w+:)?BkToCstmrAcctRpt[\s>]/.test(head)) return 0.95;
  return 0;
};

const parseCamtBatches: FormatBatchParser = (source, options = {}) => camtBatches(source, options);

export const camtFormat: FormatModule = { name: "camt053", parse: parseCamt, parseBatches: parseCamtBatches, sniff: sniffCamt053 };
export const camt052Format: FormatModule = { name: "camt052", parse: parseCamt, parseBatches: parseCamtBatches, sniff: sniffCamt052 };
