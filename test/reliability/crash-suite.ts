/**
 * The crash test's body, run by two test files (crash.test.ts, crash-2.test.ts) so that their waits —
 * a killed job is retried only once it has expired — overlap: each file has its own job schema and
 * workers, and vitest runs files side by side. See ./soak.ts for what is checked after each kill.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CrashHarness, PHASES, rng, type IterationResult } from "./soak";

/** Imports per file, each killed twice: once while parsing or staging, once while committing. */
const IMPORTS = 6;
/** Big enough that each phase lasts long enough to be hit at a chosen fraction; small enough for CI. */
const ROWS = Number(process.env.INFLOW_CRASH_ROWS) || 4_000;

export function crashSuite(lane: number): void {
  // Before anything queues a job: this file's workers see only this file's jobs, so a kill never
  // interrupts a job another test file is waiting for.
  process.env.INFLOW_JOB_SCHEMA = `pgboss_crash_${lane}`;
  const seed = Number(process.env.INFLOW_CRASH_SEED) + lane || Math.floor(Math.random() * 2 ** 31);

  describe(`a worker killed at random points of an import (lane ${lane}, seed ${seed})`, () => {
    const harness = new CrashHarness({ rows: ROWS, iterations: IMPORTS, seed, expireSeconds: 4, log: (line) => console.log(line) });
    const results: IterationResult[] = [];
    const random = rng(seed);

    beforeAll(async () => {
      console.log(`crash test lane ${lane}: seed ${seed} (replay this lane: INFLOW_CRASH_SEED=${seed - lane})`);
      await harness.setUp();
    }, 180_000);
    afterAll(async () => {
      await harness.tearDown();
    });

    it.each(Array.from({ length: IMPORTS }, (_, i) => i + 1))(
      "import %i, killed while parsing or staging and while committing: all rows once or none, all after the retries",
      { timeout: 120_000 },
      async (n) => {
        // Parse and stage in turn, then the commit; the moment within each phase is random.
        const result = await harness.iteration(n, random, [(n + lane) % 2 ? "parse" : "stage", "commit"]);
        results.push(result);
        expect(result.kills.map((k) => k.ledgerAfterKill).every((rows) => rows === 0 || rows === ROWS)).toBe(true);
        expect(result.retries).toBeGreaterThanOrEqual(1);
      },
    );

    it("killed the worker in parse, stage and commit", () => {
      const kills = results.flatMap((r) => r.kills);
      expect(kills).toHaveLength(2 * IMPORTS);
      const landed = Object.fromEntries(PHASES.map((p) => [p, kills.filter((k) => k.landed === p).length]));
      console.log(`lane ${lane}: ${kills.length} kills landed in ${JSON.stringify(landed)} (the rest between or after jobs)`);
      for (const phase of PHASES) expect(landed[phase], `kills that landed in ${phase}`).toBeGreaterThan(0);
    });
  });
}
