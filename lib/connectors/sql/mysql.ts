/**
 * The SQL connector's MySQL / MariaDB side (connection strings mysql://… or mariadb://…), read with
 * mysql2. Same contract as the Postgres side (./index.ts): rows after the last committed (cursor, id),
 * in that order, a batch at a time, the mapped columns picked out and the whole row kept as JSON.
 *
 * Every value is taken as the text the server writes (a typeCast to strings): DECIMAL exact, BIGINT
 * whole, DATE as YYYY-MM-DD, DATETIME as written — nothing passes through a JS number. The session
 * reads in UTC (TIMESTAMP columns) inside a read-only transaction with a statement time limit
 * (max_statement_time on MariaDB, max_execution_time on MySQL), so a connection never writes to the source.
 */
import mysql from "mysql2/promise";
import { assertPublicHost } from "../address";
import { plainDatabaseError, type DatabaseFailure, type SourceRow } from "./errors";
import { ProviderError } from "../types";
import type { SqlConfig, SqlCursor, SqlSecrets } from "./index";

const STATEMENT_SECONDS = 60;

export const isMysql = (secrets: SqlSecrets) => /^(mysql|mariadb):\/\//i.test(secrets.connectionString);

/** MySQL/MariaDB error codes and what they mean for a person setting up the connection. */
const MYSQL_FAILURES: Record<string, DatabaseFailure> = {
  ER_ACCESS_DENIED_ERROR: "credentials",
  ER_DBACCESS_DENIED_ERROR: "credentials",
  ER_BAD_DB_ERROR: "no_database",
  ER_NO_SUCH_TABLE: "no_table",
  ER_BAD_FIELD_ERROR: "no_column",
  ER_PARSE_ERROR: "bad_sql",
  ER_TABLEACCESS_DENIED_ERROR: "no_permission",
  ER_COLUMNACCESS_DENIED_ERROR: "no_permission",
  ER_STATEMENT_TIMEOUT: "timeout",
  ER_QUERY_TIMEOUT: "timeout",
};

/** The server's error in words a person setting up the connection can act on; never the password. */
export function plainMysqlError(error: unknown, secrets: SqlSecrets): ProviderError {
  return plainDatabaseError(error, secrets.connectionString, (code) => MYSQL_FAILURES[code], `${STATEMENT_SECONDS}s`);
}

function source(config: SqlConfig): string {
  if (config.table) return `select * from ${config.table.split(".").map((part) => mysql.escapeId(part)).join(".")}`;
  return config.query!.replace(/;\s*$/, "");
}

/** The batch query: keyset on (cursor, id) with placeholders, the source as a derived table. */
export function mysqlBatchQuery(config: SqlConfig, after: SqlCursor | null): { text: string; values: string[] } {
  const col = (name: string) => `src.${mysql.escapeId(name)}`;
  const text = `select * from (${source(config)}) as src
   ${after ? `where (${col(config.cursorColumn)}, ${col(config.idColumn)}) > (?, ?)` : ""}
   order by ${col(config.cursorColumn)}, ${col(config.idColumn)}
   limit ${config.batchSize}`;
  return { text, values: after ? [after.value, after.id] : [] };
}

/** One read-only transaction on the source server. */
async function readOnly<T>(secrets: SqlSecrets, fn: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  let connection: mysql.Connection | undefined;
  try {
    // Only these parts of the string are used: mysql2 would read any query parameter as an option.
    const url = new URL(secrets.connectionString);
    const ssl = url.searchParams.get("ssl");
    // Not Inflow's own machine or network (lib/connectors/address.ts), by any address the name has.
    await assertPublicHost(decodeURIComponent(url.hostname)).catch((error: Error) => {
      throw new ProviderError(error.message);
    });
    connection = await mysql.createConnection({
      host: decodeURIComponent(url.hostname),
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: decodeURIComponent(url.pathname.replace(/^\//, "")) || undefined,
      ...(ssl === "true" || ssl === "required" ? { ssl: { rejectUnauthorized: true } } : {}),
      // A server may ask the client for a local file (LOAD DATA LOCAL): never.
      flags: ["-LOCAL_FILES"],
      connectTimeout: 10_000,
      // Every value as the server writes it: exact decimals and big integers, dates as text.
      typeCast: (field, next) => (field.type === "GEOMETRY" ? next() : field.string("utf8")),
      multipleStatements: false,
    });
    // Without a listener an error on an idle connection would crash the process.
    connection.on("error", () => undefined);
    const [versionRows] = await connection.query<mysql.RowDataPacket[]>("select version() as v");
    const mariadb = String(versionRows[0]?.v ?? "").includes("MariaDB");
    await connection.query(mariadb ? `set session max_statement_time = ${STATEMENT_SECONDS}` : `set session max_execution_time = ${STATEMENT_SECONDS * 1000}`);
    await connection.query("set session time_zone = '+00:00'");
    await connection.query("start transaction read only");
    const result = await fn(connection);
    await connection.query("commit");
    return result;
  } catch (error) {
    throw plainMysqlError(error, secrets);
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

/** A mapped column's name as the result has it (MySQL column names are case-insensitive). */
function pick(names: readonly string[], wanted: string): string {
  const found = names.find((n) => n === wanted) ?? names.find((n) => n.toLowerCase() === wanted.toLowerCase());
  if (found === undefined) throw new ProviderError(`A mapped column was not found. Check the column names. (Unknown column '${wanted}' in the table or query)`);
  return found;
}

/** The next batch after the cursor, in the Postgres side's shape. */
export async function mysqlRows(config: SqlConfig, secrets: SqlSecrets, after: SqlCursor | null): Promise<SourceRow[]> {
  return readOnly(secrets, async (connection) => {
    const query = mysqlBatchQuery(config, after);
    const [rows, fields] = await connection.query<mysql.RowDataPacket[]>(query.text, query.values);
    const names = fields.map((f) => f.name);
    const column = (name: string | undefined) => (name === undefined ? undefined : pick(names, name));
    const mapped = {
      cursor: column(config.cursorColumn)!,
      id: column(config.idColumn)!,
      amount: column(config.amountColumn)!,
      date: column(config.dateColumn)!,
      description: column(config.descriptionColumn),
      currency: column(config.currencyColumn),
      counterparty: column(config.counterpartyColumn),
      account: column(config.accountColumn),
    };
    return rows.map((r) => {
      const row = r as Record<string, string | null>;
      const value = (name: string | undefined) => (name === undefined ? null : (row[name] ?? null));
      const date = value(mapped.date);
      return {
        row: { ...row },
        cursor: value(mapped.cursor),
        id: value(mapped.id),
        amount: value(mapped.amount),
        // A DATETIME's calendar day (the session reads in UTC); anything else is left for the check.
        date: date && /^\d{4}-\d{2}-\d{2}([ T].*)?$/.test(date) ? date.slice(0, 10) : date,
        description: value(mapped.description),
        currency: value(mapped.currency),
        counterparty: value(mapped.counterparty),
        account: value(mapped.account),
      };
    });
  });
}

/** "Test connection": the mapped columns read from one row; the database and user named. */
export async function mysqlWhere(config: SqlConfig, secrets: SqlSecrets): Promise<{ db: string; usr: string }> {
  await mysqlRows({ ...config, batchSize: 1 }, secrets, null);
  return readOnly(secrets, async (connection) => {
    const [rows] = await connection.query<mysql.RowDataPacket[]>("select database() as db, current_user() as usr");
    return { db: String(rows[0]?.db ?? ""), usr: String(rows[0]?.usr ?? "") };
  });
}
