/**
 * The SQL connector against a real MariaDB on loopback (test/mariadb.ts, Debian's mariadb-server):
 * test connection and its errors in plain words (never the password), a full sync in batches on the
 * cursor column, an incremental sync that reads only the rows after the cursor, a changed row that
 * updates its ledger row, exact DECIMAL amounts and BIGINT ids beyond 2^53, and a connection string
 * that may not carry driver options.
 */
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { startMariaDb, type MariaDbServer } from "@/test/mariadb";
import { createConnection } from "../service";
import { sourceOf, syncConnection } from "../sync";
import { sqlConfig, sqlConnector, sqlSecrets } from "./index";

let server: MariaDbServer;
let admin: mysql.Connection;
let readerUrl: string;
let t: TestTenant;
let accountId: string;
const tenantAdmin = () => ({ claims: t.members.admin.claims, tenantId: t.id });
const mapping = { table: "payments", cursorColumn: "updated_at", idColumn: "id", amountColumn: "amount", dateColumn: "booked_on", descriptionColumn: "memo", currencyColumn: "currency" };

async function ledger(id: string) {
  return asService(async (db) =>
    (
      await db.query<{ id: string; external_id: string; amount: string; currency: string; booking_date: string; description: string }>(
        "select id::text, external_id, amount::text, currency, booking_date::text, description from public.transactions where tenant_id = $1 and source like $2 order by booking_date, external_id",
        [t.id, `${sourceOf("sql", id)}:%`],
      )
    ).rows,
  );
}

beforeAll(async () => {
  server = await startMariaDb();
  admin = await mysql.createConnection({ uri: server.rootUrl });
  await admin.query("create database shop");
  await admin.query(`create table shop.payments (id bigint primary key, updated_at datetime(6) not null, amount decimal(20,4) not null,
                       booked_on date not null, memo varchar(200), currency char(3) not null default 'USD')`);
  await admin.query(`insert into shop.payments values
    (1, '2026-02-01 10:00:00.123456', 100.1000, '2026-02-01', 'Invoice 1001 paid', 'USD'),
    (2, '2026-02-01 10:00:00.123456', -20.0500, '2026-02-01', 'Bank fee', 'USD'),
    (9007199254740993, '2026-02-02 09:30:00', 1234567890123456.7891, '2026-02-02', 'Big transfer', 'USD')`);
  await admin.query("create user 'inflow_reader'@'127.0.0.1' identified by 'reader-pass-5e1f'");
  await admin.query("grant select on shop.* to 'inflow_reader'@'127.0.0.1'");
  readerUrl = `mysql://inflow_reader:reader-pass-5e1f@127.0.0.1:${server.port}/shop`;
  t = await createTenant("mysql-sync");
  accountId = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Shop bank', 'USD') returning id", [t.id])).rows[0]!.id);
});

afterAll(async () => {
  await admin?.end().catch(() => undefined);
  await server?.stop();
});

describe("SQL connector on MariaDB: test connection", () => {
  it("reads the mapped columns, and explains failures without the password", async () => {
    const config = sqlConfig.parse(mapping);
    expect(await sqlConnector.test(config, { connectionString: readerUrl })).toEqual({
      ok: true,
      message: 'Connected to database "shop" as "inflow_reader@127.0.0.1": the table payments and its mapped columns can be read.',
    });
    const wrong = readerUrl.replace("reader-pass-5e1f", "not-the-password-9c2d");
    const refused = await sqlConnector.test(config, { connectionString: wrong });
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^The database refused the user name or password\. \(Access denied for user 'inflow_reader'@'127\.0\.0\.1'/);
    expect(refused.message).not.toContain("not-the-password-9c2d");
    expect(await sqlConnector.test(sqlConfig.parse({ ...mapping, descriptionColumn: "note" }), { connectionString: readerUrl })).toEqual({
      ok: false,
      message: "A mapped column was not found. Check the column names. (Unknown column 'note' in the table or query)",
    });
    expect((await sqlConnector.test(sqlConfig.parse({ ...mapping, table: "refunds" }), { connectionString: readerUrl })).message).toBe(
      "The table was not found. Check its name and schema. (Table 'shop.refunds' doesn't exist)",
    );
  });

  it("takes no driver options from the connection string", () => {
    const parsed = sqlSecrets.safeParse({ connectionString: `${readerUrl}?localInfile=true` });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe("Remove localInfile=…: a MySQL connection string may carry only ssl=true");
    expect(sqlSecrets.safeParse({ connectionString: `mariadb://u:p@db.example.com:3306/shop?ssl=true` }).success).toBe(true);
  });
});

describe("SQL connector on MariaDB: synced on the cursor column", () => {
  let id: string;

  it("full sync in batches: exact amounts and big ids as the server writes them", async () => {
    id = (await createConnection(tenantAdmin(), { name: "Shop MariaDB", type: "sql", config: { ...mapping, batchSize: 2, accountId }, secrets: { connectionString: readerUrl } })).id;
    const result = await syncConnection(tenantAdmin(), id);
    expect(result.error).toBeUndefined();
    expect(result.batches.map((b) => [b.seq, b.records, b.imported])).toEqual([
      [1, 2, 2],
      [2, 1, 1],
    ]);
    expect((await ledger(id)).map((r) => [r.external_id, r.amount, r.booking_date, r.description])).toEqual([
      ["payments:1", "100.1000", "2026-02-01", "Invoice 1001 paid"],
      ["payments:2", "-20.0500", "2026-02-01", "Bank fee"],
      ["payments:9007199254740993", "1234567890123456.7891", "2026-02-02", "Big transfer"],
    ]);
    const cursor = await asService(async (db) => (await db.query<{ cursor: unknown }>("select cursor from public.connections where id = $1", [id])).rows[0]!.cursor);
    expect(cursor).toEqual({ seq: 2, value: { value: "2026-02-02 09:30:00.000000", id: "9007199254740993" } });
  });

  it("incremental sync reads only the rows after the cursor; a changed row updates its ledger row", async () => {
    const before = await ledger(id);
    await admin.query("insert into shop.payments values (3, '2026-02-03 08:00:00', 55.5000, '2026-02-03', 'Invoice 1003 paid', 'USD')");
    await admin.query("update shop.payments set amount = -21.0000, memo = 'Bank fee (corrected)', updated_at = '2026-02-03 09:00:00' where id = 2");
    const result = await syncConnection(tenantAdmin(), id);
    expect(result.batches.map((b) => [b.records, b.imported, b.updated])).toEqual([[2, 1, 1]]);
    const after = await ledger(id);
    expect(after.map((r) => [r.external_id, r.amount, r.description])).toEqual([
      ["payments:1", "100.1000", "Invoice 1001 paid"],
      ["payments:2", "-21.0000", "Bank fee (corrected)"],
      ["payments:9007199254740993", "1234567890123456.7891", "Big transfer"],
      ["payments:3", "55.5000", "Invoice 1003 paid"],
    ]);
    expect(after.find((r) => r.external_id === "payments:2")!.id).toBe(before.find((r) => r.external_id === "payments:2")!.id);
    expect((await syncConnection(tenantAdmin(), id)).batches).toEqual([]);
  });
});
