/** The caller's address for rate limiting: the first X-Forwarded-For hop behind a proxy, else "local". */
export function clientIp(request: Request): string {
  return request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || request.headers.get("x-real-ip") || "local";
}
