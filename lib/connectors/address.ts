/**
 * Where a connection may make Inflow connect. A tenant's admin types host names and addresses into
 * connection settings (provider base URLs, SQL connection strings, SFTP hosts, the failure webhook);
 * in production none of them may lead Inflow to its own machine or its private network — its own
 * Postgres on 127.0.0.1, a cloud metadata service on 169.254.169.254, an internal admin port — nor
 * send credentials over plain http. Checked twice: on the settings as typed (literal addresses and
 * localhost names, a 422 on the field), and on every address a name resolves to just before
 * connecting (a public name may point at a private address). A name re-pointed between that lookup
 * and the connection itself (DNS rebinding within seconds) is not caught.
 *
 * Development and tests keep the local provider servers on loopback; a production deployment whose
 * providers really are on its private network sets INFLOW_ALLOW_PRIVATE_PROVIDER_URLS=1.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { env } from "@/lib/env";

export function privateAddressesAllowed(): boolean {
  const e = env();
  return e.NODE_ENV !== "production" || e.INFLOW_ALLOW_PRIVATE_PROVIDER_URLS === "1";
}

/** Loopback, private, link-local, carrier-grade NAT, unspecified and other non-public ranges (IPv4-mapped IPv6 included by BlockList). */
const notPublic = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  notPublic.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96], // NAT64: the IPv4 behind it may be private
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  notPublic.addSubnet(network, prefix, "ipv6");
}

/** An address (no brackets) in a range that is not the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return notPublic.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** The host as typed names this machine or a private address (literal addresses and localhost names; names are resolved later). */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host === "") return true;
  // WHATWG URL already turns 0x7f.1, 2130706433 and the like into dotted IPv4.
  return isPrivateAddress(host);
}

export const PRIVATE_HOST_MESSAGE = "Inflow does not connect to its own server or to private network addresses";

/** What is wrong with the host as typed, in production; undefined when it may be used. */
export function hostProblem(hostname: string): string | undefined {
  if (privateAddressesAllowed() || !isPrivateHost(hostname)) return undefined;
  return PRIVATE_HOST_MESSAGE;
}

/**
 * Just before connecting: every address the name resolves to must be public (in production). Throws
 * an Error whose message is fit to show; a name that does not resolve is left to the connection,
 * which says so in its own words.
 */
export async function assertPublicHost(hostname: string): Promise<void> {
  if (privateAddressesAllowed()) return;
  const host = hostname.replace(/^\[|\]$/g, "");
  if (isPrivateHost(host)) throw new Error(`${PRIVATE_HOST_MESSAGE} (${host}).`);
  if (isIP(host)) return;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true, verbatim: true });
  } catch {
    return;
  }
  if (addresses.some((a) => isPrivateAddress(a.address))) throw new Error(`${PRIVATE_HOST_MESSAGE}: ${host} points at one.`);
}
