/** A cookie jar over a request that remembers what to set, then writes it onto the response. */
import type { NextRequest, NextResponse } from "next/server";
import type { CookieJar, CookieOptions } from "@/lib/auth/session";

export function requestCookieJar(request: NextRequest): CookieJar & { applyTo(response: NextResponse): NextResponse } {
  const pending: { name: string; value: string; options: CookieOptions }[] = [];
  return {
    getAll: () => request.cookies.getAll(),
    set: (name, value, options) => {
      pending.push({ name, value, options });
    },
    applyTo(response) {
      for (const c of pending) response.cookies.set(c.name, c.value, c.options);
      return response;
    },
  };
}
