/**
 * M-Pesa through Daraja against a local Daraja (test/providers/daraja.ts) and the real database: test
 * connection (a token, or Daraja's refusal in plain words), the callback route (token in the path,
 * Daraja's documented answer, each receipt stored once, bad bodies refused with a reason), the first
 * sync registering the callback address through a 429 and importing the stored confirmations, an
 * incremental sync reading only the new ones, an expired token refreshed once, a confirmation committed
 * late never skipped, bad confirmations staged as errors, and crashes between fetch and commit.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as confirm } from "@/app/api/hooks/mpesa/[token]/confirmation/route";
import { POST as validate } from "@/app/api/hooks/mpesa/[token]/validation/route";
import { getPool } from "@/lib/db/pool";
import { asService, createTenant, type TestTenant } from "@/test/db";
import { waitFor } from "@/test/pipeline/helpers";
import { confirmation, darajaError, startDarajaServer, type DarajaTestServer } from "@/test/providers/daraja";
import { hookToken } from "../hooks";
import { createConnection } from "../service";
import { sourceOf, syncConnection } from "../sync";
import { DEFAULT_RETRY } from "../http";
import { callbackUrls, darajaTime, forgetDarajaTokens, mpesaConfig, mpesaConnector, mpesaHttp, registeredDigest } from "./index";

let daraja: DarajaTestServer;
let t: TestTenant;
let accountId: string;
let id: string;
const PUBLIC = "https://inflow.example.co.ke";
const admin = () => ({ claims: t.members.admin.claims, tenantId: t.id });
const secretsOf = () => ({ consumerKey: daraja.consumerKey, consumerSecret: daraja.consumerSecret });

async function post(route: typeof confirm, token: string, body: string) {
  const response = await route(new Request(`${PUBLIC}/api/hooks/mpesa/${token}/confirmation`, { method: "POST", headers: { "content-type": "application/json" }, body }), {
    params: Promise.resolve({ token }),
  });
  return { status: response.status, body: (await response.json()) as { ResultCode: number | string; ResultDesc: string } };
}

const pay = (TransID: string, TransAmount: string | number, TransTime: string, extra: Record<string, unknown> = {}) =>
  post(confirm, hookToken(id), JSON.stringify(confirmation({ TransID, TransAmount, TransTime, BusinessShortCode: daraja.shortCode, ...extra })));

async function stored(connectionId: string) {
  return asService(async (db) => (await db.query<{ trans_id: string; payload: { TransAmount: unknown } }>("select trans_id, payload from public.mpesa_confirmations where connection_id = $1 order by id", [connectionId])).rows);
}

/** Waits until no transaction older than the stored confirmations is still running anywhere (other test files share the cluster). */
async function settled(connectionId: string) {
  await waitFor("the stored confirmations to be readable", async () =>
    asService(async (db) => {
      const { rows } = await db.query<{ waiting: number }>(
        "select count(*)::int as waiting from public.mpesa_confirmations where connection_id = $1 and txid >= pg_snapshot_xmin(pg_current_snapshot())",
        [connectionId],
      );
      return rows[0]!.waiting === 0 ? true : undefined;
    }),
  );
}

async function ledger(connectionId: string) {
  return asService(async (db) =>
    (
      await db.query<{ external_id: string; amount: string; booking_date: string; description: string; counterparty: string | null; details: Record<string, string> }>(
        "select external_id, amount::text, booking_date::text, description, counterparty, details from public.transactions where tenant_id = $1 and source like $2 order by external_id",
        [t.id, `${sourceOf("mpesa-daraja", connectionId)}:%`],
      )
    ).rows,
  );
}

beforeAll(async () => {
  // Backoff in milliseconds, not seconds: the retries are what is tested, not the waiting.
  mpesaHttp.policy = { ...DEFAULT_RETRY, baseMs: 5, capMs: 20 };
  daraja = await startDarajaServer();
  t = await createTenant("mpesa-sync");
  accountId = await asService(async (db) => (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency) values ($1, 'M-Pesa paybill', 'KES') returning id", [t.id])).rows[0]!.id);
  id = (
    await createConnection(admin(), {
      name: "Paybill 600984",
      type: "mpesa-daraja",
      config: { environment: "sandbox", baseUrl: daraja.url, shortCode: daraja.shortCode, publicUrl: PUBLIC, accountId },
      secrets: secretsOf(),
    })
  ).id;
});

afterAll(async () => {
  delete mpesaHttp.policy;
  await daraja?.close();
});

beforeEach(() => {
  forgetDarajaTokens();
});

describe("Daraja test connection", () => {
  it("gets a token, or says in plain words that Daraja refused the key and secret", async () => {
    const config = mpesaConfig.parse({ environment: "sandbox", baseUrl: daraja.url, shortCode: daraja.shortCode, publicUrl: PUBLIC });
    expect(await mpesaConnector.test(config, secretsOf())).toEqual({ ok: true, message: "Connected to Daraja (custom address): the consumer key and secret were accepted (token valid for 60 minutes)." });
    const refused = await mpesaConnector.test(config, { ...secretsOf(), consumerSecret: "not-the-secret" });
    expect(refused).toEqual({ ok: false, message: "Daraja refused the consumer key and secret. Check both, and that the app belongs to the chosen environment (sandbox or production)." });
    daraja.failNext("/oauth/v1/generate", darajaError(500, "500.003.02", "System is busy. Please try again in few minutes."));
    daraja.failNext("/oauth/v1/generate", darajaError(500, "500.003.02", "System is busy. Please try again in few minutes."));
    daraja.failNext("/oauth/v1/generate", darajaError(500, "500.003.02", "System is busy. Please try again in few minutes."));
    daraja.failNext("/oauth/v1/generate", darajaError(500, "500.003.02", "System is busy. Please try again in few minutes."));
    const busy = await mpesaConnector.test(config, secretsOf());
    expect(busy).toEqual({ ok: false, message: "Daraja: System is busy. Please try again in few minutes. (500.003.02)" });
  });
});

describe("the confirmation callback", () => {
  it("answers 404 to a token Inflow did not issue, or one for another kind of connection", async () => {
    const forged = `${id}.${Buffer.alloc(32, 7).toString("base64url")}`;
    const body = JSON.stringify(confirmation({ TransID: "RKT0000001", TransAmount: "1.00", TransTime: "20251001120000", BusinessShortCode: daraja.shortCode }));
    expect(await post(confirm, forged, body)).toEqual({ status: 404, body: { ResultCode: 1, ResultDesc: "Rejected: no such callback address." } });
    expect((await post(confirm, "not-a-token", body)).status).toBe(404);
    expect((await post(confirm, hookToken(randomUUID()), body)).status).toBe(404);
    expect((await post(validate, forged, body)).status).toBe(404);
    expect(await stored(id)).toEqual([]);
  });

  it("refuses a body that is not JSON or has no receipt number or another shortcode, saying why", async () => {
    const token = hookToken(id);
    const bad = await post(confirm, token, '{"TransID": "RKT0000002", ');
    expect(bad.status).toBe(400);
    expect(bad.body.ResultDesc).toMatch(/^Rejected: the body is not valid JSON \(.+\)\.$/);
    expect(await post(confirm, token, JSON.stringify({ TransAmount: "5.00" }))).toEqual({
      status: 400,
      body: { ResultCode: 1, ResultDesc: "Rejected: TransID (the M-Pesa receipt number) is missing or not a receipt number." },
    });
    expect((await post(confirm, token, JSON.stringify(confirmation({ TransID: "RKT0000003", TransAmount: "5.00", TransTime: "20251001120000", BusinessShortCode: "174379" })))).body.ResultDesc).toBe(
      "Rejected: BusinessShortCode 174379 is not this connection's shortcode.",
    );
    expect(await post(confirm, token, JSON.stringify({ TransID: "RKT0000004", padding: "x".repeat(70_000) }))).toEqual({
      status: 413,
      body: { ResultCode: 1, ResultDesc: "Rejected: the body is larger than 65536 bytes." },
    });
    expect(await post(validate, token, "{}")).toEqual({ status: 200, body: { ResultCode: "0", ResultDesc: "Accepted" } });
    expect(await stored(id)).toEqual([]);
  });

  it("stores each receipt once, acknowledging every delivery as Daraja documents; a JSON number keeps its exact text", async () => {
    expect(await pay("RKTQDM7W6S", "1500.00", "20251001063845")).toEqual({ status: 200, body: { ResultCode: 0, ResultDesc: "Accepted" } });
    expect(await pay("RKTQDM7W6S", "1500.00", "20251001063845")).toEqual({ status: 200, body: { ResultCode: 0, ResultDesc: "Accepted" } });
    const raw = `{"TransactionType":"Pay Bill","TransID":"RKTQDM7W6T","TransTime":"20251001235959","TransAmount":2500.10,"BusinessShortCode":"${daraja.shortCode}","BillRefNumber":"INV-1002","MSISDN":"2547 ***** 999","FirstName":"Mary","LastName":"Wanjiru"}`;
    expect((await post(confirm, hookToken(id), raw)).status).toBe(200);
    expect(await pay("RKTQDM7W6U", "40", "20251002000001", { TransactionType: "Buy Goods", BillRefNumber: "", FirstName: "Ali", LastName: "Hassan" })).toMatchObject({ status: 200 });
    expect((await stored(id)).map((c) => [c.trans_id, c.payload.TransAmount])).toEqual([
      ["RKTQDM7W6S", "1500.00"],
      ["RKTQDM7W6T", "2500.10"],
      ["RKTQDM7W6U", "40"],
    ]);
  });
});

describe("an M-Pesa connection, synced", () => {
  it("first sync: registers the callback address through a 429, then imports the stored confirmations once each", async () => {
    daraja.failNext("/oauth/v1/generate", { ...darajaError(429, "429.001.01", "Too many requests"), headers: { "Retry-After": "1" } });
    await settled(id);
    const result = await syncConnection(admin(), id);
    expect(result.error).toBeUndefined();
    expect(daraja.registrations).toEqual([
      { ShortCode: daraja.shortCode, ResponseType: "Completed", ConfirmationURL: `${PUBLIC}/api/hooks/mpesa/${encodeURIComponent(hookToken(id))}/confirmation`, ValidationURL: `${PUBLIC}/api/hooks/mpesa/${encodeURIComponent(hookToken(id))}/validation` },
    ]);
    expect(result.batches.map((b) => [b.records, b.outcome, b.imported])).toEqual([[3, "committed", 3]]);
    // The callback's token is a credential: it is kept out of the cursor every member can read.
    const cursorText = await asService(async (db) => (await db.query<{ c: string }>("select cursor::text as c from public.connections where id = $1", [id])).rows[0]!.c);
    expect(cursorText).not.toContain(hookToken(id).split(".")[1]);
    expect(JSON.parse(cursorText)).toMatchObject({ seq: 1, value: { registered: registeredDigest(callbackUrls(mpesaConfig.parse({ shortCode: daraja.shortCode, publicUrl: PUBLIC }), hookToken(id)).confirmation) } });
    expect((await ledger(id)).map((r) => [r.external_id, r.amount, r.booking_date, r.description, r.counterparty, r.details.transTime])).toEqual([
      ["RKTQDM7W6S", "1500.00", "2025-10-01", "Pay Bill ref INV-1001 from JOHN DOE", "JOHN DOE", "2025-10-01T06:38:45+03:00"],
      ["RKTQDM7W6T", "2500.10", "2025-10-01", "Pay Bill ref INV-1002 from Mary Wanjiru", "Mary Wanjiru", "2025-10-01T23:59:59+03:00"],
      ["RKTQDM7W6U", "40", "2025-10-02", "Buy Goods from Ali Hassan", "Ali Hassan", "2025-10-02T00:00:01+03:00"],
    ]);
  });

  it("incremental sync: reads only the confirmations after its cursor; the address is not registered again", async () => {
    await pay("RKTQDM7W6V", "99.50", "20251003101010");
    await pay("RKTQDM7W6S", "1500.00", "20251001063845"); // Daraja re-sends an old one: stored once already.
    await pay("RKTQDM7W6W", "1.00", "20251003101011");
    await settled(id);
    const result = await syncConnection(admin(), id);
    expect(result.batches.map((b) => [b.records, b.imported])).toEqual([[2, 2]]);
    expect(daraja.registrations).toHaveLength(1);
    expect((await ledger(id)).map((r) => r.external_id)).toEqual(["RKTQDM7W6S", "RKTQDM7W6T", "RKTQDM7W6U", "RKTQDM7W6V", "RKTQDM7W6W"]);
    expect((await syncConnection(admin(), id)).batches).toEqual([]);
  });

  it("a confirmation still being stored is not passed over: it is read once its transaction commits", async () => {
    const client = await (await getPool()).connect();
    try {
      await client.query("begin");
      await client.query(
        "insert into public.mpesa_confirmations (tenant_id, connection_id, trans_id, payload, raw) values ($1, $2, 'RKTLATE001', $3, '{}')",
        [t.id, id, JSON.stringify(confirmation({ TransID: "RKTLATE001", TransAmount: "7.00", TransTime: "20251004080000", BusinessShortCode: daraja.shortCode }))],
      );
      // Stored after the open one began, committed before it: read only once the open one is done.
      await pay("RKTLATE002", "8.00", "20251004080001");
      const meanwhile = await syncConnection(admin(), id);
      expect(meanwhile.batches).toEqual([]);
      await client.query("commit");
    } finally {
      client.release();
    }
    await settled(id);
    const result = await syncConnection(admin(), id);
    expect(result.batches.map((b) => b.records)).toEqual([2]);
    expect((await ledger(id)).map((r) => r.external_id).filter((x) => x.startsWith("RKTLATE"))).toEqual(["RKTLATE001", "RKTLATE002"]);
  });

  it("a crash after the fetch and one before the commit: the confirmations land once", async () => {
    await pay("RKTCRASH01", "300.00", "20251005090000");
    await settled(id);
    for (const where of ["afterFetch", "beforeCommit"] as const) {
      await expect(
        syncConnection(admin(), id, {
          hooks: {
            [where]: () => {
              throw new Error(`simulated crash ${where}`);
            },
          },
        }),
      ).rejects.toThrow(`simulated crash ${where}`);
    }
    const result = await syncConnection(admin(), id);
    expect(result.batches.map((b) => [b.records, b.outcome, b.imported])).toEqual([[1, "committed", 1]]);
    expect((await ledger(id)).filter((r) => r.external_id === "RKTCRASH01").map((r) => r.amount)).toEqual(["300.00"]);
  });

  it("stages a confirmation with an impossible time or an inexact amount as an error, not dropped", async () => {
    await pay("RKTBAD0001", "10.00", "20250230120000");
    await pay("RKTBAD0002", "1e3", "20251006120000");
    await settled(id);
    const result = await syncConnection(admin(), id);
    expect(result.batches.map((b) => [b.records, b.outcome])).toEqual([[2, "needs_review"]]);
    const issues = await asService(async (db) =>
      (await db.query<{ field: string; message: string }>("select field, message from public.import_issues where import_id = $1 and severity = 'error' order by line", [result.batches[0]!.importId])).rows,
    );
    expect(issues).toEqual([
      { field: "bookingDate", message: 'M-Pesa confirmation RKTBAD0001: TransTime "20250230120000" is not a time written as YYYYMMDDHHmmss.' },
      { field: "amount", message: 'M-Pesa confirmation RKTBAD0002: TransAmount "1e3" is not an exact decimal amount.' },
    ]);
  });
});

describe("the Daraja token", () => {
  it("is reused until it expires; a 401 gets a fresh one once and the call is tried again", async () => {
    const config = mpesaConfig.parse({ baseUrl: daraja.url, shortCode: daraja.shortCode, publicUrl: PUBLIC });
    const context = {
      storeFile: () => Promise.reject(new Error("unused")),
      alreadySeen: () => Promise.resolve(false),
      pushed: { hookToken: hookToken(id), after: () => Promise.resolve([]) },
    };
    const before = daraja.tokenRequests();
    await mpesaConnector.fetchNext(config, secretsOf(), null, context);
    await mpesaConnector.fetchNext(config, secretsOf(), { position: null, registered: registeredDigest("https://old.example/confirmation") }, context);
    expect(daraja.tokenRequests() - before).toBe(1);
    daraja.expireTokens();
    const batch = await mpesaConnector.fetchNext(config, secretsOf(), null, context);
    expect(daraja.tokenRequests() - before).toBe(2);
    expect(batch.cursor).toEqual({ position: null, registered: registeredDigest(callbackUrls(config, hookToken(id)).confirmation) });
  });

  it("a refused registration stops the sync only while no confirmation has arrived at the address", async () => {
    const config = mpesaConfig.parse({ baseUrl: daraja.url, shortCode: daraja.shortCode, publicUrl: PUBLIC });
    const stored = [{ position: "1:1", id: "RKTREG0001", data: {} }];
    const context = (arrived: typeof stored) => ({
      storeFile: () => Promise.reject(new Error("unused")),
      alreadySeen: () => Promise.resolve(false),
      pushed: { hookToken: hookToken(id), after: () => Promise.resolve(arrived) },
    });
    const refusal = darajaError(400, "500.003.1001", "Urls are already registered");
    daraja.failNext("/mpesa/c2b/v1/registerurl", refusal);
    await expect(mpesaConnector.fetchNext(config, secretsOf(), null, context([]))).rejects.toThrow("Daraja: Urls are already registered (500.003.1001)");
    // Daraja echoing the address back: its token is blanked out of the message.
    daraja.failNext("/mpesa/c2b/v1/registerurl", darajaError(400, "400.002.02", `Bad Request - Invalid ConfirmationURL ${callbackUrls(config, hookToken(id)).confirmation}`));
    await expect(mpesaConnector.fetchNext(config, secretsOf(), null, context([]))).rejects.toThrow(`Daraja: Bad Request - Invalid ConfirmationURL ${PUBLIC}/api/hooks/mpesa/[hidden]/confirmation (400.002.02)`);
    daraja.failNext("/mpesa/c2b/v1/registerurl", refusal);
    const batch = await mpesaConnector.fetchNext(config, secretsOf(), null, context(stored));
    expect(batch.items.map((i) => i.kind === "record" && i.id)).toEqual(["RKTREG0001"]);
    expect(batch.cursor).toEqual({ position: "1:1", registered: registeredDigest(callbackUrls(config, hookToken(id)).confirmation) });
  });

  it("reads TransTime as Kenyan time", () => {
    expect(darajaTime("20251231235959")).toEqual({ date: "2025-12-31", at: "2025-12-31T23:59:59+03:00" });
    expect(darajaTime("20251231245959")).toBeNull();
    expect(darajaTime("2025-12-31")).toBeNull();
  });
});
