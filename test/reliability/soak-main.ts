/**
 * `npm run soak [-- --iterations N] [--rows N] [--seed N] [--minutes M]`: the crash test of the suite
 * (./soak.ts) many times over — by default 500 imports of 10,000 rows, each with its worker killed
 * once or twice at a random moment — on an embedded Postgres of its own (.data/soak, port 54359 unless
 * INFLOW_DATA_DIR / INFLOW_EMBEDDED_PG_PORT say otherwise, or DATABASE_URL for an external scratch
 * database). Stops at the first violated guarantee, naming the seed that replays it; otherwise prints
 * the summary: kills per phase, the ledger after each kill, retries, time.
 */
import { parseArgs } from "node:util";

process.env.INFLOW_DATA_DIR ??= ".data/soak";
process.env.INFLOW_EMBEDDED_PG_PORT ??= "54359";
process.env.INFLOW_JOB_SCHEMA ??= "pgboss_soak";

const { values } = parseArgs({
  options: {
    iterations: { type: "string", default: "500" },
    rows: { type: "string", default: "10000" },
    seed: { type: "string" },
    minutes: { type: "string" },
    // The suite's plan (test/reliability/crash.test.ts): every import killed twice, while parsing or
    // staging (in turn) and while committing. And the summary as one JSON line at the end.
    "suite-plan": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const iterations = Number(values.iterations);
const rows = Number(values.rows);
const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const minutes = values.minutes ? Number(values.minutes) : undefined;
if (![iterations, rows, seed].every((n) => Number.isInteger(n) && n > 0) || (minutes !== undefined && !(minutes > 0))) {
  console.error("Usage: npm run soak -- [--iterations N] [--rows N] [--seed N] [--minutes M]  (whole positive numbers)");
  process.exit(2);
}

const { runMigrations } = await import("@/lib/db/admin");
const { closePool } = await import("@/lib/db/pool");
const { formatSummary, runSoak } = await import("./soak");

let code = 0;
try {
  await runMigrations(() => undefined);
  const summary = await runSoak({
    rows,
    iterations,
    seed,
    cleanUp: true,
    ...(values["suite-plan"] ? { plan: (n: number) => [n % 2 ? ("parse" as const) : ("stage" as const), "commit" as const] } : {}),
    ...(minutes ? { deadline: Date.now() + minutes * 60_000 } : {}),
    log: (line) => console.log(line),
    onIteration: (r) =>
      console.log(`  #${r.kills[0]?.iteration}: ${r.kills.map((k) => `${k.target}@${k.fraction.toFixed(2)}→${k.landed} (ledger ${k.ledgerAfterKill})`).join(", ")}; ${r.retries} retries; ${(r.ms / 1000).toFixed(1)} s`),
  });
  console.log(formatSummary(summary));
  if (values.json) console.log(JSON.stringify(summary));
  if (summary.iterations < iterations) console.log(`  stopped after ${summary.iterations} of ${iterations} iterations: the ${minutes}-minute limit was reached`);
} catch (error) {
  console.error(`SOAK FAILED (seed ${seed}; replay with --seed ${seed} --rows ${rows}): ${error instanceof Error ? error.stack : String(error)}`);
  code = 1;
} finally {
  await closePool();
}
process.exit(code);
