/**
 * Queries of the import pipeline: the import's state, staged rows, issues and statements. Every
 * function takes the tenant id, even though RLS also guards it.
 */
import type { Db } from "@/lib/db/pool";
import type { JsonValue } from "@/lib/formats/types";

export type ImportStatus = "uploaded" | "parsing" | "staged" | "committing" | "committed" | "failed" | "reverted";

export interface ImportRecord {
  id: string;
  tenantId: string;
  fileName: string;
  source: string;
  format: string | null;
  encoding: string | null;
  status: ImportStatus;
  rawKey: string | null;
  sha256: string | null;
  byteSize: string;
  accountId: string | null;
  options: Record<string, JsonValue>;
  progress: Record<string, JsonValue>;
  profile: Record<string, JsonValue> | null;
  metrics: Record<string, JsonValue>;
  error: { code: string; message: string; line?: number } | null;
  createdBy: string;
  createdAt: Date;
  committedAt: Date | null;
  revertedAt: Date | null;
}

const IMPORT_COLUMNS = `id, tenant_id as "tenantId", file_name as "fileName", source, format, encoding, status,
  raw_key as "rawKey", sha256, byte_size::text as "byteSize", account_id as "accountId", options, progress, profile,
  metrics, error, created_by as "createdBy", created_at as "createdAt", committed_at as "committedAt", reverted_at as "revertedAt"`;

export async function getImport(db: Db, params: { tenantId: string; importId: string; forUpdate?: boolean }): Promise<ImportRecord | undefined> {
  const { rows } = await db.query<ImportRecord>(
    `select ${IMPORT_COLUMNS} from public.imports where tenant_id = $1 and id = $2 ${params.forUpdate ? "for update" : ""}`,
    [params.tenantId, params.importId],
  );
  return rows[0];
}

export async function insertImport(
  db: Db,
  params: { tenantId: string; fileName: string; source: string; rawKey: string; sha256: string; byteSize: number; accountId: string | null; options: Record<string, JsonValue> },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into public.imports (tenant_id, file_name, source, raw_key, sha256, byte_size, account_id, options, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, 'uploaded') returning id`,
    [params.tenantId, params.fileName, params.source, params.rawKey, params.sha256, params.byteSize, params.accountId, params.options],
  );
  return rows[0]!.id;
}

/** Earlier imports of the same bytes in this tenant, newest first. */
export async function findImportsBySha(db: Db, params: { tenantId: string; sha256: string; excludeId?: string }) {
  const { rows } = await db.query<{ id: string; fileName: string; status: string; createdAt: Date; createdBy: string | null }>(
    `select i.id, i.file_name as "fileName", i.status, i.created_at as "createdAt", m.email as "createdBy"
       from public.imports i left join private.members_of($1) m on m.user_id = i.created_by
      where i.tenant_id = $1 and i.sha256 = $2 and i.id is distinct from $3
      order by i.created_at desc limit 5`,
    [params.tenantId, params.sha256, params.excludeId ?? null],
  );
  return rows;
}

export async function setImportState(
  db: Db,
  params: {
    tenantId: string;
    importId: string;
    status?: ImportStatus;
    format?: string | null;
    encoding?: string | null;
    progress?: Record<string, JsonValue>;
    profile?: unknown;
    metricsPatch?: Record<string, JsonValue>;
    error?: { code: string; message: string; line?: number } | null;
  },
): Promise<void> {
  await db.query(
    `update public.imports set
        status = coalesce($3, status),
        format = case when $4::boolean then $5 else format end,
        encoding = case when $6::boolean then $7 else encoding end,
        progress = coalesce($8, progress),
        profile = coalesce($9, profile),
        metrics = metrics || coalesce($10, '{}'::jsonb),
        error = case when $11::boolean then $12 else error end,
        updated_at = now()
      where tenant_id = $1 and id = $2`,
    [
      params.tenantId,
      params.importId,
      params.status ?? null,
      params.format !== undefined,
      params.format ?? null,
      params.encoding !== undefined,
      params.encoding ?? null,
      params.progress ?? null,
      params.profile === undefined ? null : JSON.stringify(params.profile),
      params.metricsPatch ?? null,
      params.error !== undefined,
      params.error ? JSON.stringify(params.error) : null,
    ],
  );
}

/** Removes everything staged for an import, so a retried parse starts clean. */
export async function clearStaging(db: Db, params: { tenantId: string; importId: string }): Promise<void> {
  for (const table of ["staged_rows", "import_issues", "import_statements"]) {
    await db.query(`delete from public.${table} where tenant_id = $1 and import_id = $2`, [params.tenantId, params.importId]);
  }
}

export interface StagedRowInput {
  rowNo: number;
  line: number;
  kind: string;
  statementNo: number | null;
  externalAccount: string | null;
  record: unknown;
  hasError: boolean;
  dedupKey: string | null;
  fingerprint: string | null;
}

/**
 * One multi-row insert per batch (arrays unnested server-side), never row by row, through
 * private.insert_staged_rows (supabase/migrations/*_stage_rows_in_bulk.sql), which checks the caller's
 * role, the import and the accounts once per batch instead of per-row RLS and foreign-key triggers.
 * Each row gets its account and dedup key there, as classification would give them (the account chosen
 * for the import, else the tenant's mapping of its external account; a fingerprinted row its first
 * occurrence, `:1`), so classification after staging rewrites only the rows where that guess is wrong
 * (repeated rows of the file) instead of every row twice. `mappingSource` names the namespace of
 * account mappings.
 */
export async function insertStagedRows(db: Db, params: { tenantId: string; importId: string; mappingSource: string; rows: StagedRowInput[] }): Promise<void> {
  if (params.rows.length === 0) return;
  const col = <K extends keyof StagedRowInput>(k: K) => params.rows.map((r) => r[k]);
  // The records go as one text, one JSON document a line, split into the text[] server-side: as an array
  // parameter, node-postgres quotes and backslash-escapes every record (each JSON quote) into an array
  // literal, ~0.8 s of Node CPU per 100,000 rows, and Postgres unescapes it again. JSON.stringify never
  // writes a raw line feed (it escapes U+000A inside strings as \n), so the split is exact.
  await db.query("select private.insert_staged_rows($1, $2, $3, $4::int[], $5::int[], $6::text[], $7::int[], $8::text[], string_to_array($9::text, E'\\n'), $10::boolean[], $11::text[], $12::text[])", [
    params.tenantId,
    params.importId,
    params.mappingSource,
    col("rowNo"),
    col("line"),
    col("kind"),
    col("statementNo"),
    col("externalAccount"),
    params.rows.map((r) => JSON.stringify(r.record)).join("\n"),
    col("hasError"),
    col("dedupKey"),
    col("fingerprint"),
  ]);
}

export interface IssueInput {
  line: number;
  severity: string;
  code: string;
  message: string;
  field: string | null;
}

export async function insertIssues(db: Db, params: { tenantId: string; importId: string; issues: IssueInput[] }): Promise<void> {
  if (params.issues.length === 0) return;
  const col = <K extends keyof IssueInput>(k: K) => params.issues.map((r) => r[k]);
  await db.query(
    `insert into public.import_issues (tenant_id, import_id, line, severity, code, message, field)
     select $1, $2, u.line, u.severity, u.code, u.message, u.field
       from unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[]) as u(line, severity, code, message, field)`,
    [params.tenantId, params.importId, col("line"), col("severity"), col("code"), col("message"), col("field")],
  );
}

export interface StatementInput {
  statementNo: number;
  line: number;
  externalAccount: string;
  account: unknown;
  statementId: string | null;
  from: string | null;
  to: string | null;
  balances: unknown[];
}

/** All statements of an import in one statement (a BAI2 file may hold thousands of accounts). */
export async function insertStatements(db: Db, params: { tenantId: string; importId: string; statements: StatementInput[] }): Promise<void> {
  if (params.statements.length === 0) return;
  await db.query(
    `insert into public.import_statements (tenant_id, import_id, statement_no, line, external_account, account, statement_id, period_from, period_to, balances)
     select $1, $2, s.statement_no, s.line, s.external_account, s.account, s.statement_id, s.period_from, s.period_to, s.balances
       from jsonb_to_recordset($3::jsonb) as s(statement_no int, line int, external_account text, account jsonb, statement_id text,
                                               period_from date, period_to date, balances jsonb)`,
    [
      params.tenantId,
      params.importId,
      JSON.stringify(
        params.statements.map((s) => ({
          statement_no: s.statementNo,
          line: s.line,
          external_account: s.externalAccount,
          account: s.account,
          statement_id: s.statementId,
          period_from: s.from,
          period_to: s.to,
          balances: s.balances,
        })),
      ),
    ],
  );
}

/** After all rows are staged: copy each line's issues onto the row that starts on that line. */
export async function finalizeStaging(db: Db, params: { tenantId: string; importId: string }): Promise<void> {
  // A file without issues (the common case) skips the update: with freshly staged rows not analyzed,
  // the planner hashes staged_rows rather than the empty issue list and reads every row of the import
  // for nothing (0.34 s of a 100,000-row import in bench/profile-ingest.ts).
  const { rows: someIssue } = await db.query("select 1 from public.import_issues where tenant_id = $1 and import_id = $2 limit 1", [params.tenantId, params.importId]);
  if (someIssue.length === 0) return;
  await db.query(
    `update public.staged_rows s set
        issues = i.issues,
        has_error = s.has_error or i.has_error,
        has_warning = i.has_warning
       from (select line,
                    jsonb_agg(jsonb_build_object('severity', severity, 'code', code, 'message', message, 'field', field, 'line', line) order by id) as issues,
                    bool_or(severity = 'error') as has_error,
                    bool_or(severity = 'warning') as has_warning
               from public.import_issues where tenant_id = $1 and import_id = $2 group by line) i
      where s.tenant_id = $1 and s.import_id = $2 and s.line = i.line`,
    [params.tenantId, params.importId],
  );
}
