/**
 * Review over HTTP, through the real route handlers with real session cookies: paging, correcting a
 * rejected row until it commits, refusing an impossible date with a message naming line and field (and
 * changing nothing), exclusion, choosing the account of a CSV, roles (403) and tenants (404).
 */
import fs from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import { commitImport } from "@/lib/ingest/commit";
import { runParseJob } from "@/lib/ingest/jobs";
import { createImportFromStoredFile, uploadFields } from "@/lib/ingest/upload";
import type { DryRun } from "@/lib/ingest/classify";
import type { CorrectionResult } from "@/lib/ingest/corrections";
import type { StagedRowView } from "@/lib/db/queries/staged-rows";
import type { ErrorBody } from "@/lib/http/errors";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, asUser, createTenant, type TestTenant, type TestUser } from "@/test/db";
import { GET as getRows } from "./route";
import { PATCH as patchRow } from "./[rowNo]/route";
import { POST as postExclude } from "./exclude/route";
import { GET as getIssues } from "../issues/route";
import { PATCH as patchAccount } from "../account/route";

const US_CSV = path.resolve("test/fixtures/samples/csv/bank_us_debit_credit_bom.csv");

type Handler = (request: NextRequest, segment: { params: Promise<never> }) => Promise<Response>;
type Page = { rows: StagedRowView[]; nextAfter: number | null };
type Corrected = { correction: CorrectionResult; row: StagedRowView; dryRun: DryRun } & ErrorBody;
type Changed = { changed: number; dryRun: DryRun } & ErrorBody;

/** Calls a route handler as `user`; the body is typed as the caller expects it (an error body otherwise). */
async function call<B = ErrorBody>(
  handler: Handler,
  params: Record<string, string>,
  options: { user: TestUser; method?: string; body?: unknown; query?: string },
): Promise<{ status: number; body: B }> {
  const token = await createSessionToken(options.user.claims);
  const request = new NextRequest(`http://localhost/api/test${options.query ?? ""}`, {
    method: options.method ?? "GET",
    headers: { host: "localhost", cookie: `${SESSION_COOKIE}=${token}`, ...(options.body === undefined ? {} : { "content-type": "application/json" }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const response = await handler(request, { params: Promise.resolve(params) as Promise<never> });
  return { status: response.status, body: (await response.json()) as B };
}

async function stage(tenant: TestTenant, file: string, fields: Record<string, string> = {}): Promise<string> {
  const user = tenant.members.uploader;
  const stored = await (await rawFileStore()).put(tenant.id, fs.createReadStream(file));
  const ctx = { claims: user.claims, tenantId: tenant.id };
  const { importId } = await createImportFromStoredFile(ctx, { fileName: path.basename(file), stored, fields: uploadFields.parse(fields), source: "cli" }, { enqueueParse: false });
  await runParseJob({ ...ctx, importId });
  return importId;
}

async function stagedRow(tenant: TestTenant, importId: string, rowNo: number) {
  const { rows } = await asService((db) =>
    db.query("select record, original, issues, has_error, status, dedup_key, fingerprint from public.staged_rows where tenant_id = $1 and import_id = $2 and row_no = $3", [tenant.id, importId, rowNo]),
  );
  return rows[0];
}

async function auditActions(tenant: TestTenant, importId: string): Promise<{ action: string; before: unknown; after: unknown }[]> {
  const { rows } = await asService((db) =>
    db.query<{ action: string; before: unknown; after: unknown }>("select action, before, after from public.audit_log where tenant_id = $1 and entity_id = $2 order by id", [tenant.id, importId]),
  );
  return rows;
}

let t: TestTenant;
let other: TestTenant;
let accountId: string;

beforeAll(async () => {
  t = await createTenant("rows-http");
  other = await createTenant("rows-http-other");
  accountId = await asService(async (db) => {
    const { rows } = await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Operating account', 'USD') returning id", [t.id]);
    return rows[0]!.id;
  });
});

describe("correcting the rejected row of a CSV until it commits", () => {
  let importId: string;

  beforeAll(async () => {
    importId = await stage(t, US_CSV);
  });

  it("without an account every good row waits for one; choosing the file's account classifies them new", async () => {
    const before = await call<Page>(getRows, { id: importId }, { user: t.members.viewer, query: "?status=unmapped&limit=500" });
    expect(before.status).toBe(200);
    expect(before.body.rows.map((r) => r.rowNo)).toEqual([1, 2, 3, 4, 5, 7]);

    const chosen = await call<{ importId: string; accountId: string | null; dryRun: DryRun } & ErrorBody>(patchAccount, { id: importId }, { user: t.members.uploader, method: "PATCH", body: { accountId } });
    expect(chosen.status).toBe(200);
    expect(chosen.body).toEqual({ importId, accountId, dryRun: { new: 6, exactDuplicates: 0, likelyDuplicates: 0, errors: 1, unmapped: 0, excluded: 0, blocked: 1, total: 7, warnings: 0 } });
    const rows = await call<Page>(getRows, { id: importId }, { user: t.members.viewer, query: "?status=new" });
    expect(rows.body.rows.map((r) => [r.rowNo, r.accountId])).toEqual([1, 2, 3, 4, 5, 7].map((n) => [n, accountId]));
    expect((await auditActions(t, importId)).filter((a) => a.action === "import.account")).toEqual([
      { action: "import.account", before: { accountId: null }, after: { accountId, accountName: "Operating account" } },
    ]);
  });

  it("refuses an impossible date with 422 naming the line and the field, and changes nothing", async () => {
    const before = await stagedRow(t, importId, 6);
    const audits = (await auditActions(t, importId)).length;
    const refused = await call<Corrected>(patchRow, { id: importId, rowNo: "6" }, { user: t.members.uploader, method: "PATCH", body: { field: "bookingDate", value: "2025-02-30" } });
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({ error: { code: "invalid_value", message: "Line 7, Booking date: expected a date as YYYY-MM-DD that exists, found 2025-02-30" } });
    // A date in another notation is refused too: corrections are written YYYY-MM-DD.
    const notation = await call<Corrected>(patchRow, { id: importId, rowNo: "6" }, { user: t.members.uploader, method: "PATCH", body: { field: "bookingDate", value: "10/13/2025" } });
    expect(notation.body.error.message).toBe("Line 7, Booking date: expected a date as YYYY-MM-DD that exists, found 10/13/2025");
    const amount = await call<Corrected>(patchRow, { id: importId, rowNo: "6" }, { user: t.members.uploader, method: "PATCH", body: { field: "amount", value: "$10" } });
    expect(amount.status).toBe(422);
    expect(amount.body.error.message).toBe("Line 7, Amount: expected an amount such as -1234.50 or 1,234.56, found $10");
    const currency = await call<Corrected>(patchRow, { id: importId, rowNo: "6" }, { user: t.members.uploader, method: "PATCH", body: { field: "currency", value: "ABC" } });
    expect(currency.body.error.message).toBe("Line 7, Currency: expected a three-letter ISO currency code such as USD, found ABC");
    const unknown = await call<Corrected>(patchRow, { id: importId, rowNo: "6" }, { user: t.members.uploader, method: "PATCH", body: { field: "item", value: "x" } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe("not_correctable");
    expect(await stagedRow(t, importId, 6)).toEqual(before);
    expect((await auditActions(t, importId)).length).toBe(audits);
  });

  it("a real date unblocks the row: the original is kept, the issue goes, the row gets its key and is new", async () => {
    const fixed = await call<Corrected>(patchRow, { id: importId, rowNo: "6" }, { user: t.members.uploader, method: "PATCH", body: { field: "bookingDate", value: "2025-10-13" } });
    expect(fixed.status).toBe(200);
    expect(fixed.body.correction).toEqual({ rowNo: 6, line: 7, field: "bookingDate", before: "13/10/2025", after: "2025-10-13", valid: true });
    expect(fixed.body.dryRun).toMatchObject({ new: 7, errors: 0, blocked: 0, total: 7 });
    expect(fixed.body.row).toMatchObject({ rowNo: 6, line: 7, status: "new", hasError: false, issues: [], accountId });
    expect(fixed.body.row.record).toEqual({
      bookingDate: "2025-10-13",
      amount: "-10.00",
      currency: "USD",
      description: "BAD DATE ROW",
      bankReference: "X1",
      details: { balance: "11885.77" },
      raw: '13/10/2025,BAD DATE ROW,10.00,,"11,885.77",X1',
      line: 7,
    });
    expect(fixed.body.row.original).toMatchObject({ bookingDate: "13/10/2025", Balance: "11,885.77" });
    const stored = await stagedRow(t, importId, 6);
    expect(stored.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(stored.dedup_key).toBe(`fp:${stored.fingerprint}:1`);

    // A second correction keeps the first original and may use thousands separators.
    const again = await call<Corrected>(patchRow, { id: importId, rowNo: "6" }, { user: t.members.uploader, method: "PATCH", body: { field: "amount", value: "-1,010.00" } });
    expect(again.status).toBe(200);
    expect(again.body.row.record.amount).toBe("-1010.00");
    expect(again.body.row.original?.bookingDate).toBe("13/10/2025");
    expect(again.body.row.original?.amount).toBe("-10.00");

    const corrections = (await auditActions(t, importId)).filter((a) => a.action === "import.correct");
    expect(corrections).toEqual([
      { action: "import.correct", before: { bookingDate: "13/10/2025" }, after: { bookingDate: "2025-10-13" } },
      { action: "import.correct", before: { amount: "-10.00" }, after: { amount: "-1010.00" } },
    ]);
  });

  it("exclusion over HTTP takes rows out and puts them back", async () => {
    const out = await call<Changed>(postExclude, { id: importId }, { user: t.members.uploader, method: "POST", body: { rowNos: [4, 5], excluded: true } });
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ changed: 2, dryRun: { new: 5, excluded: 2 } });
    const excluded = await call<Page>(getRows, { id: importId }, { user: t.members.viewer, query: "?status=excluded" });
    expect(excluded.body).toMatchObject({ nextAfter: null });
    expect(excluded.body.rows.map((r) => [r.rowNo, r.excluded])).toEqual([[4, true], [5, true]]);
    const back = await call<Changed>(postExclude, { id: importId }, { user: t.members.uploader, method: "POST", body: { rowNos: [4, 5], excluded: false } });
    expect(back.body).toMatchObject({ changed: 2, dryRun: { new: 7, excluded: 0 } });
    const invalid = await call<Changed>(postExclude, { id: importId }, { user: t.members.uploader, method: "POST", body: { rowNos: "all", excluded: true } });
    expect(invalid.status).toBe(422);
  });

  it("pages over HTTP in pages of 2 with the cursor, and refuses a limit over 500", async () => {
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const page = await call<Page>(getRows, { id: importId }, { user: t.members.viewer, query: `?limit=2&after=${after}` });
      expect(page.status).toBe(200);
      seen.push(...page.body.rows.map((r) => r.rowNo));
      if (page.body.nextAfter === null) break;
      after = page.body.nextAfter;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await call<Page>(getRows, { id: importId }, { user: t.members.viewer, query: "?limit=501" })).status).toBe(422);
    expect((await call<Page>(getRows, { id: importId }, { user: t.members.viewer, query: "?status=bogus" })).status).toBe(422);
    const issues = await call<{ issues: { line: number; code: string }[] }>(getIssues, { id: importId }, { user: t.members.viewer });
    expect(issues.body.issues.map((i) => [i.line, i.code])).toEqual([[1, "date_order_ambiguous"]]);
  });

  it("the corrected row is committed with the others", async () => {
    const result = await asUser(t.members.uploader, (db) => commitImport(db, { tenantId: t.id, importId }));
    expect(result.imported).toBe(7);
    const { rows } = await asService((db) =>
      db.query("select booking_date::text as date, amount::text, currency, description, line from public.transactions where tenant_id = $1 and import_id = $2 and line = 7", [t.id, importId]),
    );
    expect(rows).toEqual([{ date: "2025-10-13", amount: "-1010.00", currency: "USD", description: "BAD DATE ROW", line: 7 }]);
    // After commit the rows are no longer in review.
    const late = await call<Corrected>(patchRow, { id: importId, rowNo: "1" }, { user: t.members.uploader, method: "PATCH", body: { field: "description", value: "x" } });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("not_in_review");
  });
});

describe("who may review", () => {
  let importId: string;

  beforeAll(async () => {
    importId = await stage(t, US_CSV, { accountId });
  });

  it("a viewer may read rows and issues but gets 403 on every change, and nothing changes", async () => {
    expect((await call<Page>(getRows, { id: importId }, { user: t.members.viewer })).status).toBe(200);
    expect((await call<{ issues: { line: number; code: string }[] }>(getIssues, { id: importId }, { user: t.members.viewer })).status).toBe(200);
    const before = await stagedRow(t, importId, 6);
    const attempts = [
      await call<Corrected>(patchRow, { id: importId, rowNo: "6" }, { user: t.members.viewer, method: "PATCH", body: { field: "bookingDate", value: "2025-10-13" } }),
      await call<Changed>(postExclude, { id: importId }, { user: t.members.viewer, method: "POST", body: { rowNos: [6], excluded: true } }),
      await call<{ importId: string; accountId: string | null; dryRun: DryRun } & ErrorBody>(patchAccount, { id: importId }, { user: t.members.viewer, method: "PATCH", body: { accountId: null } }),
      await call<Corrected>(patchRow, { id: importId, rowNo: "6" }, { user: t.members.reviewer, method: "PATCH", body: { field: "bookingDate", value: "2025-10-13" } }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([403, 403, 403, 403]);
    expect(attempts[0]!.body.error.code).toBe("forbidden");
    expect(await stagedRow(t, importId, 6)).toEqual(before);
  });

  it("a member of another tenant gets 404 for the import, to read or to change", async () => {
    const intruder = other.members.admin;
    const attempts = [
      await call<Page>(getRows, { id: importId }, { user: intruder }),
      await call<{ issues: { line: number; code: string }[] }>(getIssues, { id: importId }, { user: intruder }),
      await call<Corrected>(patchRow, { id: importId, rowNo: "6" }, { user: intruder, method: "PATCH", body: { field: "bookingDate", value: "2025-10-13" } }),
      await call<Changed>(postExclude, { id: importId }, { user: intruder, method: "POST", body: { rowNos: "errors", excluded: true } }),
      await call<{ importId: string; accountId: string | null; dryRun: DryRun } & ErrorBody>(patchAccount, { id: importId }, { user: intruder, method: "PATCH", body: { accountId: null } }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([404, 404, 404, 404, 404]);
    expect(attempts[0]!.body).toEqual({ error: { code: "not_found", message: "That import was not found." } });
    expect((await stagedRow(t, importId, 6)).status).toBe("error");
  });

  it("an admin may correct too; a row that does not exist is 404", async () => {
    const fixed = await call<Corrected>(patchRow, { id: importId, rowNo: "6" }, { user: t.members.admin, method: "PATCH", body: { field: "bookingDate", value: "2025-10-13" } });
    expect(fixed.status).toBe(200);
    expect(fixed.body.row.status).toBe("new");
    const missing = await call<Corrected>(patchRow, { id: importId, rowNo: "99" }, { user: t.members.admin, method: "PATCH", body: { field: "bookingDate", value: "2025-10-13" } });
    expect(missing.status).toBe(404);
  });
});
