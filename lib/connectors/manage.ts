/**
 * Changing a connection after it was created (admins): its settings (name, schedule, config) and,
 * on their own, its credentials; and the detail view with the callback addresses the provider pushes
 * to. Kept apart from ./service.ts because it needs the job state (./jobs.ts imports ./service.ts).
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import type { TenantContext } from "@/lib/auth/context";
import { encryptJson } from "@/lib/crypto/secrets";
import { writeAudit } from "@/lib/db/queries/audit";
import { getConnection, getConnectionSecret, saveConnectionSecret, type ConnectionRow } from "@/lib/db/queries/connections";
import { withUser } from "@/lib/db/with-user";
import { AppError, forbidden, notFound } from "@/lib/http/errors";
import { hookToken } from "./hooks";
import { connectorFor } from "./index";
import { syncJobState } from "./jobs";
import { assertAccount, nextSyncAfter, secretContext, toView, type ConnectionView } from "./service";
import { schedule as scheduleSchema, type CallbackAddress } from "./types";

type Ctx = Pick<TenantContext, "claims" | "tenantId">;

/** One connection for its admins: the view every member may see, plus the addresses its provider pushes to. */
export interface ConnectionDetailView extends ConnectionView {
  /** Null for connectors the provider does not push to. */
  callbacks: CallbackAddress[] | null;
}

/**
 * The connection with its callback addresses. The addresses carry the hook token (anyone holding it
 * can post confirmations), so they are built only when the caller can read the credentials back,
 * which RLS allows the tenant's admins alone — the same bar as the credentials themselves.
 */
export async function connectionDetail(ctx: Ctx, connectionId: string): Promise<ConnectionDetailView> {
  const { row, ciphertext } = await withUser(ctx.claims, async (db) => ({
    row: await getConnection(db, { tenantId: ctx.tenantId, id: connectionId }),
    ciphertext: await getConnectionSecret(db, { tenantId: ctx.tenantId, id: connectionId }),
  }));
  if (!row) throw notFound("That connection");
  if (!ciphertext) throw forbidden("manage connections");
  const connector = connectorFor(row.type);
  const callbacks = connector.callbackAddresses ? connector.callbackAddresses(row.config, hookToken(row.id)) : null;
  return { ...toView(row), callbacks };
}

export const updateConnectionInput = z.object({
  name: z.string().trim().min(1, "Give the connection a name").max(200).optional(),
  schedule: scheduleSchema.optional(),
  /** All of the settings, as when creating: a setting left out takes its default (or is cleared). */
  config: z.unknown().optional(),
});

/** A sync running now uses the settings and credentials it started with, and would store its cursor (and rotated tokens) over the new ones. */
async function refuseWhileRunning(connectionId: string, what: string): Promise<void> {
  if ((await syncJobState(connectionId)) === "running") {
    throw new AppError(409, "sync_running", `A sync of this connection is running. Change its ${what} once it has finished.`);
  }
}

/**
 * Changes the name, schedule or settings (admins). Settings are checked by the connector's schema
 * like new ones and replace the old ones whole. New settings may name another source (a different
 * spreadsheet, query or folder), where the stored cursor means nothing: it is cleared, so the next
 * sync reads from the beginning and what was already imported is recognised as duplicates — never
 * skipped. The credentials are not changed here (see replaceCredentials).
 */
export async function updateConnection(ctx: Ctx, connectionId: string, input: unknown): Promise<ConnectionView> {
  if (typeof input === "object" && input !== null) {
    if ("secrets" in input) throw new AppError(422, "validation", "secrets: credentials are replaced on their own (PUT /api/connections/{id}/credentials), never with the settings.");
    if ("type" in input) throw new AppError(422, "validation", "type: a connection's type cannot change. Create a new connection instead.");
  }
  return withUser(ctx.claims, async (db) => {
    const row = await getConnection(db, { tenantId: ctx.tenantId, id: connectionId, forUpdate: true });
    if (!row) throw notFound("That connection");
    const body = updateConnectionInput.parse(input ?? {});
    const connector = connectorFor(row.type);
    const config = body.config === undefined ? row.config : z.object({ config: connector.configSchema }).parse({ config: body.config }).config;
    const configChanged = !isDeepStrictEqual(config, row.config);
    const name = body.name ?? row.name;
    const schedule = body.schedule ?? row.schedule;
    const scheduleChanged = schedule !== row.schedule;
    if (!configChanged && !scheduleChanged && name === row.name) return toView(row);
    if (configChanged) {
      await assertAccount(db, ctx.tenantId, config);
      await refuseWhileRunning(connectionId, "settings");
    }
    let nextSyncAt = row.nextSyncAt;
    if (scheduleChanged) {
      const scheduled = nextSyncAfter(schedule, new Date());
      // The provider's "not before" still holds whatever the schedule says.
      nextSyncAt = scheduled && row.nextAllowedSyncAt && row.nextAllowedSyncAt > scheduled ? row.nextAllowedSyncAt : scheduled;
    }
    let updated: ConnectionRow | undefined;
    try {
      const result = await db.query<{ id: string }>(
        `update public.connections set name = $3, schedule = $4, config = $5, next_sync_at = $6, cursor = case when $7 then null else cursor end
          where tenant_id = $1 and id = $2 returning id`,
        [ctx.tenantId, connectionId, name, schedule, JSON.stringify(config), nextSyncAt, configChanged],
      );
      if (result.rowCount !== 1) throw forbidden("manage connections");
      updated = await getConnection(db, { tenantId: ctx.tenantId, id: connectionId });
    } catch (error) {
      if ((error as { code?: string }).code === "23505") throw new AppError(409, "conflict", `A connection named "${name}" already exists. Choose another name.`);
      throw error;
    }
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    if (name !== row.name) [before.name, after.name] = [row.name, name];
    if (scheduleChanged) [before.schedule, after.schedule] = [row.schedule, schedule];
    if (configChanged) [before.config, after.config] = [row.config, config];
    if (!updated) throw notFound("That connection");
    await writeAudit(db, {
      tenantId: ctx.tenantId,
      action: "connection.update",
      entity: "connection",
      entityId: connectionId,
      before,
      after,
      ...(configChanged ? { details: { cursorCleared: true } } : {}),
    });
    return toView(updated);
  });
}

/**
 * Replaces a connection's credentials (admins): checked by the connector's schema like new ones,
 * encrypted and bound to the row, and never answered back. The audit says they were replaced and
 * which fields were given, never a value.
 */
export async function replaceCredentials(ctx: Ctx, connectionId: string, input: unknown): Promise<ConnectionView> {
  const row = await withUser(ctx.claims, (db) => getConnection(db, { tenantId: ctx.tenantId, id: connectionId }));
  if (!row) throw notFound("That connection");
  const connector = connectorFor(row.type);
  // Parsed under "secrets", so a problem is reported as secrets.password, as when creating.
  const { secrets } = z.object({ secrets: connector.secretsSchema }).parse(typeof input === "object" && input !== null ? input : {});
  await refuseWhileRunning(connectionId, "credentials");
  const ciphertext = encryptJson(secrets, secretContext(ctx.tenantId, connectionId));
  return withUser(ctx.claims, async (db) => {
    if (!(await saveConnectionSecret(db, { tenantId: ctx.tenantId, id: connectionId, secretCiphertext: ciphertext }))) throw forbidden("change this connection's credentials");
    const fields = typeof secrets === "object" && secrets !== null ? Object.keys(secrets).sort() : [];
    await writeAudit(db, { tenantId: ctx.tenantId, action: "connection.credentials_replaced", entity: "connection", entityId: connectionId, details: { fields } });
    return toView(row);
  });
}
