/**
 * SuperOps against a local SuperOps GraphQL endpoint (test/providers/superops.ts) and the real
 * database: Bearer token and CustomerSubDomain on every call, page/pageSize pagination with
 * listInfo.hasMore, GraphQL errors[] in plain words, a first sync of every invoice, incremental syncs
 * that read only the look-back window and import only what changed (payments added, voids removed),
 * a crash between fetch and commit, and a 429 with Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMapping } from "@/lib/ingest/mappings";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { graphqlErrors, startSuperopsServer, type SuperopsTestServer } from "@/test/providers/superops";
import { createConnection } from "../service";
import { sourceOf, syncConnection } from "../sync";
import { superopsConfig, superopsConnector } from "./index";

let so: SuperopsTestServer;
let t: TestTenant;
let id: string;
const admin = () => ({ claims: t.members.admin.claims, tenantId: t.id });
const config = (extra: Record<string, unknown> = {}) => superopsConfig.parse({ subdomain: so.subdomain, currency: "usd", baseUrl: so.endpoint, pageSize: 2, lookbackDays: 30, ...extra });

async function ledger() {
  return asService(async (db) =>
    (
      await db.query<{ external_id: string; amount: string; currency: string; booking_date: string; description: string }>(
        "select external_id, amount::text, currency, booking_date, description from public.transactions where tenant_id = $1 and source like $2 order by booking_date, external_id",
        [t.id, `${sourceOf("superops", id)}:%`],
      )
    ).rows.map((r) => [r.external_id.split(":")[0], r.booking_date, r.amount, r.currency, r.description]),
  );
}

const inv: Record<string, string> = {};

beforeAll(async () => {
  so = await startSuperopsServer();
  t = await createTenant("superops-sync");
  const account = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Receivables', 'USD') returning id", [t.id])).rows[0]!.id);
  await createMapping(admin(), { source: "connector:superops", externalId: "receivables", accountId: account });
});

afterAll(async () => {
  await so?.close();
});

describe("SuperOps test connection", () => {
  it("reads an invoice page with the token and subdomain, and reports refusals and GraphQL errors in plain words", async () => {
    expect(await superopsConnector.test(config(), { apiToken: so.apiToken })).toEqual({ ok: true, message: "Connected to SuperOps (inflowmsp); invoices can be read (0 in all)." });
    const sent = so.requests.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${so.apiToken}`);
    expect(sent.headers.customersubdomain).toBe("inflowmsp");
    expect(sent.body).toMatchObject({ variables: { input: { page: 1, pageSize: 1, sort: [{ attribute: "invoiceDate", order: "DESC" }] } } });

    const refused = await superopsConnector.test(config(), { apiToken: "sop-not-the-token" });
    expect(refused).toEqual({ ok: false, message: "SuperOps refused the API token: check it, and that it belongs to this subdomain. (SuperOps: Unauthorized: invalid API token)" });
    expect(await superopsConnector.test(config({ subdomain: "someone-else" }), { apiToken: so.apiToken })).toEqual({ ok: false, message: 'SuperOps: Invalid CustomerSubDomain "someone-else"' });
  });
});

describe("a SuperOps connection, synced", () => {
  it("first sync: every page of invoices, drafts left out, a paid invoice adds its payment", async () => {
    inv.oct = so.add({ invoiceDate: "2025-10-01", totalAmount: "1500.00", client: { accountId: "1", name: "Acme" } }).invoiceId;
    inv.nov = so.add({ invoiceDate: "2025-11-03", totalAmount: "99.90", statusEnum: "PAID", paymentDate: "2025-11-20", paymentMethod: { id: "2", name: "Bank transfer" }, paymentReference: "TRF-778" }).invoiceId;
    inv.dec = so.add({ invoiceDate: "2025-12-01", totalAmount: "310", statusEnum: "DRAFT" }).invoiceId;
    inv.jan10 = so.add({ invoiceDate: "2026-01-10", totalAmount: "1250.25", client: { accountId: "3", name: "Globex" } }).invoiceId;
    inv.jan15 = so.add({ invoiceDate: "2026-01-15", totalAmount: "80" }).invoiceId;
    inv.jan20 = so.add({ invoiceDate: "2026-01-20", totalAmount: "4000.10", statusEnum: "OVERDUE" }).invoiceId;
    id = (await createConnection(admin(), { name: "MSP billing", type: "superops", config: config(), secrets: { apiToken: so.apiToken } })).id;

    const before = so.pages().length;
    const result = await syncConnection(admin(), id);
    expect(result.ok).toBe(true);
    expect(so.pages().slice(before)).toEqual([1, 2, 3]);
    expect(result.batches.map((b) => [b.records, b.imported])).toEqual([
      [2, 2],
      [1, 1],
      [3, 3],
    ]);
    expect(await ledger()).toEqual([
      ["invoice", "2025-10-01", "1500.00", "USD", "Invoice 100125-0001 to Acme"],
      ["invoice", "2025-11-03", "99.90", "USD", "Invoice 110325-0002 to Acme"],
      ["payment", "2025-11-20", "-99.90", "USD", "Payment of invoice 110325-0002 by Acme"],
      ["invoice", "2026-01-10", "1250.25", "USD", "Invoice 011026-0004 to Globex"],
      ["invoice", "2026-01-15", "80", "USD", "Invoice 011526-0005 to Acme"],
      ["invoice", "2026-01-20", "4000.10", "USD", "Invoice 012026-0006 to Acme"],
    ]);
  });

  it("incremental sync: reads only the look-back window and imports only what changed; a void takes the invoice out", async () => {
    inv.jan25 = so.add({ invoiceDate: "2026-01-25", totalAmount: "42" }).invoiceId;
    so.modify(inv.jan10!, { statusEnum: "PAID", paymentDate: "2026-01-24" });
    so.modify(inv.jan15!, { statusEnum: "VOID" });
    // Outside the window (newest 2026-01-20 minus 30 days): not read again.
    so.modify(inv.oct!, { totalAmount: "1" });

    const before = so.pages().length;
    const result = await syncConnection(admin(), id);
    expect(result.ok).toBe(true);
    // 7 invoices, 2 a page: the walk stops at page 3, where invoices older than the window begin.
    expect(so.pages().slice(before)).toEqual([1, 2, 3]);
    expect(result.batches.map((b) => [b.records, b.imported, b.updated, b.removed])).toEqual([
      [1, 1, 0, 0],
      [4, 1, 1, 1],
    ]);
    const rows = await ledger();
    expect(rows.filter((r) => r[1]! >= "2026-01-01")).toEqual([
      ["invoice", "2026-01-10", "1250.25", "USD", "Invoice 011026-0004 to Globex"],
      ["invoice", "2026-01-20", "4000.10", "USD", "Invoice 012026-0006 to Acme"],
      ["payment", "2026-01-24", "-1250.25", "USD", "Payment of invoice 011026-0004 by Globex"],
      ["invoice", "2026-01-25", "42", "USD", "Invoice 012526-0007 to Acme"],
    ]);
    expect(rows[0]).toEqual(["invoice", "2025-10-01", "1500.00", "USD", "Invoice 100125-0001 to Acme"]);

    const quiet = await syncConnection(admin(), id);
    expect(quiet.ok).toBe(true);
    expect(quiet.batches).toEqual([]);
  });

  it("a crash after the fetch, then one before the commit: the invoice lands exactly once", async () => {
    inv.jan28 = so.add({ invoiceDate: "2026-01-28", totalAmount: "7.5" }).invoiceId;
    const cursor = async () => asService(async (db) => (await db.query<{ cursor: unknown }>("select cursor from public.connections where id = $1", [id])).rows[0]!.cursor);
    const before = await cursor();
    await expect(syncConnection(admin(), id, { hooks: { afterFetch: () => Promise.reject(new Error("simulated crash after fetch")) } })).rejects.toThrow("simulated crash after fetch");
    expect(await cursor()).toEqual(before);
    await expect(syncConnection(admin(), id, { hooks: { beforeCommit: () => Promise.reject(new Error("simulated crash before commit")) } })).rejects.toThrow("simulated crash before commit");
    expect(await cursor()).toEqual(before);
    const result = await syncConnection(admin(), id);
    expect(result.ok).toBe(true);
    expect(result.batches.map((b) => [b.outcome, b.imported])).toEqual([["committed", 1]]);
    expect((await ledger()).filter((r) => r[1] === "2026-01-28")).toHaveLength(1);
  });

  it("waits out a 429 with Retry-After; reports GraphQL errors of a sync in SuperOps' words", async () => {
    so.add({ invoiceDate: "2026-01-29", totalAmount: "3" });
    so.failNext("/msp", { ...graphqlErrors("Rate limit exceeded", "RateLimited", 429), headers: { "Retry-After": "1" } });
    const waited = await syncConnection(admin(), id);
    expect(waited.ok).toBe(true);
    expect(waited.batches.map((b) => b.imported)).toEqual([1]);

    so.failNext("/msp", graphqlErrors("Exception while fetching data (/getInvoiceList) : Internal error"));
    const failed = await syncConnection(admin(), id);
    expect(failed.ok).toBe(false);
    expect(failed.error?.message).toBe("SuperOps: Exception while fetching data (/getInvoiceList) : Internal error");
  });
});
