/**
 * Row-level security, table by table and command by command, for every kind of caller: the four roles
 * of tenant A, the admin of another tenant B, and the anonymous caller (Postgres role `anon`).
 *
 * Every attempt runs in its own transaction that is rolled back afterwards, so the fixtures built once
 * in beforeAll stay exactly as seeded and each row of the matrix is independent of the others.
 * Outcomes are exact: `rows(n)` is the statement's row count (rows seen, inserted, updated or deleted),
 * `refused` is Postgres error 42501 (new row violates row-level security policy / permission denied).
 */
import { randomUUID } from "node:crypto";
import type { QueryResult } from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/pool";
import { asAnon, asService, asUser, createTenant, createUser, type TestTenant, type TestUser } from "@/test/db";

const ACTORS = ["admin", "reviewer", "uploader", "viewer", "b-admin", "anon"] as const;
type Actor = (typeof ACTORS)[number];
const TABLES = ["tenants", "memberships", "accounts", "imports", "transactions"] as const;
type Table = (typeof TABLES)[number];
const COMMANDS = ["select", "insert", "update", "delete"] as const;
type Command = (typeof COMMANDS)[number];

type Outcome = { rows: number } | { error: string };
const rows = (n: number): Outcome => ({ rows: n });
const refused: Outcome = { error: "42501" };

interface Fixtures {
  a: TestTenant;
  b: TestTenant;
  /** A signed-up user who belongs to no tenant (the one admins try to add). */
  outsider: TestUser;
  aAccountIds: string[];
  aImportId: string;
  bAccountId: string;
  bImportId: string;
}

let fx: Fixtures;

/** What tenant A and B hold after seeding, so expectations below read as numbers with a meaning. */
const A = { tenants: 1, memberships: 4, accounts: 2, imports: 1, transactions: 3 } as const satisfies Record<Table, number>;
const B = { tenants: 1, memberships: 4, accounts: 1, imports: 1, transactions: 2 } as const satisfies Record<Table, number>;

beforeAll(async () => {
  const a = await createTenant("rls-a");
  const b = await createTenant("rls-b");
  const outsider = await createUser("rls-outsider");
  const seeded = await asService(async (db) => {
    const seedTenant = async (tenant: TestTenant, accounts: string[], transactions: string[]) => {
      const accountIds: string[] = [];
      for (const name of accounts) {
        const { rows: r } = await db.query<{ id: string }>(
          "insert into public.accounts (tenant_id, name, number, currency) values ($1, $2, '0011', 'KES') returning id",
          [tenant.id, name],
        );
        accountIds.push(r[0]!.id);
      }
      const { rows: imp } = await db.query<{ id: string }>(
        "insert into public.imports (tenant_id, file_name, format, created_by) values ($1, 'statement.csv', 'csv', $2) returning id",
        [tenant.id, tenant.members.uploader.id],
      );
      const importId = imp[0]!.id;
      for (const amount of transactions) {
        await db.query(
          `insert into public.transactions (tenant_id, booking_date, amount, currency, description, source, import_id)
           values ($1, '2026-01-15', $2, 'KES', 'seeded', 'csv', $3)`,
          [tenant.id, amount, importId],
        );
      }
      return { accountIds, importId };
    };
    const sa = await seedTenant(a, ["Operating", "M-Pesa till"], ["100.00", "-25.50", "0.01"]);
    const sb = await seedTenant(b, ["B operating"], ["999.99", "-1.00"]);
    return { sa, sb };
  });
  fx = {
    a,
    b,
    outsider,
    aAccountIds: seeded.sa.accountIds,
    aImportId: seeded.sa.importId,
    bAccountId: seeded.sb.accountIds[0]!,
    bImportId: seeded.sb.importId,
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

/** Runs `statement` as `actor` in a transaction that is always rolled back; reports rows or the SQLSTATE. */
async function attempt(actor: Actor, statement: (db: Db, me: TestUser | null) => Promise<QueryResult>): Promise<Outcome> {
  let outcome: Outcome | undefined;
  const body = async (db: Db, me: TestUser | null): Promise<never> => {
    const result = await statement(db, me);
    outcome = rows(result.rowCount ?? 0);
    throw new Rollback();
  };
  try {
    if (actor === "anon") await asAnon((db) => body(db, null));
    else await asUser(userOf(actor), (db) => body(db, userOf(actor)));
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
};

type Row = [Table, Command, Record<Actor, Outcome>];
const row = (table: Table, command: Command, ...o: [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]): Row => [
  table,
  command,
  { admin: o[0], reviewer: o[1], uploader: o[2], viewer: o[3], "b-admin": o[4], anon: o[5] },
];

/**
 * What each caller may do to tenant A's rows. Refused reads, updates and deletes silently match no row
 * (RLS filters them); refused inserts raise 42501. Commands without any policy are refused for everyone.
 */
// prettier-ignore
const MATRIX: Row[] = [
  //   table            command    admin                  reviewer               uploader               viewer                 b-admin  anon
  row("tenants",      "select",  rows(A.tenants),       rows(A.tenants),       rows(A.tenants),       rows(A.tenants),       rows(0), rows(0)),
  row("tenants",      "insert",  refused,               refused,               refused,               refused,               refused, refused), // no policy
  row("tenants",      "update",  rows(1),               rows(0),               rows(0),               rows(0),               rows(0), rows(0)),
  row("tenants",      "delete",  rows(0),               rows(0),               rows(0),               rows(0),               rows(0), rows(0)), // no policy
  row("memberships",  "select",  rows(A.memberships),   rows(A.memberships),   rows(A.memberships),   rows(A.memberships),   rows(0), rows(0)),
  row("memberships",  "insert",  rows(1),               refused,               refused,               refused,               refused, refused),
  row("memberships",  "update",  rows(1),               rows(0),               rows(0),               rows(0),               rows(0), rows(0)), // viewer can't promote self
  row("memberships",  "delete",  rows(1),               rows(0),               rows(0),               rows(0),               rows(0), rows(0)),
  row("accounts",     "select",  rows(A.accounts),      rows(A.accounts),      rows(A.accounts),      rows(A.accounts),      rows(0), rows(0)),
  row("accounts",     "insert",  rows(1),               refused,               refused,               refused,               refused, refused),
  row("accounts",     "update",  rows(A.accounts),      rows(0),               rows(0),               rows(0),               rows(0), rows(0)),
  row("accounts",     "delete",  rows(A.accounts),      rows(0),               rows(0),               rows(0),               rows(0), rows(0)),
  row("imports",      "select",  rows(A.imports),       rows(A.imports),       rows(A.imports),       rows(A.imports),       rows(0), rows(0)),
  row("imports",      "insert",  rows(1),               refused,               rows(1),               refused,               refused, refused),
  row("imports",      "update",  rows(A.imports),       rows(0),               rows(A.imports),       rows(0),               rows(0), rows(0)),
  row("imports",      "delete",  rows(0),               rows(0),               rows(0),               rows(0),               rows(0), rows(0)), // no policy
  row("transactions", "select",  rows(A.transactions),  rows(A.transactions),  rows(A.transactions),  rows(A.transactions),  rows(0), rows(0)),
  row("transactions", "insert",  rows(1),               refused,               rows(1),               refused,               refused, refused),
  row("transactions", "update",  rows(A.transactions),  rows(0),               rows(0),               rows(0),               rows(0), rows(0)),
  row("transactions", "delete",  rows(A.transactions),  rows(0),               rows(0),               rows(0),               rows(0), rows(0)),
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

  it("covers exactly the tables of schema public, every command, and lets someone through exactly where a policy exists", async () => {
    const { tables, policies } = await asService(async (db) => ({
      tables: (
        await db.query<{ relname: string }>(
          `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
        )
      ).rows.map((r) => r.relname),
      policies: (
        await db.query<{ tablename: string; cmd: string; roles: string[] }>(
          "select tablename, cmd, roles::text[] as roles from pg_policies where schemaname = 'public'",
        )
      ).rows,
    }));
    expect([...tables].sort()).toEqual([...TABLES].sort());
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

describe("RLS: each caller sees only its own tenant", () => {
  const VISIBLE: { actor: Actor; expected: Record<Table, number> }[] = [
    ...(["admin", "reviewer", "uploader", "viewer"] as const).map((actor) => ({ actor: actor as Actor, expected: { ...A } })),
    { actor: "b-admin", expected: { ...B } },
    { actor: "anon", expected: { tenants: 0, memberships: 0, accounts: 0, imports: 0, transactions: 0 } },
  ];

  it.each(VISIBLE)("$actor sees $expected with no filter at all", async ({ actor, expected }) => {
    const seen = {} as Record<Table, number>;
    for (const table of TABLES) {
      const outcome = await attempt(actor, (db) => db.query(`select 1 from public.${table}`));
      expect(outcome).toHaveProperty("rows");
      seen[table] = "rows" in outcome ? outcome.rows : -1;
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
    const outcome =
      actor === "outsider"
        ? await asUser(fx.outsider, async (db) => rows((await call(db)).rowCount ?? 0))
        : await attempt(actor, call);
    expect(outcome).toEqual(expected);
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
