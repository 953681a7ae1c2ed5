/**
 * Mutations are refused from other origins (CSRF defence on top of SameSite cookies). Two signals,
 * either of which refuses:
 * - Sec-Fetch-Site, which browsers set themselves (scripts in a page cannot): "cross-site" and
 *   "same-site" are both another origin — same-site includes a sibling subdomain, which may be
 *   someone else's. Checked even without Origin: some privacy tools strip Origin but not this.
 * - Origin, which browsers send on every cross-origin POST: it must name this host. "null" (a
 *   sandboxed frame, a redirect from elsewhere) is not this host either.
 * A request with neither (curl, the CLI, server-to-server) is not a browser, so there is no ambient
 * cookie to abuse and it goes through.
 */
import { AppError } from "./errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const OTHER_SITE = new Set(["cross-site", "same-site"]);

const refused = () => new AppError(403, "cross_origin", "This request came from another site and was refused.");

export function assertSameOrigin(request: Request): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (OTHER_SITE.has(request.headers.get("sec-fetch-site") ?? "")) throw refused();
  const origin = request.headers.get("origin");
  if (!origin) return;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = "";
  }
  if (!host || originHost !== host) throw refused();
}
