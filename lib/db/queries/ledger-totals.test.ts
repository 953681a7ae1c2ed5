/**
 * The ledger's kept per-day totals (private.ledger_day_totals, kept by triggers on public.transactions)
 * and its source list against summing and listing the transactions themselves, after every kind of
 * write: inserts (some skipped by `on conflict do nothing`, as the commit's are), corrections of
 * amount, day, account, currency, source or only the description, deletes, and the tenant's deletion.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { compareDecimals } from "@/lib/money/decimal";
import type { Db } from "@/lib/db/pool";
import { asService, asUser, createTenant, type TestTenant } from "@/test/db";
import { countTransactions, LEDGER_FILTER_KEYS, ledgerFilterOptions, ledgerFilterSchema, ledgerTotals, sumLedgerTotals, type LedgerFilter, type LedgerTotals } from "./transactions";

let tenant: TestTenant;
let accounts: string[];

beforeAll(async () => {
  tenant = await createTenant("ledger-day-totals");
  accounts = await asService(async (db) =>
    (
      await db.query<{ id: string }>(
        "insert into public.accounts (tenant_id, name, number, currency) values ($1, 'Till', '1', 'KES'), ($1, 'Bank', '2', 'USD') returning id",
        [tenant.id],
      )
    ).rows.map((r) => r.id),
  );
});

/** A deterministic pseudo-random sequence (the same writes on every run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const DAYS = ["2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02", "2026-02-03"];

function filters(): { name: string; filter: LedgerFilter }[] {
  return [
    { name: "no filter", filter: {} },
    { name: "one account", filter: { accountId: accounts[0]! } },
    { name: "a date range", filter: { from: "2026-01-31", to: "2026-02-02" } },
    { name: "an account and a start date", filter: { accountId: accounts[1]!, from: "2026-02-01" } },
    { name: "an account with no rows", filter: { accountId: "00000000-0000-4000-8000-000000000001" } },
    { name: "a source", filter: { source: "mt940" } },
    { name: "a source and a date range", filter: { source: "csv", from: "2026-01-31", to: "2026-02-01" } },
  ];
}

/** The kept totals and the summed ones, for every filter, as the tenant's viewer reads them. */
async function bothWays(): Promise<{ name: string; kept: LedgerTotals[]; summed: LedgerTotals[] }[]> {
  return asUser(tenant.members.viewer, async (db) => {
    const out = [];
    for (const { name, filter } of filters()) {
      out.push({ name, kept: await ledgerTotals(db, { tenantId: tenant.id, filter }), summed: await sumLedgerTotals(db, { tenantId: tenant.id, filter }) });
    }
    return out;
  });
}

/** Equal amounts (a kept sum may carry more decimal places after rows were taken away). */
function expectSameAmounts(kept: LedgerTotals[], summed: LedgerTotals[], context: string): void {
  expect(kept.map((t) => [t.currency, t.count]), context).toEqual(summed.map((t) => [t.currency, t.count]));
  summed.forEach((s, i) => {
    const k = kept[i]!;
    for (const field of ["credits", "debits", "net"] as const) expect(compareDecimals(k[field], s[field]), `${context}: ${s.currency} ${field} ${k[field]} vs ${s[field]}`).toBe(0);
  });
}

async function insertRows(db: Db, next: () => number, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const whole = Math.floor(next() * 2000) - 1000;
    const scale = Math.floor(next() * 4);
    // Zero amounts count as rows but are neither credits nor debits.
    const amount = next() < 0.1 ? "0" : `${whole}${scale ? "." + String(Math.floor(next() * 10 ** scale)).padStart(scale, "0") : ""}`;
    const account = next() < 0.15 ? null : accounts[Math.floor(next() * 2)]!;
    const currency = next() < 0.7 ? "KES" : "USD";
    // external_id repeats on purpose: the ledger's unique dedup key skips the copies.
    await db.query(
      `insert into public.transactions (tenant_id, account_id, booking_date, amount, currency, description, source, external_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing`,
      [tenant.id, account, DAYS[Math.floor(next() * DAYS.length)], amount, currency, `row ${tag}-${i}`, next() < 0.3 ? "mt940" : "csv", `E${Math.floor(next() * 60)}`],
    );
  }
}

describe("ledger totals kept per day", () => {
  it("equal the summed totals exactly, decimal places included, while rows are only added", async () => {
    const next = random(7);
    await asService(async (db) => {
      await insertRows(db, next, 80, "a");
      // One statement with many rows, as a commit writes them.
      await db.query(
        `insert into public.transactions (tenant_id, account_id, booking_date, amount, currency, description, source)
         select $1, $2, date '2026-01-30' + (g % 5), (g - 100)::numeric / 8, 'KES', 'bulk ' || g, 'csv' from generate_series(1, 400) g`,
        [tenant.id, accounts[0]],
      );
    });
    for (const { name, kept, summed } of await bothWays()) expect(kept, name).toEqual(summed);
    const all = (await bothWays())[0]!.summed;
    expect(all.reduce((n, t) => n + t.count, 0)).toBeGreaterThan(400);
  });

  it("equal the summed amounts after corrections of every field, deletes and more inserts, in any order", async () => {
    const next = random(11);
    for (let round = 0; round < 12; round++) {
      await asService(async (db) => {
        const pick = `(select id from public.transactions where tenant_id = $1 order by md5(id::text || '${round}') limit 15)`;
        const step = round % 6;
        if (step === 0) await db.query(`update public.transactions set amount = -amount * 2 where tenant_id = $1 and id in ${pick}`, [tenant.id]);
        if (step === 1) await db.query(`update public.transactions set booking_date = booking_date + 1 where tenant_id = $1 and id in ${pick}`, [tenant.id]);
        if (step === 2) await db.query(`update public.transactions set account_id = $2 where tenant_id = $1 and id in ${pick}`, [tenant.id, round % 4 === 2 ? null : accounts[1]]);
        if (step === 3) await db.query(`update public.transactions set currency = 'EUR', description = description || ' (EUR)' where tenant_id = $1 and id in ${pick}`, [tenant.id]);
        if (step === 4) await db.query(`update public.transactions set description = 'corrected', source = 'manual' where tenant_id = $1 and id in ${pick}`, [tenant.id]);
        if (step === 5) await db.query(`delete from public.transactions where tenant_id = $1 and id in ${pick}`, [tenant.id]);
        await insertRows(db, next, 10, `r${round}`);
      });
      for (const { name, kept, summed } of await bothWays()) expectSameAmounts(kept, summed, `round ${round}, ${name}`);
    }
    const { listed, distinct, counted, rows } = await asUser(tenant.members.viewer, async (db) => ({
      listed: (await ledgerFilterOptions(db, { tenantId: tenant.id })).sources,
      distinct: (await db.query<{ source: string }>("select distinct source from public.transactions where tenant_id = $1 order by 1", [tenant.id])).rows.map((r) => r.source),
      counted: await countTransactions(db, { tenantId: tenant.id }),
      rows: (await db.query<{ n: number }>("select count(*)::int as n from public.transactions where tenant_id = $1", [tenant.id])).rows[0]!.n,
    }));
    expect(listed).toEqual(["csv", "manual", "mt940"]);
    expect(listed).toEqual(distinct);
    expect(counted).toBe(rows);
  });

  it("answer every filter the ledger offers as summing does, each alone (kept or summed, whichever serves it)", async () => {
    // Every key of the filter schema, so a filter added later is covered here too.
    expect([...LEDGER_FILTER_KEYS].sort()).toEqual(Object.keys(ledgerFilterSchema.shape).sort());
    const sample: Required<LedgerFilter> = {
      q: "row a",
      accountId: accounts[1]!,
      from: "2026-02-01",
      to: "2026-01-31",
      min: "-100",
      max: "250.5",
      source: "mt940",
      importId: "00000000-0000-4000-8000-000000000002",
    };
    await asUser(tenant.members.viewer, async (db) => {
      for (const key of LEDGER_FILTER_KEYS) {
        const filter: LedgerFilter = { [key]: sample[key] };
        const summed = await sumLedgerTotals(db, { tenantId: tenant.id, filter });
        expectSameAmounts(await ledgerTotals(db, { tenantId: tenant.id, filter }), summed, key);
        if (key !== "importId") expect(summed.length, `${key} selects some rows`).toBeGreaterThan(0);
      }
    });
  });

  it("go with the rows: deleting every row leaves no totals, deleting the tenant leaves nothing behind", async () => {
    const other = await createTenant("ledger-day-totals-gone");
    const keptRows = (db: Db) => db.query("select 1 from private.ledger_day_totals where tenant_id = $1", [other.id]).then((r) => r.rowCount);
    await asService(async (db) => {
      await db.query(
        `insert into public.transactions (tenant_id, booking_date, amount, currency, source) values ($1, '2026-01-30', '5', 'KES', 'csv'), ($1, '2026-01-31', '-5', 'KES', 'csv')`,
        [other.id],
      );
      expect(await keptRows(db)).toBe(2);
      await db.query("delete from public.transactions where tenant_id = $1 and booking_date = '2026-01-30'", [other.id]);
      expect(await keptRows(db)).toBe(1);
      await db.query("delete from public.tenants where id = $1", [other.id]);
      expect(await keptRows(db)).toBe(0);
    });
    expect(await asUser(tenant.members.admin, (db) => ledgerTotals(db, { tenantId: other.id }))).toEqual([]);
  });
});
