/** GET /api/transactions and its export: filters, exact totals in SQL, keyset pages, safe CSV, readable Parquet. */
import { NextRequest } from "next/server";
import { parquetReadObjects } from "hyparquet";
import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import type { LedgerRow, LedgerTotals } from "@/lib/db/queries/transactions";
import { asService, createTenant, type TestTenant, type TestUser } from "@/test/db";
import { GET } from "./route";
import { GET as EXPORT } from "./export/route";

async function call(handler: typeof GET, user: TestUser, url: string): Promise<Response> {
  const token = await createSessionToken(user.claims);
  const request = new NextRequest(`http://localhost${url}`, { headers: { host: "localhost", cookie: `${SESSION_COOKIE}=${token}` } });
  return handler(request, { params: Promise.resolve({}) });
}

interface Page {
  rows: LedgerRow[];
  nextCursor: string | null;
  totals?: LedgerTotals[];
  error?: { code: string; message: string };
}

async function page(user: TestUser, query: string): Promise<{ status: number; json: Page }> {
  const response = await call(GET, user, `/api/transactions${query}`);
  return { status: response.status, json: (await response.json()) as Page };
}

let tenant: TestTenant;
let till: string;
let bank: string;

// [date, amount, currency, description, counterparty, account, source]
const LEDGER: [string, string, string, string, string | null, "till" | "bank", string][] = [
  ["2025-10-01", "120000", "KES", "iPhone 15", null, "till", "csv"],
  ["2025-10-02", "2500.50", "KES", "Laptop Case", "Cash customer", "till", "csv"],
  ["2025-10-02", "2500.25", "KES", "Laptop Case", "Cash customer", "till", "csv"],
  ["2025-10-03", "-0.10", "KES", "=HYPERLINK(\"http://evil\")", "+cmd|' /C calc'!A0", "till", "mpesa"],
  ["2025-10-03", "-0.20", "KES", "@SUM(1+1)", "-2+3", "till", "mpesa"],
  ["2025-10-04", "0.30", "USD", "\tTabbed, \"quoted\"", "Acme 50%_off", "bank", "mt940"],
  ["2025-10-05", "-99999999999999.99", "USD", "Big transfer", "Treasury", "bank", "mt940"],
  ["2025-10-05", "0.01", "USD", "Interest", null, "bank", "mt940"],
];

beforeAll(async () => {
  tenant = await createTenant("ledger-api");
  await asService(async (db) => {
    const accounts = await db.query<{ id: string; name: string }>(
      `insert into public.accounts (tenant_id, name, number, currency, kind) values ($1, 'Till', '1', 'KES', 'mobile_money'), ($1, 'Bank', '2', 'USD', 'bank') returning id, name`,
      [tenant.id],
    );
    till = accounts.rows.find((a) => a.name === "Till")!.id;
    bank = accounts.rows.find((a) => a.name === "Bank")!.id;
    for (const [date, amount, currency, description, counterparty, account, source] of LEDGER) {
      await db.query(
        `insert into public.transactions (tenant_id, account_id, booking_date, amount, currency, description, counterparty, source)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [tenant.id, account === "till" ? till : bank, date, amount, currency, description, counterparty, source],
      );
    }
  });
  // Another tenant's rows never show.
  const other = await createTenant("ledger-api-other");
  await asService((db) =>
    db.query(`insert into public.transactions (tenant_id, booking_date, amount, currency, description, source) values ($1, '2025-10-03', '5', 'KES', 'Laptop Case', 'csv')`, [other.id]),
  );
});

describe("GET /api/transactions", () => {
  it("lists newest first with exact totals per currency for the whole ledger", async () => {
    const { status, json } = await page(tenant.members.viewer, "");
    expect(status).toBe(200);
    expect(json.rows.map((r) => [r.bookingDate, r.amount, r.currency])).toEqual([
      ["2025-10-05", "0.01", "USD"],
      ["2025-10-05", "-99999999999999.99", "USD"],
      ["2025-10-04", "0.30", "USD"],
      ["2025-10-03", "-0.20", "KES"],
      ["2025-10-03", "-0.10", "KES"],
      ["2025-10-02", "2500.25", "KES"],
      ["2025-10-02", "2500.50", "KES"],
      ["2025-10-01", "120000", "KES"],
    ]);
    expect(json.rows[0]!.accountName).toBe("Bank");
    expect(json.totals).toEqual([
      { currency: "KES", count: 5, credits: "125000.75", debits: "-0.30", net: "125000.45" },
      { currency: "USD", count: 3, credits: "0.31", debits: "-99999999999999.99", net: "-99999999999999.68" },
    ]);
    expect(json.nextCursor).toBeNull();
  });

  const cases: [string, string, string[]][] = [
    ["search in description", "?q=laptop", ["2500.25", "2500.50"]],
    ["search in counterparty", "?q=treasury", ["-99999999999999.99"]],
    ["search treats % and _ literally", "?q=50%25_", ["0.30"]],
    ["account", `?accountId=ACCOUNT_BANK`, ["0.01", "-99999999999999.99", "0.30"]],
    ["date range", "?from=2025-10-02&to=2025-10-03", ["-0.20", "-0.10", "2500.25", "2500.50"]],
    ["amount range", "?min=-0.2&max=0.3", ["0.01", "0.30", "-0.20", "-0.10"]],
    ["source", "?source=mpesa", ["-0.20", "-0.10"]],
    ["blank fields mean any", "?q=&from=&source=csv", ["2500.25", "2500.50", "120000"]],
  ];
  it.each(cases)("filters by %s", async (_, query, amounts) => {
    const { status, json } = await page(tenant.members.viewer, query.replace("ACCOUNT_BANK", bank));
    expect(status).toBe(200);
    expect(json.rows.map((r) => r.amount)).toEqual(amounts);
    expect(json.totals!.reduce((n, t) => n + t.count, 0)).toBe(amounts.length);
  });

  it("sums only the filtered rows", async () => {
    const { json } = await page(tenant.members.viewer, `?accountId=${till}&from=2025-10-02`);
    expect(json.totals).toEqual([{ currency: "KES", count: 4, credits: "5000.75", debits: "-0.30", net: "5000.45" }]);
  });

  it("pages by keyset: every row once, in order, totals on the first page only", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { json }: { json: Page } = await page(tenant.members.viewer, `?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(json.totals === undefined).toBe(pages > 0);
      seen.push(...json.rows.map((r) => r.amount));
      cursor = json.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(["0.01", "-99999999999999.99", "0.30", "-0.20", "-0.10", "2500.25", "2500.50", "120000"]);
  });

  it("answers 422 naming the field for a bad filter", async () => {
    const { status, json } = await page(tenant.members.viewer, "?min=12abc");
    expect(status).toBe(422);
    expect(json.error!.message).toBe("min: must be an amount such as 1500 or -20.50");
    expect((await page(tenant.members.viewer, "?cursor=1;drop")).status).toBe(422);
  });
});

describe("GET /api/transactions/export", () => {
  it("streams CSV with formula cells made inert and amounts exact", async () => {
    const response = await call(EXPORT, tenant.members.viewer, "/api/transactions/export?format=csv&from=2025-10-03");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="transactions-ledger-api-.*\.csv"$/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 byte-order mark for spreadsheets
    const text = new TextDecoder().decode(bytes);
    expect(text.split("\r\n")[4]).toMatch(/^2025-10-03,,-0\.20,KES,'@SUM\(1\+1\),'-2\+3,Till,mpesa,/); // the raw line
    const parsed = Papa.parse<string[]>(text.trimEnd(), { newline: "\r\n" }).data;
    expect(parsed.map((r) => r.slice(0, 8))).toEqual([
      ["booking_date", "value_date", "amount", "currency", "description", "counterparty", "account", "source"],
      ["2025-10-05", "", "0.01", "USD", "Interest", "", "Bank", "mt940"],
      ["2025-10-05", "", "-99999999999999.99", "USD", "Big transfer", "Treasury", "Bank", "mt940"],
      ["2025-10-04", "", "0.30", "USD", "'\tTabbed, \"quoted\"", "Acme 50%_off", "Bank", "mt940"],
      ["2025-10-03", "", "-0.20", "KES", "'@SUM(1+1)", "'-2+3", "Till", "mpesa"],
      ["2025-10-03", "", "-0.10", "KES", "'=HYPERLINK(\"http://evil\")", "'+cmd|' /C calc'!A0", "Till", "mpesa"],
    ]);
  });

  it("writes Parquet that reads back with the exact strings", async () => {
    const response = await call(EXPORT, tenant.members.viewer, `/api/transactions/export?format=parquet&accountId=${bank}`);
    expect(response.status).toBe(200);
    const file = await response.arrayBuffer();
    const rows = await parquetReadObjects({ file });
    expect(rows.map((r) => [r.booking_date, r.amount, r.currency, r.description, r.counterparty, r.account, r.source])).toEqual([
      ["2025-10-05", "0.01", "USD", "Interest", null, "Bank", "mt940"],
      ["2025-10-05", "-99999999999999.99", "USD", "Big transfer", "Treasury", "Bank", "mt940"],
      ["2025-10-04", "0.30", "USD", "\tTabbed, \"quoted\"", "Acme 50%_off", "Bank", "mt940"],
    ]);
  });

  it("exports across several batches in order, and an empty filter gives a valid empty file", async () => {
    const { ledgerBatches, ledgerParquetStream } = await import("@/lib/export/ledger");
    const sizes: number[] = [];
    for await (const rows of ledgerBatches(tenant.members.viewer.claims, tenant.id, {}, 3)) sizes.push(rows.length);
    expect(sizes).toEqual([3, 3, 2]);
    const bytes = await new Response(ledgerParquetStream(ledgerBatches(tenant.members.viewer.claims, tenant.id, {}, 3))).arrayBuffer();
    expect((await parquetReadObjects({ file: bytes })).map((r) => r.amount)).toEqual(["0.01", "-99999999999999.99", "0.30", "-0.20", "-0.10", "2500.25", "2500.50", "120000"]);
    const empty = await call(EXPORT, tenant.members.viewer, "/api/transactions/export?format=parquet&q=nothing-matches");
    expect(await parquetReadObjects({ file: await empty.arrayBuffer() })).toEqual([]);
  });

  it("refuses an unknown format with 422", async () => {
    const response = await call(EXPORT, tenant.members.viewer, "/api/transactions/export?format=xlsx");
    expect(response.status).toBe(422);
  });
});
