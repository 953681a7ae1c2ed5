/**
 * Callback addresses providers push to (M-Pesa C2B confirmations): each connection's token is
 * "<connection id>.<HMAC of the id>", keyed by a key derived from the secrets key. Unguessable without
 * that key, nothing to store, and checked in constant time. It changes only if the secrets key does
 * (then the provider must be given the new address; the M-Pesa connector registers it again itself).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { derivedKey } from "@/lib/crypto/secrets";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const mac = (connectionId: string) => createHmac("sha256", derivedKey("connection-hook-token:v1")).update(connectionId).digest();

export function hookToken(connectionId: string): string {
  return `${connectionId}.${mac(connectionId).toString("base64url")}`;
}

/** The connection a token belongs to, or null for any token Inflow did not issue. */
export function connectionOfHookToken(token: string): string | null {
  const dot = token.indexOf(".");
  const connectionId = token.slice(0, dot);
  if (dot < 0 || !UUID.test(connectionId)) return null;
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  const expected = mac(connectionId);
  return given.length === expected.length && timingSafeEqual(given, expected) ? connectionId : null;
}
