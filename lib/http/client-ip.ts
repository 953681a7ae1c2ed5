/**
 * The caller's address for rate limiting. Behind a proxy, the last X-Forwarded-For hop is the one
 * the proxy itself appended (the address it saw); every hop before it is whatever the client sent,
 * so taking the first let anyone escape the per-address sign-in limit by sending a new one each time.
 * Without a proxy, Next.js fills X-Forwarded-For from the socket when the client sent none.
 */
export function clientIp(request: Request): string {
  const hops = request.headers.get("x-forwarded-for")?.split(",").map((h) => h.trim()).filter(Boolean) ?? [];
  return hops.at(-1) || request.headers.get("x-real-ip") || "local";
}
