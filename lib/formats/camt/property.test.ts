import { readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { camtFormat } from "./index";
import { assertCanonical, fingerprint, mutate, run, sample, type Mutation } from "./test-support";

const names = readdirSync(path.join(import.meta.dirname, "../../../test/fixtures/samples/camt053"));
const samples = names.map((name) => sample("camt053", name));
const xmlText = ["<", ">", "</", "/>", "<Ntry>", "</Ntry>", "<TxDtls>", "</TxDtls>", "<Amt Ccy=\"EUR\">", "DBIT", "&amp;", "&", "<!DOCTYPE x>", "<![CDATA[", "]]>", "\n", "2024-02-30", "1.005"];

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("delete", "insert", "replace"),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 60 }),
  data: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(...xmlText).map((t) => new TextEncoder().encode(t))),
});

describe("camt properties", () => {
  it("arbitrary bytes never throw anything but FormatError, and errors carry a line", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (input) => {
        assertCanonical(await run(camtFormat, input));
      }),
      { numRuns: 200 },
    );
  });

  it("mutated samples stay canonical and chunking never changes the result", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: samples.length - 1 }), fc.array(mutation, { maxLength: 5 }), fc.integer({ min: 1, max: 200 }), async (index, mutations, chunk) => {
        const input = mutate(samples[index]!, mutations);
        const whole = await run(camtFormat, input);
        assertCanonical(whole);
        expect(fingerprint(await run(camtFormat, input, chunk))).toBe(fingerprint(whole));
      }),
      { numRuns: 200 },
    );
  });

  it.each(names)("%s: any chunk size gives the same result as whole", async (name) => {
    const input = sample("camt053", name);
    const whole = fingerprint(await run(camtFormat, input));
    for (const size of [1, 2, 3, 7, 64, 4096]) expect(fingerprint(await run(camtFormat, input, size))).toBe(whole);
  });
});
