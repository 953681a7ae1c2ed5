/**
 * Duplicates end to end, through `inflow import`: the same file twice, an overlapping file, identical
 * rows inside one file, and a CSV backfill followed by the same transactions from the bank's OFX feed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { addAccount, cliImport, count, ledger, sample, stagedStatuses } from "./helpers";

let tenant: TestTenant;
let dir: string;

beforeAll(async () => {
  tenant = await createTenant("pipeline-dedup");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "inflow-dedup-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const csv = (rows: string[]) => ["Date,Description,Amount", ...rows].join("\n") + "\n";
const accountRows = async (accountId: string) => (await ledger(tenant.id)).filter((r) => r.account_id === accountId);

describe("exact duplicates", () => {
  it("adds nothing when the same file is imported twice", async () => {
    const accountId = await addAccount(tenant, "Twice", "CAD");
    const first = await cliImport(tenant, sample("bai2/moov-io-bai2__sample1.txt"), { account: "Twice" });
    expect(first.summary).toMatchObject({ status: "committed", imported: 17, exactDuplicates: 0 });
    const second = await cliImport(tenant, sample("bai2/moov-io-bai2__sample1.txt"), { account: "Twice" });
    expect(second.summary).toMatchObject({ status: "committed", parsed: 17, imported: 0, exactDuplicates: 17, flagged: 0 });
    expect(await stagedStatuses(tenant.id, second.summary.importId)).toEqual({ exact_duplicate: 17 });
    expect(await accountRows(accountId)).toHaveLength(17);
  });

  it("adds nothing twice for OFX either (its FITIDs are the key)", async () => {
    const accountId = await addAccount(tenant, "Twice OFX", "CAD");
    expect((await cliImport(tenant, sample("ofx/jseutter-ofxparse__bank_medium.ofx"), { account: "Twice OFX" })).summary.imported).toBe(3);
    const again = await cliImport(tenant, sample("ofx/jseutter-ofxparse__bank_medium.ofx"), { account: "Twice OFX" });
    expect(again.summary).toMatchObject({ imported: 0, exactDuplicates: 3 });
    expect(await accountRows(accountId)).toHaveLength(3);
  });

  it("adds only the new half of a statement that overlaps the previous one by half", async () => {
    const accountId = await addAccount(tenant, "Overlap", "USD");
    const row = (n: number) => `2025-01-${String(n).padStart(2, "0")},Supplier ${n},-${n}.25`;
    const first = writeFile("overlap-1.csv", csv(Array.from({ length: 20 }, (_, i) => row(i + 1))));
    const second = writeFile("overlap-2.csv", csv(Array.from({ length: 20 }, (_, i) => row(i + 11))));
    expect((await cliImport(tenant, first, { account: "Overlap" })).summary).toMatchObject({ status: "committed", imported: 20 });
    const overlap = await cliImport(tenant, second, { account: "Overlap" });
    expect(overlap.summary).toMatchObject({ status: "committed", parsed: 20, imported: 10, exactDuplicates: 10, flagged: 0 });
    const rows = await accountRows(accountId);
    expect(rows).toHaveLength(30);
    expect(rows.filter((r) => r.import_id === overlap.summary.importId).map((r) => r.description)).toEqual(Array.from({ length: 10 }, (_, i) => `Supplier ${i + 21}`));
  });

  it("keeps two identical purchases on one day as two, and re-importing adds neither again", async () => {
    const accountId = await addAccount(tenant, "Coffee", "USD");
    const coffee = "2025-03-03,Corner Coffee,-4.50";
    const file = writeFile("coffee.csv", csv([coffee, coffee, "2025-03-04,Bakery,-3.20"]));
    const first = await cliImport(tenant, file, { account: "Coffee" });
    expect(first.summary).toMatchObject({ imported: 3, exactDuplicates: 0 });
    const coffees = async () => (await accountRows(accountId)).filter((r) => r.description === "Corner Coffee");
    expect((await coffees()).map((r) => [r.booking_date, r.amount])).toEqual([
      ["2025-03-03", "-4.50"],
      ["2025-03-03", "-4.50"],
    ]);

    const again = await cliImport(tenant, file, { account: "Coffee" });
    expect(again.summary).toMatchObject({ imported: 0, exactDuplicates: 3 });
    expect(await coffees()).toHaveLength(2);

    // A later export with a third identical coffee that day: the first two are the same two; the third
    // is not an exact duplicate, but it looks like the ledger's coffees, so a reviewer decides.
    const third = await cliImport(tenant, writeFile("coffee-3.csv", csv([coffee, coffee, coffee])), { account: "Coffee" });
    expect(third.summary).toMatchObject({ imported: 0, exactDuplicates: 2, flagged: 1 });
    expect(await stagedStatuses(tenant.id, third.summary.importId)).toEqual({ exact_duplicate: 2, likely_duplicate: 1 });
    expect(await coffees()).toHaveLength(2);
  });
});

describe("likely duplicates", () => {
  it("holds an OFX feed's copies of CSV-backfilled transactions out of the ledger, each with its match", async () => {
    const accountId = await addAccount(tenant, "Backfill", "USD");
    const backfill = writeFile(
      "backfill.csv",
      csv(["2025-05-01,Coffee Roasters Ltd,-12.40", "2025-05-03,Acme Office Supplies,-230.00", "2025-05-07,Client payment Globex,1500.00"]),
    );
    const first = await cliImport(tenant, backfill, { account: "Backfill" });
    expect(first.summary).toMatchObject({ status: "committed", imported: 3 });
    const csvIds = await asService(async (db) =>
      (await db.query<{ id: string }>("select id::text from public.transactions where import_id = $1 order by id", [first.summary.importId])).rows.map((r) => r.id),
    );

    // The same three from the bank's feed: other casing, FITIDs, posted one or two days later.
    const trn = (date: string, amount: string, fitid: string, name: string) =>
      `<STMTTRN><TRNTYPE>OTHER<DTPOSTED>${date}120000<TRNAMT>${amount}<FITID>${fitid}<NAME>${name}</STMTTRN>`;
    const ofx = writeFile(
      "feed.ofx",
      [
        "OFXHEADER:100",
        "DATA:OFXSGML",
        "VERSION:102",
        "SECURITY:NONE",
        "ENCODING:USASCII",
        "CHARSET:1252",
        "COMPRESSION:NONE",
        "OLDFILEUID:NONE",
        "NEWFILEUID:NONE",
        "",
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20250510120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>",
        "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>",
        "<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>021000021<ACCTID>5550001<ACCTTYPE>CHECKING</BANKACCTFROM>",
        "<BANKTRANLIST><DTSTART>20250501<DTEND>20250510",
        trn("20250502", "-12.40", "FEED-0001", "COFFEE ROASTERS LTD"),
        trn("20250505", "-230.00", "FEED-0002", "ACME OFFICE SUPPLIES"),
        trn("20250507", "1500.00", "FEED-0003", "CLIENT PAYMENT GLOBEX"),
        "</BANKTRANLIST><LEDGERBAL><BALAMT>1257.60<DTASOF>20250510</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>",
        "",
      ].join("\n"),
    );
    const feed = await cliImport(tenant, ofx, { account: "Backfill" });
    expect(feed.summary).toMatchObject({ status: "committed", parsed: 3, imported: 0, exactDuplicates: 0, flagged: 3, blocked: 0 });
    expect(await stagedStatuses(tenant.id, feed.summary.importId)).toEqual({ likely_duplicate: 3 });

    const candidates = await asService(async (db) =>
      (
        await db.query<{ row_no: number; matched: string; status: string; days: number; score: number }>(
          `select row_no, matched_transaction_id::text as matched, status, (reason ->> 'dateDifferenceDays')::int as days, score::float8 as score
             from public.duplicate_candidates where import_id = $1 order by row_no`,
          [feed.summary.importId],
        )
      ).rows,
    );
    expect(candidates.map((c) => [c.row_no, c.matched, c.status, c.days])).toEqual([
      [1, csvIds[0], "pending", 1],
      [2, csvIds[1], "pending", 2],
      [3, csvIds[2], "pending", 0],
    ]);
    expect(candidates.every((c) => c.score === 1)).toBe(true);
    expect(await accountRows(accountId)).toHaveLength(3);
    expect(await count("select count(*) as n from public.transactions where import_id = $1", [feed.summary.importId])).toBe(0);
  });
});
