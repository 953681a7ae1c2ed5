/**
 * Connections as the API offers them: create (credentials encrypted before they reach the database),
 * list (never with credentials), test. Everything runs under the caller's claims, so RLS decides
 * who sees and changes what; only a tenant's admins can read the ciphertext back (to sync or test).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { TenantContext } from "@/lib/auth/context";
import { decryptJson, encryptJson } from "@/lib/crypto/secrets";
import { writeAudit } from "@/lib/db/queries/audit";
import { getConnection, getConnectionSecret, insertConnection, listConnections, saveConnectionSecret, type ConnectionRow } from "@/lib/db/queries/connections";
import type { Db } from "@/lib/db/pool";
import { withUser } from "@/lib/db/with-user";
import { AppError, forbidden, notFound } from "@/lib/http/errors";
import { connectorFor } from "./index";
import { nextScheduledRun } from "./schedule";
import { schedule as scheduleSchema, type RegisteredConnector, type SecretsStore, type TestResult } from "./types";

type Ctx = Pick<TenantContext, "claims" | "tenantId">;

/** What the API shows of a connection: settings and health, never credentials or the raw cursor. */
export interface ConnectionView {
  id: string;
  name: string;
  type: string;
  status: ConnectionRow["status"];
  schedule: string;
  config: Record<string, unknown>;
  hasCredentials: true;
  lastSyncAt: Date | null;
  nextSyncAt: Date | null;
  lastSuccessAt: Date | null;
  consecutiveFailures: number;
  lastError: ConnectionRow["lastError"];
  nextAllowedSyncAt: Date | null;
  createdAt: Date;
}

export function toView(row: ConnectionRow): ConnectionView {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    status: row.status,
    schedule: row.schedule,
    config: row.config,
    hasCredentials: true,
    lastSyncAt: row.lastSyncAt,
    nextSyncAt: row.nextSyncAt,
    lastSuccessAt: row.lastSuccessAt,
    consecutiveFailures: row.consecutiveFailures,
    lastError: row.lastError,
    nextAllowedSyncAt: row.nextAllowedSyncAt,
    createdAt: row.createdAt,
  };
}

/** When a scheduled connection is next due (hourly, daily, or its cron expression's next minute, UTC); null for manual. */
export function nextSyncAfter(schedule: string, from: Date): Date | null {
  return nextScheduledRun(schedule, from);
}

/** Binds a ciphertext to its row: copied onto another connection, it does not decrypt. */
export function secretContext(tenantId: string, connectionId: string): string {
  return `${tenantId}:${connectionId}`;
}

export const createConnectionInput = z.object({
  name: z.string().trim().min(1, "Give the connection a name").max(200),
  type: z.string().min(1),
  schedule: scheduleSchema.default("manual"),
  config: z.unknown(),
  secrets: z.unknown(),
});

export async function assertAccount(db: Db, tenantId: string, config: unknown): Promise<void> {
  const accountId = typeof config === "object" && config !== null && "accountId" in config ? config.accountId : undefined;
  if (typeof accountId !== "string") return;
  const found = await db.query("select 1 from public.accounts where tenant_id = $1 and id = $2", [tenantId, accountId]);
  if (found.rowCount === 0) throw new AppError(422, "validation", "config.accountId: choose an account that exists in this workspace.");
}

export async function createConnection(ctx: Ctx, input: unknown): Promise<ConnectionView> {
  const body = createConnectionInput.parse(input);
  const connector = connectorFor(body.type);
  // One schema for both parts, so a problem is reported as config.host or secrets.password.
  const parsed = z.object({ config: connector.configSchema, secrets: connector.secretsSchema }).parse({ config: body.config, secrets: body.secrets });
  const id = randomUUID();
  const secretCiphertext = encryptJson(parsed.secrets, secretContext(ctx.tenantId, id));
  return withUser(ctx.claims, async (db) => {
    await assertAccount(db, ctx.tenantId, parsed.config);
    let row: ConnectionRow;
    try {
      row = await insertConnection(db, {
        tenantId: ctx.tenantId,
        id,
        name: body.name,
        type: connector.type,
        schedule: body.schedule,
        config: parsed.config,
        secretCiphertext,
        nextSyncAt: nextSyncAfter(body.schedule, new Date()),
      });
    } catch (error) {
      if ((error as { code?: string }).code === "23505") throw new AppError(409, "conflict", `A connection named "${body.name}" already exists. Choose another name.`);
      throw error;
    }
    await writeAudit(db, {
      tenantId: ctx.tenantId,
      action: "connection.create",
      entity: "connection",
      entityId: id,
      after: { name: row.name, type: row.type, schedule: row.schedule, config: row.config },
    });
    return toView(row);
  });
}

export async function listConnectionViews(ctx: Ctx): Promise<ConnectionView[]> {
  return (await withUser(ctx.claims, (db) => listConnections(db, { tenantId: ctx.tenantId }))).map(toView);
}

export interface LoadedConnection {
  row: ConnectionRow;
  connector: RegisteredConnector;
  secrets: unknown;
}

/** The connection with its decrypted credentials, for its tenant's admins only. */
export async function loadConnection(ctx: Ctx, connectionId: string): Promise<LoadedConnection> {
  const { row, ciphertext } = await withUser(ctx.claims, async (db) => ({
    row: await getConnection(db, { tenantId: ctx.tenantId, id: connectionId }),
    ciphertext: await getConnectionSecret(db, { tenantId: ctx.tenantId, id: connectionId }),
  }));
  if (!row) throw notFound("That connection");
  if (!ciphertext) throw forbidden("use this connection's credentials");
  return { row, connector: connectorFor(row.type), secrets: decryptJson(ciphertext, secretContext(ctx.tenantId, connectionId)) };
}

/**
 * Stores a connection's new credentials (a provider rotated its OAuth2 refresh token), encrypted and
 * bound to the row like the first ones, and checked by the connector's schema first. Nothing of them
 * is logged or audited: the audit says only that they were replaced.
 */
export function secretsStore(ctx: Ctx, connector: RegisteredConnector, connectionId: string): SecretsStore {
  return {
    async saveSecrets(next) {
      const ciphertext = encryptJson(connector.secretsSchema.parse(next), secretContext(ctx.tenantId, connectionId));
      await withUser(ctx.claims, async (db) => {
        if (!(await saveConnectionSecret(db, { tenantId: ctx.tenantId, id: connectionId, secretCiphertext: ciphertext }))) throw forbidden("change this connection's credentials");
        await writeAudit(db, { tenantId: ctx.tenantId, action: "connection.credentials_rotated", entity: "connection", entityId: connectionId, details: { reason: "the provider issued new tokens" } });
      });
    },
  };
}

/** "Test connection": the provider's own answer in plain words; nothing is imported (a rotated token is kept). */
export async function testConnection(ctx: Ctx, connectionId: string): Promise<TestResult> {
  const { row, connector, secrets } = await loadConnection(ctx, connectionId);
  return connector.test(row.config, secrets, secretsStore(ctx, connector, connectionId));
}
