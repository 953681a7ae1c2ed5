import { NextResponse } from "next/server";
import { z } from "zod";
import { resolveTenantContext, TENANT_COOKIE } from "@/lib/auth/context";
import { sessionCookieOptions } from "@/lib/auth/session";
import { publicRoute } from "@/lib/http/route";

const input = z.object({ slug: z.string().min(1) });

/** Switches the active workspace; 404 for a tenant the caller does not belong to. */
export const POST = publicRoute(async (request) => {
  const { slug } = input.parse(await request.json().catch(() => ({})));
  const ctx = await resolveTenantContext(request.cookies, slug);
  const response = NextResponse.json({ ok: true, tenant: ctx.tenantSlug, role: ctx.role });
  response.cookies.set(TENANT_COOKIE, ctx.tenantSlug, sessionCookieOptions(365 * 24 * 60 * 60));
  return response;
});
