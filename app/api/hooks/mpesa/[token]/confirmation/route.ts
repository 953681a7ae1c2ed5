import { receiveConfirmation } from "@/lib/connectors/mpesa-daraja/callback";

export const dynamic = "force-dynamic";

/** Daraja's C2B confirmation callback: authenticated by the token in the path, never by a session. */
export async function POST(request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  const { token } = await params;
  const answer = await receiveConfirmation(token, request);
  return Response.json(answer.body, { status: answer.status });
}
