/**
 * Backups of one tenant: `inflow db dump --tenant SLUG [--out FILE]` and `inflow db restore FILE
 * [--replace]`. The embedded Postgres ships no pg_dump, and a whole-cluster dump could not be restored
 * for one tenant anyway, so the app writes the dump itself: gzip'd JSON lines holding a header, the
 * tenant's rows of every public table that has a tenant_id (in foreign-key order, found from the
 * catalog so new tables are included without a change here), the users those rows name, and the
 * tenant's raw files. The last line counts everything, so a truncated dump is refused.
 *
 * Restore runs in one transaction: the users (kept when they exist), then every table in order, the
 * identity sequences moved past the restored ids; the raw files are written to the store first
 * (content-addressed, each checked against its SHA-256), so a failed restore leaves only files nothing
 * refers to. A tenant that exists already (same id or slug) is refused unless --replace, which deletes
 * its rows first, in the same transaction.
 *
 * Connection credentials are dumped encrypted as stored: restore them where INFLOW_SECRETS_KEY (or the
 * generated key under the data directory) is the same, or enter them again.
 */
import fs from "node:fs";
import readline from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import type pg from "pg";
import { rawFileStore } from "@/lib/storage/raw-store";
import { RefusedError } from "./admin";
import { getPool } from "./pool";

const FORMAT = "inflow-tenant-dump";
const VERSION = 1;
const ROWS_PER_LINE = 1000;
const RAW_CHUNK_BYTES = 1 << 20;

type Row = Record<string, unknown>;

interface Header {
  format: typeof FORMAT;
  version: number;
  createdAt: string;
  schemaVersion: string | null;
  tenant: { id: string; slug: string; name: string };
}
type Line =
  | Header
  | { table: string; rows: Row[] }
  | { rawFile: string; sha256: string; data: string }
  | { end: true; rows: Record<string, number>; rawFiles: number };

/** Public tables holding tenant data, parents before children (tenants first). */
export async function tenantTables(db: pg.ClientBase): Promise<string[]> {
  const { rows: tables } = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_attribute a on a.attrelid = c.oid
      where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and a.attname = 'tenant_id' and not a.attisdropped
      order by 1`,
  );
  const { rows: edges } = await db.query<{ child: string; parent: string }>(
    `select conrelid::regclass::text as child, confrelid::regclass::text as parent from pg_constraint
      where contype = 'f' and connamespace = 'public'::regnamespace and confrelid::regclass::text not like 'auth.%'`,
  );
  const names = new Set(tables.map((t) => t.name));
  const order: string[] = ["tenants"];
  const placed = new Set(order);
  while (order.length < names.size + 1) {
    const ready = [...names].filter((n) => !placed.has(n) && edges.every((e) => e.child !== n || e.parent === n || placed.has(e.parent)));
    if (ready.length === 0) throw new Error(`foreign keys between ${[...names].filter((n) => !placed.has(n)).join(", ")} form a cycle; the dump cannot order them`);
    for (const n of ready) {
      order.push(n);
      placed.add(n);
    }
  }
  return order;
}

async function latestMigration(db: pg.ClientBase): Promise<string | null> {
  const { rows } = await db.query<{ version: string }>("select max(version) as version from inflow_meta.schema_migrations");
  return rows[0]?.version ?? null;
}

async function withOwner<T>(fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await (await getPool()).connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/** Stable order for a table's rows: its primary key. */
async function primaryKey(db: pg.ClientBase, table: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select a.attname as name from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = $1::regclass and i.indisprimary order by array_position(i.indkey, a.attnum)`,
    [`public.${table}`],
  );
  return rows.map((r) => r.name);
}

export interface DumpResult {
  file: string;
  rows: Record<string, number>;
  rawFiles: number;
}

export async function dumpTenant(slug: string, file: string): Promise<DumpResult> {
  return withOwner(async (db) => {
    // One snapshot for the whole dump: rows added meanwhile are either all in it or not at all.
    await db.query("begin isolation level repeatable read read only");
    try {
      const tenant = (await db.query<{ id: string; slug: string; name: string }>("select id, slug, name from public.tenants where slug = $1", [slug])).rows[0];
      if (!tenant) throw new RefusedError(`No tenant "${slug}".`);
      const gzip = zlib.createGzip();
      const out = fs.createWriteStream(`${file}.partial`, { mode: 0o600 });
      const done = pipeline(gzip, out);
      const write = (line: Line) =>
        new Promise<void>((resolve, reject) => (gzip.write(JSON.stringify(line) + "\n", (error) => (error ? reject(error) : resolve()))));

      await write({ format: FORMAT, version: VERSION, createdAt: new Date().toISOString(), schemaVersion: await latestMigration(db), tenant });
      const counts: Record<string, number> = {};
      const users = await db.query<{ row: Row }>(
        `select to_jsonb(u) as row from auth.users u where u.id in (
           select user_id from public.memberships where tenant_id = $1 union select actor from public.audit_log where tenant_id = $1
           union select created_by from public.imports where tenant_id = $1 union select committed_by from public.imports where tenant_id = $1
           union select reverted_by from public.imports where tenant_id = $1) order by u.id`,
        [tenant.id],
      );
      counts["auth.users"] = users.rows.length;
      await write({ table: "auth.users", rows: users.rows.map((r) => r.row) });
      for (const table of await tenantTables(db)) {
        const key = table === "tenants" ? "id" : "tenant_id";
        const order = (await primaryKey(db, table)).map((c) => `t.${c}`).join(", ") || "1";
        await db.query(`declare rows_cursor no scroll cursor for select to_jsonb(t) as row from public.${table} t where t.${key} = $1 order by ${order}`, [tenant.id]);
        counts[table] = 0;
        for (;;) {
          const { rows } = await db.query<{ row: Row }>(`fetch ${ROWS_PER_LINE} from rows_cursor`);
          if (rows.length === 0) break;
          counts[table] += rows.length;
          await write({ table, rows: rows.map((r) => r.row) });
        }
        await db.query("close rows_cursor");
      }
      const keys = (await db.query<{ key: string }>("select distinct raw_key as key from public.imports where tenant_id = $1 and raw_key is not null order by 1", [tenant.id])).rows;
      const store = await rawFileStore();
      for (const { key } of keys) {
        const sha256 = key.slice(key.lastIndexOf("/") + 1);
        for await (const chunk of chunked(await store.get(tenant.id, key))) await write({ rawFile: key, sha256, data: chunk.toString("base64") });
      }
      await write({ end: true, rows: counts, rawFiles: keys.length });
      gzip.end();
      await done;
      fs.renameSync(`${file}.partial`, file);
      return { file, rows: counts, rawFiles: keys.length };
    } finally {
      await db.query("rollback").catch(() => undefined);
    }
  });
}

/** Re-chunks a stream to at most RAW_CHUNK_BYTES per piece (one JSON line each). An empty file gives one empty piece. */
async function* chunked(stream: Readable): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  let any = false;
  for await (const piece of stream as AsyncIterable<Buffer>) {
    pending.push(piece);
    size += piece.length;
    while (size >= RAW_CHUNK_BYTES) {
      const all = Buffer.concat(pending);
      yield all.subarray(0, RAW_CHUNK_BYTES);
      any = true;
      pending = [all.subarray(RAW_CHUNK_BYTES)];
      size = pending[0]!.length;
    }
  }
  if (size > 0 || !any) yield Buffer.concat(pending);
}

export interface RestoreResult {
  tenant: { id: string; slug: string };
  rows: Record<string, number>;
  rawFiles: number;
  replaced: boolean;
}

async function* readLines(file: string): AsyncGenerator<Line> {
  const lines = readline.createInterface({ input: fs.createReadStream(file).pipe(zlib.createGunzip()), crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (!text) continue;
    try {
      yield JSON.parse(text) as Line;
    } catch {
      throw new RefusedError(`${file}, line ${n}: not a line of an Inflow dump (the file is damaged or not a dump).`);
    }
  }
}

/** Deletes the tenant's rows, children first (their foreign keys would refuse the parents' deletion). */
async function deleteTenantRows(db: pg.ClientBase, tenantId: string, tables: string[]): Promise<void> {
  for (const table of [...tables].reverse()) {
    await db.query(`delete from public.${table} where ${table === "tenants" ? "id" : "tenant_id"} = $1`, [tenantId]);
  }
}

export async function restoreTenant(file: string, options: { replace?: boolean } = {}): Promise<RestoreResult> {
  if (!fs.existsSync(file)) throw new RefusedError(`${file}: no such file.`);
  // First pass: the header, the end line, and the raw files into the store (checked against their hashes).
  let header: Header | undefined;
  let end: { rows: Record<string, number>; rawFiles: number } | undefined;
  const rawFiles = new Map<string, Buffer[]>();
  try {
    for await (const line of readLines(file)) {
      if ("format" in line) header = line;
      else if ("end" in line) end = line;
      else if ("rawFile" in line) rawFiles.set(line.rawFile, [...(rawFiles.get(line.rawFile) ?? []), Buffer.from(line.data, "base64")]);
    }
  } catch (error) {
    if (error instanceof RefusedError) throw error;
    throw new RefusedError(`${file}: cannot be read as an Inflow dump (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!header || header.format !== FORMAT) throw new RefusedError(`${file} is not an Inflow tenant dump.`);
  if (header.version !== VERSION) throw new RefusedError(`${file} is a version ${header.version} dump; this Inflow reads version ${VERSION}.`);
  if (!end) throw new RefusedError(`${file} is incomplete (it ends before its last line): the dump was cut short. Nothing was restored.`);
  const tenant = header.tenant;

  return withOwner(async (db) => {
    const schemaVersion = await latestMigration(db);
    if (header.schemaVersion && schemaVersion && header.schemaVersion > schemaVersion) {
      throw new RefusedError(`${file} was made by a newer Inflow (migration ${header.schemaVersion}); this database is at ${schemaVersion}. Run \`inflow db migrate\` with the newer version first.`);
    }
    const store = await rawFileStore();
    for (const [key, pieces] of rawFiles) {
      const stored = await store.put(tenant.id, Readable.from(pieces));
      if (stored.key !== key) throw new RefusedError(`${file}: the raw file ${key} is damaged (its content hashes to ${stored.sha256}). Nothing was restored.`);
    }

    await db.query("begin");
    try {
      const tables = await tenantTables(db);
      const existing = (await db.query<{ id: string; slug: string }>("select id, slug from public.tenants where id = $1 or slug = $2 for update", [tenant.id, tenant.slug])).rows;
      if (existing.length > 0 && !options.replace) {
        throw new RefusedError(`The tenant "${existing[0]!.slug}" exists in this database. Restore with --replace to delete its data and put the dump's in its place.`);
      }
      for (const found of existing) await deleteTenantRows(db, found.id, tables);

      const counts: Record<string, number> = {};
      const columns = new Map<string, { names: Set<string>; identity: boolean }>();
      const columnsOf = async (qualified: string) => {
        let known = columns.get(qualified);
        if (!known) {
          const [schema, table] = qualified.split(".") as [string, string];
          const { rows } = await db.query<{ name: string; identity: string }>(
            "select column_name as name, is_identity as identity from information_schema.columns where table_schema = $1 and table_name = $2 and is_generated = 'NEVER'",
            [schema, table],
          );
          known = { names: new Set(rows.map((r) => r.name)), identity: rows.some((r) => r.identity === "YES") };
          columns.set(qualified, known);
        }
        return known;
      };
      for await (const line of readLines(file)) {
        if (!("table" in line) || line.rows.length === 0) continue;
        const qualified = line.table.includes(".") ? line.table : `public.${line.table}`;
        if (qualified !== "auth.users" && !tables.includes(line.table)) throw new RefusedError(`${file}: it holds rows of ${line.table}, which this database does not have.`);
        const known = await columnsOf(qualified);
        // Columns the dump has and the table has: a column added since keeps its default.
        const names = Object.keys(line.rows[0]!).filter((c) => known.names.has(c));
        const list = names.map((c) => `"${c}"`).join(", ");
        const conflict = qualified === "auth.users" ? "on conflict do nothing" : "";
        const { rowCount } = await db.query(
          `insert into ${qualified} (${list}) ${known.identity ? "overriding system value" : ""}
           select ${list} from jsonb_populate_recordset(null::${qualified}, $1::jsonb) ${conflict}`,
          [JSON.stringify(line.rows)],
        );
        counts[line.table] = (counts[line.table] ?? 0) + (rowCount ?? 0);
        if (qualified === "auth.users") {
          // Users that were kept rather than inserted must be the same people: an email held here by another id is not.
          const { rows: taken } = await db.query<{ email: string }>(
            `select u ->> 'email' as email from jsonb_array_elements($1::jsonb) u where not exists (select 1 from auth.users x where x.id = (u ->> 'id')::uuid)`,
            [JSON.stringify(line.rows)],
          );
          if (taken.length > 0) throw new RefusedError(`Users of the dump have accounts here under other ids: ${taken.map((m) => m.email).join(", ")}. Nothing was restored.`);
        }
      }
      for (const [table, expected] of Object.entries(end.rows)) {
        if (table !== "auth.users" && (counts[table] ?? 0) !== expected) {
          throw new RefusedError(`${file}: ${table} should hold ${expected} rows, ${counts[table] ?? 0} were restored. Nothing was restored.`);
        }
      }
      // Identity columns: new rows must get ids past the restored ones.
      const { rows: identities } = await db.query<{ table: string; column: string }>(
        "select table_name as table, column_name as column from information_schema.columns where table_schema = 'public' and is_identity = 'YES' and table_name = any($1)",
        [tables],
      );
      for (const { table, column } of identities) {
        await db.query(
          `select setval(q.s, q.m) from (select pg_get_serial_sequence($1, $2) as s, (select max("${column}") from public.${table}) as m) q
            where q.m is not null and q.m > coalesce((select last_value from pg_sequences where format('%I.%I', schemaname, sequencename) = q.s), 0)`,
          [`public.${table}`, column],
        );
      }
      await db.query("commit");
      return { tenant: { id: tenant.id, slug: tenant.slug }, rows: counts, rawFiles: rawFiles.size, replaced: existing.length > 0 };
    } catch (error) {
      await db.query("rollback").catch(() => undefined);
      throw error;
    }
  });
}
