/**
 * Google Sheets against a local Google (test/providers/google.ts: token endpoint checking the signed
 * JWT, Sheets values and metadata) and the real database: test connection with Google's own errors,
 * a full sync in pages, an incremental sync that asks only for the rows after the cursor, an expired
 * token refreshed once, a 429 with Retry-After waited out, edited / deleted / sorted rows handled by
 * row key, bad rows staged as errors naming row and column, and a crash between fetch and commit.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withUser } from "@/lib/db/with-user";
import { setExcluded } from "@/lib/ingest/review";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { googleError, startGoogleServer, type GoogleTestServer } from "@/test/providers/google";
import { createConnection } from "../service";
import { sourceOf, syncConnection } from "../sync";
import { columnLetters, forgetGoogleTokens, sheetsConfig, sheetsConnector, sheetsSecrets, type SheetsConfig } from "./index";

let google: GoogleTestServer;
let t: TestTenant;
let accountId: string;
const admin = () => ({ claims: t.members.admin.claims, tenantId: t.id });
const HEADER = ["Date", "Item", "Amount", "Category", "Payment Method"];

async function ledger(id: string) {
  return asService(async (db) =>
    (
      await db.query<{ id: string; external_id: string; amount: string; description: string; booking_date: string }>(
        "select id::text, external_id, amount::text, description, booking_date::text from public.transactions where tenant_id = $1 and source like $2 order by booking_date, description, id",
        [t.id, `${sourceOf("google-sheets", id)}:%`],
      )
    ).rows,
  );
}

async function sheetConnection(name: string, config: Partial<SheetsConfig> = {}): Promise<string> {
  const created = await createConnection(admin(), {
    name,
    type: "google-sheets",
    config: { baseUrl: google.url, spreadsheetId: google.spreadsheetId, sheet: "Sales", dateColumn: "Date", amountColumn: "Amount", descriptionColumn: "Item", currency: "KES", accountId, pageSize: 2, ...config },
    secrets: { clientEmail: google.clientEmail, privateKey: google.privateKey },
  });
  return created.id;
}

beforeAll(async () => {
  google = await startGoogleServer();
  t = await createTenant("sheets-sync");
  accountId = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Till', 'KES') returning id", [t.id])).rows[0]!.id);
});

afterAll(async () => {
  await google?.close();
});

beforeEach(() => {
  forgetGoogleTokens();
});

describe("Google Sheets test connection", () => {
  it("names the spreadsheet and tab, or says in Google's words what is wrong", async () => {
    google.rows = [HEADER];
    const config = sheetsConfig.parse({ baseUrl: google.url, spreadsheetId: `https://docs.google.com/spreadsheets/d/${google.spreadsheetId}/edit#gid=0`, sheet: "Sales", dateColumn: "date", amountColumn: "C" });
    expect(config.spreadsheetId).toBe(google.spreadsheetId);
    const secrets = { clientEmail: google.clientEmail, privateKey: google.privateKey };
    expect(await sheetsConnector.test(config, secrets)).toEqual({ ok: true, message: 'Connected to "Inflow test sales", tab "Sales": the header row has 5 columns and the mapped ones were found.' });

    expect(await sheetsConnector.test({ ...config, sheet: "Sheet1" }, secrets)).toEqual({ ok: false, message: 'The spreadsheet has no tab named "Sheet1". Its tabs are: "Sales", "Notes".' });
    expect(await sheetsConnector.test({ ...config, amountColumn: "Total" }, secrets)).toEqual({
      ok: false,
      message: 'The amount column "Total" is neither a header in the header row nor a column letter. The headers are: "Date", "Item", "Amount", "Category", "Payment Method".',
    });

    const other = await startGoogleServer();
    try {
      forgetGoogleTokens();
      const wrongKey = await sheetsConnector.test(config, { clientEmail: google.clientEmail, privateKey: other.privateKey });
      expect(wrongKey).toEqual({
        ok: false,
        message: "Google refused the service account's key. Check the client_email and private key (from the same key file), that the key was not deleted, and that this server's clock is right. (Google: invalid_grant: Invalid JWT Signature.)",
      });
    } finally {
      await other.close();
    }

    google.notShared.add(google.spreadsheetId);
    try {
      const refused = await sheetsConnector.test(config, secrets);
      expect(refused.message).toBe(
        "The service account may not read this spreadsheet. Share it with the service account's address (Viewer is enough), and check that the Sheets API is enabled for its project. (Google: The caller does not have permission)",
      );
    } finally {
      google.notShared.clear();
    }
  });
});

describe("settings and credentials", () => {
  it("names columns as the sheet does", () => {
    expect([0, 25, 26, 51, 701, 702].map(columnLetters)).toEqual(["A", "Z", "AA", "AZ", "ZZ", "AAA"]);
  });

  it("takes the private key as pasted, with escaped newlines, or from the whole JSON key file", () => {
    const keyFile = JSON.stringify({ type: "service_account", client_email: google.clientEmail, private_key: google.privateKey });
    expect(sheetsSecrets.parse({ clientEmail: google.clientEmail, privateKey: keyFile }).privateKey).toBe(google.privateKey.trim());
    expect(sheetsSecrets.parse({ clientEmail: google.clientEmail, privateKey: google.privateKey.replace(/\n/g, "\\n") }).privateKey).toBe(google.privateKey.trim());
    expect(sheetsSecrets.safeParse({ clientEmail: google.clientEmail, privateKey: "not a key" }).error?.issues[0]?.message).toBe(
      "Paste the service account's private_key (-----BEGIN PRIVATE KEY----- …)",
    );
  });
});

describe("a Google Sheets connection, synced by row", () => {
  let id: string;

  it("full sync: pages of rows, each one committed import; exact amounts from the shown text; two identical rows in one batch stay two", async () => {
    google.rows = [
      HEADER,
      ["02/10/2025", "Milk", "250", "Stock", "Cash"],
      ["02/10/2025", "Milk", "250", "Stock", "Cash"],
      ["01/10/2025", "Coffee beans", "1,500.00", "Stock", "M-Pesa"],
      ["03/10/2025", "Refund table 4", "(120.50)", "Refund", "Card"],
      ["04/10/2025", "Pastries", "99.99", "Sales", "Card"],
    ];
    id = await sheetConnection("Shop sales sheet");
    const tokensBefore = google.tokenRequests();
    const rangesBefore = google.valueRanges().length;
    const result = await syncConnection(admin(), id);
    expect(result.error).toBeUndefined();
    expect(result.batches.map((b) => [b.seq, b.records, b.outcome, b.imported])).toEqual([
      [1, 2, "committed", 2],
      [2, 2, "committed", 2],
      [3, 1, "committed", 1],
    ]);
    expect(google.valueRanges().slice(rangesBefore)).toEqual(["'Sales'!1:3", "'Sales'!4:5", "'Sales'!6:7"]);
    // One token for the whole sync: cached until it expires.
    expect(google.tokenRequests() - tokensBefore).toBe(1);
    expect((await ledger(id)).map((r) => [r.booking_date, r.amount, r.description])).toEqual([
      ["2025-10-01", "1500.00", "Coffee beans"],
      ["2025-10-02", "250", "Milk"],
      ["2025-10-02", "250", "Milk"],
      ["2025-10-03", "-120.50", "Refund table 4"],
      ["2025-10-04", "99.99", "Pastries"],
    ]);
  });

  it("incremental sync: checks the synced rows, then asks only for the rows after the cursor — through an expired token and a 429", async () => {
    google.rows.push(["05/10/2025", "Sugar", "80", "Stock", "Cash"], ["06/10/2025", "Napkins", "45.5", "Stock", "Cash"]);
    google.expireTokens();
    google.failNext(`/v4/spreadsheets/${google.spreadsheetId}/values/${encodeURIComponent("'Sales'!7:8")}`, { ...googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Read requests'"), headers: { "Retry-After": "1" } });
    const ranges = google.valueRanges().length;
    const tokensBefore = google.tokenRequests();
    const result = await syncConnection(admin(), id);
    expect(result.error).toBeUndefined();
    // The check of rows 1–6, then rows 7–8 (refused once with 429, asked again), then 9–10 (empty).
    expect(google.valueRanges().slice(ranges)).toEqual(["'Sales'!1:6", "'Sales'!7:8", "'Sales'!7:8", "'Sales'!9:10"]);
    expect(google.tokenRequests() - tokensBefore).toBe(1);
    expect(result.batches.map((b) => [b.records, b.imported])).toEqual([[2, 2]]);
    expect((await ledger(id)).map((r) => r.description).slice(-2)).toEqual(["Sugar", "Napkins"]);

    const quiet = await syncConnection(admin(), id);
    expect(quiet.batches).toEqual([]);
  });

  it("a sort changes nothing; an edited row replaces its ledger row; a deleted row leaves the ledger; both audited", async () => {
    const before = await ledger(id);
    const [header, ...body] = google.rows;
    google.rows = [header!, ...body.reverse()];
    const sorted = await syncConnection(admin(), id);
    expect(sorted.batches).toEqual([]);
    expect(await ledger(id)).toEqual(before);

    // Edit the pastries' amount; delete one of the two milks (the sheet shrinks by a row).
    google.rows = google.rows.flatMap((row) => (row[1] === "Pastries" ? [[row[0]!, row[1], "109.99", row[3]!, row[4]!]] : [row]));
    const milk = google.rows.findIndex((row) => row[1] === "Milk");
    google.rows.splice(milk, 1);
    const edited = await syncConnection(admin(), id);
    expect(edited.error).toBeUndefined();
    expect(edited.batches.map((b) => [b.records, b.imported, b.updated, b.removed])).toEqual([[3, 1, 0, 2]]);
    expect((await ledger(id)).map((r) => [r.description, r.amount])).toEqual([
      ["Coffee beans", "1500.00"],
      ["Milk", "250"],
      ["Refund table 4", "-120.50"],
      ["Pastries", "109.99"],
      ["Sugar", "80"],
      ["Napkins", "45.5"],
    ]);
    const audit = await asService(async (db) =>
      (
        await db.query<{ before: { removed: { amount: string; description: string }[] } }>(
          "select before from public.audit_log where tenant_id = $1 and entity = 'import' and entity_id = $2 and action = 'connection.sync'",
          [t.id, edited.batches[0]!.importId],
        )
      ).rows,
    );
    expect(audit[0]!.before.removed.map((r) => [r.description, r.amount]).sort()).toEqual([
      ["Milk", "250"],
      ["Pastries", "99.99"],
    ]);
  });

  it("with a reference column, an edited amount updates the same ledger row in place", async () => {
    google.rows = [
      ["Date", "Receipt", "Amount", "Item"],
      ["2025-10-01", "R-001", "10.00", "Tea"],
      ["2025-10-02", "R-002", "20.00", "Cake"],
    ];
    const refId = await sheetConnection("Receipts sheet", { referenceColumn: "Receipt", dateOrder: "YMD", pageSize: 10 });
    await syncConnection(admin(), refId);
    const [tea] = await ledger(refId);
    google.rows[1] = ["2025-10-01", "R-001", "12.00", "Tea (large)"];
    const result = await syncConnection(admin(), refId);
    expect(result.batches.map((b) => [b.records, b.imported, b.updated, b.removed])).toEqual([[1, 0, 1, 0]]);
    const after = await ledger(refId);
    expect(after.map((r) => [r.external_id, r.amount, r.description])).toEqual([
      ["ref:R-001", "12.00", "Tea (large)"],
      ["ref:R-002", "20.00", "Cake"],
    ]);
    expect(after[0]!.id).toBe(tea!.id);
  });
});

describe("bad rows and crashes", () => {
  it("stages a row with a bad date or amount as an error naming row and column; excluded, the batch commits", async () => {
    google.rows = [
      HEADER,
      ["07/10/2025", "Water", "30", "Stock", "Cash"],
      ["31/02/2025", "Impossible day", "10", "Stock", "Cash"],
      ["08/10/2025", "Empty amount", "", "Stock", "Cash"],
    ];
    const id = await sheetConnection("Messy sheet", { pageSize: 10 });
    const first = await syncConnection(admin(), id);
    expect(first.batches.map((b) => [b.records, b.outcome])).toEqual([[3, "needs_review"]]);
    const importId = first.batches[0]!.importId;
    const issues = await asService(async (db) =>
      (await db.query<{ line: number; field: string; message: string }>("select line, field, message from public.import_issues where import_id = $1 and severity = 'error' order by line", [importId])).rows,
    );
    expect(issues).toEqual([
      { line: 2, field: "bookingDate", message: 'Row 3, column "Date": the date is "31/02/2025", which is not a real calendar day read as day/month/year.' },
      { line: 3, field: "amount", message: 'Row 4, column "Amount": the amount is an empty cell, not a number with "." as the decimal separator.' },
    ]);
    expect(await asService(async (db) => (await db.query("select 1 from public.staged_rows where import_id = $1 and has_error", [importId])).rowCount)).toBe(2);

    await withUser(admin().claims, (db) => setExcluded(db, { tenantId: t.id, importId, rowNos: "errors", excluded: true }));
    const again = await syncConnection(admin(), id);
    expect(again.batches.map((b) => [b.importId, b.outcome, b.imported])).toEqual([[importId, "committed", 1]]);
    expect((await ledger(id)).map((r) => r.description)).toEqual(["Water"]);
  });

  it("a crash after the fetch and one before the commit: the new rows land once, neither skipped nor repeated", async () => {
    google.rows = [HEADER, ["09/10/2025", "Bread", "60", "Stock", "Cash"]];
    const id = await sheetConnection("Crash sheet", { pageSize: 10 });
    await syncConnection(admin(), id);
    google.rows.push(["10/10/2025", "Butter", "140", "Stock", "Cash"]);
    const crash = (where: "afterFetch" | "beforeCommit") => ({
      hooks: {
        [where]: () => {
          throw new Error(`simulated crash ${where}`);
        },
      },
    });
    await expect(syncConnection(admin(), id, crash("afterFetch"))).rejects.toThrow("simulated crash afterFetch");
    await expect(syncConnection(admin(), id, crash("beforeCommit"))).rejects.toThrow("simulated crash beforeCommit");
    const ranges = google.valueRanges().length;
    const result = await syncConnection(admin(), id);
    expect(result.batches.map((b) => [b.records, b.imported])).toEqual([[1, 1]]);
    // The staged batch was finished from its raw file; only the check and the rows after it were read.
    expect(google.valueRanges().slice(ranges)).toEqual(["'Sales'!1:3", "'Sales'!4:13"]);
    expect((await ledger(id)).map((r) => r.description)).toEqual(["Bread", "Butter"]);
  });
});
