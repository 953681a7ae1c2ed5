/**
 * Telling a tenant's admins that a connection keeps failing: a JSON POST to the webhook URL the admins
 * set (tenants.settings.connectionWebhookUrl) when a connection has failed FAILING_AFTER syncs in a
 * row — once per failing streak (connections.failure_notified_at, claimed by one conditional update
 * so two workers never both send). A delivery that fails is released, so the next failed sync of the
 * same streak tries again.
 */
import { z } from "zod";
import type { TenantContext } from "@/lib/auth/context";
import type { JwtClaims } from "@/lib/auth/claims";
import { writeAudit } from "@/lib/db/queries/audit";
import { withUser } from "@/lib/db/with-user";
import { AppError } from "@/lib/http/errors";
import { PRIVATE_HOST_MESSAGE, assertPublicHost, hostProblem } from "./address";

type Ctx = Pick<TenantContext, "claims" | "tenantId">;

/** A connection is marked failing, and the admins told, after this many failed syncs in a row. */
export const NOTIFY_AFTER = 3;
const TIMEOUT_MS = 5000;

export const webhookInput = z.object({
  webhookUrl: z
    .union([
      z
        .string()
        .trim()
        .url("Enter a full web address, starting with https://")
        .max(2000)
        .refine((url) => /^https?:\/\//i.test(url), "Enter a web address starting with https:// (or http://)")
        .refine((url) => !URL.canParse(url) || !hostProblem(new URL(url).hostname), PRIVATE_HOST_MESSAGE),
      z.literal("").transform(() => null),
      z.null(),
    ])
    .default(null),
});

export interface NotificationSettings {
  webhookUrl: string | null;
}

async function readWebhook(claims: JwtClaims, tenantId: string): Promise<string | null> {
  return withUser(claims, async (db) => {
    const { rows } = await db.query<{ url: string | null }>("select settings->>'connectionWebhookUrl' as url from public.tenants where id = $1", [tenantId]);
    return rows[0]?.url ?? null;
  });
}

export async function getNotificationSettings(ctx: Ctx): Promise<NotificationSettings> {
  return { webhookUrl: await readWebhook(ctx.claims, ctx.tenantId) };
}

/** Sets (or clears, with null or "") the tenant's webhook; admins only (RLS on tenants agrees). */
export async function setNotificationSettings(ctx: Ctx, input: unknown): Promise<NotificationSettings> {
  const { webhookUrl } = webhookInput.parse(input);
  return withUser(ctx.claims, async (db) => {
    const before = await db.query<{ url: string | null }>("select settings->>'connectionWebhookUrl' as url from public.tenants where id = $1", [ctx.tenantId]);
    const { rowCount } = await db.query(
      `update public.tenants
          set settings = case when $2::text is null then settings - 'connectionWebhookUrl'
                              else jsonb_set(settings, '{connectionWebhookUrl}', to_jsonb($2::text)) end
        where id = $1`,
      [ctx.tenantId, webhookUrl],
    );
    if (!rowCount) throw new AppError(403, "forbidden", "Your role does not allow you to change notification settings.");
    await writeAudit(db, {
      tenantId: ctx.tenantId,
      action: "connection.webhook",
      entity: "tenant",
      entityId: ctx.tenantId,
      before: { webhookUrl: before.rows[0]?.url ?? null },
      after: { webhookUrl },
    });
    return { webhookUrl };
  });
}

export interface FailingMessage {
  event: "connection.failing";
  message: string;
  tenant: { id: string; name: string };
  connection: {
    id: string;
    name: string;
    type: string;
    consecutiveFailures: number;
    lastError: string | null;
    lastSuccessAt: string | null;
    nextSyncAt: string | null;
  };
  at: string;
}

export type NotifyOutcome =
  | { sent: false; reason: "not_failing" | "already_notified" | "no_webhook" }
  | { sent: true; status: number }
  | { sent: false; reason: "delivery_failed"; detail: string };

interface ClaimedRow {
  name: string;
  type: string;
  tenantName: string;
  consecutiveFailures: number;
  lastError: { message?: string } | null;
  lastSuccessAt: Date | null;
  nextSyncAt: Date | null;
}

/**
 * Sends the "connection keeps failing" message if this connection's current streak has reached
 * NOTIFY_AFTER and has not been notified yet. Runs as the sync's admin; never throws for the
 * receiver's faults (a sync must not fail because a webhook is down).
 */
export async function notifyIfFailing(ctx: Ctx, connectionId: string): Promise<NotifyOutcome> {
  const { claims, tenantId } = ctx;
  const claimed = await withUser(claims, async (db) => {
    const { rows } = await db.query<ClaimedRow>(
      `update public.connections c
          set failure_notified_at = now()
         from public.tenants t
        where c.tenant_id = $1 and c.id = $2 and t.id = c.tenant_id
          and c.consecutive_failures >= $3 and c.status <> 'paused'
          and (c.failure_notified_at is null or (c.last_success_at is not null and c.failure_notified_at < c.last_success_at))
        returning c.name, c.type, t.name as "tenantName", c.consecutive_failures as "consecutiveFailures",
                  c.last_error as "lastError", c.last_success_at as "lastSuccessAt", c.next_sync_at as "nextSyncAt"`,
      [tenantId, connectionId, NOTIFY_AFTER],
    );
    return rows[0];
  });
  if (!claimed) {
    const failing = await withUser(claims, async (db) =>
      (await db.query("select 1 from public.connections where tenant_id = $1 and id = $2 and consecutive_failures >= $3", [tenantId, connectionId, NOTIFY_AFTER])).rowCount,
    );
    return { sent: false, reason: failing ? "already_notified" : "not_failing" };
  }
  const url = await readWebhook(claims, tenantId);
  if (!url) return { sent: false, reason: "no_webhook" };

  const lastError = claimed.lastError?.message ?? null;
  const body: FailingMessage = {
    event: "connection.failing",
    message: `The connection "${claimed.name}" has failed ${claimed.consecutiveFailures} syncs in a row${lastError ? `: ${lastError}` : "."}`,
    tenant: { id: tenantId, name: claimed.tenantName },
    connection: {
      id: connectionId,
      name: claimed.name,
      type: claimed.type,
      consecutiveFailures: claimed.consecutiveFailures,
      lastError,
      lastSuccessAt: claimed.lastSuccessAt?.toISOString() ?? null,
      nextSyncAt: claimed.nextSyncAt?.toISOString() ?? null,
    },
    at: new Date().toISOString(),
  };
  let outcome: NotifyOutcome;
  try {
    // Not Inflow's own machine or network, by any address the name has (lib/connectors/address.ts).
    await assertPublicHost(new URL(url).hostname);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Inflow-Notifications/1" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: "manual",
    });
    await response.body?.cancel().catch(() => undefined);
    outcome = response.ok ? { sent: true, status: response.status } : { sent: false, reason: "delivery_failed", detail: `The webhook answered ${response.status}.` };
  } catch (error) {
    outcome = { sent: false, reason: "delivery_failed", detail: error instanceof Error ? error.message : String(error) };
  }
  await withUser(claims, async (db) => {
    // Not delivered: release the claim so the next failed sync of this streak tries again.
    if (!outcome.sent) await db.query("update public.connections set failure_notified_at = null where tenant_id = $1 and id = $2", [tenantId, connectionId]);
    await writeAudit(db, { tenantId, action: "connection.notify", entity: "connection", entityId: connectionId, details: { event: body.event, ...outcome } });
  });
  return outcome;
}
