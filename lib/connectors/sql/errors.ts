/**
 * What both sides of the SQL connector (Postgres in ./index.ts, MySQL/MariaDB in ./mysql.ts) share:
 * the row shape a batch query answers, and the database's refusals in words a person setting up the
 * connection can act on. Each driver names its errors differently, so each side only says which of
 * these failures a driver code means; the words live here once.
 */
import { redact } from "../http";
import { ProviderError } from "../types";

/** One source row: the mapped columns as text, and the whole row for the raw payload. */
export interface SourceRow {
  row: unknown;
  cursor: string | null;
  id: string | null;
  amount: string | null;
  date: string | null;
  description: string | null;
  currency: string | null;
  counterparty: string | null;
  account: string | null;
}

export type DatabaseFailure = "unknown_host" | "credentials" | "no_database" | "no_table" | "no_column" | "bad_sql" | "no_permission" | "timeout";

/** The connection string and the password in it: never repeated in a message. */
function secretsIn(connectionString: string): string[] {
  const out = [connectionString];
  try {
    const password = decodeURIComponent(new URL(connectionString).password);
    if (password) out.push(password);
  } catch {
    // Not a URL the driver can read either; the connect error says so.
  }
  return out;
}

/**
 * The database's error in plain words, never the password. `failureOf` maps the driver's error code;
 * `timeLimit` is how the statement time limit reads ("60s").
 */
export function plainDatabaseError(error: unknown, connectionString: string, failureOf: (code: string) => DatabaseFailure | undefined, timeLimit: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = error as { code?: string; message?: string };
  const raw = redact(e.message ?? String(error), secretsIn(connectionString));
  if (e.code === "ECONNREFUSED") return new ProviderError("The database server refused the connection. Check the host and port, and that it accepts connections from Inflow.");
  const failure = e.code === "ENOTFOUND" || e.code === "EAI_AGAIN" ? "unknown_host" : e.code === undefined ? undefined : failureOf(e.code);
  switch (failure) {
    case "unknown_host":
      return new ProviderError("The database server's name could not be found. Check the host in the connection string.");
    case "credentials":
      return new ProviderError(`The database refused the user name or password. (${raw})`);
    case "no_database":
      return new ProviderError(`That database does not exist on the server. (${raw})`);
    case "no_table":
      return new ProviderError(`The table was not found. Check its name and schema. (${raw})`);
    case "no_column":
      return new ProviderError(`A mapped column was not found. Check the column names. (${raw})`);
    case "bad_sql":
      return new ProviderError(`The query is not valid SQL. (${raw})`);
    case "no_permission":
      return new ProviderError(`The database user may not read this. Grant it SELECT. (${raw})`);
    case "timeout":
      return new ProviderError(`The query took longer than ${timeLimit} and was stopped. Add an index on the cursor column or simplify the query.`);
    default:
      return new ProviderError(`The database answered: ${raw}`);
  }
}
