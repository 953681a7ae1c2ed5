/**
 * A local Safaricom Daraja for tests, speaking the documented shapes:
 * - GET /oauth/v1/generate?grant_type=client_credentials with Basic auth (consumer key:secret) →
 *   {access_token, expires_in: "3599"} (expires_in a string, as Daraja sends it); a wrong key or
 *   secret → 400 with an empty body (as the live API does), a wrong grant type → 400
 *   {requestId, errorCode: "400.008.02", errorMessage: "Invalid grant type passed"};
 * - POST /mpesa/c2b/v1/registerurl {ShortCode, ResponseType, ConfirmationURL, ValidationURL} with a
 *   Bearer token → {OriginatorCoverstionID (sic), ResponseCode: "0", ResponseDescription: "Success"};
 * - an unknown or expired token → 401 {requestId, errorCode: "404.001.03", errorMessage: "Invalid Access Token"}.
 * `confirmation()` builds the body Daraja POSTs to a ConfirmationURL for a C2B payment.
 */
import { randomBytes } from "node:crypto";
import { startJsonServer, type Answer, type JsonServer } from "./http";

export interface DarajaTestServer extends JsonServer {
  consumerKey: string;
  consumerSecret: string;
  shortCode: string;
  /** The URL bodies registered so far, in order. */
  registrations: { ShortCode: string; ResponseType: string; ConfirmationURL: string; ValidationURL: string }[];
  /** Every token issued so far stops working (as if it expired). */
  expireTokens(): void;
  tokenRequests(): number;
}

export function darajaError(status: number, errorCode: string, errorMessage: string): Answer {
  return { status, body: { requestId: `${randomBytes(4).toString("hex")}-${Date.now()}`, errorCode, errorMessage } };
}

/** A C2B confirmation as Daraja sends it (amounts as strings, TransTime in Kenyan time). */
export function confirmation(fields: { TransID: string; TransAmount: string | number; TransTime: string; BusinessShortCode: string } & Record<string, unknown>): Record<string, unknown> {
  return {
    TransactionType: "Pay Bill",
    BillRefNumber: "INV-1001",
    InvoiceNumber: "",
    OrgAccountBalance: "49197.00",
    ThirdPartyTransID: "",
    MSISDN: "2547 ***** 126",
    FirstName: "JOHN",
    MiddleName: "",
    LastName: "DOE",
    ...fields,
  };
}

export async function startDarajaServer(): Promise<DarajaTestServer> {
  const consumerKey = `key${randomBytes(10).toString("hex")}`;
  const consumerSecret = `secret${randomBytes(10).toString("hex")}`;
  const shortCode = "600984";
  const valid = new Set<string>();
  const registrations: DarajaTestServer["registrations"] = [];
  let tokenCount = 0;

  const server = await startJsonServer((request) => {
    if (request.path === "/oauth/v1/generate") {
      if (request.method !== "GET") return { status: 405, body: "" };
      const expected = `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString("base64")}`;
      if (request.headers.authorization !== expected) return { status: 400, body: "" };
      if (request.query.get("grant_type") !== "client_credentials") return darajaError(400, "400.008.02", "Invalid grant type passed");
      tokenCount++;
      const token = randomBytes(14).toString("base64url");
      valid.add(token);
      return { status: 200, body: { access_token: token, expires_in: "3599" } };
    }
    const auth = String(request.headers.authorization ?? "");
    if (!auth.startsWith("Bearer ") || !valid.has(auth.slice(7))) return darajaError(401, "404.001.03", "Invalid Access Token");
    if (request.method === "POST" && request.path === "/mpesa/c2b/v1/registerurl") {
      const body = (request.body ?? {}) as Record<string, unknown>;
      for (const field of ["ShortCode", "ResponseType", "ConfirmationURL", "ValidationURL"]) {
        if (typeof body[field] !== "string" || body[field] === "") return darajaError(400, "400.002.02", `Bad Request - Invalid ${field}`);
      }
      if (body.ShortCode !== shortCode) return darajaError(400, "400.002.02", "Bad Request - Invalid ShortCode");
      if (body.ResponseType !== "Completed" && body.ResponseType !== "Cancelled") return darajaError(400, "400.002.02", "Bad Request - Invalid ResponseType");
      registrations.push(body as DarajaTestServer["registrations"][number]);
      return { status: 200, body: { OriginatorCoverstionID: `${randomBytes(4).toString("hex")}-${Date.now()}-1`, ResponseCode: "0", ResponseDescription: "Success" } };
    }
    return darajaError(404, "404.001.01", "Resource not found");
  });

  return {
    ...server,
    consumerKey,
    consumerSecret,
    shortCode,
    registrations,
    expireTokens: () => valid.clear(),
    tokenRequests: () => tokenCount,
  };
}
