/**
 * `npm run bench:formats [-- --quick] [-- --size-mb N] [-- --seed N] [-- --only csv,ofx]`
 *
 * A benchmark, not a test: writes large deterministic files (100 MB each by default, 10 MB with
 * --quick) for CSV, BAI2, MT940, camt.053, OFX and M-Pesa into the OS temp directory, then streams each
 * through its parser, each format in a Node process of its own (measureFormat), and reports MB/s,
 * records/s and peak RSS, next to papaparse alone on the same CSV bytes.
 */
import { spawn } from "node:child_process";
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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

/** One timed parse: wall seconds, what it read, and the process's peak RSS meanwhile. */
export interface TimedParse {
  seconds: number;
  records: number;
  issues: number;
  peakRss: number;
}

export interface FormatMeasurement {
  parser: TimedParse[];
  /** CSV only: papaparse alone on the same bytes, each run right after the CSV parser's run of the same number. */
  papaparse: TimedParse[];
}

/**
 * Measures one format's parser in a Node process of its own: a warm-up parse of `warmPath`, then
 * `runs` timed parses of `path`. A process per format, so that no parser inherits another's heap
 * or JIT state and each peak RSS is that parser's own. For CSV, papaparse alone runs after each of
 * the CSV parser's runs in the same process, so the ratio compares runs seconds apart.
 */
export function measureFormat(target: Target, path: string, warmPath: string, runs: number): Promise<FormatMeasurement> {
  const args = [fileURLToPath(import.meta.url), "--child", target.name, "--file", path, "--warm", warmPath, "--runs", String(runs)];
  return new Promise((resolve, reject) => {
    // process.execArgv carries tsx's loader, so the child runs this TypeScript file as the parent does.
    const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`${target.name}: the measuring process exited with ${code}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "") as FormatMeasurement);
    });
  });
}

/** The child's side of measureFormat: prints the measurement as one JSON line. */
async function measureHere(name: string, path: string, warmPath: string, runs: number): Promise<void> {
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`no format "${name}"`);
  const module = await target.load();
  await runParser(module, warmPath);
  const result: FormatMeasurement = { parser: [], papaparse: [] };
  if (name === "csv") await runPapaparse(warmPath);
  for (let run = 1; run <= runs; run++) {
    const parsed = await measure(() => runParser(module, path));
    result.parser.push({ seconds: parsed.seconds, records: parsed.result.records, issues: parsed.result.issues, peakRss: parsed.peakRss });
    if (name === "csv") {
      const papa = await measure(() => runPapaparse(path));
      result.papaparse.push({ seconds: papa.seconds, records: papa.result, issues: 0, peakRss: papa.peakRss });
    }
  }
  console.log(JSON.stringify(result));
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
      // The measuring process's side (measureFormat).
      child: { type: "string" },
      file: { type: "string" },
      warm: { type: "string" },
      runs: { type: "string" },
    },
  });
  if (values.child) return measureHere(values.child, values.file ?? "", values.warm ?? "", Number(values.runs ?? 1));
  const sizeMb = values["size-mb"] ? Number(values["size-mb"]) : values.quick ? 10 : 100;
  const seed = values.seed ? Number(values.seed) : 20251031;
  const only = values.only ? new Set(values.only.split(",")) : null;
  if (!Number.isFinite(sizeMb) || sizeMb <= 0) throw new Error(`--size-mb must be a positive number, got ${values["size-mb"]}`);
  const bytes = Math.round(sizeMb * MB);

  console.log(`Inflow format benchmark: ${sizeMb} MB per format, seed ${seed}, files in ${tmpdir()}; each format in a process of its own, after a 1 MB warm-up`);
  const rows: Row[] = [];
  for (const target of TARGETS) {
    if (only && !only.has(target.name)) continue;
    const file = ensureFile(target, bytes, seed);
    const warm = ensureFile(target, 1_000_000, seed);
    process.stdout.write(`  ${target.name}: ${file.reused ? "reusing" : "generated"} ${(file.bytes / MB).toFixed(1)} MB, parsing… `);
    try {
      const { parser, papaparse } = await measureFormat(target, file.path, warm.path, 1);
      for (const [name, run] of [[target.name, parser[0]], ["papaparse (csv)", papaparse[0]]] as const) {
        if (!run) continue;
        const note = run.records === file.records ? undefined : `expected ${file.records} records`;
        rows.push({ name, bytes: file.bytes, ...run, ...(note ? { note } : {}) });
      }
      console.log(`${parser[0]?.seconds.toFixed(2)} s`);
    } catch (error) {
      console.log("failed");
      rows.push({ name: target.name, bytes: file.bytes, seconds: 0, records: 0, issues: 0, peakRss: 0, note: `failed: ${error instanceof Error ? error.message : String(error)}` });
    }
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
