/** Test helpers: run the scanner and 88 assembly over a string, or parse a string as a whole file. */
import { collect, type CollectedParse } from "../collect";
import type { ParseOptions } from "../types";
import type { LogicalRecord } from "./continuation";
import { bai2Format } from "./index";
import { readLogicalRecords, type LogicalItem } from "./logical";

export async function logicalItemsOf(text: string): Promise<LogicalItem[]> {
  const items: LogicalItem[] = [];
  async function* one(): AsyncGenerator<string> {
    yield text;
  }
  for await (const item of readLogicalRecords(one())) items.push(item);
  return items;
}

export async function logicalRecordsOf(text: string): Promise<LogicalRecord[]> {
  return (await logicalItemsOf(text)).flatMap((item) => (item.kind === "logical" ? [item.record] : []));
}

export function parseText(text: string, options?: ParseOptions): Promise<CollectedParse> {
  return collect(bai2Format.parse([new TextEncoder().encode(text)], options));
}
