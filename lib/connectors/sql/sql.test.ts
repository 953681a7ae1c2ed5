/**
 * The SQL connector against a second database created on the test's embedded Postgres: test
 * connection (and its errors in plain words, never the password), a full sync in batches on the
 * cursor column, an incremental sync that reads only the rows after the cursor, a changed row that
 * updates its ledger row, and a read-only session that cannot write to the source.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseUrl } from "@/lib/db/pool";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { createConnection } from "../service";
import { sourceOf, syncConnection } from "../sync";
import { sqlConfig, sqlConnector } from "./index";

const DATABASE = `inflow_sqlsrc_${randomBytes(4).toString("hex")}`;
let ownerUrl: string;
let sourceUrl: string;
let source: pg.Client;
let t: TestTenant;
let accountId: string;
const admin = () => ({ claims: t.members.admin.claims, tenantId: t.id });

const mapping = { table: "payments", cursorColumn: "updated_at", idColumn: "id", amountColumn: "amount", dateColumn: "booked_on", descriptionColumn: "memo", currencyColumn: "currency" };

async function ledger(id: string) {
  return asService(async (db) =>
    (
      await db.query<{ id: string; external_id: string; amount: string; currency: string; booking_date: string; description: string }>(
        "select id::text, external_id, amount::text, currency, booking_date, description from public.transactions where tenant_id = $1 and source like $2 order by external_id",
        [t.id, `${sourceOf("sql", id)}:%`],
      )
    ).rows,
  );
}

beforeAll(async () => {
  ownerUrl = await databaseUrl();
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  await owner.query(`create database ${DATABASE}`);
  await owner.end();
  const url = new URL(ownerUrl);
  url.pathname = `/${DATABASE}`;
  sourceUrl = url.toString();
  source = new pg.Client({ connectionString: sourceUrl });
  await source.connect();
  await source.query(`create table payments (id serial primary key, updated_at timestamptz not null, amount numeric(14,2) not null,
                        booked_on date not null, memo text, currency text not null default 'USD')`);
  await source.query(`insert into payments (updated_at, amount, booked_on, memo) values
    ('2026-02-01 10:00:00.123456+00', 100.10, '2026-02-01', 'Invoice 1001 paid'),
    ('2026-02-01 10:00:00.123456+00', -20.05, '2026-02-01', 'Bank fee'),
    ('2026-02-02 09:30:00+00', 2500.00, '2026-02-02', 'Invoice 1002 paid')`);
  t = await createTenant("sql-sync");
  accountId = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Receivables bank', 'USD') returning id", [t.id])).rows[0]!.id);
});

afterAll(async () => {
  await source?.end().catch(() => undefined);
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  await owner.query(`drop database if exists ${DATABASE} with (force)`);
  await owner.end();
});

describe("SQL connector: test connection", () => {
  it("reads the mapped columns, and explains failures without the password", async () => {
    const config = sqlConfig.parse(mapping);
    const ok = await sqlConnector.test(config, { connectionString: sourceUrl });
    expect(ok).toEqual({ ok: true, message: `Connected to database "${DATABASE}" as "postgres": the table payments and its mapped columns can be read.` });

    const wrong = new URL(sourceUrl);
    wrong.password = "not-the-password-7f3a";
    const refused = await sqlConnector.test(config, { connectionString: wrong.toString() });
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^The database refused the user name or password\./);
    expect(refused.message).not.toContain("not-the-password-7f3a");

    const missing = await sqlConnector.test(sqlConfig.parse({ ...mapping, memo: undefined, descriptionColumn: "note" }), { connectionString: sourceUrl });
    expect(missing).toEqual({ ok: false, message: 'A mapped column was not found. Check the column names. (column src.note does not exist)' });
  });
});

describe("a SQL connection, synced", () => {
  let id: string;

  it("full sync: reads the rows in cursor order, a batch at a time, amounts exact", async () => {
    id = (await createConnection(admin(), { name: "Payments DB", type: "sql", config: { ...mapping, batchSize: 2, accountId }, secrets: { connectionString: sourceUrl } })).id;
    const result = await syncConnection(admin(), id);
    expect(result.ok).toBe(true);
    expect(result.batches.map((b) => [b.seq, b.records, b.imported])).toEqual([
      [1, 2, 2],
      [2, 1, 1],
    ]);
    expect((await ledger(id)).map((r) => [r.external_id, r.amount, r.currency, r.booking_date, r.description])).toEqual([
      ["payments:1", "100.10", "USD", "2026-02-01", "Invoice 1001 paid"],
      ["payments:2", "-20.05", "USD", "2026-02-01", "Bank fee"],
      ["payments:3", "2500.00", "USD", "2026-02-02", "Invoice 1002 paid"],
    ]);
    const cursor = await asService(async (db) => (await db.query<{ cursor: unknown }>("select cursor from public.connections where id = $1", [id])).rows[0]!.cursor);
    expect(cursor).toEqual({ seq: 2, value: { value: "2026-02-02 09:30:00+00", id: "3" } });
  });

  it("incremental sync: only rows after the cursor; a changed row updates its ledger row", async () => {
    const before = await ledger(id);
    await source.query(`insert into payments (updated_at, amount, booked_on, memo, currency) values ('2026-02-03 08:00:00+00', 12.345, '2026-02-03', 'Refund', 'usd')`);
    await source.query(`update payments set amount = 99.99, memo = 'Invoice 1001 paid (short)', updated_at = '2026-02-03 09:00:00+00' where id = 1`);
    const result = await syncConnection(admin(), id);
    expect(result.batches.map((b) => [b.seq, b.records, b.imported, b.updated])).toEqual([[3, 2, 1, 1]]);
    const after = await ledger(id);
    expect(after.map((r) => [r.external_id, r.amount, r.description])).toEqual([
      ["payments:1", "99.99", "Invoice 1001 paid (short)"],
      ["payments:2", "-20.05", "Bank fee"],
      ["payments:3", "2500.00", "Invoice 1002 paid"],
      ["payments:4", "12.35", "Refund"],
    ]);
    expect(after[0]!.id).toBe(before[0]!.id);
    expect((await syncConnection(admin(), id)).batches).toEqual([]);
  });

  it("reads in a read-only session: a query cannot change the source", async () => {
    const config = sqlConfig.parse({ ...mapping, table: undefined, query: "select * from payments where nextval('payments_id_seq') > 0" });
    const result = await sqlConnector.test(config, { connectionString: sourceUrl });
    expect(result).toEqual({ ok: false, message: 'The database answered: cannot execute nextval() in a read-only transaction' });
  });
});
