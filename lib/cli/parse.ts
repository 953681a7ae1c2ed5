/**
 * `inflow parse FILE [--format NAME] [--no-integrity] [--json]`: parses one file with the format
 * library and prints the canonical result (JSON) or a short human summary. Exit codes: 0 parsed
 * (issues included), 1 the file was rejected or unreadable, 2 the command line was wrong.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { formatName, type FormatName } from "@/lib/schemas/canonical";
import { collect, type CollectedParse } from "@/lib/formats/collect";
import { parseFile } from "@/lib/formats/index";
import { FormatError } from "@/lib/formats/types";

const USAGE = "Usage: inflow parse FILE [--format NAME] [--no-integrity] [--json]";
const ISSUES_SHOWN = 5;

function write(out: NodeJS.WritableStream, text: string): void {
  out.write(text.endsWith("\n") ? text : text + "\n");
}

function readArguments(argv: string[]): { file: string; format?: FormatName; integrity: boolean; json: boolean } | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { format: { type: "string" }, "no-integrity": { type: "boolean" }, json: { type: "boolean" } },
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  // The binary may pass its own sub-command along: "parse FILE" and "FILE" both work.
  const positionals = parsed.positionals[0] === "parse" && parsed.positionals.length === 2 ? parsed.positionals.slice(1) : parsed.positionals;
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) return "Expected exactly one FILE";
  const format = parsed.values.format;
  if (format !== undefined) {
    const known = formatName.safeParse(format);
    if (!known.success) return `Unknown format "${format}"; expected one of ${formatName.options.join(", ")}`;
    return { file, format: known.data, integrity: !parsed.values["no-integrity"], json: Boolean(parsed.values.json) };
  }
  return { file, integrity: !parsed.values["no-integrity"], json: Boolean(parsed.values.json) };
}

function summary(result: CollectedParse): string {
  const meta = result.meta;
  const transactions = result.statements.reduce((n, s) => n + s.transactions.length, 0);
  const errors = result.issues.filter((i) => i.severity === "error").length;
  const warnings = result.issues.filter((i) => i.severity === "warning").length;
  const accounts = [...new Set(result.statements.map((s) => s.account.id))];
  const lines = [
    `Format: ${meta?.format ?? "unknown"}${meta?.encoding ? ` (${meta.encoding})` : ""}, ${meta?.lines ?? 0} lines`,
    `Statements: ${result.statements.length}${accounts.length > 0 ? ` (accounts: ${accounts.slice(0, 5).join(", ")}${accounts.length > 5 ? ", …" : ""})` : ""}`,
    `Transactions: ${transactions}`,
    `Records: ${result.records.length}`,
    `Issues: ${result.issues.length} (${errors} errors, ${warnings} warnings)`,
    ...(result.rejected.length > 0 ? [`Rejected rows (kept for correction): ${result.rejected.length}`] : []),
    ...result.issues.slice(0, ISSUES_SHOWN).map((i) => `  line ${i.line} [${i.severity}] ${i.code}: ${i.message}`),
  ];
  if (result.issues.length > ISSUES_SHOWN) lines.push(`  … and ${result.issues.length - ISSUES_SHOWN} more (use --json to see all)`);
  return lines.join("\n");
}

export async function runParse(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const args = readArguments(argv);
  if (typeof args === "string") {
    write(out, `${args}\n${USAGE}`);
    return 2;
  }
  const fail = (code: string, message: string, line?: number): number => {
    if (args.json) write(out, JSON.stringify({ error: line === undefined ? { code, message } : { code, message, line } }, null, 2));
    else write(out, line === undefined ? `Error: ${message} (${code})` : `Error on line ${line}: ${message} (${code})`);
    return 1;
  };
  try {
    const info = await stat(args.file);
    if (!info.isFile()) return fail("file_unreadable", `"${args.file}" is not a file`);
  } catch {
    return fail("file_unreadable", `Cannot read "${args.file}"`);
  }

  let result: CollectedParse;
  try {
    const source = createReadStream(args.file);
    result = await collect(parseFile(source, { ...(args.format ? { format: args.format } : {}), integrity: args.integrity }));
  } catch (error) {
    if (error instanceof FormatError) return fail(error.code, error.message, error.line);
    throw error;
  }

  if (args.json) {
    const { statements, records, issues, rejected, meta } = result;
    write(out, JSON.stringify({ format: meta?.format ?? null, encoding: meta?.encoding ?? null, statements, records, issues, rejected, meta: meta ?? null }, null, 2));
  } else {
    write(out, summary(result));
  }
  return 0;
}
