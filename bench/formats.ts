/**
 * `npm run bench:formats [-- --quick] [-- --size-mb N] [-- --seed N] [-- --only csv,ofx]`
 *
 * A benchmark, not a test: writes large deterministic files (100 MB each by default, 10 MB with
 * --quick) for CSV, BAI2, MT940, camt.053, OFX and M-Pesa into the OS temp directory, then streams each
 * through its parser and reports MB/s, records/s and peak RSS, next to papaparse alone on the same
 * CSV bytes. A parser that does not exist yet is skipped with a note.
 */
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import Papa from "papaparse";
import type { FormatModule, ParseEvent } from "../lib/formats/types";
import { parseBatchesOf } from "../lib/formats/index";
import { generateBai2 } from "./generate/bai2";
import { generateCamt053 } from "./generate/camt053";
import type { GeneratedFile } from "./generate/common";
import { generateCsv } from "./generate/csv";
import { generateMt940 } from "./generate/mt940";
import { generateMpesa } from "./generate/mpesa";
import { generateOfx } from "./generate/ofx";

export interface Target {
  name: string;
  extension: string;
  generate: (path: string, bytes: number, seed: number) => GeneratedFile;
  load: () => Promise<FormatModule>;
}

export const TARGETS: Target[] = [
  { name: "csv", extension: "csv", generate: generateCsv, load: async () => (await import("../lib/formats/csv/index")).csvFormat },
  { name: "bai2", extension: "bai2", generate: generateBai2, load: async () => (await import("../lib/formats/bai2/index")).bai2Format },
  { name: "mt940", extension: "sta", generate: generateMt940, load: async () => (await import("../lib/formats/mt940/index")).mt940Format },
  { name: "camt053", extension: "xml", generate: generateCamt053, load: async () => (await import("../lib/formats/camt/index")).camtFormat },
  { name: "ofx", extension: "ofx", generate: generateOfx, load: async () => (await import("../lib/formats/ofx/index")).ofxFormat },
  // No speed target is stated for M-Pesa: measured and printed (MB/s, records/s) beside the others.
  { name: "mpesa", extension: "csv", generate: generateMpesa, load: async () => (await import("../lib/formats/mpesa/index")).mpesaFormat },
];

interface Row {
  name: string;
  bytes: number;
  seconds: number;
  records: number;
  issues: number;
  peakRss: number;
  note?: string;
}

const MB = 1_000_000;

/** Samples RSS while work runs, so bounded memory is visible next to the speed. */
export async function measure<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; peakRss: number }> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const start = performance.now();
  try {
    const result = await work();
    return { result, seconds: (performance.now() - start) / 1000, peakRss: Math.max(peakRss, process.memoryUsage().rss) };
  } finally {
    clearInterval(sampler);
  }
}

export async function runParser(module: FormatModule, path: string): Promise<{ records: number; issues: number }> {
  let records = 0;
  let issues = 0;
  // Events in arrays, as the import pipeline reads them (lib/ingest/stage.ts): one await per chunk.
  const batches: AsyncIterable<ParseEvent[]> = parseBatchesOf(module)(createReadStream(path, { highWaterMark: 1 << 16 }), { integrity: true });
  for await (const batch of batches) {
    for (const event of batch) {
      if (event.type === "transaction" || event.type === "record") records++;
      else if (event.type === "issue") issues++;
    }
  }
  return { records, issues };
}

export function runPapaparse(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    Papa.parse<string[]>(createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 16 }), {
      chunk: (results) => {
        rows += results.data.length;
      },
      complete: () => resolve(rows - 1),
      error: (error: Error) => reject(error),
    });
  });
}

export function ensureFile(target: Target, bytes: number, seed: number): GeneratedFile & { reused: boolean } {
  const path = join(tmpdir(), `inflow-bench-${target.name}-${bytes}-seed${seed}.${target.extension}`);
  const marker = `${path}.records`;
  if (existsSync(path) && existsSync(marker)) {
    const records = Number(readFileSync(marker, "utf8").trim());
    if (Number.isFinite(records)) return { path, bytes: statSync(path).size, records, reused: true };
  }
  const generated = target.generate(path, bytes, seed);
  // The record count is stored beside the file so a later run can reuse it without regenerating.
  writeFileSync(marker, String(generated.records));
  return { ...generated, reused: false };
}

function table(rows: Row[]): string {
  const header = ["parser", "size MB", "seconds", "MB/s", "records", "records/s", "issues", "peak RSS MB", "note"];
  const body = rows.map((row) =>
    row.note && row.seconds === 0
      ? [row.name, (row.bytes / MB).toFixed(1), "-", "-", "-", "-", "-", "-", row.note]
      : [
          row.name,
          (row.bytes / MB).toFixed(1),
          row.seconds.toFixed(2),
          (row.bytes / MB / row.seconds).toFixed(1),
          String(row.records),
          Math.round(row.records / row.seconds).toLocaleString("en-US"),
          String(row.issues),
          (row.peakRss / MB).toFixed(0),
          row.note ?? "",
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean" },
      "size-mb": { type: "string" },
      seed: { type: "string" },
      only: { type: "string" },
    },
  });
  const sizeMb = values["size-mb"] ? Number(values["size-mb"]) : values.quick ? 10 : 100;
  const seed = values.seed ? Number(values.seed) : 20251031;
  const only = values.only ? new Set(values.only.split(",")) : null;
  if (!Number.isFinite(sizeMb) || sizeMb <= 0) throw new Error(`--size-mb must be a positive number, got ${values["size-mb"]}`);
  const bytes = Math.round(sizeMb * MB);

  console.log(`Inflow format benchmark: ${sizeMb} MB per format, seed ${seed}, files in ${tmpdir()}`);
  const rows: Row[] = [];
  let csvFile: GeneratedFile | undefined;
  for (const target of TARGETS) {
    if (only && !only.has(target.name)) continue;
    let module: FormatModule;
    try {
      module = await target.load();
    } catch (error) {
      rows.push({ name: target.name, bytes: 0, seconds: 0, records: 0, issues: 0, peakRss: 0, note: `skipped: parser not available (${error instanceof Error ? error.message.split("\n")[0] : String(error)})` });
      continue;
    }
    const file = ensureFile(target, bytes, seed);
    if (target.name === "csv") csvFile = file;
    process.stdout.write(`  ${target.name}: ${file.reused ? "reusing" : "generated"} ${(file.bytes / MB).toFixed(1)} MB, parsing… `);
    try {
      const { result, seconds, peakRss } = await measure(() => runParser(module, file.path));
      const note = result.records === file.records ? undefined : `expected ${file.records} records`;
      rows.push({ name: target.name, bytes: file.bytes, seconds, records: result.records, issues: result.issues, peakRss, ...(note ? { note } : {}) });
      console.log(`${seconds.toFixed(2)} s`);
    } catch (error) {
      console.log("failed");
      rows.push({ name: target.name, bytes: file.bytes, seconds: 0, records: 0, issues: 0, peakRss: 0, note: `failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  if (csvFile) {
    const file = csvFile;
    process.stdout.write("  papaparse alone on the CSV bytes… ");
    const { result, seconds, peakRss } = await measure(() => runPapaparse(file.path));
    rows.push({ name: "papaparse (csv)", bytes: file.bytes, seconds, records: result, issues: 0, peakRss });
    console.log(`${seconds.toFixed(2)} s`);
  }

  console.log("\n" + table(rows));
  const csv = rows.find((r) => r.name === "csv" && r.seconds > 0);
  const papa = rows.find((r) => r.name === "papaparse (csv)");
  if (csv && papa) {
    console.log(`\nCSV parser / papaparse alone: ${(papa.seconds / csv.seconds).toFixed(2)}× the throughput (${(csv.bytes / MB / csv.seconds).toFixed(1)} vs ${(papa.bytes / MB / papa.seconds).toFixed(1)} MB/s); the CSV parser adds column mapping, number and date parsing and canonical records on top of tokenising.`);
  }
}

// bench/run.ts imports the functions above; only running this file directly runs the CLI.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
