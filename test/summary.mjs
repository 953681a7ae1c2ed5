// Adds up the vitest and Playwright JSON reports into one closing line: "N passed, N failed", and
// exits non-zero when a test failed or a report is missing — the reports, not only the runners' exit
// codes, decide (a library's exit hook once turned a failed vitest run into exit code 0).
import fs from "node:fs";

function read(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
const vitest = read(".reports/vitest.json");
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  skipped += vitest.numPendingTests + vitest.numTodoTests;
}
const playwright = read(".reports/playwright.json");
if (playwright) {
  passed += playwright.stats.expected + playwright.stats.flaky;
  failed += playwright.stats.unexpected;
  skipped += playwright.stats.skipped;
}
// The names of failed tests come last, so that a log cut to its tail still says which test failed and why.
const failures = [];
for (const file of vitest?.testResults ?? []) {
  for (const test of file.assertionResults ?? []) {
    if (test.status === "failed") failures.push({ where: `${file.name}: ${test.fullName}`, message: test.failureMessages?.[0] ?? "" });
  }
  if (file.status === "failed" && (file.assertionResults ?? []).every((test) => test.status !== "failed")) {
    failures.push({ where: file.name, message: file.message ?? "the file failed outside its tests" });
  }
}
function playwrightFailures(suite, titles) {
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests ?? []) {
      if (test.status === "unexpected") {
        const result = test.results?.at(-1);
        failures.push({ where: `${spec.file}: ${[...titles, spec.title].join(" › ")}`, message: result?.error?.message ?? "" });
      }
    }
  }
  for (const child of suite.suites ?? []) playwrightFailures(child, [...titles, child.title]);
}
for (const suite of playwright?.suites ?? []) playwrightFailures(suite, []);
for (const failure of failures) {
  // The first lines of the message; stack traces and ANSI colours would bury the cause.
  const message = failure.message.replace(/\u001b\[[0-9;]*m/g, "").split("\n").slice(0, 6).join("\n    ");
  console.log(`\nFAILED ${failure.where}\n    ${message}`);
}

console.log(`\nvitest: ${vitest ? "ran" : "no report"}, playwright: ${playwright ? "ran" : "no report"}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
const emptyRun = (vitest && vitest.numTotalTests === 0) || (playwright && playwright.stats.expected + playwright.stats.unexpected + playwright.stats.flaky === 0);
if (failed > 0 || !vitest || !playwright || vitest.success === false || emptyRun) process.exitCode = 1;
