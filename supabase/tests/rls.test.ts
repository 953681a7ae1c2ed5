/**
 * Row-level security, table by table and command by command, for every kind of caller: the four roles
 * of tenant A, the admin of another tenant B, and the anonymous caller (Postgres role `anon`).
 *
 * Every attempt runs in its own transaction that is rolled back afterwards, so the fixtures built once
 * in beforeAll stay exactly as seeded and each row of the matrix is independent of the others.
 * Outcomes are exact: `rows(n)` is the statement's row count (rows seen, inserted, updated or deleted),
 * `refused` is Postgres error 42501 (new row violates row-level security policy / permission denied),
 * `foreignKey` is 23503 (a key that leads with tenant_id found no such row in the caller's own tenant).
 * The security_invoker views are covered too: they show exactly what the underlying table's policies do.
 */
import { randomUUID } from "node:crypto";
import type { QueryResult } from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/pool";
import { asAnon, asService, asUser, createTenant, createUser, type TestTenant, type TestUser } from "@/test/db";

const ACTORS = ["admin", "reviewer", "uploader", "viewer", "b-admin", "anon"] as const;
type Actor = (typeof ACTORS)[number];
const TABLES = [
  "tenants",
  "memberships",
  "accounts",
  "imports",
  "transactions",
  "staged_rows",
  "import_issues",
  "import_statements",
  "account_mappings",
  "statement_balances",
  "duplicate_candidates",
  "audit_log",
  "sales_lines",
  "gl_balances",
  "appointments",
  "connections",
  "connection_files",
  "mpesa_confirmations",
  "revoked_sessions",
] as const;
type Table = (typeof TABLES)[number];
/** Views in public; each must be security_invoker so the caller's RLS on the underlying table applies. */
const VIEWS = ["gl_balances_current", "appointments_current"] as const;
type View = (typeof VIEWS)[number];
const COMMANDS = ["select", "insert", "update", "delete"] as const;
type Command = (typeof COMMANDS)[number];

type Outcome = { rows: number } | { error: string };
const rows = (n: number): Outcome => ({ rows: n });
const refused: Outcome = { error: "42501" };
/** Foreign key violation: the referenced row is not in the same tenant (keys lead with tenant_id). */
const foreignKey: Outcome = { error: "23503" };

interface Fixtures {
  a: TestTenant;
  b: TestTenant;
  /** A signed-up user who belongs to no tenant (the one admins try to add). */
  outsider: TestUser;
  aAccountIds: string[];
  aImportId: string;
  /** A's second import: a later trial balance and appointment export that supersede some of the first one's rows. */
  aImport2Id: string;
  aTransactionIds: string[];
  bAccountId: string;
  bImportId: string;
  bTransactionId: string;
  aConnectionId: string;
}

let fx: Fixtures;

/** What tenant A and B hold after seeding, so expectations below read as numbers with a meaning. */
const A = {
  tenants: 1,
  memberships: 4,
  accounts: 2,
  imports: 2,
  transactions: 3,
  staged_rows: 3,
  import_issues: 2,
  import_statements: 1,
  account_mappings: 2,
  statement_balances: 2,
  duplicate_candidates: 1,
  audit_log: 3,
  sales_lines: 2,
  gl_balances: 3,
  appointments: 3,
  connections: 1,
  connection_files: 1,
  mpesa_confirmations: 1,
  /** Per user: each member sees the one signed-out session of their own. */
  revoked_sessions: 1,
} as const satisfies Record<Table, number>;
const B = {
  tenants: 1,
  memberships: 4,
  accounts: 1,
  imports: 2,
  transactions: 2,
  staged_rows: 2,
  import_issues: 1,
  import_statements: 1,
  account_mappings: 1,
  statement_balances: 1,
  duplicate_candidates: 1,
  audit_log: 1,
  sales_lines: 1,
  gl_balances: 2,
  appointments: 2,
  connections: 1,
  connection_files: 1,
  mpesa_confirmations: 1,
  revoked_sessions: 1,
} as const satisfies Record<Table, number>;
/** The views: the same trial-balance line and appointment re-imported later count once. */
const A_VIEWS = { gl_balances_current: 2, appointments_current: 2 } as const satisfies Record<View, number>;
const B_VIEWS = { gl_balances_current: 1, appointments_current: 1 } as const satisfies Record<View, number>;

interface Seed {
  accounts: string[];
  transactions: string[];
  stagedRows: number;
  issues: number;
  mappings: number;
  balances: number;
  audit: number;
  sales: number;
  /** [which import (0 or 1), account code]; the same code in both imports is one line of the current trial balance. */
  gl: [0 | 1, string][];
  /** [which import, SalesPro _id, _updated_at]. */
  appointments: [0 | 1, string, string][];
}

beforeAll(async () => {
  const a = await createTenant("rls-a");
  const b = await createTenant("rls-b");
  const outsider = await createUser("rls-outsider");
  const seeded = await asService(async (db) => {
    const one = async (sql: string, params: unknown[]): Promise<string> => (await db.query<{ id: string }>(sql, params)).rows[0]!.id;
    const seedTenant = async (tenant: TestTenant, seed: Seed) => {
      const accountIds: string[] = [];
      for (const name of seed.accounts) {
        accountIds.push(
          await one("insert into public.accounts (tenant_id, name, number, currency) values ($1, $2, '0011', 'KES') returning id", [tenant.id, name]),
        );
      }
      const importIds: string[] = [];
      for (const [file, status] of [["statement.csv", "committed"], ["later.csv", "committed"]] as const) {
        importIds.push(
          await one("insert into public.imports (tenant_id, file_name, format, status, created_by) values ($1, $2, 'csv', $3, $4) returning id", [
            tenant.id,
            file,
            status,
            tenant.members.uploader.id,
          ]),
        );
      }
      const importId = importIds[0]!;
      const transactionIds: string[] = [];
      for (const amount of seed.transactions) {
        transactionIds.push(
          await one(
            `insert into public.transactions (tenant_id, booking_date, amount, currency, description, source, import_id)
             values ($1, '2026-01-15', $2, 'KES', 'seeded', 'csv', $3) returning id::text`,
            [tenant.id, amount, importId],
          ),
        );
      }
      for (let n = 1; n <= seed.stagedRows; n++) {
        await db.query(
          `insert into public.staged_rows (tenant_id, import_id, row_no, line, kind, external_account, record, status)
           values ($1, $2, $3, $3 + 1, 'transaction', 'EXT-1', '{"amount": "100.00"}', $4)`,
          [tenant.id, importId, n, n === 1 ? "likely_duplicate" : "new"],
        );
      }
      for (let n = 1; n <= seed.issues; n++) {
        await db.query("insert into public.import_issues (tenant_id, import_id, line, severity, code, message) values ($1, $2, $3, 'warning', 'seeded', 'A seeded warning')", [
          tenant.id,
          importId,
          n,
        ]);
      }
      await db.query(
        `insert into public.import_statements (tenant_id, import_id, statement_no, line, external_account, account)
         values ($1, $2, 1, 1, 'EXT-1', '{"accountId": "EXT-1"}')`,
        [tenant.id, importId],
      );
      for (let n = 0; n < seed.mappings; n++) {
        await db.query("insert into public.account_mappings (tenant_id, source, external_id, account_id, created_by) values ($1, 'bank', $2, $3, $4)", [
          tenant.id,
          `EXT-${n + 1}`,
          accountIds[n % accountIds.length],
          tenant.members.admin.id,
        ]);
      }
      for (let n = 0; n < seed.balances; n++) {
        await db.query(
          `insert into public.statement_balances (tenant_id, import_id, account_id, type, balance_date, amount, currency)
           values ($1, $2, $3, $4, '2026-01-31', '500.00', 'KES')`,
          [tenant.id, importId, accountIds[0], n === 0 ? "opening" : "closing"],
        );
      }
      // Staged row 1 is held as a likely duplicate of the first ledger row.
      await db.query(
        `insert into public.duplicate_candidates (tenant_id, import_id, row_no, matched_transaction_id, score, reason)
         values ($1, $2, 1, $3, 0.9, '{"sameAmount": true}')`,
        [tenant.id, importId, transactionIds[0]],
      );
      for (let n = 0; n < seed.audit; n++) {
        await db.query("insert into public.audit_log (tenant_id, actor, action, entity, entity_id) values ($1, $2, 'import.upload', 'import', $3)", [
          tenant.id,
          tenant.members.uploader.id,
          importId,
        ]);
      }
      for (let n = 0; n < seed.sales; n++) {
        await db.query(
          `insert into public.sales_lines (tenant_id, import_id, sale_date, item, quantity, unit_price, total, dedup_key)
           values ($1, $2, '2026-01-15', 'Coffee', '2', '1.50', '3.00', $3)`,
          [tenant.id, importId, `fp:seeded:${n + 1}`],
        );
      }
      for (const [which, code] of seed.gl) {
        // The second import's lines are committed later, so they win in gl_balances_current.
        await db.query(
          `insert into public.gl_balances (tenant_id, import_id, entity, period, account_code, account_name, balance, committed_at)
           values ($1, $2, 'HQ', '2026-01', $3, 'Seeded', '10.00', now() + make_interval(mins => $4))`,
          [tenant.id, importIds[which], code, which],
        );
      }
      for (const [which, externalId, updated] of seed.appointments) {
        await db.query(
          `insert into public.appointments (tenant_id, import_id, external_id, updated_at_source, fields)
           values ($1, $2, $3, $4, '{}')`,
          [tenant.id, importIds[which], externalId, updated],
        );
      }
      // One SFTP connection per tenant, with one file it imported.
      const connectionId = await one(
        "insert into public.connections (tenant_id, name, type, secret_ciphertext, created_by) values ($1, 'Bank drop folder', 'sftp', '\\x01', $2) returning id",
        [tenant.id, tenant.members.admin.id],
      );
      await db.query(
        "insert into public.connection_files (tenant_id, connection_id, path, size, sha256, import_id) values ($1, $2, 'statement.csv', 10, repeat('a', 64), $3)",
        [tenant.id, connectionId, importId],
      );
      // One M-Pesa confirmation its callback stored for the connection.
      await db.query(
        `insert into public.mpesa_confirmations (tenant_id, connection_id, trans_id, payload, raw) values ($1, $2, 'RKTQDM7W6S', '{"TransID": "RKTQDM7W6S"}', '{"TransID": "RKTQDM7W6S"}')`,
        [tenant.id, connectionId],
      );
      // Every member signed out of one session, whose token has since expired.
      for (const member of Object.values(tenant.members)) {
        await db.query("insert into public.revoked_sessions (user_id, session_id, expires_at) values ($1, gen_random_uuid(), now() - interval '1 hour')", [member.id]);
      }
      return { accountIds, importIds, transactionIds, connectionId };
    };
    const sa = await seedTenant(a, {
      accounts: ["Operating", "M-Pesa till"],
      transactions: ["100.00", "-25.50", "0.01"],
      stagedRows: A.staged_rows,
      issues: A.import_issues,
      mappings: A.account_mappings,
      balances: A.statement_balances,
      audit: A.audit_log,
      sales: A.sales_lines,
      gl: [[0, "1000"], [0, "2000"], [1, "1000"]],
      appointments: [[0, "appt-1", "2026-01-01T10:00:00Z"], [0, "appt-2", "2026-01-01T10:00:00Z"], [1, "appt-1", "2026-01-02T10:00:00Z"]],
    });
    const sb = await seedTenant(b, {
      accounts: ["B operating"],
      transactions: ["999.99", "-1.00"],
      stagedRows: B.staged_rows,
      issues: B.import_issues,
      mappings: B.account_mappings,
      balances: B.statement_balances,
      audit: B.audit_log,
      sales: B.sales_lines,
      gl: [[0, "1000"], [1, "1000"]],
      appointments: [[0, "appt-1", "2026-01-01T10:00:00Z"], [1, "appt-1", "2026-01-02T10:00:00Z"]],
    });
    return { sa, sb };
  });
  fx = {
    a,
    b,
    outsider,
    aAccountIds: seeded.sa.accountIds,
    aImportId: seeded.sa.importIds[0]!,
    aImport2Id: seeded.sa.importIds[1]!,
    aTransactionIds: seeded.sa.transactionIds,
    bAccountId: seeded.sb.accountIds[0]!,
    bImportId: seeded.sb.importIds[0]!,
    bTransactionId: seeded.sb.transactionIds[0]!,
    aConnectionId: seeded.sa.connectionId,
  };
});

class Rollback extends Error {}

function userOf(actor: Exclude<Actor, "anon">): TestUser {
  return actor === "b-admin" ? fx.b.members.admin : fx.a.members[actor];
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") return error.code;
  return undefined;
}

/**
 * Runs `statement` as `actor` (or a signed-up user of no tenant) in a transaction that is always rolled
 * back; reports rows or the SQLSTATE.
 */
async function attempt(actor: Actor | "outsider", statement: (db: Db, me: TestUser | null) => Promise<QueryResult>): Promise<Outcome> {
  let outcome: Outcome | undefined;
  const body = async (db: Db, me: TestUser | null): Promise<never> => {
    const result = await statement(db, me);
    outcome = rows(result.rowCount ?? 0);
    throw new Rollback();
  };
  try {
    if (actor === "anon") await asAnon((db) => body(db, null));
    else {
      const me = actor === "outsider" ? fx.outsider : userOf(actor);
      await asUser(me, (db) => body(db, me));
    }
  } catch (error) {
    if (error instanceof Rollback && outcome) return outcome;
    const code = errorCode(error);
    if (code) return { error: code };
    throw error;
  }
  throw new Error("unreachable: the attempt neither rolled back nor failed");
}

/** One statement per table and command, always aimed at tenant A's rows. */
const STATEMENTS: Record<Table, Record<Command, (db: Db) => Promise<QueryResult>>> = {
  tenants: {
    select: (db) => db.query("select id from public.tenants where id = $1", [fx.a.id]),
    insert: (db) => db.query("insert into public.tenants (slug, name) values ($1, 'Sneaky')", [`sneaky-${randomUUID().slice(0, 8)}`]),
    update: (db) => db.query("update public.tenants set name = 'Renamed' where id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.tenants where id = $1", [fx.a.id]),
  },
  memberships: {
    select: (db) => db.query("select user_id from public.memberships where tenant_id = $1", [fx.a.id]),
    insert: (db) => db.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'viewer')", [fx.a.id, fx.outsider.id]),
    update: (db) =>
      db.query("update public.memberships set role = 'admin' where tenant_id = $1 and user_id = $2", [fx.a.id, fx.a.members.viewer.id]),
    delete: (db) => db.query("delete from public.memberships where tenant_id = $1 and user_id = $2", [fx.a.id, fx.a.members.viewer.id]),
  },
  accounts: {
    select: (db) => db.query("select id from public.accounts where tenant_id = $1", [fx.a.id]),
    insert: (db) => db.query("insert into public.accounts (tenant_id, name, currency) values ($1, 'New account', 'USD')", [fx.a.id]),
    update: (db) => db.query("update public.accounts set name = name || ' (renamed)' where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.accounts where tenant_id = $1", [fx.a.id]),
  },
  imports: {
    select: (db) => db.query("select id from public.imports where tenant_id = $1", [fx.a.id]),
    // created_by defaults to auth.uid(): the caller's own id.
    insert: (db) => db.query("insert into public.imports (tenant_id, file_name, format) values ($1, 'upload.csv', 'csv')", [fx.a.id]),
    update: (db) => db.query("update public.imports set status = 'failed' where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.imports where tenant_id = $1", [fx.a.id]),
  },
  transactions: {
    select: (db) => db.query("select id from public.transactions where tenant_id = $1", [fx.a.id]),
    insert: (db) =>
      db.query(
        `insert into public.transactions (tenant_id, booking_date, amount, currency, source)
         values ($1, '2026-02-01', '12.34', 'KES', 'manual')`,
        [fx.a.id],
      ),
    update: (db) => db.query("update public.transactions set description = 'corrected' where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.transactions where tenant_id = $1", [fx.a.id]),
  },
  staged_rows: {
    select: (db) => db.query("select row_no from public.staged_rows where tenant_id = $1", [fx.a.id]),
    insert: (db) =>
      db.query(
        `insert into public.staged_rows (tenant_id, import_id, row_no, line, kind, record)
         values ($1, $2, 100, 101, 'transaction', '{"amount": "1.00"}')`,
        [fx.a.id, fx.aImportId],
      ),
    update: (db) => db.query("update public.staged_rows set excluded = true where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.staged_rows where tenant_id = $1", [fx.a.id]),
  },
  import_issues: {
    select: (db) => db.query("select id from public.import_issues where tenant_id = $1", [fx.a.id]),
    insert: (db) =>
      db.query("insert into public.import_issues (tenant_id, import_id, line, severity, code, message) values ($1, $2, 9, 'error', 'bad_date', 'Bad date')", [
        fx.a.id,
        fx.aImportId,
      ]),
    update: (db) => db.query("update public.import_issues set severity = 'info' where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.import_issues where tenant_id = $1", [fx.a.id]),
  },
  import_statements: {
    select: (db) => db.query("select statement_no from public.import_statements where tenant_id = $1", [fx.a.id]),
    insert: (db) =>
      db.query(
        `insert into public.import_statements (tenant_id, import_id, statement_no, line, external_account, account)
         values ($1, $2, 2, 50, 'EXT-2', '{}')`,
        [fx.a.id, fx.aImportId],
      ),
    update: (db) => db.query("update public.import_statements set period_to = '2026-01-31' where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.import_statements where tenant_id = $1", [fx.a.id]),
  },
  account_mappings: {
    select: (db) => db.query("select external_id from public.account_mappings where tenant_id = $1", [fx.a.id]),
    // created_by defaults to auth.uid(): the caller's own id.
    insert: (db) =>
      db.query("insert into public.account_mappings (tenant_id, source, external_id, account_id) values ($1, 'bank', 'EXT-NEW', $2)", [
        fx.a.id,
        fx.aAccountIds[0],
      ]),
    // Re-mapping takes authorship, as the app's upsert does.
    update: (db) =>
      db.query("update public.account_mappings set account_id = $2, created_by = auth.uid() where tenant_id = $1", [fx.a.id, fx.aAccountIds[1]]),
    delete: (db) => db.query("delete from public.account_mappings where tenant_id = $1", [fx.a.id]),
  },
  statement_balances: {
    select: (db) => db.query("select id from public.statement_balances where tenant_id = $1", [fx.a.id]),
    insert: (db) =>
      db.query(
        `insert into public.statement_balances (tenant_id, import_id, account_id, type, balance_date, amount, currency)
         values ($1, $2, $3, 'available', '2026-01-31', '480.00', 'KES')`,
        [fx.a.id, fx.aImportId, fx.aAccountIds[0]],
      ),
    update: (db) => db.query("update public.statement_balances set amount = amount + 1 where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.statement_balances where tenant_id = $1", [fx.a.id]),
  },
  duplicate_candidates: {
    select: (db) => db.query("select id from public.duplicate_candidates where tenant_id = $1", [fx.a.id]),
    // Staged row 2 is not held yet; commit holds likely duplicates this way.
    insert: (db) =>
      db.query(
        `insert into public.duplicate_candidates (tenant_id, import_id, row_no, matched_transaction_id, score, reason)
         values ($1, $2, 2, $3, 0.8, '{}')`,
        [fx.a.id, fx.aImportId, fx.aTransactionIds[1]],
      ),
    // A decision: reject the held row.
    update: (db) =>
      db.query("update public.duplicate_candidates set status = 'rejected', decided_by = auth.uid(), decided_at = now() where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.duplicate_candidates where tenant_id = $1", [fx.a.id]),
  },
  audit_log: {
    select: (db) => db.query("select id from public.audit_log where tenant_id = $1", [fx.a.id]),
    // actor defaults to auth.uid(): the caller's own id.
    insert: (db) => db.query("insert into public.audit_log (tenant_id, action, entity, entity_id) values ($1, 'import.upload', 'import', $2)", [fx.a.id, fx.aImportId]),
    update: (db) => db.query("update public.audit_log set action = 'import.revert' where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.audit_log where tenant_id = $1", [fx.a.id]),
  },
  sales_lines: {
    select: (db) => db.query("select id from public.sales_lines where tenant_id = $1", [fx.a.id]),
    insert: (db) =>
      db.query(
        `insert into public.sales_lines (tenant_id, import_id, sale_date, item, quantity, unit_price, total, dedup_key)
         values ($1, $2, '2026-02-01', 'Tea', '1', '1.00', '1.00', 'fp:new:1')`,
        [fx.a.id, fx.aImportId],
      ),
    update: (db) => db.query("update public.sales_lines set item = 'Corrected' where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.sales_lines where tenant_id = $1", [fx.a.id]),
  },
  gl_balances: {
    select: (db) => db.query("select id from public.gl_balances where tenant_id = $1", [fx.a.id]),
    insert: (db) =>
      db.query(
        `insert into public.gl_balances (tenant_id, import_id, entity, period, account_code, account_name, balance)
         values ($1, $2, 'HQ', '2026-02', '3000', 'Payables', '-10.00')`,
        [fx.a.id, fx.aImportId],
      ),
    update: (db) => db.query("update public.gl_balances set balance = 0 where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.gl_balances where tenant_id = $1", [fx.a.id]),
  },
  appointments: {
    select: (db) => db.query("select id from public.appointments where tenant_id = $1", [fx.a.id]),
    insert: (db) => db.query("insert into public.appointments (tenant_id, import_id, external_id, fields) values ($1, $2, 'appt-new', '{}')", [fx.a.id, fx.aImportId]),
    update: (db) => db.query("update public.appointments set customer_name = 'Corrected' where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.appointments where tenant_id = $1", [fx.a.id]),
  },
  connections: {
    select: (db) => db.query("select id from public.connections where tenant_id = $1", [fx.a.id]),
    // created_by defaults to auth.uid(): the caller's own id.
    insert: (db) => db.query("insert into public.connections (tenant_id, name, type) values ($1, 'Another drop folder', 'sftp')", [fx.a.id]),
    update: (db) => db.query("update public.connections set status = 'paused' where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.connections where tenant_id = $1", [fx.a.id]),
  },
  connection_files: {
    select: (db) => db.query("select path from public.connection_files where tenant_id = $1", [fx.a.id]),
    insert: (db) =>
      db.query(
        "insert into public.connection_files (tenant_id, connection_id, path, size, sha256, import_id) values ($1, $2, 'next.csv', 20, repeat('b', 64), $3)",
        [fx.a.id, fx.aConnectionId, fx.aImportId],
      ),
    update: (db) => db.query("update public.connection_files set seen_at = now() where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.connection_files where tenant_id = $1", [fx.a.id]),
  },
  mpesa_confirmations: {
    select: (db) => db.query("select trans_id from public.mpesa_confirmations where tenant_id = $1", [fx.a.id]),
    insert: (db) =>
      db.query(
        `insert into public.mpesa_confirmations (tenant_id, connection_id, trans_id, payload, raw) values ($1, $2, 'RKTQDM7W7T', '{}', '{}')`,
        [fx.a.id, fx.aConnectionId],
      ),
    update: (db) => db.query("update public.mpesa_confirmations set payload = '{}' where tenant_id = $1", [fx.a.id]),
    delete: (db) => db.query("delete from public.mpesa_confirmations where tenant_id = $1", [fx.a.id]),
  },
  // Per user, not per tenant: aimed at A's admin's own signed-out sessions.
  revoked_sessions: {
    select: (db) => db.query("select session_id from public.revoked_sessions where user_id = $1", [fx.a.members.admin.id]),
    insert: (db) =>
      db.query("insert into public.revoked_sessions (user_id, session_id, expires_at) values ($1, gen_random_uuid(), now() + interval '1 hour')", [fx.a.members.admin.id]),
    update: (db) => db.query("update public.revoked_sessions set expires_at = now() where user_id = $1", [fx.a.members.admin.id]),
    // The seeded revocation's token has expired: only then may its user forget it.
    delete: (db) => db.query("delete from public.revoked_sessions where user_id = $1", [fx.a.members.admin.id]),
  },
};

type Row = [Table, Command, Record<Actor, Outcome>];
const row = (table: Table, command: Command, ...o: [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]): Row => [
  table,
  command,
  { admin: o[0], reviewer: o[1], uploader: o[2], viewer: o[3], "b-admin": o[4], anon: o[5] },
];

/**
 * What each caller may do to tenant A's rows. Refused reads, updates and deletes silently match no row
 * (RLS filters them); refused inserts raise 42501. Commands without any policy are refused for everyone;
 * commands not even granted (audit_log update and delete) raise 42501 for everyone.
 */
// prettier-ignore
const MATRIX: Row[] = [
  //   table                    command    admin                        reviewer                     uploader                     viewer                       b-admin  anon
  row("tenants",              "select",  rows(A.tenants),             rows(A.tenants),             rows(A.tenants),             rows(A.tenants),             rows(0), rows(0)),
  row("tenants",              "insert",  refused,                     refused,                     refused,                     refused,                     refused, refused), // no policy
  row("tenants",              "update",  rows(1),                     rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("tenants",              "delete",  rows(0),                     rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)), // no policy
  row("memberships",          "select",  rows(A.memberships),         rows(A.memberships),         rows(A.memberships),         rows(A.memberships),         rows(0), rows(0)),
  row("memberships",          "insert",  rows(1),                     refused,                     refused,                     refused,                     refused, refused),
  row("memberships",          "update",  rows(1),                     rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)), // viewer can't promote self
  row("memberships",          "delete",  rows(1),                     rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("accounts",             "select",  rows(A.accounts),            rows(A.accounts),            rows(A.accounts),            rows(A.accounts),            rows(0), rows(0)),
  row("accounts",             "insert",  rows(1),                     refused,                     refused,                     refused,                     refused, refused),
  row("accounts",             "update",  rows(A.accounts),            rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("accounts",             "delete",  rows(A.accounts),            rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("imports",              "select",  rows(A.imports),             rows(A.imports),             rows(A.imports),             rows(A.imports),             rows(0), rows(0)),
  row("imports",              "insert",  rows(1),                     refused,                     rows(1),                     refused,                     refused, refused),
  row("imports",              "update",  rows(A.imports),             rows(0),                     rows(A.imports),             rows(0),                     rows(0), rows(0)),
  row("imports",              "delete",  rows(0),                     rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)), // no policy: kept after revert
  row("transactions",         "select",  rows(A.transactions),        rows(A.transactions),        rows(A.transactions),        rows(A.transactions),        rows(0), rows(0)),
  row("transactions",         "insert",  rows(1),                     refused,                     rows(1),                     refused,                     refused, refused), // reviewer: only a row just approved (edge cases)
  row("transactions",         "update",  rows(A.transactions),        rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("transactions",         "delete",  rows(A.transactions),        rows(0),                     rows(A.transactions),        rows(0),                     rows(0), rows(0)), // uploader: revert
  row("staged_rows",          "select",  rows(A.staged_rows),         rows(A.staged_rows),         rows(A.staged_rows),         rows(A.staged_rows),         rows(0), rows(0)),
  row("staged_rows",          "insert",  rows(1),                     refused,                     rows(1),                     refused,                     refused, refused),
  row("staged_rows",          "update",  rows(A.staged_rows),         rows(0),                     rows(A.staged_rows),         rows(0),                     rows(0), rows(0)), // correct / exclude
  row("staged_rows",          "delete",  rows(A.staged_rows),         rows(0),                     rows(A.staged_rows),         rows(0),                     rows(0), rows(0)),
  row("import_issues",        "select",  rows(A.import_issues),       rows(A.import_issues),       rows(A.import_issues),       rows(A.import_issues),       rows(0), rows(0)),
  row("import_issues",        "insert",  rows(1),                     refused,                     rows(1),                     refused,                     refused, refused),
  row("import_issues",        "update",  rows(A.import_issues),       rows(0),                     rows(A.import_issues),       rows(0),                     rows(0), rows(0)),
  row("import_issues",        "delete",  rows(A.import_issues),       rows(0),                     rows(A.import_issues),       rows(0),                     rows(0), rows(0)),
  row("import_statements",    "select",  rows(A.import_statements),   rows(A.import_statements),   rows(A.import_statements),   rows(A.import_statements),   rows(0), rows(0)),
  row("import_statements",    "insert",  rows(1),                     refused,                     rows(1),                     refused,                     refused, refused),
  row("import_statements",    "update",  rows(A.import_statements),   rows(0),                     rows(A.import_statements),   rows(0),                     rows(0), rows(0)),
  row("import_statements",    "delete",  rows(A.import_statements),   rows(0),                     rows(A.import_statements),   rows(0),                     rows(0), rows(0)),
  row("account_mappings",     "select",  rows(A.account_mappings),    rows(A.account_mappings),    rows(A.account_mappings),    rows(A.account_mappings),    rows(0), rows(0)),
  row("account_mappings",     "insert",  rows(1),                     refused,                     refused,                     refused,                     refused, refused), // only admins map
  row("account_mappings",     "update",  rows(A.account_mappings),    rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("account_mappings",     "delete",  rows(A.account_mappings),    rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("statement_balances",   "select",  rows(A.statement_balances),  rows(A.statement_balances),  rows(A.statement_balances),  rows(A.statement_balances),  rows(0), rows(0)),
  row("statement_balances",   "insert",  rows(1),                     refused,                     rows(1),                     refused,                     refused, refused), // at commit
  row("statement_balances",   "update",  rows(A.statement_balances),  rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("statement_balances",   "delete",  rows(A.statement_balances),  rows(0),                     rows(A.statement_balances),  rows(0),                     rows(0), rows(0)), // revert
  row("duplicate_candidates", "select",  rows(A.duplicate_candidates),rows(A.duplicate_candidates),rows(A.duplicate_candidates),rows(A.duplicate_candidates),rows(0), rows(0)),
  row("duplicate_candidates", "insert",  rows(1),                     refused,                     rows(1),                     refused,                     refused, refused), // held at commit
  row("duplicate_candidates", "update",  rows(A.duplicate_candidates),rows(A.duplicate_candidates),refused,                     rows(0),                     rows(0), rows(0)), // deciding is for reviewers
  row("duplicate_candidates", "delete",  rows(0),                     rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)), // no policy: decisions are kept
  row("audit_log",            "select",  rows(A.audit_log),           rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)), // admins read it
  row("audit_log",            "insert",  rows(1),                     rows(1),                     rows(1),                     rows(1),                     refused, refused), // own actions only
  row("audit_log",            "update",  refused,                     refused,                     refused,                     refused,                     refused, refused), // append-only: not granted
  row("audit_log",            "delete",  refused,                     refused,                     refused,                     refused,                     refused, refused),
  row("sales_lines",          "select",  rows(A.sales_lines),         rows(A.sales_lines),         rows(A.sales_lines),         rows(A.sales_lines),         rows(0), rows(0)),
  row("sales_lines",          "insert",  rows(1),                     refused,                     rows(1),                     refused,                     refused, refused),
  row("sales_lines",          "update",  rows(A.sales_lines),         rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("sales_lines",          "delete",  rows(A.sales_lines),         rows(0),                     rows(A.sales_lines),         rows(0),                     rows(0), rows(0)),
  row("gl_balances",          "select",  rows(A.gl_balances),         rows(A.gl_balances),         rows(A.gl_balances),         rows(A.gl_balances),         rows(0), rows(0)),
  row("gl_balances",          "insert",  rows(1),                     refused,                     rows(1),                     refused,                     refused, refused),
  row("gl_balances",          "update",  rows(A.gl_balances),         rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("gl_balances",          "delete",  rows(A.gl_balances),         rows(0),                     rows(A.gl_balances),         rows(0),                     rows(0), rows(0)),
  row("appointments",         "select",  rows(A.appointments),        rows(A.appointments),        rows(A.appointments),        rows(A.appointments),        rows(0), rows(0)),
  row("appointments",         "insert",  rows(1),                     refused,                     rows(1),                     refused,                     refused, refused),
  row("appointments",         "update",  rows(A.appointments),        rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("appointments",         "delete",  rows(A.appointments),        rows(0),                     rows(A.appointments),        rows(0),                     rows(0), rows(0)),
  row("connections",          "select",  rows(A.connections),         rows(A.connections),         rows(A.connections),         rows(A.connections),         rows(0), rows(0)),
  row("connections",          "insert",  rows(1),                     refused,                     refused,                     refused,                     refused, refused), // only admins connect
  row("connections",          "update",  rows(A.connections),         rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("connections",          "delete",  rows(A.connections),         rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)),
  row("connection_files",     "select",  rows(A.connection_files),    rows(A.connection_files),    rows(A.connection_files),    rows(A.connection_files),    rows(0), rows(0)),
  row("connection_files",     "insert",  rows(1),                     refused,                     refused,                     refused,                     refused, refused), // recorded by a sync
  row("connection_files",     "update",  rows(A.connection_files),    rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)), // only modified_at / seen_at
  row("connection_files",     "delete",  refused,                     refused,                     refused,                     refused,                     refused, refused), // not granted: kept as recorded
  row("mpesa_confirmations",  "select",  rows(A.mpesa_confirmations), rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)), // admins (the sync)
  row("mpesa_confirmations",  "insert",  refused,                     refused,                     refused,                     refused,                     refused, refused), // only the callback (service role) stores
  row("mpesa_confirmations",  "update",  refused,                     refused,                     refused,                     refused,                     refused, refused), // not granted: kept as received
  row("mpesa_confirmations",  "delete",  refused,                     refused,                     refused,                     refused,                     refused, refused),
  row("revoked_sessions",     "select",  rows(1),                     rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)), // each user their own
  row("revoked_sessions",     "insert",  rows(1),                     refused,                     refused,                     refused,                     refused, refused), // signing out one's own session only
  row("revoked_sessions",     "update",  refused,                     refused,                     refused,                     refused,                     refused, refused), // not granted: a sign-out stays as recorded
  row("revoked_sessions",     "delete",  rows(1),                     rows(0),                     rows(0),                     rows(0),                     rows(0), rows(0)), // own, once the token expired
];

const CASES = MATRIX.flatMap(([table, command, byActor]) => ACTORS.map((actor) => ({ table, command, actor, expected: byActor[actor] })));

const POLICY_COMMANDS: Record<string, Command[]> = {
  SELECT: ["select"],
  INSERT: ["insert"],
  UPDATE: ["update"],
  DELETE: ["delete"],
  ALL: ["select", "insert", "update", "delete"],
};

describe("RLS matrix: every table × command × caller", () => {
  it.each(CASES)("$table $command as $actor → $expected", async ({ table, command, actor, expected }) => {
    expect(await attempt(actor, STATEMENTS[table][command])).toEqual(expected);
  });

  it("covers exactly the tables and views of schema public, every command, and lets someone through exactly where a policy exists", async () => {
    const { relations, policies } = await asService(async (db) => ({
      relations: (
        await db.query<{ relname: string; relkind: string; options: string[] }>(
          `select c.relname, c.relkind::text as relkind, coalesce(c.reloptions, '{}')::text[] as options
             from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm') order by 1`,
        )
      ).rows,
      policies: (
        await db.query<{ tablename: string; cmd: string; roles: string[] }>(
          "select tablename, cmd, roles::text[] as roles from pg_policies where schemaname = 'public'",
        )
      ).rows,
    }));
    expect(relations.filter((r) => r.relkind === "r" || r.relkind === "p").map((r) => r.relname).sort()).toEqual([...TABLES].sort());
    // A view runs with its owner's rights unless security_invoker is set, which would bypass every policy
    // above; materialized views cannot have RLS at all, so none may exist in public.
    expect(
      relations
        .filter((r) => r.relkind === "v" || r.relkind === "m")
        .map((r) => ({ view: r.relname, kind: r.relkind, options: r.options }))
        .sort((x, y) => (x.view < y.view ? -1 : 1)),
    ).toEqual(
      [...VIEWS].sort().map((view) => ({ view, kind: "v", options: ["security_invoker=true"] })),
    );
    expect(MATRIX.map(([t, c]) => `${t}.${c}`).sort()).toEqual(TABLES.flatMap((t) => COMMANDS.map((c) => `${t}.${c}`)).sort());

    // Every policy is for the authenticated role only: anon gets nothing from any of them.
    expect(policies.filter((p) => p.roles.join() !== "authenticated")).toEqual([]);
    const withPolicy = [...new Set(policies.flatMap((p) => (POLICY_COMMANDS[p.cmd] ?? []).map((c) => `${p.tablename}.${c}`)))].sort();
    const grantedSomewhere = MATRIX.filter(([, , byActor]) =>
      Object.values(byActor).some((o) => "rows" in o && o.rows > 0),
    )
      .map(([t, c]) => `${t}.${c}`)
      .sort();
    expect(grantedSomewhere).toEqual(withPolicy);
  });
});

describe("RLS through the security_invoker views", () => {
  const VIEW_CASES = VIEWS.flatMap((view) =>
    ACTORS.map((actor) => ({
      view,
      actor,
      expected: rows(actor === "anon" || actor === "b-admin" ? 0 : A_VIEWS[view]),
    })),
  );

  it.each(VIEW_CASES)("$view of tenant A as $actor → $expected", async ({ view, actor, expected }) => {
    expect(await attempt(actor, (db) => db.query(`select 1 from public.${view} where tenant_id = $1`, [fx.a.id]))).toEqual(expected);
  });

  // The views are not updatable (distinct on), so a write fails in the rewriter (55000) before any
  // privilege check; the grants below make sure that stays true if a view ever becomes updatable.
  it.each(VIEWS.flatMap((view) => (["admin", "uploader", "b-admin", "anon"] as const).map((actor) => ({ view, actor }))))(
    "nobody writes through $view (as $actor)",
    async ({ view, actor }) => {
      const outcome = await attempt(actor, (db) => db.query(`delete from public.${view} where tenant_id = $1`, [fx.a.id]));
      expect(outcome).toEqual({ error: "55000" });
    },
  );

  it("grants API roles nothing but select on the views", async () => {
    const grants = await asService(async (db) =>
      (
        await db.query<{ grant: string }>(
          `select table_name || ' ' || grantee || ' ' || privilege_type as grant from information_schema.role_table_grants
            where table_schema = 'public' and table_name = any ($1) and grantee in ('anon', 'authenticated') order by 1`,
          [VIEWS],
        )
      ).rows.map((r) => r.grant),
    );
    expect(grants).toEqual(
      [...VIEWS].sort().flatMap((view) => [`${view} anon SELECT`, `${view} authenticated SELECT`]),
    );
  });

  it("the views keep the newest line per key: the second import's trial-balance line and appointment win", async () => {
    const seen = await asUser(fx.a.members.viewer, async (db) => ({
      gl: (
        await db.query<{ account_code: string; import_id: string }>(
          "select account_code, import_id from public.gl_balances_current where tenant_id = $1 order by account_code",
          [fx.a.id],
        )
      ).rows,
      appointments: (
        await db.query<{ external_id: string; import_id: string }>(
          "select external_id, import_id from public.appointments_current where tenant_id = $1 order by external_id",
          [fx.a.id],
        )
      ).rows,
    }));
    expect(seen).toEqual({
      gl: [
        { account_code: "1000", import_id: fx.aImport2Id },
        { account_code: "2000", import_id: fx.aImportId },
      ],
      appointments: [
        { external_id: "appt-1", import_id: fx.aImport2Id },
        { external_id: "appt-2", import_id: fx.aImportId },
      ],
    });
  });
});

describe("RLS: each caller sees only its own tenant", () => {
  type Relation = Table | View;
  const RELATIONS: Relation[] = [...TABLES, ...VIEWS];
  const nothing = Object.fromEntries(RELATIONS.map((r) => [r, 0])) as Record<Relation, number>;
  const VISIBLE: { actor: Actor; expected: Record<Relation, number> }[] = [
    { actor: "admin", expected: { ...A, ...A_VIEWS } },
    // Only admins read the audit log and the M-Pesa confirmations.
    ...(["reviewer", "uploader", "viewer"] as const).map((actor) => ({ actor: actor as Actor, expected: { ...A, ...A_VIEWS, audit_log: 0, mpesa_confirmations: 0 } })),
    { actor: "b-admin", expected: { ...B, ...B_VIEWS } },
    { actor: "anon", expected: nothing },
  ];

  it.each(VISIBLE)("$actor sees $expected with no filter at all", async ({ actor, expected }) => {
    const seen = {} as Record<Relation, number>;
    for (const relation of RELATIONS) {
      const outcome = await attempt(actor, (db) => db.query(`select 1 from public.${relation}`));
      expect(outcome).toHaveProperty("rows");
      seen[relation] = "rows" in outcome ? outcome.rows : -1;
    }
    expect(seen).toEqual(expected);
  });

  it("B's admin does see B's own rows (the zero for A is isolation, not lack of access)", async () => {
    const outcome = await attempt("b-admin", (db) => db.query("select 1 from public.transactions where tenant_id = $1", [fx.b.id]));
    expect(outcome).toEqual(rows(B.transactions));
  });
});

describe("RLS: edge cases the matrix does not show", () => {
  const EDGE: { name: string; actor: Actor; statement: (db: Db, me: TestUser | null) => Promise<QueryResult>; expected: Outcome }[] = [
    {
      name: "uploader starting an import in someone else's name",
      actor: "uploader",
      statement: (db) =>
        db.query("insert into public.imports (tenant_id, file_name, created_by) values ($1, 'x.csv', $2)", [fx.a.id, fx.a.members.admin.id]),
      expected: refused,
    },
    {
      name: "admin starting an import in someone else's name",
      actor: "admin",
      statement: (db) =>
        db.query("insert into public.imports (tenant_id, file_name, created_by) values ($1, 'x.csv', $2)", [fx.a.id, fx.a.members.uploader.id]),
      expected: refused,
    },
    {
      name: "uploader starting an import explicitly as themselves",
      actor: "uploader",
      statement: (db, me) => db.query("insert into public.imports (tenant_id, file_name, created_by) values ($1, 'x.csv', $2)", [fx.a.id, me!.id]),
      expected: rows(1),
    },
    {
      name: "uploader rewriting who started an existing import",
      actor: "uploader",
      statement: (db) => db.query("update public.imports set created_by = $2 where id = $1", [fx.aImportId, fx.a.members.admin.id]),
      expected: refused,
    },
    {
      name: "uploader moving an import to another tenant",
      actor: "uploader",
      statement: (db) => db.query("update public.imports set tenant_id = $2 where id = $1", [fx.aImportId, fx.b.id]),
      expected: refused,
    },
    {
      name: "uploader pointing an import at another raw file (the raw key, hash, size and name are fixed at upload)",
      actor: "uploader",
      statement: (db) => db.query("update public.imports set raw_key = $2 where id = $1", [fx.aImportId, `${fx.b.id}/${"0".repeat(64)}`]),
      expected: refused,
    },
    {
      name: "admin of A moving an A account into tenant B",
      actor: "admin",
      statement: (db) => db.query("update public.accounts set tenant_id = $2 where id = $1", [fx.aAccountIds[0], fx.b.id]),
      expected: refused,
    },
    {
      name: "admin of B moving a B account into tenant A",
      actor: "b-admin",
      statement: (db) => db.query("update public.accounts set tenant_id = $2 where id = $1", [fx.bAccountId, fx.a.id]),
      expected: refused,
    },
    {
      name: "admin of A adding themselves to tenant B",
      actor: "admin",
      statement: (db, me) => db.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'admin')", [fx.b.id, me!.id]),
      expected: refused,
    },
    {
      name: "viewer promoting themselves to admin",
      actor: "viewer",
      statement: (db, me) => db.query("update public.memberships set role = 'admin' where user_id = $1", [me!.id]),
      expected: rows(0),
    },
    {
      name: "admin of A moving a membership of A into tenant B",
      actor: "admin",
      statement: (db) =>
        db.query("update public.memberships set tenant_id = $3 where tenant_id = $1 and user_id = $2", [fx.a.id, fx.a.members.viewer.id, fx.b.id]),
      expected: refused,
    },
    {
      name: "uploader of A booking a transaction onto B's account",
      actor: "uploader",
      statement: (db) =>
        db.query(
          `insert into public.transactions (tenant_id, account_id, booking_date, amount, currency, source)
           values ($1, $2, '2026-02-01', '1.00', 'KES', 'manual')`,
          [fx.a.id, fx.bAccountId],
        ),
      expected: { error: "23503" },
    },
    {
      name: "uploader of A attaching a transaction to B's import",
      actor: "uploader",
      statement: (db) =>
        db.query(
          `insert into public.transactions (tenant_id, import_id, booking_date, amount, currency, source)
           values ($1, $2, '2026-02-01', '1.00', 'KES', 'manual')`,
          [fx.a.id, fx.bImportId],
        ),
      expected: { error: "23503" },
    },
    {
      name: "uploader of A booking a transaction onto A's own account and import",
      actor: "uploader",
      statement: (db) =>
        db.query(
          `insert into public.transactions (tenant_id, account_id, import_id, booking_date, amount, currency, source)
           values ($1, $2, $3, '2026-02-01', '1.00', 'KES', 'manual')`,
          [fx.a.id, fx.aAccountIds[0], fx.aImportId],
        ),
      expected: rows(1),
    },
    // Pipeline tables: keys lead with tenant_id, so a row of A cannot point at B's import or account
    // (23503), and a row claiming to be B's is refused by the policy (42501).
    {
      name: "uploader of A staging a row into B's import",
      actor: "uploader",
      statement: (db) =>
        db.query("insert into public.staged_rows (tenant_id, import_id, row_no, line, kind, record) values ($1, $2, 100, 1, 'transaction', '{}')", [
          fx.a.id,
          fx.bImportId,
        ]),
      expected: foreignKey,
    },
    {
      name: "uploader of A staging a row as tenant B",
      actor: "uploader",
      statement: (db) =>
        db.query("insert into public.staged_rows (tenant_id, import_id, row_no, line, kind, record) values ($1, $2, 100, 1, 'transaction', '{}')", [
          fx.b.id,
          fx.bImportId,
        ]),
      expected: refused,
    },
    {
      name: "uploader of A pointing a staged row at B's account",
      actor: "uploader",
      statement: (db) => db.query("update public.staged_rows set account_id = $3 where tenant_id = $1 and import_id = $2", [fx.a.id, fx.aImportId, fx.bAccountId]),
      expected: foreignKey,
    },
    {
      name: "uploader of A pointing a staged row at A's own account",
      actor: "uploader",
      statement: (db) =>
        db.query("update public.staged_rows set account_id = $3 where tenant_id = $1 and import_id = $2", [fx.a.id, fx.aImportId, fx.aAccountIds[1]]),
      expected: rows(A.staged_rows),
    },
    {
      name: "uploader of A moving staged rows into tenant B",
      actor: "uploader",
      statement: (db) => db.query("update public.staged_rows set tenant_id = $2 where tenant_id = $1", [fx.a.id, fx.b.id]),
      expected: refused,
    },
    {
      name: "uploader of A recording an issue on B's import",
      actor: "uploader",
      statement: (db) =>
        db.query("insert into public.import_issues (tenant_id, import_id, line, severity, code, message) values ($1, $2, 1, 'error', 'x', 'x')", [
          fx.a.id,
          fx.bImportId,
        ]),
      expected: foreignKey,
    },
    {
      name: "uploader of A recording a statement on B's import",
      actor: "uploader",
      statement: (db) =>
        db.query(
          "insert into public.import_statements (tenant_id, import_id, statement_no, line, external_account, account) values ($1, $2, 9, 1, 'X', '{}')",
          [fx.a.id, fx.bImportId],
        ),
      expected: foreignKey,
    },
    {
      name: "admin of A mapping an external account onto B's account",
      actor: "admin",
      statement: (db) =>
        db.query("insert into public.account_mappings (tenant_id, source, external_id, account_id) values ($1, 'bank', 'EXT-9', $2)", [fx.a.id, fx.bAccountId]),
      expected: foreignKey,
    },
    {
      name: "admin of A re-pointing a mapping at B's account",
      actor: "admin",
      statement: (db) =>
        db.query("update public.account_mappings set account_id = $2, created_by = auth.uid() where tenant_id = $1", [fx.a.id, fx.bAccountId]),
      expected: foreignKey,
    },
    {
      name: "admin mapping an account in someone else's name",
      actor: "admin",
      statement: (db) =>
        db.query("insert into public.account_mappings (tenant_id, source, external_id, account_id, created_by) values ($1, 'bank', 'EXT-9', $2, $3)", [
          fx.a.id,
          fx.aAccountIds[0],
          fx.a.members.uploader.id,
        ]),
      expected: refused,
    },
    {
      name: "admin mapping an account explicitly as themselves",
      actor: "admin",
      statement: (db, me) =>
        db.query("insert into public.account_mappings (tenant_id, source, external_id, account_id, created_by) values ($1, 'bank', 'EXT-9', $2, $3)", [
          fx.a.id,
          fx.aAccountIds[0],
          me!.id,
        ]),
      expected: rows(1),
    },
    {
      name: "admin rewriting who made an existing mapping",
      actor: "admin",
      statement: (db) => db.query("update public.account_mappings set created_by = $2 where tenant_id = $1", [fx.a.id, fx.a.members.uploader.id]),
      expected: refused,
    },
    {
      name: "admin re-mapping an external account through an upsert, as the app does",
      actor: "admin",
      statement: (db) =>
        db.query(
          `insert into public.account_mappings (tenant_id, source, external_id, account_id) values ($1, 'bank', 'EXT-1', $2)
           on conflict (tenant_id, source, external_id) do update set account_id = excluded.account_id, created_by = auth.uid(), created_at = now()`,
          [fx.a.id, fx.aAccountIds[1]],
        ),
      expected: rows(1),
    },
    {
      name: "admin moving a mapping to another external account",
      actor: "admin",
      statement: (db) => db.query("update public.account_mappings set external_id = 'EXT-9' where tenant_id = $1", [fx.a.id]),
      expected: refused,
    },
    {
      name: "uploader of A storing a balance for B's account",
      actor: "uploader",
      statement: (db) =>
        db.query(
          "insert into public.statement_balances (tenant_id, import_id, account_id, type, amount) values ($1, $2, $3, 'closing', '1.00')",
          [fx.a.id, fx.aImportId, fx.bAccountId],
        ),
      expected: foreignKey,
    },
    {
      name: "uploader of A storing a balance under B's import",
      actor: "uploader",
      statement: (db) =>
        db.query(
          "insert into public.statement_balances (tenant_id, import_id, account_id, type, amount) values ($1, $2, $3, 'closing', '1.00')",
          [fx.a.id, fx.bImportId, fx.aAccountIds[0]],
        ),
      expected: foreignKey,
    },
    {
      name: "uploader of A holding B's staged row as a duplicate",
      actor: "uploader",
      statement: (db) =>
        db.query(
          "insert into public.duplicate_candidates (tenant_id, import_id, row_no, matched_transaction_id, score, reason) values ($1, $2, 1, $3, 0.5, '{}')",
          [fx.a.id, fx.bImportId, fx.aTransactionIds[0]],
        ),
      expected: foreignKey,
    },
    {
      name: "reviewer approving the held duplicate",
      actor: "reviewer",
      statement: (db) =>
        db.query("update public.duplicate_candidates set status = 'approved', decided_by = auth.uid(), decided_at = now() where tenant_id = $1 and status = 'pending'", [
          fx.a.id,
        ]),
      expected: rows(A.duplicate_candidates),
    },
    {
      name: "uploader approving the held duplicate (deciding is for reviewers)",
      actor: "uploader",
      statement: (db) => db.query("update public.duplicate_candidates set status = 'approved' where tenant_id = $1 and status = 'pending'", [fx.a.id]),
      expected: refused,
    },
    {
      name: "uploader marking held duplicates reverted, as revert does",
      actor: "uploader",
      statement: (db) =>
        db.query("update public.duplicate_candidates set status = 'reverted' where tenant_id = $1 and import_id = $2 and status in ('pending', 'approved')", [
          fx.a.id,
          fx.aImportId,
        ]),
      expected: rows(A.duplicate_candidates),
    },
    {
      name: "reviewer deciding a duplicate in the admin's name",
      actor: "reviewer",
      statement: (db) =>
        db.query("update public.duplicate_candidates set status = 'rejected', decided_by = $2 where tenant_id = $1", [fx.a.id, fx.a.members.admin.id]),
      expected: refused,
    },
    {
      name: "reviewer marking a held duplicate reverted (taking it out of the queue undecided)",
      actor: "reviewer",
      statement: (db) => db.query("update public.duplicate_candidates set status = 'reverted' where tenant_id = $1", [fx.a.id]),
      expected: refused,
    },
    {
      name: "admin marking held duplicates reverted, as revert does",
      actor: "admin",
      statement: (db) => db.query("update public.duplicate_candidates set status = 'reverted' where tenant_id = $1", [fx.a.id]),
      expected: rows(A.duplicate_candidates),
    },
    {
      name: "reviewer inserting the ledger row of a duplicate they have just approved",
      actor: "reviewer",
      statement: async (db) => {
        await db.query("update public.duplicate_candidates set status = 'approved', decided_by = auth.uid(), decided_at = now() where tenant_id = $1", [fx.a.id]);
        return db.query(
          `insert into public.transactions (tenant_id, import_id, booking_date, amount, currency, source, dedup_key)
           values ($1, $2, '2026-01-16', '100.00', 'KES', 'upload:csv', 'fp:held:1')`,
          [fx.a.id, fx.aImportId],
        );
      },
      expected: rows(1),
    },
    {
      name: "reviewer inserting a ledger row into another import than the one they approved in",
      actor: "reviewer",
      statement: async (db) => {
        await db.query("update public.duplicate_candidates set status = 'approved', decided_by = auth.uid(), decided_at = now() where tenant_id = $1", [fx.a.id]);
        return db.query(
          `insert into public.transactions (tenant_id, import_id, booking_date, amount, currency, source)
           values ($1, $2, '2026-01-16', '100.00', 'KES', 'upload:csv')`,
          [fx.a.id, fx.aImport2Id],
        );
      },
      expected: refused,
    },
    {
      name: "reviewer inserting a ledger row with no import at all",
      actor: "reviewer",
      statement: async (db) => {
        await db.query("update public.duplicate_candidates set status = 'approved', decided_by = auth.uid(), decided_at = now() where tenant_id = $1", [fx.a.id]);
        return db.query("insert into public.transactions (tenant_id, booking_date, amount, currency, source) values ($1, '2026-01-16', '1.00', 'KES', 'manual')", [fx.a.id]);
      },
      expected: refused,
    },
    {
      name: "viewer deciding a duplicate",
      actor: "viewer",
      statement: (db) => db.query("update public.duplicate_candidates set status = 'rejected' where tenant_id = $1", [fx.a.id]),
      expected: rows(0),
    },
    {
      name: "uploader writing an audit row in the admin's name",
      actor: "uploader",
      statement: (db) =>
        db.query("insert into public.audit_log (tenant_id, actor, action, entity) values ($1, $2, 'import.commit', 'import')", [fx.a.id, fx.a.members.admin.id]),
      expected: refused,
    },
    {
      name: "uploader writing an audit row explicitly as themselves",
      actor: "uploader",
      statement: (db, me) => db.query("insert into public.audit_log (tenant_id, actor, action, entity) values ($1, $2, 'import.commit', 'import')", [fx.a.id, me!.id]),
      expected: rows(1),
    },
    {
      name: "admin of A writing an audit row into tenant B",
      actor: "admin",
      statement: (db) => db.query("insert into public.audit_log (tenant_id, action, entity) values ($1, 'import.commit', 'import')", [fx.b.id]),
      expected: refused,
    },
    {
      name: "uploader of A adding a sales line under B's import",
      actor: "uploader",
      statement: (db) =>
        db.query(
          `insert into public.sales_lines (tenant_id, import_id, sale_date, item, quantity, unit_price, total, dedup_key)
           values ($1, $2, '2026-02-01', 'Tea', '1', '1', '1', 'fp:x:1')`,
          [fx.a.id, fx.bImportId],
        ),
      expected: foreignKey,
    },
    {
      name: "uploader of A adding a sales line on B's account",
      actor: "uploader",
      statement: (db) =>
        db.query(
          `insert into public.sales_lines (tenant_id, import_id, account_id, sale_date, item, quantity, unit_price, total, dedup_key)
           values ($1, $2, $3, '2026-02-01', 'Tea', '1', '1', '1', 'fp:x:1')`,
          [fx.a.id, fx.aImportId, fx.bAccountId],
        ),
      expected: foreignKey,
    },
    {
      name: "uploader of A adding a sales line on A's own account",
      actor: "uploader",
      statement: (db) =>
        db.query(
          `insert into public.sales_lines (tenant_id, import_id, account_id, sale_date, item, quantity, unit_price, total, dedup_key)
           values ($1, $2, $3, '2026-02-01', 'Tea', '1', '1', '1', 'fp:x:1')`,
          [fx.a.id, fx.aImportId, fx.aAccountIds[0]],
        ),
      expected: rows(1),
    },
    {
      name: "uploader of A adding a trial-balance line under B's import",
      actor: "uploader",
      statement: (db) =>
        db.query(
          "insert into public.gl_balances (tenant_id, import_id, entity, period, account_code, account_name, balance) values ($1, $2, 'HQ', '2026-02', '1', 'x', 0)",
          [fx.a.id, fx.bImportId],
        ),
      expected: foreignKey,
    },
    {
      name: "uploader of A adding an appointment under B's import",
      actor: "uploader",
      statement: (db) =>
        db.query("insert into public.appointments (tenant_id, import_id, external_id, fields) values ($1, $2, 'x', '{}')", [fx.a.id, fx.bImportId]),
      expected: foreignKey,
    },
    {
      name: "uploader of A choosing B's account for an import",
      actor: "uploader",
      statement: (db) => db.query("update public.imports set account_id = $2 where id = $1", [fx.aImportId, fx.bAccountId]),
      expected: foreignKey,
    },
    {
      name: "admin taking back their own sign-out before the token expires",
      actor: "admin",
      statement: async (db, me) => {
        await db.query("insert into public.revoked_sessions (user_id, session_id, expires_at) values ($1, gen_random_uuid(), now() + interval '1 hour')", [me!.id]);
        return db.query("delete from public.revoked_sessions where user_id = $1 and expires_at > now()", [me!.id]);
      },
      expected: rows(0),
    },
    {
      name: "anon reading auth.users",
      actor: "anon",
      statement: (db) => db.query("select id from auth.users"),
      expected: refused,
    },
    {
      name: "viewer reading auth.users directly",
      actor: "viewer",
      statement: (db) => db.query("select id from auth.users"),
      expected: refused,
    },
    {
      name: "viewer reading the login attempts",
      actor: "viewer",
      statement: (db) => db.query("select 1 from inflow_meta.login_attempts"),
      expected: refused,
    },
  ];

  it.each(EDGE)("$name → $expected", async ({ actor, statement, expected }) => {
    expect(await attempt(actor, statement)).toEqual(expected);
  });

  it("an update refused by RLS leaves the row untouched", async () => {
    await attempt("viewer", (db) => db.query("update public.accounts set name = 'hacked' where tenant_id = $1", [fx.a.id]));
    const names = await asService(async (db) =>
      (await db.query<{ name: string }>("select name from public.accounts where tenant_id = $1 order by name", [fx.a.id])).rows.map((r) => r.name),
    );
    expect(names).toEqual(["M-Pesa till", "Operating"]);
  });
});

describe("private.members_of", () => {
  const CALLERS: { actor: Actor | "outsider"; expected: Outcome }[] = [
    { actor: "admin", expected: rows(A.memberships) },
    { actor: "reviewer", expected: rows(A.memberships) },
    { actor: "uploader", expected: rows(A.memberships) },
    { actor: "viewer", expected: rows(A.memberships) },
    { actor: "b-admin", expected: rows(0) },
    { actor: "outsider", expected: rows(0) },
    { actor: "anon", expected: refused }, // no usage on schema private
  ];

  it.each(CALLERS)("members_of(A) as $actor → $expected", async ({ actor, expected }) => {
    const call = (db: Db) => db.query("select user_id, email, role from private.members_of($1)", [fx.a.id]);
    expect(await attempt(actor, call)).toEqual(expected);
  });

  it("gives members each member's email and role", async () => {
    const members = await asUser(fx.a.members.viewer, async (db) =>
      (await db.query<{ email: string; role: string }>("select email, role::text as role from private.members_of($1) order by role", [fx.a.id])).rows,
    );
    expect(members).toEqual([
      { email: fx.a.members.admin.email, role: "admin" },
      { email: fx.a.members.reviewer.email, role: "reviewer" },
      { email: fx.a.members.uploader.email, role: "uploader" },
      { email: fx.a.members.viewer.email, role: "viewer" },
    ]);
  });

  it("gives B's admin B's members (four of them) but not A's", async () => {
    expect(await attempt("b-admin", (db) => db.query("select 1 from private.members_of($1)", [fx.b.id]))).toEqual(rows(B.memberships));
  });
});

describe("private.likely_duplicate_matches", () => {
  // A staged new row of A that likely duplicates a row of A's ledger (same account, currency and
  // amount, a day apart, the description re-cased with a suffix). The function runs as its owner, so
  // it must apply "members only" itself; its own tenant keeps the RLS matrix's counts unchanged.
  let tenant: TestTenant;
  let importId: string;
  let ledgerRowId: string;
  beforeAll(async () => {
    tenant = await createTenant("rls-likely");
    ({ importId, ledgerRowId } = await asService(async (db) => {
      const one = async (sql: string, params: unknown[]) => (await db.query<{ id: string }>(sql, params)).rows[0]!.id;
      const account = await one("insert into public.accounts (tenant_id, name, number, currency) values ($1, 'Operating', '0042', 'KES') returning id", [tenant.id]);
      const imp = await one("insert into public.imports (tenant_id, file_name, format, status, created_by) values ($1, 'march.csv', 'csv', 'staged', $2) returning id", [
        tenant.id,
        tenant.members.uploader.id,
      ]);
      const ledger = await one(
        `insert into public.transactions (tenant_id, account_id, booking_date, amount, currency, description, source)
         values ($1, $2, '2026-03-09', '-42.50', 'KES', 'ACME INVOICE 17 POS', 'csv') returning id::text`,
        [tenant.id, account],
      );
      await db.query(
        `insert into public.staged_rows (tenant_id, import_id, row_no, line, kind, account_id, record, status)
         values ($1, $2, 1, 2, 'transaction', $3, '{"amount": "-42.5", "bookingDate": "2026-03-10", "description": "Acme invoice 17"}', 'new')`,
        [tenant.id, imp, account],
      );
      return { importId: imp, ledgerRowId: ledger };
    }));
  });

  const call = (db: Db) => db.query<{ transaction_id: string }>("select transaction_id::text from private.likely_duplicate_matches($1, $2, 3, 0.3)", [tenant.id, importId]);

  it.each(["admin", "reviewer", "uploader", "viewer"] as const)("finds the ledger row for the tenant's %s", async (role) => {
    const found = await asUser(tenant.members[role], async (db) => (await call(db)).rows.map((r) => r.transaction_id));
    expect(found).toEqual([ledgerRowId]);
  });

  it.each([
    { caller: "another tenant's admin", user: () => fx.b.members.admin },
    { caller: "a user of no tenant", user: () => fx.outsider },
  ])("finds nothing for $caller", async ({ user }) => {
    expect(await asUser(user(), async (db) => (await call(db)).rowCount)).toBe(0);
  });

  it("refuses the anonymous caller (no usage on schema private)", async () => {
    await expect(asAnon((db) => call(db))).rejects.toMatchObject({ code: "42501" });
  });

  it("finds nothing outside the date window (a day apart, window 0)", async () => {
    const found = await asUser(tenant.members.admin, async (db) => (await db.query("select 1 from private.likely_duplicate_matches($1, $2, 0, 0.3)", [tenant.id, importId])).rowCount);
    expect(found).toBe(0);
  });
});

describe("private.record_dry_run", () => {
  // It writes imports.dry_run, a column no API role may update, so it must apply the staged rows'
  // rule itself: only those who may classify them (admins and uploaders) record counts.
  const CALLERS: { actor: Actor | "outsider"; expected: Outcome }[] = [
    { actor: "admin", expected: rows(1) },
    { actor: "uploader", expected: rows(1) },
    { actor: "reviewer", expected: rows(0) },
    { actor: "viewer", expected: rows(0) },
    { actor: "b-admin", expected: rows(0) },
    { actor: "outsider", expected: rows(0) },
    { actor: "anon", expected: refused }, // no usage on schema private
  ];

  it.each(CALLERS)("record_dry_run(A's import) as $actor → $expected", async ({ actor, expected }) => {
    const call = (db: Db) => db.query("select 1 from private.record_dry_run($1, $2) as d where d is not null", [fx.a.id, fx.aImportId]);
    expect(await attempt(actor, call)).toEqual(expected);
  });

  it("records the counts of the import's staged rows by status", async () => {
    const { recorded, counted } = await asUser(fx.a.members.uploader, async (db) => {
      await db.query("select private.record_dry_run($1, $2)", [fx.a.id, fx.aImportId]);
      return {
        recorded: (await db.query<{ dry_run: unknown }>("select dry_run from public.imports where tenant_id = $1 and id = $2", [fx.a.id, fx.aImportId])).rows[0]!.dry_run,
        counted: (
          await db.query(
            `select status, count(*)::int as rows, (count(*) filter (where has_warning))::int as warnings
               from public.staged_rows where tenant_id = $1 and import_id = $2 group by status order by status`,
            [fx.a.id, fx.aImportId],
          )
        ).rows,
      };
    });
    // The fixture holds row 1 as a likely duplicate; the others are new.
    expect(counted).toContainEqual({ status: "likely_duplicate", rows: 1, warnings: 0 });
    expect(recorded).toEqual(counted);
  });
});

describe("private.ledger_totals, private.ledger_sources and private.ledger_day_totals", () => {
  // The totals are read from a private table through a function that runs as its owner, so the
  // function must apply "Members can view their tenant's transactions" itself; the table itself is
  // nobody's to read. Its own tenant keeps the RLS matrix's counts unchanged.
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant("rls-ledger-totals");
    await asService((db) =>
      db.query(
        `insert into public.transactions (tenant_id, booking_date, amount, currency, source)
         values ($1, '2026-03-09', '-42.50', 'KES', 'csv'), ($1, '2026-03-10', '100', 'KES', 'csv')`,
        [tenant.id],
      ),
    );
  });

  const totals = (db: Db) => db.query("select currency, count, credits, debits, net from private.ledger_totals($1, null, null, null, null)", [tenant.id]);
  const sources = (db: Db) => db.query("select s from private.ledger_sources($1) as s", [tenant.id]);

  it.each(["admin", "reviewer", "uploader", "viewer"] as const)("gives the tenant's %s its totals and sources", async (role) => {
    const read = await asUser(tenant.members[role], async (db) => ({ totals: (await totals(db)).rows, sources: (await sources(db)).rows }));
    expect(read).toEqual({ totals: [{ currency: "KES", count: 2, credits: "100", debits: "-42.50", net: "57.50" }], sources: [{ s: "csv" }] });
  });

  it.each([
    { caller: "another tenant's admin", user: () => fx.b.members.admin },
    { caller: "a user of no tenant", user: () => fx.outsider },
  ])("gives $caller neither totals nor sources", async ({ user }) => {
    expect(await asUser(user(), async (db) => [(await totals(db)).rowCount, (await sources(db)).rowCount])).toEqual([0, 0]);
  });

  it.each([
    { name: "ledger_totals", call: totals },
    { name: "ledger_sources", call: sources },
  ])("refuses $name to the anonymous caller (no usage on schema private)", async ({ call }) => {
    await expect(asAnon((db) => call(db))).rejects.toMatchObject({ code: "42501" });
  });

  it.each(["select", "insert", "update", "delete"] as const)("refuses %s on the table itself to the tenant's admin", async (command) => {
    const statements = {
      select: "select 1 from private.ledger_day_totals where tenant_id = $1",
      insert: "insert into private.ledger_day_totals values ($1, '00000000-0000-0000-0000-000000000000', 'KES', '2026-03-11', 'csv', 1, 1, 0, 5, 0, 5)",
      update: "update private.ledger_day_totals set net = 0 where tenant_id = $1",
      delete: "delete from private.ledger_day_totals where tenant_id = $1",
    };
    await expect(asUser(tenant.members.admin, (db) => db.query(statements[command], [tenant.id]))).rejects.toMatchObject({ code: "42501" });
  });
});
