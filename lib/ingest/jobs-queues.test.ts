/**
 * Several workers starting at once on a new database: pg-boss's createQueue deadlocks against itself
 * (two `inflow worker` processes did), and createQueueOnce must still leave every queue made, once,
 * with no deadlock.
 */
import PgBoss from "pg-boss";
import { afterAll, expect, it } from "vitest";
import { databaseUrl } from "@/lib/db/pool";
import { asService } from "@/test/db";
import { createQueueOnce } from "./jobs";

const SCHEMA = "pgboss_queue_race_test";
const bosses: PgBoss[] = [];

afterAll(async () => {
  await Promise.all(bosses.map((b) => b.stop({ graceful: false, wait: true })));
  await asService((db) => db.query(`drop schema if exists ${SCHEMA} cascade`));
});

it("creates the same queues from six job queues starting together, without a deadlock escaping", { timeout: 120_000 }, async () => {
  await asService((db) => db.query(`drop schema if exists ${SCHEMA} cascade`));
  const url = await databaseUrl();
  for (let i = 0; i < 6; i++) bosses.push(new PgBoss({ connectionString: url, max: 2, schema: SCHEMA, supervise: false, schedule: false }));
  // pg-boss installs its schema under its own lock; start them one after the other.
  for (const boss of bosses) await boss.start();
  const names = ["race-a", "race-b", "race-c", "race-d"];
  await Promise.all(bosses.map((boss) => Promise.all(names.map((name) => createQueueOnce(boss, name, { retryLimit: 1 })))));
  const made = await asService((db) => db.query<{ name: string }>(`select name from ${SCHEMA}.queue order by name`));
  expect(made.rows.map((r) => r.name)).toEqual(names);
});
