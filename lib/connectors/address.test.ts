/**
 * The connect-time half of "connections cannot reach Inflow's own machine" (lib/connectors/address.ts):
 * a name that is not itself private but resolves to a private address is refused in production just
 * before the provider call, the database connection or the SFTP sign-in — the settings-time half is
 * in test/security/isolation.test.ts. Name resolution is replaced for two made-up names only.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { PRIVATE_HOST_MESSAGE, assertPublicHost, isPrivateAddress } from "./address";
import { callJson } from "./http";
import { sftpConnector, sftpConfig } from "./sftp";
import { sqlConnector, sqlConfig } from "./sql";

const NAMES: Record<string, string> = { "internal.example": "10.0.0.7", "rebound.example": "::ffff:127.0.0.1", "public.example": "93.184.216.34" };
vi.mock("node:dns/promises", async (original) => {
  const real = await original<typeof import("node:dns/promises")>();
  const lookup = (async (host: string, options: object) => {
    const address = NAMES[host];
    if (!address) return real.lookup(host, options as never);
    return [{ address, family: address.includes(":") ? 6 : 4 }];
  }) as typeof real.lookup;
  return { ...real, default: { ...real, lookup }, lookup };
});

const saved = process.env.NODE_ENV;
function production(allowPrivate = false): void {
  (process.env as Record<string, string>).NODE_ENV = "production";
  if (allowPrivate) process.env.INFLOW_ALLOW_PRIVATE_PROVIDER_URLS = "1";
  resetEnvCache();
}
/** Back to the test environment (not production). */
function notProduction(): void {
  (process.env as Record<string, string | undefined>).NODE_ENV = saved;
  delete process.env.INFLOW_ALLOW_PRIVATE_PROVIDER_URLS;
  resetEnvCache();
}
afterEach(notProduction);

describe("addresses", () => {
  it("tells private ranges from public ones, IPv4-mapped IPv6 included", () => {
    const privateOnes = ["127.0.0.1", "10.255.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "::ffff:7f00:1"];
    const publicOnes = ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"];
    expect(privateOnes.filter((a) => !isPrivateAddress(a))).toEqual([]);
    expect(publicOnes.filter((a) => isPrivateAddress(a))).toEqual([]);
  });

  it("in production refuses a name that resolves to a private address, and allows it with INFLOW_ALLOW_PRIVATE_PROVIDER_URLS=1 or outside production", async () => {
    production();
    await expect(assertPublicHost("internal.example")).rejects.toThrow(`${PRIVATE_HOST_MESSAGE}: internal.example points at one.`);
    await expect(assertPublicHost("rebound.example")).rejects.toThrow(PRIVATE_HOST_MESSAGE);
    await expect(assertPublicHost("public.example")).resolves.toBeUndefined();
    production(true);
    await expect(assertPublicHost("internal.example")).resolves.toBeUndefined();
    notProduction();
    await expect(assertPublicHost("internal.example")).resolves.toBeUndefined();
  });
});

describe("just before connecting, in production", () => {
  it("a provider call to such a name fails at once with the reason, not as a network error", async () => {
    production();
    const call = callJson(
      { method: "GET", url: "https://internal.example/v1/balance" },
      { provider: "Stripe", describeError: () => ({ message: "no" }), secrets: [], sleep: async () => undefined },
    );
    await expect(call).rejects.toThrow(`${PRIVATE_HOST_MESSAGE}: internal.example points at one.`);
  });

  it("a SQL connection (saved before, or on a name that resolves privately) tests as failed with the reason", async () => {
    production();
    const config = sqlConfig.parse({ table: "t", cursorColumn: "id", idColumn: "id", amountColumn: "amount", dateColumn: "booked_on" });
    for (const connectionString of ["postgres://u:p@internal.example:5432/db", "mysql://u:p@internal.example:3306/db"]) {
      expect(await sqlConnector.test(config, { connectionString }), connectionString).toEqual({ ok: false, message: `${PRIVATE_HOST_MESSAGE}: internal.example points at one.` });
    }
  });

  it("an SFTP connection does too", async () => {
    production();
    const config = sftpConfig.parse({ host: "internal.example", username: "u" });
    expect(await sftpConnector.test(config, { password: "p" })).toEqual({ ok: false, message: `${PRIVATE_HOST_MESSAGE}: internal.example points at one.` });
  });
});
