/**
 * The catalogue of bad inputs (issue 8), each sent through the real upload API — the route handler with
 * a real multipart body and session cookie, parsed by a job worker running in this process — with the
 * outcome it must get:
 *  - failed: the import fails with a message naming the file, the line and (where the file has one)
 *    the field, and nothing is staged;
 *  - row error / issue: the import stages, and the bad row carries an issue naming its line and field;
 *  - imported: the input is legitimately fine (UTF-16, mixed line endings, formula-looking text…) and
 *    commits to exactly the rows it holds, text stored verbatim.
 * Around every case the tenant's tables and raw store are counted: the only change is what the outcome
 * legitimately adds (every upload keeps its raw file and its import record; a failed parse adds no
 * staged or ledger row; only a commit adds ledger rows).
 */
import fs from "node:fs";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as upload } from "@/app/api/imports/route";
import { GET as getImportRoute } from "@/app/api/imports/[id]/route";
import { POST as commitRoute } from "@/app/api/imports/[id]/commit/route";
import { dataDir } from "@/lib/env";
import { csvLine } from "@/lib/export/csv";
import { startWorker, stopJobQueue } from "@/lib/ingest/jobs";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { addAccount, jsonRequest, ledger, multipartRequest, readSample, waitFor } from "@/test/pipeline/helpers";

// ---- building the inputs ----

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));
const latin1 = (text: string) => new Uint8Array(Buffer.from(text, "latin1"));
const cp1252 = (text: string) => {
  const euro = text.replaceAll("€", "\x80");
  return latin1(euro);
};
const utf16le = (text: string, bom: boolean) => new Uint8Array([...(bom ? [0xff, 0xfe] : []), ...Buffer.from(text, "utf16le")]);
const utf16be = (text: string, bom: boolean) => {
  const swapped = Buffer.from(text, "utf16le").swap16();
  return new Uint8Array([...(bom ? [0xfe, 0xff] : []), ...swapped]);
};
const sampleText = (relative: string) => fs.readFileSync(`test/fixtures/samples/${relative}`, "latin1");
/** Where `needle` first occurs in `text`: its offset and 1-based physical line. */
const find = (text: string, needle: string | RegExp) => {
  const at = typeof needle === "string" ? text.indexOf(needle) : text.search(needle);
  if (at < 0) throw new Error(`test input has no ${String(needle)}`);
  return { at, line: text.slice(0, at).split(/\r\n|\r|\n/).length };
};
const lineOf = (text: string, needle: string | RegExp) => find(text, needle).line;
const csv = (...rows: string[]) => ["Date,Description,Amount", ...rows].join("\n") + "\n";
const GOOD = ["2025-01-05,Coffee,-3.50", "2025-01-06,Salary,1000.00"];

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
const ZIP = zipSync({ "statement.csv": utf8(csv(...GOOD)) });
const TEN_MB = 10 * 1024 * 1024;

const camt = sampleText("camt053/genkgo-camt__camt053.v2.minimal.xml");
const camtWith = (before: string, inserted: string) => camt.replace(before, inserted + before);
const ofxSgml = sampleText("ofx/jseutter-ofxparse__bank_medium.ofx");
const ofxXml = '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n';
const bai2Good = sampleText("bai2/venturehacks-bai2__eod.bai2");
const mt940 = sampleText("mt940/wolph-mt940__jejik_ing.sta");
const BILLION_LAUGHS = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE lolz [',
  ' <!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`),
  "]>",
  '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&lol9;</BkToCstmrStmt></Document>',
].join("\n");

// ---- the catalogue ----

type Expected =
  /** The import fails: error code and line, and what the message must name besides file and line. */
  | { outcome: "failed"; code: string; line: number; names: (string | RegExp)[] }
  /** The import stages; the issue below is on its line and field (null: about the file, not a field). `staged` rows, `errors` of them rejected. */
  | { outcome: "issue"; severity: "error" | "warning"; code: string; line: number; field: string | null; names: (string | RegExp)[]; staged: number; errors: number }
  /** The import stages clean and commits exactly these rows (date, amount, description, verbatim). */
  | { outcome: "imported"; rows: [string, string, string][]; check?: (rows: { description: string }[]) => void };

interface BadInput {
  name: string;
  file: string;
  bytes: Uint8Array<ArrayBuffer>;
  /** Currency of the account (one per case) chosen for the whole import; none lets the file speak for itself. */
  currency?: string;
  expected: Expected;
}

const importedGood: Expected = { outcome: "imported", rows: [["2025-01-05", "-3.50", "Coffee"], ["2025-01-06", "1000.00", "Salary"]] };

const CASES: BadInput[] = [
  { name: "empty file", file: "empty.csv", bytes: new Uint8Array(0), expected: { outcome: "failed", code: "empty_file", line: 1, names: ["empty", "0 bytes"] } },
  { name: "only blank lines", file: "blank.csv", bytes: utf8("\r\n \n\t\n"), expected: { outcome: "failed", code: "empty_file", line: 1, names: ["blank"] } },
  { name: "header only", file: "header.csv", bytes: utf8("Date,Description,Amount\n"), currency: "USD", expected: { outcome: "issue", severity: "warning", code: "no_rows", line: 1, field: null, names: ["below the header on line 1", "nothing to import"], staged: 0, errors: 0 } },
  { name: "a PNG renamed .csv", file: "photo.csv", bytes: PNG, expected: { outcome: "failed", code: "unknown_format", line: 1, names: ["PNG image"] } },
  { name: "a ZIP renamed .csv", file: "archive.csv", bytes: ZIP, expected: { outcome: "failed", code: "unknown_format", line: 1, names: ["ZIP archive"] } },
  { name: "a PDF renamed .ofx", file: "statement.ofx", bytes: latin1("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), expected: { outcome: "failed", code: "unknown_format", line: 1, names: ["PDF document"] } },
  { name: "random binary", file: "noise.csv", bytes: Uint8Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 256), expected: { outcome: "failed", code: "unknown_format", line: 1, names: ["binary"] } },
  { name: "NUL bytes inside a CSV", file: "nul.csv", bytes: utf8(csv("2025-01-05,Cof\u0000fee,-3.50")), expected: { outcome: "failed", code: "unknown_format", line: 2, names: ["NUL", "line 2"] } },
  { name: "UTF-16 LE with BOM", file: "u16le-bom.csv", currency: "USD", bytes: utf16le(csv(...GOOD), true), expected: importedGood },
  { name: "UTF-16 BE with BOM", file: "u16be-bom.csv", currency: "USD", bytes: utf16be(csv(...GOOD), true), expected: importedGood },
  { name: "UTF-16 LE without BOM", file: "u16le.csv", currency: "USD", bytes: utf16le(csv(...GOOD), false), expected: importedGood },
  { name: "UTF-16 BE without BOM", file: "u16be.csv", currency: "USD", bytes: utf16be(csv(...GOOD), false), expected: importedGood },
  { name: "UTF-16 LE with BOM, non-Latin text", file: "u16-names.csv", currency: "USD", bytes: utf16le("\ufeff" + csv("2025-01-05,Zoë Ünal – 東京,-3.50"), false), expected: { outcome: "imported", rows: [["2025-01-05", "-3.50", "Zoë Ünal – 東京"]] } },
  { name: "Windows-1252", file: "cp1252.csv", currency: "EUR", bytes: cp1252("Datum;Beschreibung;Betrag\n2025-01-05;Café Müller € 3;-3,50\n2025-01-07;Überweisung;1.234,56\n"), expected: { outcome: "imported", rows: [["2025-01-05", "-3.50", "Café Müller € 3"], ["2025-01-07", "1234.56", "Überweisung"]] } },
  { name: "mixed line endings (CRLF, LF, lone CR)", file: "mixed.csv", currency: "USD", bytes: utf8("Date,Description,Amount\r\n2025-01-05,Coffee,-3.50\n2025-01-06,Tea,-2.00\r2025-01-07,Cake,-4.00\r\n"), expected: { outcome: "imported", rows: [["2025-01-05", "-3.50", "Coffee"], ["2025-01-06", "-2.00", "Tea"], ["2025-01-07", "-4.00", "Cake"]] } },
  { name: "lone CR line endings", file: "cr.csv", currency: "USD", bytes: utf8(csv(...GOOD).replaceAll("\n", "\r")), expected: importedGood },
  { name: "a BOM in the middle of the file", file: "mid-bom.csv", currency: "USD", bytes: utf8(csv("2025-01-05,\ufeffCoffee,-3.50")), expected: { outcome: "imported", rows: [["2025-01-05", "-3.50", "Coffee"]] } },
  { name: "formula-looking text", file: "formula.csv", currency: "USD", bytes: utf8(csv('2025-01-05,"=HYPERLINK(""http://evil.example/?x=1"",""Click"")",-3.50', "2025-01-06,@SUM(A1:A9),-1.00", "2025-01-07,+cmd|' /C calc'!A0,-2.00")),
    expected: {
      outcome: "imported",
      rows: [["2025-01-05", "-3.50", '=HYPERLINK("http://evil.example/?x=1","Click")'], ["2025-01-06", "-1.00", "@SUM(A1:A9)"], ["2025-01-07", "-2.00", "+cmd|' /C calc'!A0"]],
      // Stored verbatim; made inert only when exported to a spreadsheet.
      check: (rows) => expect(rows.map((r) => csvLine([r.description]).trimEnd())).toEqual([`"'=HYPERLINK(""http://evil.example/?x=1"",""Click"")"`, "'@SUM(A1:A9)", "'+cmd|' /C calc'!A0"]),
    } },
  { name: "a 10 MB line", file: "long-line.csv", currency: "USD", bytes: utf8(csv(GOOD[0]!, `2025-01-06,${"x".repeat(TEN_MB)},-1.00`, GOOD[1]!)), expected: { outcome: "failed", code: "row_too_long", line: 3, names: ["shorter than"] } },
  { name: "100,000 columns", file: "wide.csv", currency: "USD", bytes: utf8(Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(",") + "\n" + "1,".repeat(99_999) + "1\n"), expected: { outcome: "failed", code: "unknown_format", line: 1, names: ["first line", "64 KiB"] } },
  { name: "duplicate amount headers", file: "dup-headers.csv", currency: "USD", bytes: utf8("Date,Description,Amount,Amount\n2025-01-05,Coffee,-3.50,3.50\n"), expected: { outcome: "failed", code: "ambiguous_column", line: 1, names: ['"Amount"', "columns 3 and 4"] } },
  { name: "an unclosed quote", file: "quote.csv", currency: "USD", bytes: utf8(csv('2025-01-05,"Coffee,-3.50', "2025-01-06,Tea,-2.00")), expected: { outcome: "issue", severity: "error", code: "missing_amount", line: 2, field: "Amount", names: ['field "Amount"'], staged: 1, errors: 1 } },
  { name: "date 2025-02-30", file: "feb30.csv", currency: "USD", bytes: utf8(csv(GOOD[0]!, "2025-02-30,Tea,-2.00")), expected: { outcome: "issue", severity: "error", code: "invalid_date", line: 3, field: "Date", names: ['field "Date"', '"2025-02-30"', "not a real calendar day"], staged: 2, errors: 1 } },
  { name: "date 13/13/2025", file: "m13.csv", currency: "USD", bytes: utf8(csv("05/01/2025,Coffee,-3.50", "13/13/2025,Tea,-2.00", "25/01/2025,Cake,-4.00")), expected: { outcome: "issue", severity: "error", code: "invalid_date", line: 3, field: "Date", names: ['field "Date"', '"13/13/2025"'], staged: 3, errors: 1 } },
  { name: "amount 1e309", file: "e309.csv", currency: "USD", bytes: utf8(csv(GOOD[0]!, "2025-01-06,Tea,1e309")), expected: { outcome: "issue", severity: "error", code: "invalid_amount", line: 3, field: "Amount", names: ['field "Amount"', '"1e309"'], staged: 2, errors: 1 } },
  { name: "amount NaN", file: "nan.csv", currency: "USD", bytes: utf8(csv(GOOD[0]!, "2025-01-06,Tea,NaN")), expected: { outcome: "issue", severity: "error", code: "invalid_amount", line: 3, field: "Amount", names: ['field "Amount"', '"NaN"'], staged: 2, errors: 1 } },
  { name: "amount Infinity", file: "inf.csv", currency: "USD", bytes: utf8(csv(GOOD[0]!, "2025-01-06,Tea,-Infinity")), expected: { outcome: "issue", severity: "error", code: "invalid_amount", line: 3, field: "Amount", names: ['field "Amount"', '"-Infinity"'], staged: 2, errors: 1 } },
  { name: "amount of 30 digits", file: "digits.csv", currency: "USD", bytes: utf8(csv(GOOD[0]!, "2025-01-06,Tea,123456789012345678901234567890")), expected: { outcome: "issue", severity: "error", code: "invalid_amount", line: 3, field: "Amount", names: ['field "Amount"', "30 digits"], staged: 2, errors: 1 } },
  { name: "amount -0", file: "minus-zero.csv", currency: "USD", bytes: utf8(csv(GOOD[0]!, "2025-01-06,Reversal,-0")), expected: { outcome: "imported", rows: [["2025-01-05", "-3.50", "Coffee"], ["2025-01-06", "0", "Reversal"]] } },
  { name: "truncated BAI2", file: "cut.bai2", currency: "USD", bytes: latin1(bai2Good.slice(0, find(bai2Good, /^49,/m).at)), expected: { outcome: "failed", code: "truncated_file", line: lineOf(bai2Good, /^49,/m) - 1, names: ["49 account trailer", "99 file trailer"] } },
  { name: "BAI2 with wrong totals", file: "totals.bai2", currency: "USD", bytes: readSample("bai2/venturehacks-bai2__invalid_checksum_eod.bai2"), expected: { outcome: "failed", code: "control_total_mismatch", line: lineOf(sampleText("bai2/venturehacks-bai2__invalid_checksum_eod.bai2"), /^49,/m), names: ["49 control total", "03 and 16"] } },
  { name: "MT940 without :62F:", file: "no62f.sta", currency: "EUR", bytes: latin1(mt940.replace(/:62F:[^\r\n]*\r?\n/, "")), expected: { outcome: "issue", severity: "warning", code: "missing_closing_balance", line: lineOf(mt940, ":20:"), field: "62F", names: [":62F:"], staged: 7, errors: 0 } },
  { name: "OFX with script tags in a memo", file: "script.ofx", currency: "CAD", bytes: latin1(ofxSgml.replace("<MEMO>POS MERCHANDISE;MCDONALD'S #112", "<MEMO><script>alert(1)</script>")), expected: { outcome: "issue", severity: "warning", code: "ofx_markup_in_text", line: lineOf(ofxSgml, "<MEMO>POS MERCHANDISE;MCDONALD'S #112"), field: "MEMO", names: ["<MEMO>", "<SCRIPT>"], staged: 3, errors: 0 } },
  { name: "OFX with escaped script text", file: "escaped.ofx", currency: "CAD", bytes: latin1(ofxSgml.replace("<NAME>MCDONALD'S #112<MEMO>POS MERCHANDISE;MCDONALD'S #112", "<NAME>&lt;script&gt;alert(1)&lt;/script&gt;")),
    expected: { outcome: "imported", rows: [["2009-04-01", "-6.60", "<script>alert(1)</script>"], ["2009-04-02", "-316.67", "MISCELLANEOUS PAYMENTS;Joe's Bald Hairstyles"], ["2009-04-03", "-22.00", "POS MERCHANDISE;CONNIE'S HAIR D"]] } },
  { name: "camt.053 with an external entity", file: "xxe.xml", currency: "EUR", bytes: utf8(camt.replace("<Document", '<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Document').replace("NAME NAME", "&xxe;")), expected: { outcome: "failed", code: "xml_doctype_forbidden", line: lineOf(camt, "<Document"), names: ["DOCTYPE"] } },
  { name: "camt.053 billion laughs", file: "lol.xml", currency: "EUR", bytes: utf8(BILLION_LAUGHS), expected: { outcome: "failed", code: "xml_doctype_forbidden", line: 2, names: ["DOCTYPE"] } },
  { name: "camt.053 nested 10,000 deep", file: "deep.xml", currency: "EUR", bytes: utf8(camtWith("<AddtlStmtInf>", "<X>".repeat(10_000) + "</X>".repeat(10_000))), expected: { outcome: "failed", code: "xml_too_deep", line: lineOf(camt, "<AddtlStmtInf>"), names: ["64 elements deep"] } },
  { name: "OFX XML with a DOCTYPE", file: "doctype.ofx", currency: "USD", bytes: utf8(ofxXml + '<!DOCTYPE OFX [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<OFX><SIGNONMSGSRSV1>&xxe;</SIGNONMSGSRSV1></OFX>\n'), expected: { outcome: "failed", code: "ofx_declaration_refused", line: 3, names: ["DOCTYPE"] } },
  { name: "OFX SGML nested 10,000 deep", file: "deep.ofx", currency: "CAD", bytes: latin1(ofxSgml.replace("<BANKTRANLIST>", "<BANKTRANLIST>" + "<X>\n".repeat(10_000))), expected: { outcome: "failed", code: "ofx_too_deep", line: lineOf(ofxSgml, "<BANKTRANLIST>") + 48 - 5, names: ["48 deep"] } },
  { name: "truncated OFX", file: "cut.ofx", currency: "CAD", bytes: latin1(ofxSgml.slice(0, ofxSgml.indexOf("<STMTTRN><TRNTYPE>CHECK"))), expected: { outcome: "failed", code: "ofx_truncated", line: lineOf(ofxSgml, "<STMTTRN><TRNTYPE>CHECK"), names: ["</BANKTRANLIST>"] } },
];

// ---- counting what the tenant holds ----

const TABLES = ["imports", "staged_rows", "import_issues", "import_statements", "statement_balances", "transactions", "sales_lines", "gl_balances", "appointments", "duplicate_candidates", "account_mappings"] as const;
type Counts = Record<(typeof TABLES)[number] | "rawFiles" | "rawTemporary", number>;
/** What only a commit may add to. */
const LEDGER = ["transactions", "sales_lines", "gl_balances", "appointments", "duplicate_candidates"] as const;

async function counts(tenantId: string): Promise<Counts> {
  const out = {} as Counts;
  await asService(async (db) => {
    for (const table of TABLES) out[table] = Number((await db.query<{ n: string }>(`select count(*) as n from public.${table} where tenant_id = $1`, [tenantId])).rows[0]!.n);
  });
  const dir = dataDir("raw", tenantId);
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  out.rawFiles = files.filter((f) => !f.startsWith(".")).length;
  out.rawTemporary = files.filter((f) => f.startsWith(".")).length;
  return out;
}

function delta(before: Counts, after: Counts): Partial<Counts> {
  const out: Partial<Counts> = {};
  for (const key of Object.keys(after) as (keyof Counts)[]) if (after[key] !== before[key]) out[key] = after[key] - before[key];
  return out;
}

// ---- the API ----

interface View {
  id: string;
  status: string;
  fileName: string;
  error: { code: string; message: string; line?: number } | null;
}

let tenant: TestTenant;

async function view(id: string): Promise<View> {
  const response = await getImportRoute(await jsonRequest(tenant.members.viewer, tenant, "GET", `http://localhost/api/imports/${id}`), { params: Promise.resolve({ id }) });
  expect(response.status).toBe(200);
  return (await response.json()) as View;
}

const until = (id: string, statuses: string[]) =>
  waitFor(`import ${id} to become ${statuses.join(" or ")}`, async () => {
    const v = await view(id);
    return statuses.includes(v.status) ? v : undefined;
  });

async function issuesOf(importId: string) {
  return asService(async (db) =>
    (await db.query<{ line: number; severity: string; code: string; message: string; field: string | null }>("select line, severity, code, message, field from public.import_issues where import_id = $1 order by id", [importId])).rows,
  );
}

async function stagedOf(importId: string) {
  return asService(async (db) => (await db.query<{ line: number; has_error: boolean }>("select line, has_error from public.staged_rows where import_id = $1 order by row_no", [importId])).rows);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

beforeAll(async () => {
  tenant = await createTenant("bad-inputs");
  await startWorker();
});
afterAll(async () => {
  await stopJobQueue();
});

describe("bad inputs through the upload API", () => {
  it("the catalogue has at least 30 inputs, each named once", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(new Set(CASES.map((c) => c.file)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s", { timeout: 60_000 }, async (_name, c) => {
    // An account per case: several cases hold the same rows, which in one account would be duplicates.
    const accountId = c.currency ? await addAccount(tenant, c.name, c.currency) : undefined;
    const before = await counts(tenant.id);
    const response = await upload(await multipartRequest(tenant.members.uploader, tenant, { name: c.file, bytes: c.bytes }, accountId ? { accountId } : {}), { params: Promise.resolve({}) });
    expect(response.status).toBe(202);
    const { importId, sha256 } = (await response.json()) as { importId: string; sha256: string };
    // The raw file is kept unchanged, whatever becomes of the parse.
    expect(Buffer.compare(fs.readFileSync(dataDir("raw", tenant.id, sha256)), Buffer.from(c.bytes))).toBe(0);

    const parsed = await until(importId, ["staged", "failed"]);
    const e = c.expected;
    const kept = { imports: 1, rawFiles: 1 };

    if (e.outcome === "failed") {
      expect(parsed.status, JSON.stringify(parsed.error)).toBe("failed");
      expect(parsed.error).toMatchObject({ code: e.code, line: e.line });
      expect(parsed.error!.message).toMatch(new RegExp(`^${escape(c.file)}, line ${e.line}: `));
      for (const name of e.names) expect(parsed.error!.message).toMatch(typeof name === "string" ? new RegExp(escape(name), "i") : name);
      // Nothing half-written: no staged row, issue or statement, nothing in the ledger.
      expect(delta(before, await counts(tenant.id))).toEqual(kept);
      return;
    }

    expect(parsed.status, JSON.stringify(parsed.error)).toBe("staged");
    const issues = await issuesOf(importId);
    const staged = await stagedOf(importId);

    if (e.outcome === "issue") {
      const issue = issues.find((i) => i.code === e.code);
      expect(issue, JSON.stringify(issues)).toMatchObject({ severity: e.severity, line: e.line, field: e.field });
      for (const name of e.names) expect(issue!.message).toMatch(typeof name === "string" ? new RegExp(escape(name), "i") : name);
      expect(staged).toHaveLength(e.staged);
      expect(staged.filter((r) => r.has_error).map((r) => r.line)).toEqual(e.severity === "error" ? [e.line] : []);
      const after = await counts(tenant.id);
      expect(delta(before, after)).toMatchObject({ ...kept, ...(e.staged ? { staged_rows: e.staged } : {}), import_issues: issues.length });
      // Staging touches no ledger table.
      for (const table of LEDGER) expect(after[table], table).toBe(before[table]);
      return;
    }

    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(staged).toHaveLength(e.rows.length);
    const commit = await commitRoute(await jsonRequest(tenant.members.uploader, tenant, "POST", `http://localhost/api/imports/${importId}/commit`), { params: Promise.resolve({ id: importId }) });
    expect(commit.status).toBe(202);
    await until(importId, ["committed"]);
    const rows = await ledger(tenant.id, importId);
    expect(rows.map((r) => [r.booking_date, r.amount, r.description])).toEqual(e.rows);
    e.check?.(rows);
    const after = await counts(tenant.id);
    expect(delta(before, after)).toMatchObject({ ...kept, transactions: e.rows.length });
    for (const table of LEDGER) if (table !== "transactions") expect(after[table], table).toBe(before[table]);
    expect(after.rawTemporary).toBe(0);
  });
});
