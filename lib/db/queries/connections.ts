/**
 * Connections and the files they imported. Every select names its columns: API roles have no
 * select grant on connections.secret_ciphertext, and no answer built from these rows can carry it.
 * The ciphertext is read only through private.connection_secret (admins of the tenant).
 */
import type { Db } from "@/lib/db/pool";

export type ConnectionStatus = "active" | "paused" | "failing";

export interface ConnectionRow {
  id: string;
  tenantId: string;
  name: string;
  type: string;
  status: ConnectionStatus;
  schedule: string;
  config: Record<string, unknown>;
  cursor: unknown;
  lastSyncAt: Date | null;
  nextSyncAt: Date | null;
  lastSuccessAt: Date | null;
  consecutiveFailures: number;
  lastError: { message: string; at: string } | null;
  nextAllowedSyncAt: Date | null;
  createdBy: string;
  createdAt: Date;
}

const CONNECTION_COLUMNS = `id, tenant_id as "tenantId", name, type, status, schedule, config, cursor,
  last_sync_at as "lastSyncAt", next_sync_at as "nextSyncAt", last_success_at as "lastSuccessAt",
  consecutive_failures as "consecutiveFailures", last_error as "lastError",
  next_allowed_sync_at as "nextAllowedSyncAt", created_by as "createdBy", created_at as "createdAt"`;

export async function insertConnection(
  db: Db,
  params: { tenantId: string; id: string; name: string; type: string; schedule: string; config: unknown; secretCiphertext: Buffer; nextSyncAt: Date | null },
): Promise<ConnectionRow> {
  const { rows } = await db.query<ConnectionRow>(
    `insert into public.connections (tenant_id, id, name, type, schedule, config, secret_ciphertext, next_sync_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${CONNECTION_COLUMNS}`,
    [params.tenantId, params.id, params.name, params.type, params.schedule, JSON.stringify(params.config), params.secretCiphertext, params.nextSyncAt],
  );
  return rows[0]!;
}

export async function listConnections(db: Db, params: { tenantId: string }): Promise<ConnectionRow[]> {
  const { rows } = await db.query<ConnectionRow>(`select ${CONNECTION_COLUMNS} from public.connections where tenant_id = $1 order by name, id`, [params.tenantId]);
  return rows;
}

export async function getConnection(db: Db, params: { tenantId: string; id: string; forUpdate?: boolean }): Promise<ConnectionRow | undefined> {
  const { rows } = await db.query<ConnectionRow>(
    `select ${CONNECTION_COLUMNS} from public.connections where tenant_id = $1 and id = $2 ${params.forUpdate ? "for update" : ""}`,
    [params.tenantId, params.id],
  );
  return rows[0];
}

/** The encrypted credentials; null unless the caller is an admin of the tenant (or none are stored). */
export async function getConnectionSecret(db: Db, params: { tenantId: string; id: string }): Promise<Buffer | null> {
  const { rows } = await db.query<{ secret: Buffer | null }>("select private.connection_secret($1, $2) as secret", [params.tenantId, params.id]);
  return rows[0]?.secret ?? null;
}

/**
 * Replaces the encrypted credentials (a rotated OAuth2 refresh token). Admins only, by RLS: false
 * when no row was changed, so a caller never goes on as if a token it cannot keep were kept.
 */
export async function saveConnectionSecret(db: Db, params: { tenantId: string; id: string; secretCiphertext: Buffer }): Promise<boolean> {
  const result = await db.query("update public.connections set secret_ciphertext = $3 where tenant_id = $1 and id = $2", [params.tenantId, params.id, params.secretCiphertext]);
  return result.rowCount === 1;
}

export async function saveCursor(db: Db, params: { tenantId: string; id: string; cursor: unknown }): Promise<void> {
  await db.query("update public.connections set cursor = $3 where tenant_id = $1 and id = $2", [
    params.tenantId,
    params.id,
    params.cursor === null ? null : JSON.stringify(params.cursor),
  ]);
}

/** A finished sync: success resets the failure count; a failure counts up and marks the connection failing. */
export async function recordSyncOutcome(
  db: Db,
  params: { tenantId: string; id: string; ok: boolean; error: string | null; nextSyncAt: Date | null; nextAllowedSyncAt: Date | null; failingAfter: number },
): Promise<ConnectionRow> {
  const { rows } = await db.query<ConnectionRow>(
    `update public.connections
        set last_sync_at = now(),
            last_success_at = case when $3 then now() else last_success_at end,
            consecutive_failures = case when $3 then 0 else consecutive_failures + 1 end,
            last_error = case when $3 then null else jsonb_build_object('message', $4::text, 'at', now()) end,
            status = case when status = 'paused' then status
                          when $3 then 'active'
                          when consecutive_failures + 1 >= $7 then 'failing'
                          else status end,
            next_sync_at = $5,
            next_allowed_sync_at = $6
      where tenant_id = $1 and id = $2
      returning ${CONNECTION_COLUMNS}`,
    [params.tenantId, params.id, params.ok, params.error, params.nextSyncAt, params.nextAllowedSyncAt, params.failingAfter],
  );
  return rows[0]!;
}

/** True when this connection already imported a file with this path, size and modification time. */
export async function fileSeen(db: Db, params: { tenantId: string; connectionId: string; path: string; size: number; modifiedAt: string | null }): Promise<boolean> {
  const { rowCount } = await db.query(
    `select 1 from public.connection_files
      where tenant_id = $1 and connection_id = $2 and path = $3 and size = $4 and modified_at is not distinct from $5::timestamptz limit 1`,
    [params.tenantId, params.connectionId, params.path, params.size, params.modifiedAt],
  );
  return (rowCount ?? 0) > 0;
}

/** The import a file with this path, size and content was recorded with, if any. */
export async function findRecordedFile(db: Db, params: { tenantId: string; connectionId: string; path: string; size: number; sha256: string }): Promise<string | undefined> {
  const { rows } = await db.query<{ importId: string }>(
    `select import_id as "importId" from public.connection_files
      where tenant_id = $1 and connection_id = $2 and path = $3 and size = $4 and sha256 = $5`,
    [params.tenantId, params.connectionId, params.path, params.size, params.sha256],
  );
  return rows[0]?.importId;
}

/**
 * An import a sync started for this file but did not record (the process died between creating it
 * and committing): the next sync resumes it instead of importing the file a second time.
 */
export async function findUnrecordedImport(db: Db, params: { tenantId: string; source: string; fileName: string; sha256: string }): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `select i.id from public.imports i
      where i.tenant_id = $1 and i.source = $2 and i.file_name = $3 and i.sha256 = $4 and i.status <> 'reverted'
        and not exists (select 1 from public.connection_files f where f.tenant_id = i.tenant_id and f.import_id = i.id)
      order by i.created_at desc limit 1`,
    [params.tenantId, params.source, params.fileName, params.sha256],
  );
  return rows[0]?.id;
}

/** The same bytes seen again under a new modification time: remember the time, so the next sync need not download them. */
export async function noteFileSeenAgain(
  db: Db,
  params: { tenantId: string; connectionId: string; path: string; size: number; sha256: string; modifiedAt: string | null },
): Promise<void> {
  await db.query(
    `update public.connection_files set modified_at = $6, seen_at = now()
      where tenant_id = $1 and connection_id = $2 and path = $3 and size = $4 and sha256 = $5`,
    [params.tenantId, params.connectionId, params.path, params.size, params.sha256, params.modifiedAt],
  );
}

export async function recordFile(
  db: Db,
  params: { tenantId: string; connectionId: string; path: string; size: number; sha256: string; modifiedAt: string | null; importId: string },
): Promise<void> {
  await db.query(
    `insert into public.connection_files (tenant_id, connection_id, path, size, sha256, modified_at, import_id)
     values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing`,
    [params.tenantId, params.connectionId, params.path, params.size, params.sha256, params.modifiedAt, params.importId],
  );
}
