import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { RefusedError, runReset, runSeed } from "./admin";
import { asService } from "@/test/db";

const exec = promisify(execFile);

describe("database administration", () => {
  it("refuses to seed or reset a database given by DATABASE_URL unless asked", async () => {
    expect(process.env.DATABASE_URL).toBeTruthy();
    await expect(runSeed({ log: () => undefined })).rejects.toBeInstanceOf(RefusedError);
    await expect(runReset()).rejects.toBeInstanceOf(RefusedError);
  });

  it("seeds the demo tenant with one user per role, idempotently", async () => {
    await runSeed({ allowExternal: true, log: () => undefined });
    const members = await asService(async (db) =>
      (await db.query<{ email: string; role: string }>(
        `select u.email, m.role::text from public.memberships m join public.tenants t on t.id = m.tenant_id
           join auth.users u on u.id = m.user_id where t.slug = 'demo' order by u.email`,
      )).rows,
    );
    expect(members).toEqual([
      { email: "admin@example.com", role: "admin" },
      { email: "reviewer@example.com", role: "reviewer" },
      { email: "uploader@example.com", role: "uploader" },
      { email: "viewer@example.com", role: "viewer" },
    ]);
  });

  it("`inflow db migrate` reports an up-to-date database through the real CLI", async () => {
    const { stdout } = await exec(process.execPath, ["bin/inflow.mjs", "db", "migrate"], { env: process.env });
    expect(stdout.trim()).toBe("Database is up to date.");
  });

  it("`inflow db seed` refuses an external database without --allow-external and exits 1", async () => {
    const failure = await exec(process.execPath, ["bin/inflow.mjs", "db", "seed"], { env: process.env }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("Refusing to seed demo users into an external database");
  });
});
