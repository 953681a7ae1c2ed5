/** Imports: the record of each file brought into a tenant. */
import type { Db } from "@/lib/db/pool";
import type { JsonValue } from "@/lib/formats/types";

export interface ImportSummary {
  id: string;
  fileName: string;
  format: string | null;
  status: string;
  byteSize: string;
  rowsRead: number;
  rowsImported: number;
  rowsInvalid: number;
  /** Rows parsed from the file (the pipeline's metrics), or the legacy count for older imports. */
  rows: number;
  source: string;
  /** bytes, fetched, parsed, invalid, excluded, imported, exactDuplicates, flagged, approved, rejected, failed, durations. */
  metrics: Record<string, JsonValue>;
  createdBy: string | null;
  createdAt: Date;
}

export async function listImports(db: Db, params: { tenantId: string; limit: number; before?: string }): Promise<ImportSummary[]> {
  const { rows } = await db.query<ImportSummary>(
    `select i.id, i.file_name as "fileName", i.format, i.status, i.byte_size::text as "byteSize",
            i.rows_read as "rowsRead", i.rows_imported as "rowsImported", i.rows_invalid as "rowsInvalid",
            coalesce((i.metrics ->> 'parsed')::int, i.rows_read) as rows, i.source, i.metrics,
            m.email as "createdBy", i.created_at as "createdAt"
       from public.imports i left join private.members_of($1) m on m.user_id = i.created_by
      where i.tenant_id = $1
        and ($3::uuid is null or (i.created_at, i.id) < (select b.created_at, b.id from public.imports b where b.tenant_id = $1 and b.id = $3::uuid))
      order by i.created_at desc, i.id desc
      limit $2`,
    [params.tenantId, params.limit, params.before ?? null],
  );
  return rows;
}
