/**
 * A job's expiry grows with its size: pg-boss 10 re-runs a job still running past its expiry, and the
 * re-run starts the staging over, so a fixed expiry shorter than a big file's staging never finishes it.
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asService, createTenant } from "@/test/db";
import { enqueue, expireSecondsFor, jobSchema } from "./jobs";

let saved: string | undefined;
beforeEach(() => {
  saved = process.env.INFLOW_JOB_EXPIRE_SECONDS;
  delete process.env.INFLOW_JOB_EXPIRE_SECONDS;
});
afterEach(() => {
  if (saved === undefined) delete process.env.INFLOW_JOB_EXPIRE_SECONDS;
  else process.env.INFLOW_JOB_EXPIRE_SECONDS = saved;
});

describe("expireSecondsFor", () => {
  it("is 15 minutes for small jobs and grows with the bytes to parse or the rows to commit", () => {
    expect(expireSecondsFor()).toBe(900);
    expect(expireSecondsFor({ bytes: 10_000_000 })).toBe(900);
    expect(expireSecondsFor({ bytes: 1_000_000_000 })).toBe(7630); // 1 GB at 128 KiB/s
    expect(expireSecondsFor({ rows: 10_000 })).toBe(900);
    expect(expireSecondsFor({ rows: 16_000_000 })).toBe(8000); // at 2,000 rows/s
  });

  it("takes INFLOW_JOB_EXPIRE_SECONDS as it is when set", () => {
    process.env.INFLOW_JOB_EXPIRE_SECONDS = "5";
    expect(expireSecondsFor({ bytes: 1_000_000_000 })).toBe(5);
  });
});

it("queues a parse job with the expiry of its file's size", async () => {
  const tenant = await createTenant("job-expiry");
  const importId = randomUUID(); // no such import: the worker, if it runs the job, finds nothing to do
  await enqueue("parse", { tenantId: tenant.id, importId, claims: tenant.members.uploader.claims }, { bytes: 1_000_000_000 });
  const { rows } = await asService((db) =>
    db.query<{ seconds: number }>(`select extract(epoch from expire_in)::int as seconds from ${jobSchema()}.job where singleton_key = $1`, [importId]),
  );
  expect(rows).toEqual([{ seconds: 7630 }]);
});
