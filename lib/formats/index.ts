/**
 * The format registry and the one entry point the app and CLI use: `parseFile` detects the format
 * from the first bytes (unless told) and streams the chosen parser's events.
 */
import type { FormatName } from "@/lib/schemas/canonical";
import { bai2Format } from "./bai2/index";
import { camt052Format, camtFormat } from "./camt/index";
import { csvFormat } from "./csv/index";
import { detectFormat } from "./detect";
import { mpesaFormat } from "./mpesa/index";
import { mt940Format, mt942Format } from "./mt940/index";
import { ofxFormat } from "./ofx/index";
import { posFormat } from "./pos/index";
import { qifFormat } from "./qif/index";
import { salesproFormat } from "./salespro/index";
import { peekBytes } from "./shared/text";
import { trialBalanceFormat } from "./trial-balance/index";
import { unrecognisedFile } from "./unrecognised";
import { type ByteSource, type FormatModule, type ParseEvent, type ParseOptions } from "./types";
import { xlsxFormat } from "./xlsx/index";

/**
 * Registration order breaks ties in detection: specific formats before the generic ones they look
 * like (M-Pesa, POS, trial balance and SalesPro exports are all CSV; CSV comes last).
 */
export const formats: Record<FormatName, FormatModule> = {
  ofx: ofxFormat,
  qif: qifFormat,
  bai2: bai2Format,
  camt053: camtFormat,
  camt052: camt052Format,
  mt940: mt940Format,
  mt942: mt942Format,
  xlsx: xlsxFormat,
  mpesa: mpesaFormat,
  pos: posFormat,
  trial_balance: trialBalanceFormat,
  salespro: salesproFormat,
  csv: csvFormat,
};

export interface ParseFileOptions extends ParseOptions {
  /** Skip detection and use this format. */
  format?: FormatName;
}

export async function* parseFile(source: ByteSource, options: ParseFileOptions = {}): AsyncGenerator<ParseEvent, void, undefined> {
  const { format: requested, ...parseOptions } = options;
  const { head, source: replay } = await peekBytes(source);
  let name = requested;
  if (!name) {
    const detection = detectFormat(head);
    if (!detection.format) throw unrecognisedFile(head, Object.keys(formats));
    name = detection.format;
  }
  yield* formats[name].parse(replay, parseOptions);
}

export { detectFormat } from "./detect";
export type { Detection } from "./detect";
