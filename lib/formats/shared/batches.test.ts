import { describe, expect, it } from "vitest";
import { flattenBatches } from "./batches";

describe("flattenBatches", () => {
  it("hands out every event in order, skipping empty batches, and nothing before the first next()", async () => {
    let started = false;
    async function* source(): AsyncGenerator<number[], void, undefined> {
      started = true;
      yield [1, 2];
      yield [];
      yield [3];
    }
    const events = flattenBatches(source());
    expect(started).toBe(false);
    const seen: number[] = [];
    for await (const event of events) seen.push(event);
    expect(seen).toEqual([1, 2, 3]);
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });

  it("delivers the events batched before an error, then the error, then stays done", async () => {
    async function* source(): AsyncGenerator<string[], void, undefined> {
      yield ["a", "b"];
      throw new Error("broken");
    }
    const events = flattenBatches(source());
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of events) seen.push(event);
      })(),
    ).rejects.toThrow("broken");
    expect(seen).toEqual(["a", "b"]);
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });

  it("return() stops the source and runs its finally blocks", async () => {
    let cleaned = false;
    let batches = 0;
    async function* source(): AsyncGenerator<number[], void, undefined> {
      try {
        for (;;) {
          batches++;
          yield [batches, batches];
        }
      } finally {
        cleaned = true;
      }
    }
    const seen: number[] = [];
    for await (const event of flattenBatches(source())) {
      seen.push(event);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([1, 1, 2]);
    expect(cleaned).toBe(true);
    expect(batches).toBe(2);
  });

  it("answers overlapping next() calls in order", async () => {
    async function* source(): AsyncGenerator<number[], void, undefined> {
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield [1];
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield [2, 3];
    }
    const events = flattenBatches(source());
    const results = await Promise.all([events.next(), events.next(), events.next(), events.next()]);
    expect(results).toEqual([
      { done: false, value: 1 },
      { done: false, value: 2 },
      { done: false, value: 3 },
      { done: true, value: undefined },
    ]);
  });

  it("throw() stops the source and rethrows", async () => {
    let cleaned = false;
    async function* source(): AsyncGenerator<number[], void, undefined> {
      try {
        yield [1, 2];
      } finally {
        cleaned = true;
      }
    }
    const events = flattenBatches(source());
    expect(await events.next()).toEqual({ done: false, value: 1 });
    await expect(events.throw(new Error("stop"))).rejects.toThrow("stop");
    expect(cleaned).toBe(true);
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });
});
