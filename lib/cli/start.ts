/**
 * `inflow start`: the newcomer's one command after `npm install`. Starts the embedded Postgres (unless
 * DATABASE_URL is set), migrates, seeds the demo tenant, builds the app when the build is missing or
 * older than the sources, and runs `next start`. Ctrl-C stops the app, then Postgres, cleanly.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { runMigrations, runReset, runSeed } from "@/lib/db/admin";
import { closePool, databaseKind, getPool } from "@/lib/db/pool";

const NEXT_BIN = path.resolve("node_modules", "next", "dist", "bin", "next");
const SOURCES = ["app", "components", "lib", "public", "next.config.ts", "package-lock.json", "postcss.config.mjs"];

function newestMtime(entry: string): number {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((max, child) => Math.max(max, newestMtime(path.join(entry, child))), stat.mtimeMs);
}

export function buildIsStale(): boolean {
  const buildId = path.resolve(".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return true;
  const built = fs.statSync(buildId).mtimeMs;
  return SOURCES.some((s) => newestMtime(s) > built);
}

/**
 * V8 heap limits for the server process, which also runs the job worker. Without them V8 sizes its heap
 * from the machine's RAM and lets garbage pile up: on a 24 GB machine the server idled at ~150 MB and
 * peaked at ~375 MB while ingesting a 10 MB or 100 MB CSV (npm run bench, memory scenario), almost all
 * of it dead objects from parsing and staging. A 4 MB young-generation semi-space and a 256 MB old
 * space brought the same ingest to ~170 MB peak with no slower import (docs/performance.md, "Memory,
 * worker in the app"); 256 MB stays well above the live set (one staging batch, one parser chunk).
 * A flag the operator already gives in NODE_OPTIONS wins.
 */
export function serverNodeFlags(nodeOptions = process.env.NODE_OPTIONS ?? ""): string[] {
  const flags: string[] = [];
  if (!/--max-semi-space-size\b/.test(nodeOptions)) flags.push("--max-semi-space-size=4");
  if (!/--max-old-space-size\b/.test(nodeOptions)) flags.push("--max-old-space-size=256");
  return flags;
}

function run(args: string[], env: NodeJS.ProcessEnv, nodeFlags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, NEXT_BIN, ...args], { stdio: "inherit", env });
}

function waitFor(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** `next build` with the production environment; resolves to its exit code. */
export function buildApp(env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" }): Promise<number> {
  return waitFor(run(["build"], env));
}

export async function runStart(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: process.env.PORT ?? "3000" },
      build: { type: "boolean", default: true },
      fresh: { type: "boolean", default: false },
    },
    allowNegative: true,
  });

  await getPool(); // starts the embedded cluster when DATABASE_URL is unset
  if (values.fresh) await runReset();
  await runMigrations();
  if (databaseKind() === "embedded") await runSeed();
  else console.log("DATABASE_URL is set: not seeding demo users (run `npx inflow db seed --allow-external` to do so).");

  const env = { ...process.env, NODE_ENV: "production" as const };
  if (values.build && buildIsStale()) {
    console.log("Building the app (first start or sources changed) …");
    const code = await buildApp(env);
    if (code !== 0) return code;
  }

  const app = run(["start", "--port", values.port], env, serverNodeFlags());
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping Inflow …");
    app.kill("SIGTERM");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(`Inflow is starting at http://localhost:${values.port} (database: ${databaseKind()})`);
  const code = await waitFor(app);
  await closePool(); // stops the embedded Postgres this process started
  console.log("Stopped.");
  return stopping ? 0 : code;
}
