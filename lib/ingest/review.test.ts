/**
 * Review before import on the real database: keyset paging over staged samples (every row exactly once,
 * each filter exactly its rows), exclusion and inclusion, duplicates shown with the ledger row they
 * match, and the page query staying on its index at the depth of a large import.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { commitImport } from "@/lib/ingest/commit";
import { dryRun } from "@/lib/ingest/classify";
import { runParseJob } from "@/lib/ingest/jobs";
import { correctRow, excludeRows, reviewAmounts, reviewIssues, reviewRows, setExcluded } from "@/lib/ingest/review";
import { createImportFromStoredFile, uploadFields } from "@/lib/ingest/upload";
import { listStagedRows, stagedRowsPageQuery, type RowFilter, type StagedRowView } from "@/lib/db/queries/staged-rows";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, asUser, createTenant, type TestTenant, type TestUser } from "@/test/db";

const SAMPLES = path.resolve("test/fixtures/samples");
const US_CSV = path.join(SAMPLES, "csv/bank_us_debit_credit_bom.csv");

function tempFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inflow-review-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function createAccount(tenant: TestTenant, name: string, currency = "USD", number: string | null = null): Promise<string> {
  return asService(async (db) => {
    const { rows } = await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency, number) values ($1, $2, $3, $4) returning id", [tenant.id, name, currency, number]);
    return rows[0]!.id;
  });
}

/** Stores and stages a file as the CLI does (no job queue). */
async function stage(tenant: TestTenant, file: string, fields: Record<string, string> = {}, user: TestUser = tenant.members.uploader): Promise<string> {
  const stored = await (await rawFileStore()).put(tenant.id, fs.createReadStream(file));
  const ctx = { claims: user.claims, tenantId: tenant.id };
  const { importId } = await createImportFromStoredFile(ctx, { fileName: path.basename(file), stored, fields: uploadFields.parse(fields), source: "cli" }, { enqueueParse: false });
  await runParseJob({ ...ctx, importId });
  return importId;
}

const ctxOf = (tenant: TestTenant, user: TestUser) => ({ claims: user.claims, tenantId: tenant.id });

/** Every row of a filter, walked page by page; also the cursors the pages answered. */
async function walk(tenant: TestTenant, importId: string, filter: RowFilter | undefined, limit: number) {
  const rows: StagedRowView[] = [];
  const cursors: (number | null)[] = [];
  let after = 0;
  for (let page = 0; page < 1000; page++) {
    const result = await reviewRows(ctxOf(tenant, tenant.members.viewer), importId, { ...(filter ? { filter } : {}), after, limit });
    rows.push(...result.rows);
    cursors.push(result.nextAfter);
    if (result.nextAfter === null) break;
    after = result.nextAfter;
  }
  return { rowNos: rows.map((r) => r.rowNo), rows, cursors };
}

describe("paging through staged rows", () => {
  let t: TestTenant;
  let importId: string;

  beforeAll(async () => {
    t = await createTenant("review-paging");
    const accountId = await createAccount(t, "Operating account");
    importId = await stage(t, US_CSV, { accountId });
  });

  it("walks every row of the sample in pages of 2, in order, with no gaps or repeats", async () => {
    const { rowNos, rows, cursors } = await walk(t, importId, undefined, 2);
    expect(rowNos).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(cursors).toEqual([2, 4, 6, null]);
  });

  it("a page exactly as long as what is left says there is no next page", async () => {
    const last = await reviewRows(ctxOf(t, t.members.viewer), importId, { after: 5, limit: 2 });
    expect(last.rows.map((r) => r.rowNo)).toEqual([6, 7]);
    expect(last.nextAfter).toBeNull();
    const past = await reviewRows(ctxOf(t, t.members.viewer), importId, { after: 7, limit: 2 });
    expect(past).toEqual({ rows: [], nextAfter: null });
  });

  it("each status filter returns exactly its rows, also walked in pages of 2", async () => {
    expect((await walk(t, importId, "new", 2)).rowNos).toEqual([1, 2, 3, 4, 5, 7]);
    expect((await walk(t, importId, "new", 2)).cursors).toEqual([2, 4, null]);
    expect((await walk(t, importId, "error", 2)).rowNos).toEqual([6]);
    for (const empty of ["exact_duplicate", "likely_duplicate", "unmapped", "excluded", "warnings"] as const) {
      expect((await walk(t, importId, empty, 2)).rowNos, empty).toEqual([]);
    }
  });

  it("shows a rejected row with what was read, its issue and its line", async () => {
    const [row] = (await walk(t, importId, "error", 200)).rows;
    expect(row).toMatchObject({
      rowNo: 6,
      line: 7,
      kind: "transaction",
      status: "error",
      hasError: true,
      excluded: false,
      original: null,
      externalAccount: "CSV",
      match: null,
      record: { bookingDate: "13/10/2025", amount: "-10.00", description: "BAD DATE ROW", bankReference: "X1", raw: '13/10/2025,BAD DATE ROW,10.00,,"11,885.77",X1', line: 7 },
    });
    expect(row!.issues).toEqual([
      {
        severity: "error",
        code: "invalid_date",
        field: "Posting Date",
        line: 7,
        message: 'Expected a date as MM/DD/YYYY (month first) in field "Posting Date", found "13/10/2025", which is not a real calendar day read as month/day/year',
      },
    ]);
  });

  it("lists the issues that belong to the file, not to a row", async () => {
    const { issues, nextAfter } = await reviewIssues(ctxOf(t, t.members.viewer), importId, { after: 0, limit: 200 });
    expect(issues.map((i) => ({ line: i.line, code: i.code, severity: i.severity }))).toEqual([{ line: 1, code: "date_order_ambiguous", severity: "warning" }]);
    expect(nextAfter).toBeNull();
  });

  it("excludes and includes rows, and the filters follow", async () => {
    const ctx = ctxOf(t, t.members.uploader);
    expect(await excludeRows(ctx, importId, { rowNos: [2, 3], excluded: true })).toMatchObject({ changed: 2, dryRun: { excluded: 2, new: 4, errors: 1 } });
    expect((await walk(t, importId, "excluded", 2)).rowNos).toEqual([2, 3]);
    expect((await walk(t, importId, "new", 2)).rowNos).toEqual([1, 4, 5, 7]);
    // Excluding what is already excluded changes nothing (and writes no audit row).
    expect((await excludeRows(ctx, importId, { rowNos: [2], excluded: true })).changed).toBe(0);
    expect((await excludeRows(ctx, importId, { rowNos: [2], excluded: false })).changed).toBe(1);
    expect((await walk(t, importId, "excluded", 2)).rowNos).toEqual([3]);
    expect((await excludeRows(ctx, importId, { rowNos: "errors", excluded: true })).changed).toBe(1);
    expect((await walk(t, importId, "excluded", 2)).rowNos).toEqual([3, 6]);
    expect((await walk(t, importId, "error", 2)).rowNos).toEqual([]);
    expect((await excludeRows(ctx, importId, { rowNos: [3, 6], excluded: false })).changed).toBe(2);
    expect((await walk(t, importId, "new", 2)).rowNos).toEqual([1, 2, 3, 4, 5, 7]);
    const audit = await asService((db) =>
      db.query<{ action: string; count: number }>(
        "select action, (details ->> 'count')::int as count from public.audit_log where tenant_id = $1 and entity_id = $2 and action like 'import.%clude' order by id",
        [t.id, importId],
      ),
    );
    expect(audit.rows).toEqual([
      { action: "import.exclude", count: 2 },
      { action: "import.include", count: 1 },
      { action: "import.exclude", count: 1 },
      { action: "import.include", count: 2 },
    ]);
  });

  it("the warnings filter returns exactly the rows with a warning", async () => {
    const file = tempFile("warnings.csv", "Date,Description,Amount,Balance\n2025-10-01,Coffee beans,-3.50,96.50\n2025-10-02,Office rent,-50.00,n/a\n2025-10-03,Client payment,120.00,166.50\n2025-10-04,Bank fee,-1.00,165.50\n");
    const accountId = await createAccount(t, "Warnings account");
    const id = await stage(t, file, { accountId });
    const { rows } = await walk(t, id, "warnings", 2);
    expect(rows.map((r) => [r.rowNo, r.line, r.status, r.issues.map((i) => i.code)])).toEqual([[2, 3, "new", ["invalid_balance"]]]);
    expect((await walk(t, id, "new", 2)).rowNos).toEqual([1, 2, 3, 4]);
    // The dry run counts them beside the statuses (the review page's Warnings tab shows it).
    const counts = await asUser(t.members.viewer, (db) => dryRun(db, { tenantId: t.id, importId: id }));
    expect(counts).toMatchObject({ warnings: 1, new: 4, total: 4 });
    // Excluding the row with the warning keeps it counted: the tab lists it whatever its status.
    expect((await excludeRows(ctxOf(t, t.members.uploader), id, { rowNos: [2], excluded: true })).dryRun).toMatchObject({ warnings: 1, new: 3, excluded: 1 });
  });
});

describe("amounts over time", () => {
  it("follows corrections and exclusions: a corrected row counts, an excluded one does not", async () => {
    const t = await createTenant("review-amounts");
    const accountId = await createAccount(t, "Amounts account");
    const id = await stage(t, US_CSV, { accountId });
    const viewer = ctxOf(t, t.members.viewer);
    const uploader = ctxOf(t, t.members.uploader);
    const before = await reviewAmounts(viewer, id);
    expect(before).toMatchObject({ currency: "USD", unit: "day", otherCurrencies: [] });
    // Line 7 (row 6) has an unreadable date: not drawn.
    expect(before.buckets.map((b) => b.start)).toEqual(["2025-10-01", "2025-10-02", "2025-10-03", "2025-10-14"]);
    expect(before.buckets.find((b) => b.start === "2025-10-03")).toEqual({ start: "2025-10-03", credits: "0", debits: "-2084.34", count: 3 });

    await correctRow(uploader, id, 6, { field: "bookingDate", value: "2025-10-13" });
    const corrected = await reviewAmounts(viewer, id);
    expect(corrected.buckets.find((b) => b.start === "2025-10-13")).toEqual({ start: "2025-10-13", credits: "0", debits: "-10.00", count: 1 });

    await excludeRows(uploader, id, { rowNos: [1], excluded: true });
    const excluded = await reviewAmounts(viewer, id);
    expect(excluded.buckets.map((b) => b.start)).toEqual(["2025-10-02", "2025-10-03", "2025-10-13", "2025-10-14"]);
  });
});

describe("duplicates in review", () => {
  it("shows exact and likely duplicates with the ledger row they match", async () => {
    const t = await createTenant("review-dups");
    const accountId = await createAccount(t, "Operating account");
    const first = await stage(t, US_CSV, { accountId });
    await asUser(t.members.uploader, (db) => setExcluded(db, { tenantId: t.id, importId: first, rowNos: "errors", excluded: true }));
    const committed = await asUser(t.members.uploader, (db) => commitImport(db, { tenantId: t.id, importId: first }));
    expect(committed.imported).toBe(6);

    const again = await stage(t, US_CSV, { accountId });
    const exact = await walk(t, again, "exact_duplicate", 2);
    expect(exact.rowNos).toEqual([1, 2, 3, 4, 5, 7]);
    const ledger = await asService((db) =>
      db.query<{ id: string; line: number }>("select id::text, line from public.transactions where tenant_id = $1 and import_id = $2 order by line", [t.id, first]),
    );
    expect(exact.rows.map((r) => r.match?.transactionId)).toEqual(ledger.rows.map((r) => r.id));
    expect(exact.rows[1]!.match).toEqual({ transactionId: ledger.rows[1]!.id, score: 1, bookingDate: "2025-10-02", amount: "-1250.00", currency: "USD", description: "CHECK 1042" });

    // The same cheque a day later, written a little differently: held as a likely duplicate of the first.
    const shifted = tempFile("shifted.csv", 'Posting Date,Description,Debit,Credit,Balance,Reference\n10/03/2025,CHECK 1042 PAID,"1,250.00",,"13,980.11",CHK1042\n10/20/2025,NEW SUPPLIER,15.00,,"13,965.11",N1\n');
    const third = await stage(t, shifted, { accountId });
    const likely = await walk(t, third, "likely_duplicate", 2);
    expect(likely.rowNos).toEqual([1]);
    expect(likely.rows[0]!.match).toMatchObject({ transactionId: ledger.rows[1]!.id, bookingDate: "2025-10-02", amount: "-1250.00", currency: "USD", description: "CHECK 1042" });
    expect(likely.rows[0]!.match!.score).toBeGreaterThanOrEqual(0.3);
    expect((await walk(t, third, "new", 2)).rowNos).toEqual([2]);
    expect(await asUser(t.members.viewer, (db) => dryRun(db, { tenantId: t.id, importId: third }))).toMatchObject({ new: 1, likelyDuplicates: 1, blocked: 0, total: 2 });
  });
});

describe("correcting a rejected OFX transaction", () => {
  it("each field's issue goes with its correction; the row is whole only when both are right, then keyed by its FITID", async () => {
    const t = await createTenant("review-ofx");
    const importId = await stage(t, path.join(SAMPLES, "ofx/jseutter-ofxparse__fail_nice_decimal_error.ofx"));
    const [rejected] = (await walk(t, importId, "error", 200)).rows;
    expect(rejected).toMatchObject({ rowNo: 1, line: 34, status: "error", externalAccount: "123845030/192639749" });
    expect(rejected!.issues.map((i) => [i.code, i.field])).toEqual([["ofx_invalid_date", "DTPOSTED"], ["ofx_invalid_amount", "TRNAMT"]]);

    const ctx = ctxOf(t, t.members.uploader);
    const dated = await correctRow(ctx, importId, 1, { field: "bookingDate", value: "2011-12-20" });
    expect(dated.correction).toEqual({ rowNo: 1, line: 34, field: "bookingDate", before: "201120000000", after: "2011-12-20", valid: false });
    expect(dated.row).toMatchObject({ status: "error", hasError: true, record: { bookingDate: "2011-12-20", amount: "$120" } });
    expect(dated.row.issues.map((i) => i.code)).toEqual(["ofx_invalid_amount"]);

    const whole = await correctRow(ctx, importId, 1, { field: "amount", value: "120" });
    expect(whole.correction.valid).toBe(true);
    // Whole, but its account is not mapped yet: it now waits on the mapping instead of on the reviewer.
    expect(whole.row).toMatchObject({ status: "unmapped", hasError: false, issues: [] });
    expect(whole.row.record).toEqual({
      bookingDate: "2011-12-20",
      amount: "120",
      currency: "CAD",
      externalId: "2000957249",
      typeCode: "OTHER",
      counterpartyName: "Fail1",
      description: "Fail1",
      raw: rejected!.record.raw,
      line: 34,
    });
    expect(whole.row.original).toEqual(rejected!.record);
    const keys = await asService((db) =>
      db.query("select dedup_key, fingerprint from public.staged_rows where tenant_id = $1 and import_id = $2 and row_no = 1", [t.id, importId]),
    );
    expect(keys.rows).toEqual([{ dedup_key: "ext:2000957249", fingerprint: null }]);
    expect(whole.dryRun).toMatchObject({ errors: 0, unmapped: 1, blocked: 1, total: 1 });
  });
});

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

describe("paging at depth", () => {
  const ROWS = 20_000;

  it("reads a deep page of a large import through its index, starting at the cursor", async () => {
    const t = await createTenant("review-depth");
    const importId = await asService(async (db) => {
      const { rows } = await db.query<{ id: string }>(
        "insert into public.imports (tenant_id, file_name, status, created_by) values ($1, 'large.csv', 'staged', $2) returning id",
        [t.id, t.members.uploader.id],
      );
      const id = rows[0]!.id;
      // Every tenth row an error, every hundredth a warning.
      await db.query(
        `insert into public.staged_rows (tenant_id, import_id, row_no, line, kind, record, status, has_error, has_warning)
         select $1, $2, g, g + 1, 'transaction', jsonb_build_object('description', 'row ' || g),
                case when g % 10 = 0 then 'error' else 'new' end, g % 10 = 0, g % 100 = 0
           from generate_series(1, $3::int) g`,
        [t.id, id, ROWS],
      );
      await db.query("analyze public.staged_rows");
      return id;
    });
    try {
      const deep = await asUser(t.members.viewer, (db) => listStagedRows(db, { tenantId: t.id, importId, filter: "error", after: ROWS - 1000, limit: 200 }));
      expect(deep.rows).toHaveLength(100);
      expect(deep.rows[0]!.rowNo).toBe(ROWS - 990);
      expect(deep.rows.at(-1)!.rowNo).toBe(ROWS);
      expect(deep.nextAfter).toBeNull();

      const explain = async (filter: RowFilter | undefined) => {
        const { text, values } = stagedRowsPageQuery({ tenantId: t.id, importId, ...(filter ? { filter } : {}), after: ROWS - 5000, limit: 200 });
        const { rows } = await asUser(t.members.viewer, (db) => db.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`explain (format json) ${text}`, values));
        return planNodes(rows[0]!["QUERY PLAN"][0].Plan);
      };
      // The page is read from staged_rows through the index, starting at the cursor. Where many rows
      // match, the index order is the page order (no sort); where few do, Postgres may instead sort just
      // those few, which is as cheap.
      for (const [filter, index, sorted] of [["error", "staged_rows_status_idx", "may sort"], ["new", "staged_rows_status_idx", "no sort"], [undefined, "staged_rows_pkey", "no sort"]] as const) {
        const limit = (await explain(filter)).find((n) => n["Node Type"] === "Limit");
        expect(limit, "the page is limited before anything is joined").toBeDefined();
        const page = planNodes(limit!);
        const scans = page.filter((n) => n["Index Name"] !== undefined || n["Node Type"] === "Seq Scan");
        expect(scans.map((n) => [n["Node Type"].replace("Bitmap Index Scan", "Index Scan"), n["Index Name"]]), `${filter ?? "no filter"}`).toEqual([["Index Scan", index]]);
        expect(scans[0]!["Index Cond"]).toContain("row_no >");
        if (sorted === "no sort") expect(page.map((n) => n["Node Type"])).not.toContain("Sort");
      }
    } finally {
      await asService((db) => db.query("delete from public.imports where tenant_id = $1 and id = $2", [t.id, importId]));
    }
  });
});
