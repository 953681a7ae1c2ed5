/**
 * Helpers for the end-to-end pipeline tests: internal accounts in a test tenant, the `inflow import`
 * command run in-process (runImport) or as a child process, the import API called through its real
 * route handlers with a session cookie, and ledger snapshots.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { NextRequest } from "next/server";
import { TENANT_COOKIE } from "@/lib/auth/context";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import type { Role } from "@/lib/auth/permissions";
import { runImport, type ImportSummary } from "@/lib/cli/import";
import { asService, type TestTenant, type TestUser } from "@/test/db";

export const SAMPLES = path.resolve("test/fixtures/samples");
export const sample = (relative: string) => path.join(SAMPLES, relative);

/** Creates an internal account in the tenant (service path: setup, not the behaviour under test). */
export async function addAccount(tenant: TestTenant, name: string, currency: string, kind = "bank"): Promise<string> {
  return asService(async (db) => {
    const { rows } = await db.query<{ id: string }>(
      "insert into public.accounts (tenant_id, name, currency, kind) values ($1, $2, $3, $4) returning id",
      [tenant.id, name, currency, kind],
    );
    return rows[0]!.id;
  });
}

export interface CliOptions {
  account?: string;
  excludeInvalid?: boolean;
  dryRun?: boolean;
  as?: Role;
}

function cliArgs(tenant: TestTenant, file: string, options: CliOptions): string[] {
  return [
    file,
    "--tenant",
    tenant.slug,
    "--as",
    tenant.members[options.as ?? "admin"].email,
    ...(options.account ? ["--account", options.account] : []),
    ...(options.excludeInvalid ? ["--exclude-invalid"] : []),
    ...(options.dryRun ? ["--dry-run"] : []),
    "--json",
  ];
}

export interface CliResult {
  code: number;
  summary: ImportSummary;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

/** `inflow import FILE … --json` in this process (the command's own function, same pipeline). */
export async function cliImport(tenant: TestTenant, file: string, options: CliOptions = {}): Promise<CliResult> {
  const out = collector();
  const err = collector();
  const code = await runImport(cliArgs(tenant, file, options), out.stream, err.stream);
  const text = out.text().trim();
  if (!text) throw new Error(`inflow import printed nothing (exit ${code}): ${err.text()}`);
  return { code, summary: JSON.parse(text) as ImportSummary };
}

/** `node bin/inflow.mjs import FILE … --json` as a child process against the test database. */
export async function cliImportChild(tenant: TestTenant, file: string, options: CliOptions = {}): Promise<CliResult> {
  const run = promisify(execFile);
  try {
    const { stdout } = await run(process.execPath, ["bin/inflow.mjs", "import", ...cliArgs(tenant, file, options)], { env: process.env, timeout: 60_000 });
    return { code: 0, summary: JSON.parse(stdout.trim().split("\n").at(-1)!) as ImportSummary };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number" || !failed.stdout?.trim()) throw error;
    return { code: failed.code, summary: JSON.parse(failed.stdout.trim().split("\n").at(-1)!) as ImportSummary };
  }
}

export interface LedgerRow {
  account_id: string | null;
  booking_date: string;
  amount: string;
  currency: string;
  description: string;
  dedup_key: string | null;
  import_id: string | null;
}

/** The tenant's ledger (or one import's part of it) in a stable order, amounts as exact text. */
export async function ledger(tenantId: string, importId?: string): Promise<LedgerRow[]> {
  return asService(async (db) => {
    const { rows } = await db.query<LedgerRow>(
      `select account_id, booking_date::text, amount::text, currency::text, description, dedup_key, import_id
         from public.transactions where tenant_id = $1 and ($2::uuid is null or import_id = $2)
        order by id`,
      [tenantId, importId ?? null],
    );
    return rows;
  });
}

export async function count(sql: string, params: unknown[]): Promise<number> {
  return asService(async (db) => Number((await db.query<{ n: string }>(sql, params)).rows[0]!.n));
}

export async function importStatus(tenantId: string, importId: string): Promise<string> {
  return asService(async (db) => (await db.query<{ status: string }>("select status from public.imports where tenant_id = $1 and id = $2", [tenantId, importId])).rows[0]!.status);
}

export async function stagedStatuses(tenantId: string, importId: string): Promise<Record<string, number>> {
  return asService(async (db) => {
    const { rows } = await db.query<{ status: string; n: number }>(
      "select status, count(*)::int as n from public.staged_rows where tenant_id = $1 and import_id = $2 group by status order by status",
      [tenantId, importId],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  });
}

/** Polls until `check` returns a value, or fails naming what it waited for. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

// ---- the HTTP API through its route handlers ----

async function cookieFor(user: TestUser, tenant: TestTenant): Promise<string> {
  return `${SESSION_COOKIE}=${await createSessionToken(user.claims)}; ${TENANT_COOKIE}=${tenant.slug}`;
}

/** A real multipart request: web FormData serialised by Request into a stream, then handed to NextRequest. */
export async function multipartRequest(user: TestUser, tenant: TestTenant, file: { name: string; bytes: Uint8Array<ArrayBuffer> }, fields: Record<string, string> = {}): Promise<NextRequest> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob([file.bytes]), file.name);
  const web = new Request("http://localhost/api/imports", { method: "POST", body: form });
  return new NextRequest("http://localhost/api/imports", {
    method: "POST",
    headers: { host: "localhost", cookie: await cookieFor(user, tenant), "content-type": web.headers.get("content-type")! },
    body: web.body,
    duplex: "half",
  } as ConstructorParameters<typeof NextRequest>[1]);
}

export async function jsonRequest(user: TestUser, tenant: TestTenant, method: string, url: string): Promise<NextRequest> {
  return new NextRequest(url, { method, headers: { host: "localhost", cookie: await cookieFor(user, tenant) } });
}

export const readSample = (relative: string) => new Uint8Array(fs.readFileSync(sample(relative)));
