/**
 * Daraja's C2B callbacks, as the route handlers under app/api/hooks/mpesa/[token]/ receive them.
 *
 * The caller is Safaricom, not a person: there is no session. The path's token (../hooks.ts) names and
 * authenticates the connection; anything else is answered 404, as if the address did not exist. The
 * confirmation is stored durably (service role, the documented exception for callbacks) before it is
 * acknowledged, once per receipt number: Daraja re-sending one is acknowledged again and stored once.
 * A JSON number is kept as the exact text it was written as, so TransAmount never passes through a
 * float. Answers are Daraja's documented {ResultCode, ResultDesc}.
 */
import { findHookConnection, storeConfirmation } from "@/lib/db/queries/mpesa";
import { withService } from "@/lib/db/service";
import { connectionOfHookToken } from "../hooks";

export interface CallbackAnswer {
  status: number;
  body: { ResultCode: number | string; ResultDesc: string };
}

const accepted: CallbackAnswer = { status: 200, body: { ResultCode: 0, ResultDesc: "Accepted" } };
const rejected = (status: number, why: string): CallbackAnswer => ({ status, body: { ResultCode: 1, ResultDesc: `Rejected: ${why}` } });
const MAX_BODY = 64 * 1024;
const TYPE = "mpesa-daraja";

/** Numbers written in the body as they were written: `"TransAmount": 10.50` stays "10.50". */
function exactNumbers(raw: string, payload: Record<string, unknown>): Record<string, unknown> {
  const out = { ...payload };
  for (const field of ["TransAmount", "OrgAccountBalance"]) {
    if (typeof out[field] !== "number") continue;
    const m = new RegExp(`"${field}"\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`).exec(raw);
    if (m) out[field] = m[1];
  }
  return out;
}

async function connectionFor(token: string): Promise<{ connectionId: string; tenantId: string; shortCode: unknown } | null> {
  const connectionId = connectionOfHookToken(token);
  if (!connectionId) return null;
  const found = await withService((db) => findHookConnection(db, { connectionId }));
  if (!found || found.type !== TYPE) return null;
  return { connectionId, tenantId: found.tenantId, shortCode: found.config.shortCode };
}

/** The body as text, read only up to `MAX_BODY` bytes (null beyond): an address is no place for uploads. */
async function readLimited(request: Request): Promise<string | null> {
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A confirmation: stored once per TransID, then acknowledged. The token is checked before the body is read. */
export async function receiveConfirmation(token: string, request: Request): Promise<CallbackAnswer> {
  const target = await connectionFor(token);
  if (!target) return rejected(404, "no such callback address.");
  const raw = await readLimited(request);
  if (raw === null) return rejected(413, `the body is larger than ${MAX_BODY} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    return rejected(400, `the body is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return rejected(400, "the body must be a JSON object with the confirmation's fields.");
  const payload = exactNumbers(raw, body as Record<string, unknown>);
  const transId = payload.TransID;
  if (typeof transId !== "string" || !/^[A-Za-z0-9]{6,32}$/.test(transId)) return rejected(400, "TransID (the M-Pesa receipt number) is missing or not a receipt number.");
  const shortCode = payload.BusinessShortCode;
  if (target.shortCode !== undefined && String(shortCode) !== String(target.shortCode)) {
    return rejected(400, `BusinessShortCode ${String(shortCode)} is not this connection's shortcode.`);
  }
  await withService((db) => storeConfirmation(db, { tenantId: target.tenantId, connectionId: target.connectionId, transId, payload, raw }));
  return accepted;
}

/**
 * A validation request (only sent when external validation is enabled for the shortcode): every
 * payment is accepted; whether it belongs to an invoice is for review after import, not for Inflow
 * to refuse at the till.
 */
export async function receiveValidation(token: string): Promise<CallbackAnswer> {
  if (!(await connectionFor(token))) return rejected(404, "no such callback address.");
  return { status: 200, body: { ResultCode: "0", ResultDesc: "Accepted" } };
}
