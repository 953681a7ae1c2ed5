/** The audit log: one append-only row per action, written in the same transaction as the action. */
import type { Db } from "@/lib/db/pool";

export type AuditAction =
  | "connection.create"
  | "connection.sync"
  | "connection.pause"
  | "connection.resume"
  | "connection.webhook"
  | "connection.notify"
  | "connection.credentials_rotated"
  | "connection.update"
  | "connection.credentials_replaced"
  | "import.upload"
  | "import.correct"
  | "import.exclude"
  | "import.include"
  | "import.account"
  | "import.commit"
  | "import.revert"
  | "mapping.create"
  | "mapping.delete"
  | "account.create"
  | "duplicate.approve"
  | "duplicate.reject"
  | "duplicate.undo"
  | "member.add"
  | "member.role"
  | "member.remove";

export interface AuditEntry {
  tenantId: string;
  action: AuditAction;
  entity: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
  details?: unknown;
}

export async function writeAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.query(
    `insert into public.audit_log (tenant_id, action, entity, entity_id, before, after, details) values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      entry.tenantId,
      entry.action,
      entry.entity,
      entry.entityId,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after),
      entry.details === undefined ? null : JSON.stringify(entry.details),
    ],
  );
}

export interface AuditRow {
  id: string;
  at: Date;
  actor: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  details: unknown;
}

export async function listAudit(
  db: Db,
  params: { tenantId: string; limit: number; before?: string; action?: string; entity?: string; entityId?: string },
): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `select a.id::text as id, a.at, m.email as actor, a.action, a.entity, a.entity_id as "entityId", a.before, a.after, a.details
       from public.audit_log a left join private.members_of($1) m on m.user_id = a.actor
      where a.tenant_id = $1
        and ($3::bigint is null or a.id < $3::bigint)
        and ($4::text is null or a.action = $4)
        and ($5::text is null or a.entity_id = $5)
        and ($6::text is null or a.entity = $6)
      order by a.id desc
      limit $2`,
    [params.tenantId, params.limit, params.before ?? null, params.action ?? null, params.entityId ?? null, params.entity ?? null],
  );
  return rows;
}
