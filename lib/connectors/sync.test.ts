/**
 * The sync's guarantees against a real OpenSSH server and the real database: a process that died
 * after starting an import (before or after committing it, but before recording the file) neither
 * skips the file nor imports it twice; one sync per connection at a time; paused and rate-limited
 * connections are refused with the reason.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitImport } from "@/lib/ingest/commit";
import { runParseJob } from "@/lib/ingest/jobs";
import { createImportFromStoredFile } from "@/lib/ingest/upload";
import { withUser } from "@/lib/db/with-user";
import { AppError } from "@/lib/http/errors";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { startSftpServer, type SftpTestServer } from "@/test/sftp-server";
import { createConnection } from "./service";
import { sourceOf, syncConnection } from "./sync";

const SAMPLES = path.resolve("test/fixtures/samples");
const OFX = path.join(SAMPLES, "ofx/jseutter-ofxparse__bank_medium.ofx");
const STA = path.join(SAMPLES, "mt940/wolph-mt940__jejik_knab.sta");

let server: SftpTestServer;
let t: TestTenant;
let accountId: string;

const adminCtx = () => ({ claims: t.members.admin.claims, tenantId: t.id });

async function newConnection(name: string, folder: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await createConnection(adminCtx(), {
    name,
    type: "sftp",
    config: { host: server.host, port: server.port, username: server.username, folder, pattern: "*", settleSeconds: 0, accountId, ...extra },
    secrets: { password: server.password },
  });
  return created.id;
}

/** Starts an import of `file` exactly as a sync would, then "dies" before recording it. */
async function startedBySync(connectionId: string, remotePath: string, file: string, commit: boolean): Promise<string> {
  const ctx = adminCtx();
  const stored = await (await rawFileStore()).put(t.id, fs.createReadStream(file));
  const { importId } = await createImportFromStoredFile(ctx, { fileName: remotePath, stored, fields: { accountId }, source: sourceOf("sftp", connectionId) }, { enqueueParse: false });
  await runParseJob({ ...ctx, importId });
  if (commit) await withUser(ctx.claims, (db) => commitImport(db, { tenantId: t.id, importId }));
  return importId;
}

async function state(connectionId: string) {
  return asService(async (db) => ({
    imports: (await db.query<{ id: string; status: string }>("select id, status from public.imports where tenant_id = $1 and source = $2 order by created_at", [t.id, sourceOf("sftp", connectionId)])).rows,
    transactions: Number(
      (await db.query<{ n: string }>("select count(*)::text as n from public.transactions where tenant_id = $1 and source like $2", [t.id, `${sourceOf("sftp", connectionId)}:%`])).rows[0]!.n,
    ),
    files: (await db.query<{ path: string; import_id: string }>("select path, import_id from public.connection_files where tenant_id = $1 and connection_id = $2", [t.id, connectionId])).rows,
  }));
}

beforeAll(async () => {
  server = await startSftpServer();
  t = await createTenant("connector-sync");
  accountId = await asService(async (db) => {
    const { rows } = await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Operating account', 'USD') returning id", [t.id]);
    return rows[0]!.id;
  });
});

afterAll(async () => {
  await server?.stop();
});

describe("a sync after a crash", () => {
  it("resumes an import that was started and staged but never committed: one import, committed once", async () => {
    server.put("crash1/statement.ofx", fs.readFileSync(OFX));
    const id = await newConnection("Crash before commit", "crash1");
    const orphan = await startedBySync(id, "crash1/statement.ofx", OFX, false);
    expect((await state(id)).imports).toEqual([{ id: orphan, status: "staged" }]);

    const result = await syncConnection(adminCtx(), id);
    expect(result.files.map((f) => [f.path, f.importId, f.outcome, f.imported])).toEqual([["crash1/statement.ofx", orphan, "committed", 3]]);
    expect(await state(id)).toEqual({ imports: [{ id: orphan, status: "committed" }], transactions: 3, files: [{ path: "crash1/statement.ofx", import_id: orphan }] });
  });

  it("records an import that was committed but not recorded, without committing its rows again", async () => {
    server.put("crash2/statement.sta", fs.readFileSync(STA));
    const id = await newConnection("Crash after commit", "crash2");
    const orphan = await startedBySync(id, "crash2/statement.sta", STA, true);
    expect((await state(id)).transactions).toBe(3);

    const result = await syncConnection(adminCtx(), id);
    expect(result.files.map((f) => [f.path, f.importId, f.outcome, f.imported])).toEqual([["crash2/statement.sta", orphan, "committed", 3]]);
    expect(await state(id)).toEqual({ imports: [{ id: orphan, status: "committed" }], transactions: 3, files: [{ path: "crash2/statement.sta", import_id: orphan }] });
    expect((await syncConnection(adminCtx(), id)).files).toEqual([]);
  });

  it("after a crash between batches, the next sync resumes at the stored cursor and the file before it is not skipped", async () => {
    // Statements not imported by the other scenarios (the ledger would take those as exact duplicates).
    server.put("crash3/a.sta", fs.readFileSync(path.join(SAMPLES, "mt940/wolph-mt940__jejik_triodos.sta")));
    server.put("crash3/b.sta", fs.readFileSync(path.join(SAMPLES, "mt940/wolph-mt940__jejik_ing.sta")));
    const id = await newConnection("Crash between batches", "crash3", { filesPerBatch: 1 });
    // As if the first batch (a.sta) had been committed with its cursor and the process died before the second.
    await asService((db) => db.query("update public.connections set cursor = $2 where id = $1", [id, JSON.stringify({ after: "a.sta" })]));
    const first = await syncConnection(adminCtx(), id);
    expect(first.files.map((f) => [f.path, f.imported])).toEqual([["crash3/b.sta", 7]]);
    // The cursor resets at the end of a sync, and a.sta — never recorded in this scenario — comes next.
    const second = await syncConnection(adminCtx(), id);
    expect(second.files.map((f) => [f.path, f.imported])).toEqual([["crash3/a.sta", 2]]);
    expect((await state(id)).transactions).toBe(9);
    expect((await syncConnection(adminCtx(), id)).files).toEqual([]);
  });
});

describe("when a sync may not run", () => {
  it("runs one sync per connection at a time", async () => {
    server.put("busy/statement.ofx", fs.readFileSync(OFX));
    const id = await newConnection("Busy", "busy");
    const outcomes = await Promise.allSettled([syncConnection(adminCtx(), id), syncConnection(adminCtx(), id)]);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(refused.map((o) => (o.reason instanceof AppError ? [o.reason.status, o.reason.message] : o.reason))).toEqual([
      [409, "A sync of this connection is already running. Wait for it to finish."],
    ]);
    expect((await state(id)).imports).toHaveLength(1);
  });

  it("refuses a paused connection and one the provider asked to wait, saying until when", async () => {
    const id = await newConnection("Paused", "busy");
    await asService((db) => db.query("update public.connections set status = 'paused' where id = $1", [id]));
    await expect(syncConnection(adminCtx(), id)).rejects.toMatchObject({ status: 409, message: "This connection is paused. Resume it before syncing." });

    const until = new Date(Date.now() + 90_000);
    await asService((db) => db.query("update public.connections set status = 'active', next_allowed_sync_at = $2 where id = $1", [id, until]));
    const refusal = await syncConnection(adminCtx(), id).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).status).toBe(429);
    expect((refusal as AppError).message).toBe(`The provider asked us to wait before the next sync: try again after ${until.toISOString()}.`);
    expect(Number((refusal as AppError).headers["Retry-After"])).toBeGreaterThan(85);
    expect((await state(id)).imports).toEqual([]);
  });

  it("refuses members who are not admins: they cannot read the credentials", async () => {
    const id = await newConnection("Admins only", "busy");
    for (const role of ["uploader", "reviewer", "viewer"] as const) {
      await expect(syncConnection({ claims: t.members[role].claims, tenantId: t.id }, id)).rejects.toMatchObject({ status: 403 });
    }
  });
});
