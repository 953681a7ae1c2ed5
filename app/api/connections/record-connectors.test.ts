/**
 * Plaid and Stripe connections through the connections API against local provider servers and the
 * real database: created (credentials checked by the connector's schema), listed, tested (the
 * provider's refusal in plain words) and synced — and no answer, list, sync result, audit row,
 * connection row or import ever carries the client secret, access token or secret key.
 */
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import { syncConnection } from "@/lib/connectors/sync";
import { createMapping } from "@/lib/ingest/mappings";
import { asService, createTenant, type TestTenant, type TestUser } from "@/test/db";
import { startPlaidServer, type PlaidTestServer } from "@/test/providers/plaid";
import { startStripeServer, type StripeTestServer } from "@/test/providers/stripe";
import { GET, POST } from "./route";
import { POST as TEST } from "./[id]/test/route";

let plaid: PlaidTestServer;
let stripe: StripeTestServer;
let t: TestTenant;
let secrets: string[];

type Handler<P> = (request: NextRequest, segment: { params: Promise<P> }) => Promise<Response>;

async function call<P extends { id?: string }>(handler: Handler<P>, user: TestUser, options: { method?: string; body?: unknown; id?: string } = {}) {
  const token = await createSessionToken(user.claims);
  const request = new NextRequest("http://localhost/api/connections", {
    method: options.method ?? "POST",
    headers: { host: "localhost", cookie: `${SESSION_COOKIE}=${token}`, "content-type": "application/json" },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const response = await handler(request, { params: Promise.resolve((options.id ? { id: options.id } : {}) as P) });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> & { id?: string; ok?: boolean; message?: string; error?: { message: string } } };
}

function expectNoSecrets(text: string): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

beforeAll(async () => {
  plaid = await startPlaidServer();
  stripe = await startStripeServer();
  secrets = [plaid.secret, plaid.accessToken, stripe.secretKey];
  t = await createTenant("record-api");
  const accountId = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'Checking', 'USD') returning id", [t.id])).rows[0]!.id);
  await createMapping({ claims: t.members.admin.claims, tenantId: t.id }, { source: "connector:plaid", externalId: "acc-checking-0000", accountId });
  plaid.add({ transaction_id: "api-1", amount: 42.1, date: "2026-03-01", name: "Supplies" });
  stripe.addBalanceTransaction({ amount: 5_000, fee: 175, description: "Order A" });
});

afterAll(async () => {
  await plaid?.close();
  await stripe?.close();
});

describe("record connections through the API", () => {
  it("creates, lists, tests and syncs Plaid and Stripe connections without ever answering a credential", async () => {
    const created = await call(POST, t.members.admin, {
      body: { name: "Plaid checking", type: "plaid", config: { environment: "sandbox", baseUrl: plaid.url }, secrets: { clientId: plaid.clientId, secret: plaid.secret, accessToken: plaid.accessToken } },
    });
    expect(created.status, created.text).toBe(201);
    expectNoSecrets(created.text);
    const stripeCreated = await call(POST, t.members.admin, {
      body: { name: "Stripe", type: "stripe", config: { baseUrl: stripe.url }, secrets: { secretKey: stripe.secretKey } },
    });
    expect(stripeCreated.status, stripeCreated.text).toBe(201);
    expectNoSecrets(stripeCreated.text);

    const listed = await call(GET, t.members.viewer, { method: "GET" });
    expect(listed.status).toBe(200);
    expect((listed.json.rows as { type: string }[]).map((r) => r.type).sort()).toEqual(["plaid", "stripe"]);
    expectNoSecrets(listed.text);

    const tested = await call(TEST, t.members.admin, { id: created.json.id! });
    expect(tested.json).toEqual({ ok: true, message: "Connected to Plaid: 2 accounts (Plaid Checking ••0000, Plaid Credit Card ••3333)." });
    expectNoSecrets(tested.text);

    const ctx = { claims: t.members.admin.claims, tenantId: t.id };
    const plaidSync = await syncConnection(ctx, created.json.id!);
    expect(plaidSync.counts).toEqual({ files: 1, committed: 1, needsReview: 0, failed: 0, imported: 1 });
    expectNoSecrets(JSON.stringify(plaidSync));
    const stripeSync = await syncConnection(ctx, stripeCreated.json.id!);
    // The Stripe balance is not mapped to an account yet: staged for review, in plain words.
    expect(stripeSync.batches.map((b) => [b.outcome, b.message])).toEqual([
      ["needs_review", "This import cannot be committed yet: 1 row belongs to an external account an admin has not mapped yet."],
    ]);
    expectNoSecrets(JSON.stringify(stripeSync));

    const stored = await asService(async (db) => {
      const audit = await db.query("select action, before, after, details from public.audit_log where tenant_id = $1", [t.id]);
      const connections = await db.query("select name, config, cursor, last_error from public.connections where tenant_id = $1", [t.id]);
      const imports = await db.query("select file_name, options, profile, metrics, error from public.imports where tenant_id = $1", [t.id]);
      const staged = await db.query("select record from public.staged_rows where tenant_id = $1", [t.id]);
      const ciphertexts = await db.query<{ secret_ciphertext: Buffer }>("select secret_ciphertext from public.connections where tenant_id = $1", [t.id]);
      return { text: JSON.stringify([audit.rows, connections.rows, imports.rows, staged.rows]), ciphertexts: ciphertexts.rows.map((r) => r.secret_ciphertext.toString("latin1")) };
    });
    expect(stored.text).toContain("Supplies");
    expectNoSecrets(stored.text);
    for (const ciphertext of stored.ciphertexts) expectNoSecrets(ciphertext);
  });

  it("answers a refused key in the provider's words, never echoing it", async () => {
    const wrong = `sk_test_${"q".repeat(30)}`;
    const created = await call(POST, t.members.admin, { body: { name: "Stripe (wrong key)", type: "stripe", config: { baseUrl: stripe.url }, secrets: { secretKey: wrong } } });
    expect(created.status).toBe(201);
    const tested = await call(TEST, t.members.admin, { id: created.json.id! });
    expect(tested.json).toEqual({ ok: false, message: "Stripe refused the secret key. Check it, and that it is a live key for live data. (Stripe: Invalid API Key provided: sk_test_****qqqq)" });
    expect(tested.text).not.toContain(wrong);

    const refused = await call(POST, t.members.admin, { body: { name: "Plaid (no token)", type: "plaid", config: {}, secrets: { clientId: "x", secret: "y" } } });
    expect(refused.status).toBe(422);
    expect(refused.json.error?.message).toContain("secrets.accessToken");
  });
});
