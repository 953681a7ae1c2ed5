/**
 * Parsers under attack, bounded for the suite: every property of test/reliability/fuzz-properties.ts
 * (random bytes and text, mutated samples, documents shaped like each format, XML bombs, external
 * entities and deep nesting) for a fixed number of runs. `npm run fuzz` runs the same properties for
 * as long as it is given.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { attackProperties, CI_SCALE } from "@/test/reliability/fuzz-properties";

describe("parsers under attack", () => {
  it.each(attackProperties(CI_SCALE).map((p) => [p.name, p] as const))("%s: no crash, hang or untyped error", { timeout: 120_000 }, async (_name, p) => {
    await fc.assert(p.property, { numRuns: p.ciRuns });
  });
});
