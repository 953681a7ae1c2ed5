import { readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mt940Format } from "./index";
import { assertCanonical, fingerprint, mutate, run, sample, type Mutation } from "../camt/test-support";

const names = readdirSync(path.join(import.meta.dirname, "../../../test/fixtures/samples/mt940"));
const samples = names.map((name) => sample("mt940", name));
const fieldText = [":20:", ":25:", ":28C:", ":60F:", ":61:", ":86:", ":62F:", ":90D:", ":34F:", "-", "-}", "{4:", "?20", "/NAME/", "\r\n", "\n", "C", "D", "RC", ",", "2402300301", "EUR"];

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("delete", "insert", "replace"),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 40 }),
  data: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(...fieldText).map((t) => new TextEncoder().encode(t))),
});

describe("MT940 properties", () => {
  it("arbitrary bytes never throw anything but FormatError, and everything carries a line", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (input) => {
        assertCanonical(await run(mt940Format, input));
      }),
      { numRuns: 200 },
    );
  });

  it("mutated samples stay canonical and chunking never changes the result", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: samples.length - 1 }), fc.array(mutation, { maxLength: 6 }), fc.integer({ min: 1, max: 97 }), async (index, mutations, chunk) => {
        const input = mutate(samples[index]!, mutations);
        const whole = await run(mt940Format, input);
        assertCanonical(whole);
        expect(fingerprint(await run(mt940Format, input, chunk))).toBe(fingerprint(whole));
      }),
      { numRuns: 200 },
    );
  });

  it.each(names)("%s: any chunk size gives the same result as whole", async (name) => {
    const input = sample("mt940", name);
    const whole = fingerprint(await run(mt940Format, input));
    for (const size of [1, 2, 3, 7, 64, 1000]) expect(fingerprint(await run(mt940Format, input, size))).toBe(whole);
  });
});
