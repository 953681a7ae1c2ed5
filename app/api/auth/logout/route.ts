import { NextResponse } from "next/server";
import { signOut } from "@/lib/auth/session";
import { TENANT_COOKIE } from "@/lib/auth/context";
import { requestCookieJar } from "@/lib/http/cookies";
import { publicRoute } from "@/lib/http/route";

export const POST = publicRoute(async (request) => {
  const jar = requestCookieJar(request);
  await signOut(jar);
  const response = jar.applyTo(NextResponse.json({ ok: true }));
  response.cookies.delete(TENANT_COOKIE);
  return response;
});
