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
console.log(`\nvitest: ${vitest ? "ran" : "no report"}, playwright: ${playwright ? "ran" : "no report"}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
const emptyRun = (vitest && vitest.numTotalTests === 0) || (playwright && playwright.stats.expected + playwright.stats.unexpected + playwright.stats.flaky === 0);
if (failed > 0 || !vitest || !playwright || vitest.success === false || emptyRun) process.exitCode = 1;
