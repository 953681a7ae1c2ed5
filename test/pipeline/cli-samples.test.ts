/**
 * Every sample statement through `inflow import` (the same pipeline as the web app), with the counts the
 * samples' README implies. Each sample goes into its own internal account of one fresh tenant, so no
 * sample sees another's rows as duplicates and every count is exact.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { addAccount, cliImport, cliImportChild, count, ledger, sample, stagedStatuses, type CliResult } from "./helpers";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant("pipeline-cli");
});

interface Case {
  file: string;
  /** Currency of the internal account made for it; none for datasets (POS, trial balance, SalesPro). */
  currency?: string;
  kind?: string;
  exclude?: boolean;
  /** Run as a child process (`node bin/inflow.mjs import …`) rather than in-process. */
  child?: boolean;
  status: "committed" | "staged" | "failed";
  code: number;
  parsed: number;
  invalid: number;
  imported: number;
  exactDuplicates?: number;
  blocked?: number;
  check?: (importId: string, result: CliResult) => Promise<void>;
}

/** The import's ledger amounts in file order, without trailing fraction zeros ("-25.00" → "-25"). */
const amounts = async (importId: string) =>
  asService(async (db) => (await db.query<{ a: string }>("select trim_scale(amount)::text as a from public.transactions where import_id = $1 order by id", [importId])).rows.map((r) => r.a));

const balances = async (importId: string) =>
  asService(async (db) => (await db.query<{ type: string; amount: string }>("select type, amount::text from public.statement_balances where import_id = $1 order by id", [importId])).rows);

async function nothingStaged(importId: string): Promise<void> {
  expect(await count("select count(*) as n from public.staged_rows where import_id = $1", [importId])).toBe(0);
}

const committed = (parsed: number, imported = parsed) => ({ status: "committed" as const, code: 0, parsed, invalid: 0, imported });

const CASES: Case[] = [
  // BAI2
  { file: "bai2/ministryofjustice-bai2__account_trailer_amount_blank_example.bai2", currency: "USD", ...committed(0) },
  {
    file: "bai2/ministryofjustice-bai2__citi_example.bai2",
    currency: "GBP",
    ...committed(1),
    check: async (id) => {
      const rows = await ledger(tenant.id, id);
      expect(rows.map((r) => [r.amount, r.currency, r.booking_date])).toEqual([["0.01", "GBP", "2015-07-15"]]);
    },
  },
  { file: "bai2/ministryofjustice-bai2__nwb_example.bai2", currency: "GBP", ...committed(5) },
  { file: "bai2/ministryofjustice-bai2__svb_us_example.bai2", currency: "USD", ...committed(2) },
  {
    file: "bai2/moov-io-bai2__sample1.txt",
    currency: "CAD",
    child: true,
    ...committed(17),
    check: async (id) => {
      expect(await amounts(id)).toEqual(["-25", "-900", "-5", "2035", "25", "25", "-200", "-900", "-20", "-25", "-10", "115", "1000", "-1000", "-90", "-20", "-5"]);
    },
  },
  { file: "bai2/moov-io-bai2__sample2.txt", currency: "USD", ...committed(4) },
  { file: "bai2/moov-io-bai2__sample3.txt", currency: "USD", ...committed(26) },
  { file: "bai2/venturehacks-bai2__daily.bai2", currency: "USD", ...committed(1), check: async (id) => expect(Number((await amounts(id))[0])).toBeGreaterThan(0) },
  { file: "bai2/venturehacks-bai2__eod.bai2", currency: "USD", ...committed(1), check: async (id) => expect(Number((await amounts(id))[0])).toBeGreaterThan(0) },
  {
    file: "bai2/venturehacks-bai2__invalid_checksum_eod.bai2",
    currency: "USD",
    child: true,
    status: "failed",
    code: 1,
    parsed: 0,
    invalid: 0,
    imported: 0,
    check: async (id, { summary }) => {
      expect(summary.error).toMatchObject({ code: "control_total_mismatch", line: 15 });
      expect(summary.error!.message).toContain("line 15");
      await nothingStaged(id);
    },
  },
  // camt.053
  {
    file: "camt053/genkgo-camt__camt053.v2.minimal.xml",
    currency: "EUR",
    ...committed(1),
    check: async (id) => {
      expect((await ledger(tenant.id, id)).map((r) => [r.amount, r.currency, r.booking_date])).toEqual([["8.85", "EUR", "2014-12-31"]]);
      expect(await balances(id)).toHaveLength(4);
    },
  },
  { file: "camt053/genkgo-camt__camt053.v2.multi.statement.xml", currency: "EUR", ...committed(2), check: async (id) => expect(await amounts(id)).toEqual(["8.85", "-7"]) },
  {
    file: "camt053/genkgo-camt__camt053.v2.wrong.xml",
    currency: "EUR",
    status: "failed",
    code: 1,
    parsed: 0,
    invalid: 0,
    imported: 0,
    check: async (id, { summary }) => {
      expect(summary.error).toMatchObject({ code: "camt_no_statement", line: 3 });
      await nothingStaged(id);
    },
  },
  // The v3 sample's transaction details (105.750) contradict its entry amount (8.85): the entry is kept
  // with an error, so it waits for a reviewer instead of entering the ledger.
  { file: "camt053/genkgo-camt__camt053.v3.xml", currency: "EUR", status: "staged", code: 3, parsed: 1, invalid: 0, imported: 0, blocked: 1 },
  { file: "camt053/genkgo-camt__camt053.v4.xml", currency: "EUR", ...committed(1) },
  { file: "camt053/genkgo-camt__camt053.v8.xml", currency: "EUR", ...committed(1) },
  { file: "camt053/viafintech-camt_parser__053_valid_example.xml", currency: "EUR", ...committed(5), check: async (id) => expect((await amounts(id))[0]).toBe("-2") },
  // MT940
  {
    file: "mt940/wolph-mt940__jejik_abnamro.sta",
    currency: "EUR",
    ...committed(10),
    check: async (id) => expect((await ledger(tenant.id, id))[0]).toMatchObject({ amount: "-9.00", booking_date: "2011-05-24" }),
  },
  {
    file: "mt940/wolph-mt940__jejik_ing.sta",
    currency: "EUR",
    ...committed(7),
    check: async (id) => {
      const rows = await ledger(tenant.id, id);
      expect(rows[0]).toMatchObject({ amount: "-25.03", booking_date: "2010-07-22" });
      expect(rows.at(-1)!.amount).toBe("1.00");
    },
  },
  { file: "mt940/wolph-mt940__jejik_knab.sta", currency: "EUR", ...committed(3) },
  { file: "mt940/wolph-mt940__jejik_triodos.sta", currency: "EUR", ...committed(2), check: async (id) => expect(await amounts(id)).toEqual(["-15.7", "-700"]) },
  { file: "mt940/wolph-mt940__cmxl_mt940.sta", currency: "PLN", ...committed(16), check: async (id) => expect((await amounts(id))[0]).toBe("-6800") },
  {
    file: "mt940/wolph-mt940__cmxl_account_balance_debit.sta",
    currency: "EUR",
    ...committed(0),
    check: async (id) => expect(await balances(id)).toContainEqual({ type: "opening", amount: "-147.64" }),
  },
  { file: "mt940/wolph-mt940__cmxl_statement_line.sta", currency: "EUR", ...committed(1) },
  { file: "mt940/wolph-mt940__jejik_generic.sta", currency: "EUR", ...committed(2) },
  { file: "mt940/wolph-mt940__jejik_postfinance.sta", currency: "CHF", ...committed(4) },
  { file: "mt940/wolph-mt940__jejik_rabobank-iban.sta", currency: "EUR", ...committed(4) },
  { file: "mt940/wolph-mt940__jejik_sns.sta", currency: "EUR", ...committed(2) },
  // The value date 16-02-30 does not exist: the line keeps its entry date and waits with an error.
  {
    file: "mt940/wolph-mt940__self-provided_february_30.sta",
    currency: "EUR",
    status: "staged",
    code: 3,
    parsed: 1,
    invalid: 0,
    imported: 0,
    blocked: 1,
    check: async (id) => {
      const staged = await asService(async (db) => (await db.query<{ record: { amount: string; bookingDate: string } }>("select record from public.staged_rows where import_id = $1", [id])).rows);
      expect(staged.map((s) => [s.record.amount, s.record.bookingDate])).toEqual([["-6.00", "2016-03-01"]]);
    },
  },
  // OFX
  { file: "ofx/jseutter-ofxparse__anzcc.ofx", currency: "AUD", ...committed(1) },
  {
    file: "ofx/jseutter-ofxparse__bank_medium.ofx",
    currency: "USD",
    child: true,
    ...committed(3),
    check: async (id) => {
      const first = (await ledger(tenant.id, id))[0]!;
      expect(first.amount).toBe("-6.60");
      expect(first.description).toContain("MCDONALD'S #112");
      expect(first.dedup_key).toBe("ext:0000123456782009040100001");
    },
  },
  { file: "ofx/jseutter-ofxparse__checking.ofx", currency: "USD", ...committed(3) },
  { file: "ofx/jseutter-ofxparse__suncorp.ofx", currency: "AUD", ...committed(1), check: async (id) => expect(await amounts(id)).toEqual(["-16.85"]) },
  {
    file: "ofx/jseutter-ofxparse__multiple_accounts2.ofx",
    currency: "USD",
    ...committed(0),
    check: async (id) => expect((await balances(id)).map((b) => b.amount).sort()).toEqual(["111", "222"]),
  },
  { file: "ofx/jseutter-ofxparse__fail_nice_date_missing.ofx", currency: "USD", status: "staged", code: 3, parsed: 0, invalid: 3, imported: 0, blocked: 3 },
  { file: "ofx/jseutter-ofxparse__fail_nice_decimal_error.ofx", currency: "USD", status: "staged", code: 3, parsed: 0, invalid: 1, imported: 0, blocked: 1 },
  { file: "ofx/jseutter-ofxparse__fail_nice_empty_balance.ofx", currency: "USD", ...committed(1) },
  // M-Pesa
  { file: "mpesa/mpesa_full_statement_oct2025.csv", currency: "KES", kind: "mobile_money", ...committed(76) },
  { file: "mpesa/mpesa_simple_export.csv", currency: "KES", kind: "mobile_money", ...committed(6, 5), exactDuplicates: 1 },
  // CSV
  { file: "csv/bank_de_semicolon_cp1252.csv", currency: "EUR", ...committed(6) },
  {
    file: "csv/bank_us_debit_credit_bom.csv",
    currency: "USD",
    exclude: true,
    status: "committed",
    code: 0,
    parsed: 6,
    invalid: 1,
    imported: 6,
    check: async (id) => {
      // The two identical card purchases on one day are two purchases.
      const rows = await ledger(tenant.id, id);
      const keys = rows.map((r) => `${r.booking_date}|${r.amount}|${r.description}`);
      expect(keys.length - new Set(keys).size).toBe(1);
      expect(await stagedStatuses(tenant.id, id)).toEqual({ excluded: 1, new: 6 });
    },
  },
  {
    file: "csv/sheets_sales.csv",
    currency: "KES",
    exclude: true,
    status: "committed",
    code: 0,
    parsed: 5,
    invalid: 1,
    imported: 5,
    check: async (id) => {
      const rows = await ledger(tenant.id, id);
      expect(rows.filter((r) => r.description.includes("Laptop Case")).map((r) => [r.booking_date, r.amount])).toEqual([
        ["2025-10-02", "2500"],
        ["2025-10-02", "2500"],
      ]);
    },
  },
  // Datasets
  {
    file: "pos/pos_export_oct2025.csv",
    ...committed(80),
    check: async (id) => expect(await count("select count(*) as n from public.sales_lines where import_id = $1", [id])).toBe(80),
  },
  {
    file: "trial-balance/trial_balance_ABEX_2022-06.csv",
    exclude: true,
    status: "committed",
    code: 0,
    parsed: 59,
    invalid: 1,
    imported: 59,
    check: async (id) => expect(await count("select count(*) as n from public.gl_balances where import_id = $1", [id])).toBe(59),
  },
  {
    // One row has an invalid date (excluded); one _id appears twice and keeps its newer _updated_at.
    file: "salespro/SalesPro2025-06-18.csv",
    exclude: true,
    status: "committed",
    code: 0,
    parsed: 41,
    invalid: 0,
    imported: 39,
    exactDuplicates: 1,
    check: async (id) => {
      expect(await stagedStatuses(tenant.id, id)).toEqual({ excluded: 1, new: 40 });
      expect(await count("select count(*) as n from public.appointments where import_id = $1", [id])).toBe(39);
      expect(await count("select count(distinct external_id) as n from public.appointments where import_id = $1", [id])).toBe(39);
    },
  },
];

describe("inflow import: every sample", () => {
  it("covers every sample file", async () => {
    const fs = await import("node:fs");
    const dirs = fs.readdirSync(sample(""), { withFileTypes: true }).filter((d) => d.isDirectory());
    const all = dirs.flatMap((dir) => fs.readdirSync(sample(dir.name)).map((f) => `${dir.name}/${f}`));
    expect(CASES.map((c) => c.file).sort()).toEqual(all.sort());
  });

  it.each(CASES)("$file", async (c) => {
    const accountName = c.currency ? `Account for ${c.file}` : undefined;
    if (c.currency) await addAccount(tenant, accountName!, c.currency, c.kind);
    const before = await count("select count(*) as n from public.transactions where tenant_id = $1", [tenant.id]);
    const result = await (c.child ? cliImportChild : cliImport)(tenant, sample(c.file), { account: accountName, excludeInvalid: c.exclude });
    const { summary } = result;
    expect({ code: result.code, status: summary.status, parsed: summary.parsed, invalid: summary.invalid, imported: summary.imported }).toEqual({
      code: c.code,
      status: c.status,
      parsed: c.parsed,
      invalid: c.invalid,
      imported: c.imported,
    });
    expect(summary.exactDuplicates).toBe(c.exactDuplicates ?? 0);
    expect(summary.blocked).toBe(c.blocked ?? 0);
    expect(summary.failed).toBe(c.status === "failed" ? 1 : 0);
    const transactionRows = c.currency && c.status === "committed" ? c.imported : 0;
    expect(await count("select count(*) as n from public.transactions where import_id = $1", [summary.importId])).toBe(transactionRows);
    expect(await count("select count(*) as n from public.transactions where tenant_id = $1", [tenant.id])).toBe(before + transactionRows);
    await c.check?.(summary.importId, result);
  });
});
