import { defineConfig } from "vitest/config";
import path from "node:path";

const PURE = ["lib/formats/**/*.test.ts", "lib/money/**/*.test.ts", "lib/schemas/**/*.test.ts"];

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      // Pure code (parsers, money): no database, runs anywhere.
      { extends: true, test: { name: "pure", include: PURE } },
      // Everything that touches data runs against a real embedded Postgres (test/global-setup.ts).
      {
        extends: true,
        test: {
          name: "db",
          include: ["lib/**/*.test.ts", "supabase/tests/**/*.test.ts", "app/**/*.test.ts", "test/**/*.test.ts"],
          exclude: PURE,
          globalSetup: ["./test/global-setup.ts"],
        },
      },
    ],
  },
});
