/**
 * Another SQL database (Postgres, or MySQL / MariaDB through ./mysql.ts): a table or a query read incrementally on a cursor column, in the
 * Fivetran style — rows whose (cursor, id) come after the last committed row's, in that order, a
 * batch at a time. With an `updated_at`-like cursor column a changed row comes again and updates its
 * ledger row (same id → same external id); deleted rows cannot be seen this way and stay.
 *
 * Every value the ledger takes is read as text by Postgres itself (amounts exact whatever their
 * column type, dates cast to date in UTC), next to the whole row as JSON for the raw payload. The
 * query runs in a read-only transaction with a statement timeout, so a connection can never write to
 * the source. A row committed in the source after later rows were read (a long transaction with an
 * older cursor value) is not seen: choose a cursor column that only grows.
 */
import pg from "pg";
import { z } from "zod";
import { normalizeDecimal } from "@/lib/money/decimal";
import { assertPublicHost, hostProblem } from "../address";
import { plainDatabaseError, type DatabaseFailure, type SourceRow } from "./errors";
import { isMysql, mysqlRows, mysqlWhere } from "./mysql";
import { ProviderError, RecordError, type CanonicalRecord, type FetchBatch, type ProviderRecord, type RecordConnector } from "../types";

const column = z.string().trim().min(1, "Name the column").max(63, "Postgres names are at most 63 characters");
/** schema.table or table; each part a Postgres identifier (quoted when used, so any spelling works). */
const tableName = z.string().trim().min(1).max(127).regex(/^[^."]+(\.[^."]+)?$/, 'Write the table as table or schema.table, without quotes');

export const sqlConfig = z
  .object({
    accountId: z.string().uuid("Choose an account that exists in this workspace").optional(),
    table: tableName.optional(),
    /** A select (or with … select) whose rows are the transactions; read as a subquery. */
    query: z
      .string()
      .trim()
      .max(20_000)
      .regex(/^(select|with)\b/i, "The query must start with SELECT or WITH")
      .optional(),
    cursorColumn: column,
    idColumn: column,
    amountColumn: column,
    dateColumn: column,
    descriptionColumn: column.optional(),
    currencyColumn: column.optional(),
    counterpartyColumn: column.optional(),
    /** A column naming the external account of each row; without it every row is `externalAccount`. */
    accountColumn: column.optional(),
    /** The currency of every row when there is no currency column (else the mapped account's). */
    currency: z.string().regex(/^[A-Z]{3}$/, "Use a three-letter currency code such as USD").optional(),
    /** The external account when there is no account column; default: the table name, or "query". */
    externalAccount: z.string().trim().min(1).max(200).optional(),
    /** Prefix of the external ids (the id column's value follows): default the table name, or "query". */
    idPrefix: z.string().trim().min(1).max(100).optional(),
    batchSize: z.number().int().min(1).max(10_000).default(1000),
  })
  .refine((c) => (c.table === undefined) !== (c.query === undefined), { message: "Give either a table or a query", path: ["table"] });
export type SqlConfig = z.infer<typeof sqlConfig>;

/**
 * pg reads these query parameters as paths on the machine Inflow runs on (TLS files, a Unix socket
 * directory): a tenant's connection must reach the tenant's database over the network, never make
 * Inflow open its own files or its own local sockets.
 */
const LOCAL_PATH_PARAMS = ["sslcert", "sslkey", "sslrootcert"];

/** The host pg connects to: a host=… query parameter wins over the URL's host. */
function serverHost(url: URL): string {
  return url.searchParams.get("host") ?? decodeURIComponent(url.hostname).replace(/^\[|\]$/g, "");
}

/** Just before connecting: the server's name must not lead to Inflow's own machine or network (lib/connectors/address.ts). */
async function assertPublicDatabase(secrets: SqlSecrets): Promise<void> {
  try {
    await assertPublicHost(serverHost(new URL(secrets.connectionString)));
  } catch (error) {
    throw new ProviderError((error as Error).message);
  }
}

function connectionStringProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Never echo the value: it holds the password.
    return "The connection string could not be read: check the port, and write special characters in the password as %XX (e.g. %40 for @)";
  }
  const host = decodeURIComponent(url.hostname);
  if (!host || host.startsWith("/") || url.searchParams.get("host")?.startsWith("/")) return "Name the database server's host: Inflow connects over the network, not through a local socket";
  const hostOnItsOwnServer = hostProblem(serverHost(url));
  if (hostOnItsOwnServer) return `${hostOnItsOwnServer}: name the database server by a public address`;
  // mysql2 would take any query parameter as a driver option: only ssl is read (./mysql.ts).
  const other = /^(mysql|mariadb):$/i.test(url.protocol) ? [...url.searchParams.keys()].find((p) => p !== "ssl") : undefined;
  if (other) return `Remove ${other}=…: a MySQL connection string may carry only ssl=true`;
  const local = LOCAL_PATH_PARAMS.find((p) => url.searchParams.has(p));
  if (local) return `Remove ${local}=…: it names a file on Inflow's own server, which a connection may not read`;
  return undefined;
}

export const sqlSecrets = z.object({
  connectionString: z
    .string()
    .trim()
    .regex(/^(postgres(ql)?|mysql|mariadb):\/\/\S+$/, "Enter a connection string such as postgres://user:password@host:5432/database or mysql://user:password@host:3306/database")
    .superRefine((value, ctx) => {
      const problem = connectionStringProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
});
export type SqlSecrets = z.infer<typeof sqlSecrets>;

/** The last committed row's cursor value and id, as Postgres writes them as text. */
export const sqlCursor = z.object({ value: z.string(), id: z.string() });
export type SqlCursor = z.infer<typeof sqlCursor>;

const STATEMENT_TIMEOUT = "60s";

const prefixOf = (config: SqlConfig) => config.idPrefix ?? config.table ?? "query";

function identifier(name: string): string {
  return pg.escapeIdentifier(name);
}

function source(config: SqlConfig): string {
  if (config.table) return `select * from ${config.table.split(".").map(identifier).join(".")}`;
  return config.query!.replace(/;\s*$/, "");
}

/** The batch query: mapped columns as text, the row as JSON, keyset on (cursor, id). */
export function batchQuery(config: SqlConfig, after: SqlCursor | null): { text: string; values: string[] } {
  const col = (name: string) => `src.${identifier(name)}`;
  const optional = (name: string | undefined, alias: string) => `${name ? `(${col(name)})::text` : "null::text"} as ${alias}`;
  const text = `select to_jsonb(src) as "row",
         (${col(config.cursorColumn)})::text as "cursor", (${col(config.idColumn)})::text as "id",
         (${col(config.amountColumn)})::text as "amount", (${col(config.dateColumn)})::date::text as "date",
         ${optional(config.descriptionColumn, '"description"')}, ${optional(config.currencyColumn, '"currency"')},
         ${optional(config.counterpartyColumn, '"counterparty"')}, ${optional(config.accountColumn, '"account"')}
    from (${source(config)}) as src
   ${after ? `where (${col(config.cursorColumn)}, ${col(config.idColumn)}) > ($1, $2)` : ""}
   order by ${col(config.cursorColumn)}, ${col(config.idColumn)}
   limit ${config.batchSize}`;
  return { text, values: after ? [after.value, after.id] : [] };
}

/** Postgres error codes (SQLSTATE) and what they mean for a person setting up the connection. */
const POSTGRES_FAILURES: Record<string, DatabaseFailure> = {
  "28P01": "credentials",
  "28000": "credentials",
  "3D000": "no_database",
  "42P01": "no_table",
  "42703": "no_column",
  "42601": "bad_sql",
  "42501": "no_permission",
  "57014": "timeout",
};

/** The database's error in words a person setting up the connection can act on; never the password. */
export function plainSqlError(error: unknown, secrets: SqlSecrets): ProviderError {
  return plainDatabaseError(error, secrets.connectionString, (code) => POSTGRES_FAILURES[code], STATEMENT_TIMEOUT);
}

/** One read-only transaction on the source database. */
async function readOnly<T>(secrets: SqlSecrets, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  await assertPublicDatabase(secrets);
  const client = new pg.Client({ connectionString: secrets.connectionString, connectionTimeoutMillis: 10_000, application_name: "inflow-connector" });
  // Without a listener an error on an idle connection would crash the process.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("begin transaction read only");
    await client.query(`set local statement_timeout = '${STATEMENT_TIMEOUT}'`);
    await client.query("set local timezone = 'UTC'");
    const result = await fn(client);
    await client.query("commit");
    return result;
  } catch (error) {
    throw plainSqlError(error, secrets);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const rowData = z.object({
  fields: z.object({
    cursor: z.string().nullable(),
    id: z.string().nullable(),
    amount: z.string().nullable(),
    date: z.string().nullable(),
    description: z.string().nullable(),
    currency: z.string().nullable(),
    counterparty: z.string().nullable(),
    account: z.string().nullable(),
  }),
  row: z.unknown(),
});

export const sqlConnector: RecordConnector<SqlConfig, SqlSecrets, SqlCursor> = {
  type: "sql",
  label: "SQL database",
  produces: "records",
  configSchema: sqlConfig,
  secretsSchema: sqlSecrets,
  cursorSchema: sqlCursor,

  async test(config, secrets) {
    try {
      const where = isMysql(secrets)
        ? await mysqlWhere(config, secrets)
        : await readOnly(secrets, async (client) => {
        const query = batchQuery({ ...config, batchSize: 1 }, null);
        await client.query(query.text, query.values);
        const { rows } = await client.query<{ db: string; usr: string }>("select current_database() as db, current_user as usr");
        return rows[0]!;
      });
      return { ok: true, message: `Connected to database "${where.db}" as "${where.usr}": the ${config.table ? `table ${config.table}` : "query"} and its mapped columns can be read.` };
    } catch (error) {
      if (error instanceof ProviderError) return { ok: false, message: error.message };
      throw error;
    }
  },

  async fetchNext(config, secrets, cursor): Promise<FetchBatch<SqlCursor>> {
    const rows: SourceRow[] = isMysql(secrets)
      ? await mysqlRows(config, secrets, cursor)
      : await readOnly(secrets, async (client) => {
          const query = batchQuery(config, cursor);
          return (await client.query<SourceRow>(query.text, query.values)).rows;
        });
    const last = rows.at(-1);
    if (last && (last.cursor === null || last.id === null)) {
      throw new ProviderError(`A row has no value in the cursor column (${config.cursorColumn}) or the id column (${config.idColumn}); such rows cannot be synced in order. Fill them in or leave them out of the query.`);
    }
    const items: ProviderRecord[] = rows.map((r) => {
      const { row, ...fields } = r;
      return { kind: "record", id: `${prefixOf(config)}:${fields.id ?? ""}`, data: { fields, row } };
    });
    return {
      items,
      cursor: last ? { value: last.cursor!, id: last.id! } : cursor,
      // A full batch may have more behind it; the next fetch finds out.
      hasMore: rows.length === config.batchSize,
    };
  },

  importOptions: (config) => (config.accountId ? { accountId: config.accountId } : {}),

  toCanonical(record, config): CanonicalRecord | null {
    const data = rowData.safeParse(record.data);
    if (!data.success) throw new RecordError(`Row ${record.id} is not in the shape the SQL connector wrote.`);
    const f = data.data.fields;
    const account = { id: f.account ?? config.externalAccount ?? config.table ?? "query" };
    const fields: Record<string, string> = { bookingDate: f.date ?? "", amount: f.amount ?? "", description: f.description ?? "" };
    if (f.id === null) throw new RecordError(`Row ${record.id} has no id.`, "externalId", account, fields);
    const amount = f.amount === null ? null : normalizeDecimal(f.amount);
    if (amount === null) throw new RecordError(`Row ${record.id}: the amount ${f.amount === null ? "is empty" : `"${f.amount}" is not a plain decimal number`}.`, "amount", account, fields);
    if (f.date === null || !/^\d{4}-\d{2}-\d{2}$/.test(f.date)) throw new RecordError(`Row ${record.id}: the date is empty.`, "bookingDate", account, fields);
    const currency = f.currency?.trim().toUpperCase() || config.currency;
    if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) throw new RecordError(`Row ${record.id}: the currency "${currency}" is not a three-letter code.`, "currency", account, fields);
    return {
      account: { ...account, ...(currency ? { currency } : {}) },
      transaction: {
        bookingDate: f.date,
        amount,
        ...(currency ? { currency } : {}),
        externalId: record.id,
        description: f.description ?? "",
        ...(f.counterparty ? { counterpartyName: f.counterparty } : {}),
      },
    };
  },
};
