/**
 * `npm run fuzz -- --minutes N [--seed S]`: the properties of the bounded suite (lib/formats/attack.test.ts,
 * defined in ./fuzz-properties.ts) run for N minutes (default 10) with larger inputs, time shared equally
 * between them. Prints what ran — cases per property, bytes parsed, outcomes — and every failure with
 * the seed and path that replay it: `fc.assert(property, { seed, path })`. Exits 1 on any failure.
 *
 * The properties run in a child process watched by this one: a parser stuck in a synchronous loop
 * cannot be interrupted from its own thread, so a child that reports no case for HANG_MS × 3 is killed
 * and the case it was on reported as a hang.
 */
import { fork, type ChildProcess } from "node:child_process";
import fc from "fast-check";
import { attackProperties, HANG_MS, LONG_SCALE, observer, type AttackOutcome } from "./fuzz-properties";

interface Options {
  minutes: number;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { minutes: 10, seed: Date.now() % 2 ** 31 };
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    if (argv[i] === "--minutes" && value > 0) options.minutes = value;
    else if (argv[i] === "--seed" && Number.isInteger(value)) options.seed = value;
    else continue;
    i++;
  }
  return options;
}

interface PropertyReport {
  name: string;
  seed: number;
  cases: number;
  bytes: number;
  parsed: number;
  refused: Record<string, number>;
  ms: number;
  failure?: { path: string; counterexample: string; error: string };
}

type ChildMessage = { type: "case"; property: number; seed: number; n: number } | { type: "report"; property: number; report: PropertyReport } | { type: "done" };

// ---- the child: runs properties from `first` on, each for its share of the time ----

async function child(first: number, sliceMs: number, baseSeed: number): Promise<void> {
  const properties = attackProperties(LONG_SCALE);
  const send = (message: ChildMessage) => process.send?.(message);
  for (let index = first; index < properties.length; index++) {
    const p = properties[index]!;
    const seed = baseSeed + index;
    const report: PropertyReport = { name: p.name, seed, cases: 0, bytes: 0, parsed: 0, refused: {}, ms: 0 };
    observer.start = (bytes) => {
      report.cases++;
      report.bytes += bytes;
      send({ type: "case", property: index, seed, n: report.cases });
    };
    observer.end = (outcome: AttackOutcome) => {
      if (outcome.ok) report.parsed++;
      else report.refused[outcome.code] = (report.refused[outcome.code] ?? 0) + 1;
    };
    const started = Date.now();
    const details = await fc.check(p.property, { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: sliceMs, markInterruptAsFailure: false });
    report.ms = Date.now() - started;
    if (details.failed) {
      report.failure = {
        path: details.counterexamplePath ?? "",
        counterexample: fc.stringify(details.counterexample).slice(0, 600),
        error: (details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)).slice(0, 600),
      };
    }
    send({ type: "report", property: index, report });
  }
  send({ type: "done" });
}

// ---- the parent: watchdog and report ----

function run(first: number, sliceMs: number, seed: number, onMessage: (m: ChildMessage) => void): { child: ChildProcess; exited: Promise<number | null> } {
  const proc = fork(new URL(import.meta.url).pathname, [], {
    env: { ...process.env, INFLOW_FUZZ_CHILD: JSON.stringify({ first, sliceMs, seed }) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  proc.on("message", (m) => onMessage(m as ChildMessage));
  return { child: proc, exited: new Promise((resolve) => proc.on("exit", (code) => resolve(code))) };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const count = attackProperties(LONG_SCALE).length;
  const sliceMs = Math.floor((options.minutes * 60_000) / count);
  console.log(`fuzz: ${count} properties × ${(sliceMs / 1000).toFixed(0)} s (${options.minutes} min), inputs up to ${LONG_SCALE.maxBytes} bytes, base seed ${options.seed}`);
  const reports: PropertyReport[] = [];
  const hangs: string[] = [];
  let next = 0;
  while (next < count) {
    let last: { property: number; seed: number; n: number } = { property: next, seed: options.seed + next, n: 0 };
    let heard = Date.now();
    const { child: proc, exited } = run(next, sliceMs, options.seed, (m) => {
      heard = Date.now();
      if (m.type === "case") last = m;
      else if (m.type === "report") {
        reports.push(m.report);
        next = m.property + 1;
        const r = m.report;
        const refused = Object.entries(r.refused).sort((a, b) => b[1] - a[1]);
        console.log(
          `${r.failure ? "FAIL" : "ok  "} ${r.name}: ${r.cases} cases, ${(r.bytes / 1024 / 1024).toFixed(1)} MiB, ${r.parsed} parsed, ${r.cases - r.parsed} refused` +
            (refused.length ? ` (${refused.slice(0, 5).map(([code, n]) => `${code} ${n}`).join(", ")}${refused.length > 5 ? `, ${refused.length - 5} more codes` : ""})` : "") +
            `, ${(r.ms / 1000).toFixed(0)} s, seed ${r.seed}`,
        );
        if (r.failure) console.log(`     replay: fc.assert(property, { seed: ${r.seed}, path: "${r.failure.path}" })\n     counterexample: ${r.failure.counterexample}\n     error: ${r.failure.error}`);
      } else if (m.type === "done") next = count;
    });
    const watchdog = setInterval(() => {
      if (Date.now() - heard > HANG_MS * 3) {
        const name = attackProperties(LONG_SCALE)[last.property]?.name ?? String(last.property);
        hangs.push(`${name}: no progress for ${(HANG_MS * 3) / 1000} s on case ${last.n} — replay: fc.assert(property, { seed: ${last.seed}, path: "${Math.max(0, last.n - 1)}" })`);
        console.log(`HANG ${hangs.at(-1)}`);
        proc.kill("SIGKILL");
        next = last.property + 1;
      }
    }, 1000);
    const code = await exited;
    clearInterval(watchdog);
    if (code !== 0 && code !== null && next <= last.property) {
      hangs.push(`child exited with ${code} during property ${last.property}, case ${last.n} (seed ${last.seed})`);
      next = last.property + 1;
    }
  }
  const cases = reports.reduce((n, r) => n + r.cases, 0);
  const bytes = reports.reduce((n, r) => n + r.bytes, 0);
  const failures = reports.filter((r) => r.failure).length + hangs.length;
  console.log(`fuzz: ${cases} cases, ${(bytes / 1024 / 1024).toFixed(1)} MiB parsed, ${failures} failure${failures === 1 ? "" : "s"}`);
  process.exitCode = failures > 0 ? 1 : 0;
}

const childOptions = process.env.INFLOW_FUZZ_CHILD;
if (childOptions) {
  const { first, sliceMs, seed } = JSON.parse(childOptions) as { first: number; sliceMs: number; seed: number };
  await child(first, sliceMs, seed);
  process.disconnect?.();
} else {
  await main();
}
