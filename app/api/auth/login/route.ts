import { NextResponse } from "next/server";
import { loginInput, signInWithPassword } from "@/lib/auth/login";
import { requestCookieJar } from "@/lib/http/cookies";
import { publicRoute } from "@/lib/http/route";
import { clientIp } from "@/lib/http/client-ip";

export const POST = publicRoute(async (request) => {
  const input = loginInput.parse(await request.json().catch(() => ({})));
  const jar = requestCookieJar(request);
  const { userId } = await signInWithPassword(jar, input, clientIp(request));
  return jar.applyTo(NextResponse.json({ ok: true, userId }));
});
