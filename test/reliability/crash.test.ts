/**
 * Crash safety in the suite: large imports whose worker process is killed (SIGKILL) at seeded random
 * moments of parsing, staging and committing, then restarted — 24 kills, checked as ./soak.ts describes.
 * Each kill waits for pg-boss to expire the dead job, so two lanes run side by side, each as its own
 * `npm run soak` process (./soak-main.ts) with its own job schema (its kills never hit another test
 * file's jobs) on the test database. The seed is printed; INFLOW_CRASH_SEED replays a run.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { databaseUrl } from "@/lib/db/pool";
import { PHASES, type Phase, type SoakSummary } from "./soak";

const SEED = Number(process.env.INFLOW_CRASH_SEED) || Math.floor(Math.random() * 2 ** 30);
/** Imports per lane, each killed twice (while parsing or staging, and while committing). */
const IMPORTS = 6;
/** Big enough that each phase lasts long enough to be hit at a chosen fraction; small enough for CI. */
const ROWS = 4_000;

async function lane(n: number): Promise<SoakSummary> {
  const args = ["test/reliability/soak-main.ts", "--iterations", String(IMPORTS), "--rows", String(ROWS), "--seed", String(SEED + n), "--suite-plan", "--json"];
  const child = spawn(path.resolve("node_modules/.bin/tsx"), args, {
    env: { ...process.env, DATABASE_URL: await databaseUrl(), INFLOW_JOB_SCHEMA: `pgboss_crash_${n}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  console.log(`lane ${n}:\n${out.split("\n").filter((l) => !l.startsWith("{")).join("\n")}`);
  if (code !== 0) throw new Error(`lane ${n} failed (exit ${code}):\n${err}\n${out.slice(-4000)}`);
  return JSON.parse(out.trim().split("\n").at(-1)!) as SoakSummary;
}

describe(`a worker killed at random points of large imports (seed ${SEED}; replay: INFLOW_CRASH_SEED=${SEED})`, () => {
  it("leaves each import's rows all or none after every kill, all exactly once after the retries", { timeout: 600_000 }, async () => {
    const lanes = await Promise.all([lane(1), lane(2)]);
    const kills = lanes.reduce((n, s) => n + s.killCount, 0);
    expect(kills).toBe(2 * 2 * IMPORTS);
    expect(lanes.map((s) => s.committedExactlyOnce)).toEqual([IMPORTS, IMPORTS]);
    // Every kill left the import's rows all in the ledger or none (a partial ledger fails the lane at once).
    expect(lanes.reduce((n, s) => n + s.ledgerAfterKill.none + s.ledgerAfterKill.all, 0)).toBe(kills);
    expect(lanes.reduce((n, s) => n + s.retries, 0)).toBeGreaterThanOrEqual(2 * IMPORTS);
    // Where the kills landed is printed per phase. Only "before the commit" and "in the commit" are asserted:
    // reading a file before its first staged batch can last a few milliseconds on a fast machine, so a
    // kill aimed at it may land in staging instead, and asserting on it would make the suite flaky.
    const landed = (phases: readonly Phase[]) => lanes.reduce((n, s) => n + phases.reduce((m, p) => m + s.kills[p], 0), 0);
    console.log(`kills landed: ${PHASES.map((p) => `${p} ${landed([p])}`).join(", ")}`);
    expect(landed(["parse", "stage"]), "kills that landed while parsing or staging").toBeGreaterThan(0);
    expect(landed(["commit"]), "kills that landed while committing").toBeGreaterThan(0);
  });
});
