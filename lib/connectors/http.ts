/**
 * HTTP for API connectors (Plaid, Stripe, …): JSON requests with a timeout, retried with exponential
 * backoff and jitter on network failures, 429 and 5xx, honouring the provider's Retry-After.
 *
 * Retries are bounded: a provider that asks for a longer wait than a sync should sit through (or
 * still refuses after the last attempt) ends the fetch with a ProviderError carrying the wait, which
 * the sync stores as the connection's "next allowed sync at". Error messages are the provider's own,
 * in plain words, with every credential value blanked out before they go anywhere.
 */
import { z } from "zod";
import { PRIVATE_HOST_MESSAGE, assertPublicHost, isPrivateHost, privateAddressesAllowed } from "./address";
import { ProviderError } from "./types";

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Backoff before the n-th retry: base × 2^n, capped, then jittered (equal jitter: half fixed, half random). */
  baseMs: number;
  capMs: number;
  /** The longest Retry-After a sync waits for in place; longer ones end the sync and set "next allowed sync at". */
  maxWaitSeconds: number;
  /** "Next allowed sync at" after a rate-limit refusal that did not say how long to wait. */
  defaultRateLimitSeconds: number;
  /** One request's time limit. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseMs: 500,
  capMs: 8_000,
  maxWaitSeconds: 30,
  defaultRateLimitSeconds: 60,
  timeoutMs: 30_000,
};

/** A provider answered with an error status: its message in plain words, its own error code when it gives one. */
export class ProviderHttpError extends ProviderError {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    retryAfterSeconds?: number,
  ) {
    super(message, retryAfterSeconds);
  }
}

/** Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** The wait before retry number `retry` (0-based): exponential, capped, with equal jitter. */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** retry);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Blanks out credential values a provider might echo back (Stripe names the key it refused). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[hidden]");
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}

export interface ProviderRequest {
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as application/x-www-form-urlencoded instead (OAuth2 token requests, RFC 6749 §4.1.3). */
  form?: Record<string, string>;
}

export interface CallOptions {
  /** The provider's name as people know it ("Plaid"), for messages. */
  provider: string;
  /** The provider's error body in plain words, and its error code. */
  describeError(status: number, body: unknown): { message: string; code?: string };
  /** Credential values to blank out of every message. */
  secrets: readonly string[];
  policy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function networkMessage(provider: string, url: string, error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { name?: string }).name;
  const host = new URL(url).host;
  if (cause === "ECONNREFUSED") return `${provider} (${host}) refused the connection. Check the address, or try again later.`;
  if (cause === "ENOTFOUND" || cause === "EAI_AGAIN") return `The server name ${host} could not be found. Check the address.`;
  if (cause === "TimeoutError" || cause === "AbortError" || cause === "UND_ERR_CONNECT_TIMEOUT") return `${provider} (${host}) did not answer in time. The sync will be tried again.`;
  return `${provider} (${host}) could not be reached. The sync will be tried again.`;
}

/**
 * One JSON call with retries. Answers the parsed body of a 2xx answer; throws ProviderHttpError
 * (an error status) or ProviderError (unreachable, not JSON), both with messages fit to show.
 */
export async function callJson(request: ProviderRequest, options: CallOptions): Promise<unknown> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? defaultSleep;
  const hide = (text: string) => redact(text, options.secrets);
  try {
    await assertPublicHost(new URL(request.url).hostname);
  } catch (error) {
    throw new ProviderError((error as Error).message);
  }
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= policy.attempts - 1;
    let response: Response;
    try {
      const payload =
        request.form !== undefined
          ? { type: "application/x-www-form-urlencoded", text: new URLSearchParams(request.form).toString() }
          : request.body !== undefined
            ? { type: "application/json", text: JSON.stringify(request.body) }
            : undefined;
      response = await fetch(request.url, {
        method: request.method,
        headers: { accept: "application/json", ...(payload ? { "content-type": payload.type } : {}), ...request.headers },
        ...(payload ? { body: payload.text } : {}),
        signal: AbortSignal.timeout(policy.timeoutMs),
        redirect: "error",
      });
    } catch (error) {
      if (last) throw new ProviderError(hide(networkMessage(options.provider, request.url, error)));
      await sleep(backoffMs(attempt, policy, options.random));
      continue;
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text === "" ? null : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.ok) {
      if (body === undefined) throw new ProviderError(`${options.provider} answered with something that is not JSON (HTTP ${response.status}).`);
      return body;
    }

    const described = body === undefined ? { message: `${options.provider} answered HTTP ${response.status}.` } : options.describeError(response.status, body);
    const message = hide(described.message);
    const retryable = response.status === 429 || response.status >= 500;
    const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
    if (!retryable) throw new ProviderHttpError(message, response.status, described.code);
    // A wait longer than a sync should sit through: stop now and let the provider's wait be stored.
    if (retryAfter !== undefined && retryAfter > policy.maxWaitSeconds) throw new ProviderHttpError(message, response.status, described.code, retryAfter);
    if (last) {
      const wait = retryAfter ?? (response.status === 429 ? policy.defaultRateLimitSeconds : undefined);
      throw new ProviderHttpError(message, response.status, described.code, wait);
    }
    await sleep(Math.max((retryAfter ?? 0) * 1000, backoffMs(attempt, policy, options.random)));
  }
}

/**
 * A provider base URL from a connection's settings: https (anything else would send the credentials
 * in clear text) to an address on the internet. Where private addresses are allowed (outside
 * production, or INFLOW_ALLOW_PRIVATE_PROVIDER_URLS=1) plain http to this machine is too: the local
 * test servers. Throws an Error whose message is fit to show.
 */
export function checkedBaseUrl(value: string): string {
  const url = new URL(value);
  if (privateAddressesAllowed()) {
    const local = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
    if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) throw new Error("Use an https:// address");
  } else {
    if (url.protocol !== "https:") throw new Error("Use an https:// address");
    if (isPrivateHost(url.hostname)) throw new Error(PRIVATE_HOST_MESSAGE);
  }
  return url.toString().replace(/\/$/, "");
}

/** The settings field for a provider base URL override (a proxy, or the local test server). */
export const providerBaseUrl = z
  .string()
  .trim()
  .url("Enter the address as https://…")
  .superRefine((value, ctx) => {
    try {
      checkedBaseUrl(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  });
