/**
 * OAuth2 for API connectors whose provider hands out short-lived access tokens (QuickBooks Online):
 * the refresh-token grant (RFC 6749 §6), once for every connector that needs it.
 *
 * - The access token and its expiry live in the connection's encrypted credentials, so a token is
 *   reused until it is within EXPIRY_MARGIN_MS of expiring, across batches and syncs, and refreshed
 *   only then — or when the provider answers 401 anyway (revoked early, clock skew), after which the
 *   call is tried once more with the new token.
 * - Providers may ROTATE the refresh token (Intuit does, and retires the old one). The new pair is
 *   handed to `save` (the connection's SecretsStore: encrypted, stored, audited) and used only once
 *   that resolved, so the connection never goes on with a token it has not kept. The one window left
 *   is a crash after the provider answered and before the save: the stored refresh token is then the
 *   previous one, and if the provider no longer takes it the sync says so in plain words (reconnect).
 * - The provider's refusals ({"error":"invalid_grant","error_description":…}) become plain words with
 *   what to do; no token or secret ever appears in a message (http.ts redact) or a log.
 */
import { z } from "zod";
import { callJson, ProviderHttpError, type RetryPolicy } from "./http";
import { ProviderError } from "./types";

/** A token with less than this left is refreshed before it is used. */
export const EXPIRY_MARGIN_MS = 5 * 60_000;

/** The credential fields of an OAuth2 connection, spread into the connector's secrets schema. */
export const oauth2SecretFields = {
  clientId: z.string().trim().min(1, "Enter the app's client ID"),
  clientSecret: z.string().trim().min(1, "Enter the app's client secret"),
  refreshToken: z.string().trim().min(1, "Enter the refresh token"),
  /** Optional when creating: Inflow gets one with the refresh token and keeps it here. */
  accessToken: z.string().trim().min(1).optional(),
  accessTokenExpiresAt: z.iso.datetime({ offset: true, message: "Enter the expiry as an ISO 8601 date and time, or leave it empty" }).optional(),
};

export interface OAuth2Secrets {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessToken?: string | undefined;
  accessTokenExpiresAt?: string | undefined;
}

export interface OAuth2Provider {
  /** The provider as people know it ("QuickBooks"). */
  name: string;
  tokenUrl: string;
  /** What to do when the saved authorisation is refused ("reconnect the company in Inflow"). */
  reconnect: string;
  policy?: RetryPolicy | undefined;
}

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive(),
  refresh_token: z.string().min(1).optional(),
});

const tokenError = z.object({ error: z.string().min(1), error_description: z.string().optional() });

/** RFC 6749 §5.2 errors, in words a person setting up the connection can act on. */
const REFUSALS: Record<string, string> = {
  invalid_grant: "refused the saved authorisation",
  invalid_client: "refused the app's client ID or client secret",
  unauthorized_client: "does not allow this app to refresh tokens",
  invalid_request: "refused the token request",
  unsupported_grant_type: "does not accept refresh tokens from this app",
  invalid_scope: "refused the authorisation's scope",
};

export function describeTokenError(provider: Pick<OAuth2Provider, "name" | "reconnect">) {
  return (status: number, body: unknown): { message: string; code?: string } => {
    const parsed = tokenError.safeParse(body);
    if (!parsed.success) return { message: `${provider.name} refused to refresh the access token (HTTP ${status}).` };
    const { error, error_description: description } = parsed.data;
    const what = REFUSALS[error] ?? "refused to refresh the access token";
    const fix = error === "invalid_client" ? "check the client ID and secret of the app" : provider.reconnect;
    return { message: `${provider.name} ${what} (${error}): ${fix}.${description ? ` (${provider.name}: ${description})` : ""}`, code: error };
  };
}

/**
 * One connection's tokens for the length of a fetch or a test. `call` runs a request with a valid
 * access token; the session keeps the newest credentials (`current`).
 */
export class OAuth2Session<S extends OAuth2Secrets> {
  private secrets: S;
  private refreshing: Promise<string> | undefined;
  /** Set by a refresh: a token that fresh is not refreshed again on a 401. */
  private fresh = false;

  constructor(
    private readonly provider: OAuth2Provider,
    secrets: S,
    private readonly save: ((next: S) => Promise<void>) | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.secrets = secrets;
  }

  get current(): S {
    return this.secrets;
  }

  /** Every credential value, to blank out of messages. */
  get hidden(): string[] {
    const s = this.secrets;
    return [s.clientSecret, s.refreshToken, ...(s.accessToken ? [s.accessToken] : [])];
  }

  /** The stored access token while it has more than the margin left; a new one otherwise. */
  async accessToken(): Promise<string> {
    const { accessToken, accessTokenExpiresAt } = this.secrets;
    // A token pasted without its expiry is tried; a 401 replaces it.
    if (accessToken && (!accessTokenExpiresAt || Date.parse(accessTokenExpiresAt) - EXPIRY_MARGIN_MS > this.now())) return accessToken;
    return this.refresh();
  }

  /** The refresh-token grant; concurrent callers share one request. */
  refresh(): Promise<string> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<string> {
    const { name, tokenUrl } = this.provider;
    const save = this.save;
    // Without a place to keep a rotated refresh token, refreshing could strand the connection.
    if (!save) throw new ProviderError(`${name}'s access token has expired and this call cannot keep a new one. Run a sync to refresh it.`);
    const s = this.secrets;
    const body = await callJson(
      {
        method: "POST",
        url: tokenUrl,
        headers: { authorization: `Basic ${Buffer.from(`${s.clientId}:${s.clientSecret}`).toString("base64")}` },
        form: { grant_type: "refresh_token", refresh_token: s.refreshToken },
      },
      { provider: name, describeError: describeTokenError(this.provider), secrets: this.hidden, ...(this.provider.policy ? { policy: this.provider.policy } : {}) },
    );
    const parsed = tokenAnswer.safeParse(body);
    if (!parsed.success) throw new ProviderError(`${name}'s token answer is not in the documented shape (${parsed.error.issues[0]?.path.join(".") || "body"}).`);
    const t = parsed.data;
    const next: S = {
      ...s,
      accessToken: t.access_token,
      accessTokenExpiresAt: new Date(this.now() + t.expires_in * 1000).toISOString(),
      // A provider that does not rotate leaves the refresh token out of its answer.
      refreshToken: t.refresh_token ?? s.refreshToken,
    };
    // Kept (encrypted) before anything uses it: the old refresh token may already be retired.
    await save(next);
    this.secrets = next;
    this.fresh = true;
    return t.access_token;
  }

  /** Runs `request` with a valid access token; a 401 refreshes the token and tries once more. */
  async call<T>(request: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken();
    try {
      return await request(token);
    } catch (error) {
      if (!(error instanceof ProviderHttpError) || error.status !== 401) throw error;
      // A token refreshed moments ago and refused: another refresh would not help.
      if (this.fresh && this.secrets.accessToken === token) throw error;
      return request(await this.refresh());
    }
  }
}
