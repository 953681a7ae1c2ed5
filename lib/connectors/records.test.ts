/**
 * The record sync path end to end, with Plaid as the provider: a local Plaid (test/providers/plaid.ts)
 * and the real database. Full sync over several pages, an incremental sync that fetches only the new
 * page, modified and removed transactions, crashes after the fetch and before the commit that neither
 * skip nor repeat, a rate limit waited out, one that is not, and a batch held for an unmapped account
 * that keeps its place until it is mapped — after which a second tenant's ledger equals the first's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMapping } from "@/lib/ingest/mappings";
import { AppError } from "@/lib/http/errors";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { plaidError, startPlaidServer, type PlaidTestServer } from "@/test/providers/plaid";
import { createConnection } from "./service";
import { sourceOf, syncConnection } from "./sync";

let plaid: PlaidTestServer;
let t: TestTenant;
let checking: string;
let card: string;
let connectionId: string;

const admin = (tenant: TestTenant = t) => ({ claims: tenant.members.admin.claims, tenantId: tenant.id });
const cursorOf = (seq: number) => Buffer.from(`inflow-test:${seq}`).toString("base64");

async function newAccount(tenant: TestTenant, name: string): Promise<string> {
  return asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, $2, 'USD') returning id", [tenant.id, name])).rows[0]!.id);
}

async function plaidConnection(tenant: TestTenant, name: string, config: Record<string, unknown> = {}): Promise<string> {
  const created = await createConnection(admin(tenant), {
    name,
    type: "plaid",
    config: { environment: "sandbox", baseUrl: plaid.url, pageSize: 2, ...config },
    secrets: { clientId: plaid.clientId, secret: plaid.secret, accessToken: plaid.accessToken },
  });
  return created.id;
}

/** The ledger rows a connection brought in, by Plaid transaction id. */
async function ledger(tenant: TestTenant, id: string) {
  return asService(async (db) => {
    const { rows } = await db.query<{ id: string; external_id: string; amount: string; description: string; account: string; booking_date: string }>(
      `select t.id::text, t.external_id, t.amount::text, t.description, a.name as account, t.booking_date
         from public.transactions t join public.accounts a on a.id = t.account_id
        where t.tenant_id = $1 and t.source like $2 order by t.external_id`,
      [tenant.id, `${sourceOf("plaid", id)}:%`],
    );
    return rows;
  });
}

async function connectionState(tenant: TestTenant, id: string) {
  return asService(async (db) => {
    const c = (await db.query<{ cursor: unknown; next_allowed_sync_at: Date | null; consecutive_failures: number }>("select cursor, next_allowed_sync_at, consecutive_failures from public.connections where id = $1", [id])).rows[0]!;
    const imports = (
      await db.query<{ id: string; status: string; seq: number }>(
        "select id, status, (options -> 'connectorBatch' ->> 'seq')::int as seq from public.imports where tenant_id = $1 and source = $2 order by created_at",
        [tenant.id, sourceOf("plaid", id)],
      )
    ).rows;
    return { ...c, imports };
  });
}

beforeAll(async () => {
  plaid = await startPlaidServer();
  t = await createTenant("plaid-sync");
  checking = await newAccount(t, "Checking");
  card = await newAccount(t, "Card");
  await createMapping(admin(), { source: "connector:plaid", externalId: "acc-checking-0000", accountId: checking });
  await createMapping(admin(), { source: "connector:plaid", externalId: "acc-credit-3333", accountId: card });
  connectionId = await plaidConnection(t, "Bank via Plaid");
});

afterAll(async () => {
  await plaid?.close();
});

describe("a Plaid connection, sync after sync", () => {
  it("full sync: every page is one committed import, amounts credits-positive, pending left out, balances stored", async () => {
    plaid.add({ transaction_id: "t1", amount: 12.5, date: "2026-01-05", name: "Coffee", merchant_name: "Blue Bottle" });
    plaid.add({ transaction_id: "t2", amount: -1000, date: "2026-01-06", name: "Payroll ACME" });
    plaid.add({ transaction_id: "t3", account_id: "acc-credit-3333", amount: 45.99, date: "2026-01-07", name: "Books" });
    plaid.add({ transaction_id: "t4", amount: 8, date: "2026-01-08", name: "Still pending", pending: true });

    const result = await syncConnection(admin(), connectionId);
    expect(result.ok).toBe(true);
    expect(result.batches.map((b) => [b.seq, b.records, b.outcome, b.imported, b.updated, b.removed])).toEqual([
      [1, 2, "committed", 2, 0, 0],
      [2, 2, "committed", 1, 0, 0],
    ]);
    expect(result.counts).toEqual({ files: 2, committed: 2, needsReview: 0, failed: 0, imported: 3 });
    expect((await ledger(t, connectionId)).map((r) => [r.external_id, r.amount, r.description, r.account, r.booking_date])).toEqual([
      ["t1", "-12.5", "Coffee", "Checking", "2026-01-05"],
      ["t2", "1000", "Payroll ACME", "Checking", "2026-01-06"],
      ["t3", "-45.99", "Books", "Card", "2026-01-07"],
    ]);
    expect(plaid.syncCursors()).toEqual([undefined, cursorOf(2)]);
    expect(plaid.requests.filter((r) => r.path === "/accounts/balance/get")).toHaveLength(1);

    const state = await connectionState(t, connectionId);
    expect(state.cursor).toEqual({ seq: 2, value: { cursor: cursorOf(4), loopStart: cursorOf(4) } });
    expect(state.imports.map((i) => [i.seq, i.status])).toEqual([
      [1, "committed"],
      [2, "committed"],
    ]);
    const balances = await asService(async (db) =>
      (
        await db.query<{ account: string; type: string; amount: string }>(
          `select a.name as account, b.type, b.amount::text from public.statement_balances b join public.accounts a on a.id = b.account_id
            where b.tenant_id = $1 and b.import_id = $2 order by a.name, b.type`,
          [t.id, state.imports[1]!.id],
        )
      ).rows,
    );
    expect(balances).toEqual([
      { account: "Card", type: "interim", amount: "-410.5" },
      { account: "Checking", type: "interim", amount: "110" },
      { account: "Checking", type: "interim_available", amount: "100" },
    ]);
  });

  it("keeps each batch raw: the provider's records as sent are the import's raw file, without credentials", async () => {
    const { imports } = await connectionState(t, connectionId);
    const rawKey = await asService(async (db) => (await db.query<{ raw_key: string }>("select raw_key from public.imports where id = $1", [imports[0]!.id])).rows[0]!.raw_key);
    const chunks: Buffer[] = [];
    for await (const chunk of await (await rawFileStore()).get(t.id, rawKey)) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const payload = JSON.parse(text) as { connector: string; seq: number; records: { id: string; data: { amount: number; name: string } }[] };
    expect(payload.connector).toBe("plaid");
    expect(payload.seq).toBe(1);
    expect(payload.records.map((r) => [r.id, r.data.amount, r.data.name])).toEqual([
      ["t1", 12.5, "Coffee"],
      ["t2", -1000, "Payroll ACME"],
    ]);
    for (const secret of [plaid.secret, plaid.accessToken]) expect(text).not.toContain(secret);
  });

  it("incremental sync: asks from the stored cursor and fetches only the new page", async () => {
    plaid.add({ transaction_id: "t5", amount: 20, date: "2026-01-09", name: "Lunch" });
    const before = plaid.syncCursors().length;
    const result = await syncConnection(admin(), connectionId);
    expect(plaid.syncCursors().slice(before)).toEqual([cursorOf(4)]);
    expect(result.batches.map((b) => [b.seq, b.records, b.imported])).toEqual([[3, 1, 1]]);
    expect((await ledger(t, connectionId)).map((r) => r.external_id)).toEqual(["t1", "t2", "t3", "t5"]);
  });

  it("with nothing new, makes no import and keeps the cursor", async () => {
    const before = await connectionState(t, connectionId);
    const result = await syncConnection(admin(), connectionId);
    expect(result.ok).toBe(true);
    expect(result.batches).toEqual([]);
    const after = await connectionState(t, connectionId);
    expect(after.imports).toHaveLength(before.imports.length);
    expect(after.cursor).toEqual(before.cursor);
  });

  it("modified transactions update their ledger row in place; removed ones leave the ledger; both audited", async () => {
    const [t1Before] = (await ledger(t, connectionId)).filter((r) => r.external_id === "t1");
    plaid.modify("t1", { amount: 13.75, name: "Coffee and cake" });
    plaid.remove("t2");
    const result = await syncConnection(admin(), connectionId);
    expect(result.batches.map((b) => [b.seq, b.records, b.imported, b.updated, b.removed])).toEqual([[4, 2, 0, 1, 1]]);
    const rows = await ledger(t, connectionId);
    expect(rows.map((r) => [r.external_id, r.amount, r.description])).toEqual([
      ["t1", "-13.75", "Coffee and cake"],
      ["t3", "-45.99", "Books"],
      ["t5", "-20", "Lunch"],
    ]);
    expect(rows[0]!.id).toBe(t1Before!.id);

    const audit = await asService(async (db) =>
      (
        await db.query<{ before: { updated: { amount: string }[]; removed: { externalId: string }[] }; after: { updated: { amount: string; description: string }[] } }>(
          "select before, after from public.audit_log where tenant_id = $1 and entity = 'import' and entity_id = $2 and action = 'connection.sync'",
          [t.id, result.batches[0]!.importId],
        )
      ).rows,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.before.updated.map((u) => u.amount)).toEqual(["-12.5"]);
    expect(audit[0]!.after.updated.map((u) => [u.amount, u.description])).toEqual([["-13.75", "Coffee and cake"]]);
    expect(audit[0]!.before.removed.map((r) => r.externalId)).toEqual(["t2"]);
  });
});

describe("a crash between fetch and commit", () => {
  it("after the fetch, before anything is stored: the next sync fetches the same page again and imports it once", async () => {
    plaid.add({ transaction_id: "t6", amount: 5, date: "2026-01-10", name: "Parking" });
    const before = await connectionState(t, connectionId);
    const fetchesBefore = plaid.syncCursors().length;
    await expect(
      syncConnection(admin(), connectionId, {
        hooks: {
          afterFetch: () => {
            throw new Error("simulated crash after fetch");
          },
        },
      }),
    ).rejects.toThrow("simulated crash after fetch");
    const crashed = await connectionState(t, connectionId);
    expect(crashed.cursor).toEqual(before.cursor);
    expect(crashed.imports).toHaveLength(before.imports.length);

    const result = await syncConnection(admin(), connectionId);
    expect(result.batches.map((b) => [b.records, b.imported])).toEqual([[1, 1]]);
    // The same page was asked for twice: once by the crashed sync, once again.
    expect(plaid.syncCursors().slice(fetchesBefore)).toEqual([cursorOf(7), cursorOf(7)]);
    expect((await ledger(t, connectionId)).filter((r) => r.external_id === "t6")).toHaveLength(1);
  });

  it("after staging, before the commit: the next sync resumes that import without fetching the page again", async () => {
    plaid.add({ transaction_id: "t7", amount: 7.25, date: "2026-01-11", name: "Taxi" });
    const before = await connectionState(t, connectionId);
    let orphan = "";
    await expect(
      syncConnection(admin(), connectionId, {
        hooks: {
          beforeCommit: (importId) => {
            orphan = importId;
            throw new Error("simulated crash before commit");
          },
        },
      }),
    ).rejects.toThrow("simulated crash before commit");
    const crashed = await connectionState(t, connectionId);
    expect(crashed.cursor).toEqual(before.cursor);
    expect(crashed.imports.at(-1)).toEqual({ id: orphan, status: "staged", seq: (before.cursor as { seq: number }).seq + 1 });
    const fetchesBefore = plaid.syncCursors().length;

    const result = await syncConnection(admin(), connectionId);
    expect(result.batches.map((b) => [b.importId, b.outcome, b.imported])).toEqual([[orphan, "committed", 1]]);
    // Only the page after t7 was asked for: the crashed batch came from its stored raw file.
    expect(plaid.syncCursors().slice(fetchesBefore)).toEqual([cursorOf(9)]);
    const after = await connectionState(t, connectionId);
    expect(after.imports).toHaveLength(crashed.imports.length);
    expect(after.imports.at(-1)).toEqual({ id: orphan, status: "committed", seq: (before.cursor as { seq: number }).seq + 1 });
    expect((await ledger(t, connectionId)).filter((r) => r.external_id === "t7")).toHaveLength(1);
  });
});

describe("rate limits", () => {
  it("waits out a 429 with Retry-After and succeeds", async () => {
    plaid.add({ transaction_id: "t8", amount: 3, date: "2026-01-12", name: "Snack" });
    plaid.failNext("/transactions/sync", {
      ...plaidError(429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED", "rate limit exceeded for attempts to access this item. please try again later"),
      headers: { "Retry-After": "1" },
    });
    const fetchesBefore = plaid.syncCursors().length;
    const started = Date.now();
    const result = await syncConnection(admin(), connectionId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.ok).toBe(true);
    expect(result.batches.map((b) => b.imported)).toEqual([1]);
    expect(plaid.syncCursors().slice(fetchesBefore)).toEqual([cursorOf(9), cursorOf(9)]);
  });

  it("stops at a longer wait than a sync sits through, stores when the next sync is allowed, and refuses until then", async () => {
    plaid.failNext("/transactions/sync", {
      ...plaidError(429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED", "rate limit exceeded for attempts to access this item. please try again later"),
      headers: { "Retry-After": "120" },
    });
    const started = Date.now();
    const result = await syncConnection(admin(), connectionId);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.ok).toBe(false);
    expect(result.error?.message).toBe(
      "Plaid's rate limit was reached. The sync will be tried again later. (Plaid: rate limit exceeded for attempts to access this item. please try again later; RATE_LIMIT_EXCEEDED)",
    );
    const state = await connectionState(t, connectionId);
    expect(state.consecutive_failures).toBe(1);
    const wait = state.next_allowed_sync_at!.getTime() - started;
    expect(wait).toBeGreaterThanOrEqual(119_000);
    expect(wait).toBeLessThanOrEqual(125_000);
    const refusal = await syncConnection(admin(), connectionId).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).status).toBe(429);
    await asService((db) => db.query("update public.connections set next_allowed_sync_at = null where id = $1", [connectionId]));
  });
});

describe("a batch that cannot be committed yet", () => {
  it("holds its place until the accounts are mapped, then the whole history lands as the provider has it now", async () => {
    const other = await createTenant("plaid-unmapped");
    const id = await plaidConnection(other, "Same bank, new workspace", { pageSize: 3 });
    const first = await syncConnection(admin(other), id);
    expect(first.ok).toBe(true);
    expect(first.batches.map((b) => [b.seq, b.outcome])).toEqual([[1, "needs_review"]]);
    expect(first.batches[0]!.message).toBe("This import cannot be committed yet: 3 rows belong to an external account an admin has not mapped yet.");
    expect((await connectionState(other, id)).cursor).toBeNull();

    const fetches = plaid.syncCursors().length;
    const again = await syncConnection(admin(other), id);
    expect(again.batches.map((b) => [b.importId, b.outcome])).toEqual([[first.batches[0]!.importId, "needs_review"]]);
    expect(plaid.syncCursors().length).toBe(fetches);

    await createMapping(admin(other), { source: "connector:plaid", externalId: "acc-checking-0000", accountId: await newAccount(other, "Checking") });
    await createMapping(admin(other), { source: "connector:plaid", externalId: "acc-credit-3333", accountId: await newAccount(other, "Card") });
    const mapped = await syncConnection(admin(other), id);
    expect(mapped.ok).toBe(true);
    expect(mapped.batches[0]).toMatchObject({ importId: first.batches[0]!.importId, outcome: "committed", imported: 3 });
    expect(mapped.batches.every((b) => b.outcome === "committed")).toBe(true);

    const shape = (rows: Awaited<ReturnType<typeof ledger>>) => rows.map((r) => [r.external_id, r.amount, r.description, r.account, r.booking_date]);
    expect(shape(await ledger(other, id))).toEqual(shape(await ledger(t, connectionId)));
    expect(shape(await ledger(other, id)).map((r) => r[0])).toEqual(["t1", "t3", "t5", "t6", "t7", "t8"]);
  });
});
