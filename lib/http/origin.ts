/**
 * Mutations are refused from other origins (CSRF defence on top of SameSite cookies): a browser
 * always sends Origin on cross-origin POSTs; scripts that send none (curl, the CLI) are not browsers.
 */
import { AppError } from "./errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function assertSameOrigin(request: Request): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.get("origin");
  if (!origin) return;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = "";
  }
  if (!host || originHost !== host) throw new AppError(403, "cross_origin", "This request came from another site and was refused.");
}
