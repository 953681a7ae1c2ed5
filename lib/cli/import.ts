/**
 * `inflow import FILE --tenant SLUG --as EMAIL`: the web app's pipeline from the command line, under
 * that user's claims (RLS applies as in a request): store the raw file, parse and stage, optionally
 * exclude invalid rows, then commit — or only report, with --dry-run.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { claimsFor } from "@/lib/auth/claims";
import { can } from "@/lib/auth/permissions";
import { withService } from "@/lib/db/service";
import { withUser } from "@/lib/db/with-user";
import { listMembershipsOfUser } from "@/lib/db/queries/memberships";
import { getImport } from "@/lib/db/queries/pipeline";
import { dryRun } from "@/lib/ingest/classify";
import { CommitBlockedError, commitImport } from "@/lib/ingest/commit";
import { runParseJob } from "@/lib/ingest/jobs";
import { setExcluded } from "@/lib/ingest/review";
import { createImportFromStoredFile, uploadFields } from "@/lib/ingest/upload";
import { rawFileStore } from "@/lib/storage/raw-store";

export const IMPORT_USAGE = `inflow import FILE --tenant SLUG --as EMAIL [--account NAME] [--format NAME]
                [--date-order YMD|DMY|MDY] [--no-integrity] [--exclude-invalid] [--dry-run] [--json]`;

export interface ImportSummary {
  importId: string;
  status: string;
  fetched: number;
  parsed: number;
  invalid: number;
  imported: number;
  exactDuplicates: number;
  flagged: number;
  blocked: number;
  failed: number;
  error?: { code: string; message: string; line?: number };
}

function fail(out: NodeJS.WritableStream, message: string): number {
  out.write(`${message}\n`);
  return 2;
}

export async function runImport(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: "string" },
      as: { type: "string" },
      account: { type: "string" },
      format: { type: "string" },
      "date-order": { type: "string" },
      "no-integrity": { type: "boolean", default: false },
      "exclude-invalid": { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const file = positionals[0];
  if (!file || !values.tenant || !values.as) return fail(err, `Usage: ${IMPORT_USAGE}`);
  if (!fs.existsSync(file)) return fail(err, `${file}: no such file`);

  const user = await withService(async (db) => (await db.query<{ id: string }>("select id from auth.users where lower(email) = lower($1)", [values.as])).rows[0]);
  if (!user) return fail(err, `No user with the email ${values.as}.`);
  const claims = claimsFor(user.id, values.as);
  const membership = (await withUser(claims, (db) => listMembershipsOfUser(db, { userId: user.id }))).find((m) => m.slug === values.tenant);
  if (!membership) return fail(err, `${values.as} is not a member of a tenant "${values.tenant}".`);
  if (!can(membership.role, "imports.create")) return fail(err, `${values.as} is a ${membership.role} in "${values.tenant}" and may not import files.`);
  const tenantId = membership.tenantId;

  let accountId: string | undefined;
  if (values.account) {
    accountId = (await withUser(claims, (db) => db.query<{ id: string }>("select id from public.accounts where tenant_id = $1 and name = $2", [tenantId, values.account]))).rows[0]?.id;
    if (!accountId) return fail(err, `No account named "${values.account}" in "${values.tenant}".`);
  }
  const fields = uploadFields.parse({
    accountId,
    format: values.format,
    dateOrder: values["date-order"],
    integrity: values["no-integrity"] ? "false" : undefined,
  });

  const stored = await (await rawFileStore()).put(tenantId, fs.createReadStream(file));
  const ctx = { claims, tenantId };
  const { importId } = await createImportFromStoredFile(ctx, { fileName: path.basename(file), stored, fields, source: "cli" }, { enqueueParse: false });
  await runParseJob({ ...ctx, importId });
  const staged = (await withUser(claims, (db) => getImport(db, { tenantId, importId })))?.status === "staged";
  if (staged && values["exclude-invalid"]) await withUser(claims, (db) => setExcluded(db, { tenantId, importId, rowNos: "errors", excluded: true }));

  let exitCode = 0;
  if (staged && !values["dry-run"]) {
    try {
      await withUser(claims, (db) => commitImport(db, { tenantId, importId }));
    } catch (error) {
      if (!(error instanceof CommitBlockedError)) throw error;
      exitCode = 3;
    }
  }
  const summary = await withUser(claims, async (db) => {
    const imp = (await getImport(db, { tenantId, importId }))!;
    const counts = imp.status === "failed" ? null : await dryRun(db, { tenantId, importId });
    const m = imp.metrics;
    const num = (v: unknown) => (typeof v === "number" ? v : 0);
    const result: ImportSummary = {
      importId,
      status: imp.status,
      fetched: num(m.fetched),
      parsed: num(m.parsed),
      invalid: num(m.invalid),
      imported: num(m.imported),
      exactDuplicates: imp.status === "committed" ? num(m.exactDuplicates) : (counts?.exactDuplicates ?? 0),
      flagged: imp.status === "committed" ? num(m.flagged) : (counts?.likelyDuplicates ?? 0),
      blocked: counts?.blocked ?? 0,
      failed: imp.status === "failed" ? 1 : 0,
      ...(imp.error ? { error: imp.error } : {}),
    };
    return result;
  });
  if (summary.status === "failed") exitCode = 1;
  if (values.json) out.write(`${JSON.stringify(summary)}\n`);
  else {
    out.write(`${path.basename(file)} → import ${importId}: ${summary.status}\n`);
    out.write(`  fetched ${summary.fetched}, parsed ${summary.parsed}, invalid ${summary.invalid}, imported ${summary.imported}, exact duplicates ${summary.exactDuplicates}, flagged ${summary.flagged}, blocked ${summary.blocked}\n`);
    if (summary.error) out.write(`  error: ${summary.error.message}\n`);
    if (exitCode === 3) out.write("  nothing committed: correct or exclude the rows with errors (--exclude-invalid) and map the accounts first\n");
  }
  return exitCode;
}
