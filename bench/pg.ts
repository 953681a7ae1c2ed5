/**
 * `npx tsx bench/pg.ts`: starts the benchmark's own embedded Postgres (the data `npm run bench` left
 * in .data/bench, port 55999) and keeps it up, for EXPLAIN ANALYZE sessions on the benchmark's big
 * data (bench/explain.ts). Ctrl-C stops it.
 */
process.env.INFLOW_DATA_DIR = process.env.BENCH_DATA_DIR ?? ".data/bench";
process.env.INFLOW_EMBEDDED_PG_PORT = process.env.BENCH_PG_PORT ?? "55999";

async function main(): Promise<void> {
  const { ensureEmbeddedPostgres } = await import("../lib/db/embedded");
  const cluster = await ensureEmbeddedPostgres(console.log);
  console.log(`Benchmark Postgres up on port ${process.env.INFLOW_EMBEDDED_PG_PORT}. Ctrl-C stops it.`);
  const stop = () => {
    void cluster.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  setInterval(() => undefined, 1 << 30);
}

void main();
