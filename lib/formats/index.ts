/**
 * The format registry and the one entry point the app and CLI use: `parseFile` detects the format
 * from the first bytes (unless told) and streams the chosen parser's events (`parseFileBatches`: the
 * same events an array at a time, as the pipeline reads them).
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
import { type ByteSource, type FormatBatchParser, type FormatModule, type ParseEvent, type ParseOptions } from "./types";
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

/** The module that reads a source (the requested one, else detected from its first bytes), and the bytes to give it. */
async function resolveFormat(source: ByteSource, requested: FormatName | undefined): Promise<{ module: FormatModule; source: ByteSource }> {
  const { head, source: replay } = await peekBytes(source);
  if (requested) return { module: formats[requested], source: replay };
  const detection = detectFormat(head);
  if (!detection.format) throw unrecognisedFile(head, Object.keys(formats));
  return { module: formats[detection.format], source: replay };
}

export async function* parseFile(source: ByteSource, options: ParseFileOptions = {}): AsyncGenerator<ParseEvent, void, undefined> {
  const { format: requested, ...parseOptions } = options;
  const { module, source: replay } = await resolveFormat(source, requested);
  yield* module.parse(replay, parseOptions);
}

/** parseFile's events, an array at a time (see FormatBatchParser). */
export async function* parseFileBatches(source: ByteSource, options: ParseFileOptions = {}): AsyncGenerator<ParseEvent[], void, undefined> {
  const { format: requested, ...parseOptions } = options;
  const { module, source: replay } = await resolveFormat(source, requested);
  yield* parseBatchesOf(module)(replay, parseOptions);
}

/** A module's batch parser; for formats without one, each event of `parse` as its own array. */
export function parseBatchesOf(module: FormatModule): FormatBatchParser {
  return module.parseBatches ?? ((source, options) => eachAlone(module.parse(source, options)));
}

async function* eachAlone(events: AsyncIterable<ParseEvent>): AsyncGenerator<ParseEvent[], void, undefined> {
  for await (const event of events) yield [event];
}

export { detectFormat } from "./detect";
export type { Detection } from "./detect";
