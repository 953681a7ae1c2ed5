import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end tests drive Debian's Chromium (/usr/bin/chromium; a test tool's own browser download
 * cannot work on these machines) against the built app, started by `inflow start` on its own fresh
 * embedded Postgres (.data/e2e), so runs never touch the developer's data.
 */
const PORT = Number(process.env.E2E_PORT ?? 3107);
const BASE_URL = `http://localhost:${PORT}`;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  reporter: [["list"], ["json", { outputFile: ".reports/playwright.json" }]],
  use: {
    baseURL: BASE_URL,
    trace: "on-first-retry",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, dependencies: ["setup"], testIgnore: /auth\.setup\.ts/ },
  ],
  webServer: {
    command: `node bin/inflow.mjs start --port ${PORT} --no-build --fresh`,
    url: `${BASE_URL}/api/health`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: "pipe",
    env: {
      INFLOW_DATA_DIR: process.env.E2E_DATA_DIR ?? ".data/e2e",
      INFLOW_EMBEDDED_PG_PORT: process.env.E2E_PG_PORT ?? "54349",
      INFLOW_DEMO_PASSWORD: "inflow-demo",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
