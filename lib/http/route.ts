/**
 * The one wrapper for route handlers: resolves user, tenant and role, refuses what the role may not
 * do (403), and maps every error to HTTP. Handlers stay thin: parse input, call lib/, answer.
 */
import type { NextRequest } from "next/server";
import { resolveTenantContext, TENANT_HEADER, type TenantContext } from "@/lib/auth/context";
import { can, type Permission } from "@/lib/auth/permissions";
import { errorResponse, forbidden } from "./errors";
import { assertSameOrigin } from "./origin";

export type RouteContext = TenantContext & { request: NextRequest };

type Params = Record<string, string | string[] | undefined>;

export function tenantRoute<P extends Params = Params>(
  permission: Permission,
  handler: (ctx: RouteContext, params: P) => Promise<Response>,
): (request: NextRequest, segment: { params: Promise<P> }) => Promise<Response> {
  return async (request, segment) => {
    try {
      assertSameOrigin(request);
      const ctx = await resolveTenantContext(request.cookies, request.headers.get(TENANT_HEADER));
      if (!can(ctx.role, permission)) throw forbidden(describe(permission));
      return await handler({ ...ctx, request }, await segment.params);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

function describe(permission: Permission): string {
  const words: Record<Permission, string> = {
    "ledger.read": "view the ledger",
    "imports.read": "view imports",
    "imports.create": "upload files",
    "duplicates.decide": "decide on duplicates",
    "accounts.manage": "manage accounts",
    "members.manage": "manage members",
    "connections.manage": "manage connections",
    "audit.read": "view the audit log",
  };
  return words[permission];
}

/** For routes without a tenant (sign-in, sign-out): same-origin check and error mapping only. */
export function publicRoute(handler: (request: NextRequest) => Promise<Response>): (request: NextRequest) => Promise<Response> {
  return async (request) => {
    try {
      assertSameOrigin(request);
      return await handler(request);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
