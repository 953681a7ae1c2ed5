/**
 * Test helpers shared by the camt and MT940 suites: run a parser to a collected result or its
 * FormatError, check every emitted object against the canonical schemas, and mutate bytes.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { balance, parseIssue, statementInfo, transaction } from "@/lib/schemas/canonical";
import { chunked, collect, type CollectedParse } from "../collect";
import { FormatError, type FormatModule, type ParseOptions } from "../types";

export type Outcome = { ok: true; result: CollectedParse } | { ok: false; error: FormatError };

export function sample(kind: string, name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(import.meta.dirname, "../../../test/fixtures/samples", kind, name)));
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Parses in chunks of `chunkSize` (whole when omitted). Any error but FormatError is rethrown. */
export async function run(format: FormatModule, input: Uint8Array, chunkSize?: number, options?: ParseOptions): Promise<Outcome> {
  const source = chunkSize ? [...chunked(input, chunkSize)] : [input];
  try {
    return { ok: true, result: await collect(format.parse(source, options)) };
  } catch (error) {
    if (error instanceof FormatError) return { ok: false, error };
    throw error;
  }
}

export async function parsed(format: FormatModule, input: Uint8Array, options?: ParseOptions): Promise<CollectedParse> {
  const outcome = await run(format, input, undefined, options);
  if (!outcome.ok) throw new Error(`unexpected FormatError ${outcome.error.code} at line ${outcome.error.line}: ${outcome.error.message}`);
  return outcome.result;
}

export async function rejected(format: FormatModule, input: Uint8Array): Promise<FormatError> {
  const outcome = await run(format, input);
  if (outcome.ok) throw new Error("expected a FormatError, the parse succeeded");
  return outcome.error;
}

/** Throws when anything emitted breaks the canonical model or carries no line. */
export function assertCanonical(outcome: Outcome): void {
  if (!outcome.ok) {
    if (!(outcome.error.line >= 1)) throw new Error(`FormatError ${outcome.error.code} without a line`);
    return;
  }
  const { statements, issues, meta } = outcome.result;
  if (!meta) throw new Error("no meta event");
  for (const issue of issues) parseIssue.parse(issue);
  for (const s of statements) {
    statementInfo.parse({ account: s.account, statementId: s.statementId, from: s.from, to: s.to, line: s.line });
    s.balances.forEach((b) => balance.parse(b));
    s.transactions.forEach((t) => transaction.parse(t));
  }
}

/** Comparable summary of an outcome, for chunking-invariance checks. */
export function fingerprint(outcome: Outcome): string {
  return outcome.ok ? JSON.stringify(outcome.result) : `${outcome.error.code}@${outcome.error.line}`;
}

export type Mutation = { kind: "delete" | "insert" | "replace"; at: number; length: number; data: Uint8Array };

export function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = input;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    const before = out.subarray(0, at);
    const after = out.subarray(Math.min(out.length, at + (m.kind === "insert" ? 0 : m.length)));
    const middle = m.kind === "delete" ? new Uint8Array() : m.data;
    const next = new Uint8Array(before.length + middle.length + after.length);
    next.set(before, 0);
    next.set(middle, before.length);
    next.set(after, before.length + middle.length);
    out = next;
  }
  return out;
}
