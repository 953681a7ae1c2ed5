/**
 * M-Pesa C2B confirmations (public.mpesa_confirmations): stored by the callback route on arrival, read
 * by the connection's sync after its cursor.
 *
 * Order without gaps: the identity `id` is taken before its transaction commits, so reading "id after
 * the cursor" could pass over a confirmation whose insert commits after a later one was read. So a sync
 * reads in (txid, id) order and only confirmations whose inserting transaction is older than every
 * transaction still running (pg_snapshot_xmin): nothing can still be added below that line, so a
 * position, once passed, never has a confirmation appear behind it. One still being written waits for
 * the next fetch.
 */
import type { Db } from "@/lib/db/pool";

export interface HookConnection {
  tenantId: string;
  type: string;
  config: Record<string, unknown>;
}

/** The connection a callback names (service role: the caller is Daraja, not a session). */
export async function findHookConnection(db: Db, params: { connectionId: string }): Promise<HookConnection | undefined> {
  const { rows } = await db.query<HookConnection>(`select tenant_id as "tenantId", type, config from public.connections where id = $1`, [params.connectionId]);
  return rows[0];
}

/** Stores a confirmation once per receipt number; false when that receipt was stored before. */
export async function storeConfirmation(
  db: Db,
  params: { tenantId: string; connectionId: string; transId: string; payload: Record<string, unknown>; raw: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `insert into public.mpesa_confirmations (tenant_id, connection_id, trans_id, payload, raw) values ($1, $2, $3, $4, $5)
     on conflict (tenant_id, connection_id, trans_id) do nothing`,
    [params.tenantId, params.connectionId, params.transId, JSON.stringify(params.payload), params.raw],
  );
  return (rowCount ?? 0) > 0;
}

export interface StoredConfirmation {
  /** "<txid>:<id>": where the next read resumes. */
  position: string;
  transId: string;
  payload: unknown;
}

/** Up to `limit` confirmations after `position` (null: from the first), oldest first, none still being written. */
export async function confirmationsAfter(
  db: Db,
  params: { tenantId: string; connectionId: string; position: string | null; limit: number },
): Promise<StoredConfirmation[]> {
  const [txid, id] = params.position ? params.position.split(":") : [null, null];
  const { rows } = await db.query<{ position: string; transId: string; payload: unknown }>(
    `select c.txid::text || ':' || c.id as position, c.trans_id as "transId", c.payload
       from public.mpesa_confirmations c
      where c.tenant_id = $1 and c.connection_id = $2
        and c.txid < pg_snapshot_xmin(pg_current_snapshot())
        and ($3::xid8 is null or (c.txid, c.id) > ($3::xid8, $4::bigint))
      order by c.txid, c.id
      limit $5`,
    [params.tenantId, params.connectionId, txid, id, params.limit],
  );
  return rows;
}
