/**
 * Tenant isolation on every API route: each route and method is called as each role of tenant A, as
 * an admin of tenant B (asking for A by header, by cookie, and in B with A's ids), as a signed-in
 * user of no tenant and anonymously — through the real route handlers with real session cookies, on
 * one seeded world (two tenants with data of every kind, each value carrying its tenant's word).
 * Every answer has the status the table says, and no answer to anyone outside A holds a byte of A
 * (its ids, names, amounts, file names, secrets). Connection secrets appear in no answer to anyone
 * and in nothing logged. A completeness check fails when a route file exists that the table misses.
 */
import fs from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TENANT_COOKIE, TENANT_HEADER } from "@/lib/auth/context";
import { SESSION_COOKIE, createSessionToken } from "@/lib/auth/local-session";
import { PERMISSIONS, ROLES, type Role } from "@/lib/auth/permissions";
import { resetEnvCache } from "@/lib/env";
import { runParseJob, startWorker, stopJobQueue } from "@/lib/ingest/jobs";
import { rawFileStore } from "@/lib/storage/raw-store";
import * as imports from "@/app/api/imports/route";
import { asService, asUser, createUser, type TestUser } from "@/test/db";
import { multipartRequest } from "@/test/pipeline/helpers";
import { MODULES, PUBLIC_ROUTES, ROUTES, jsonBody, send, type Answer, type Caller } from "./routes";
import { identifyingValues, seedWorld, type World } from "./world";

// ---- the world ----

let a: World;
let b: World;
let loner: TestUser;
let aValues: string[];
const everySecret = () => [...a.secrets, ...b.secrets];

/** Every line anything in this process logged while the world was in use. */
const logged: string[] = [];
const restoreLogs: (() => void)[] = [];

function captureLogs(): void {
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((x) => (typeof x === "string" ? x : inspect(x, { depth: 8 }))).join(" "));
    });
    restoreLogs.push(() => spy.mockRestore());
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logged.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restoreLogs.push(() => {
      stream.write = write;
    });
  }
}

beforeAll(async () => {
  captureLogs();
  a = await seedWorld("quokka", 4242);
  b = await seedWorld("wombat", 5353);
  loner = await createUser("isolation-loner");
  aValues = identifyingValues(a);
  await startWorker();
}, 120_000);

afterAll(async () => {
  await stopJobQueue();
  for (const restore of restoreLogs.splice(0)) restore();
});

/** A's values found in an answer to someone outside A, leaving out what the caller sent itself. */
function leaksOfA(answer: Answer): string[] {
  const found = aValues.filter((v) => answer.text.includes(v) && !answer.sent.includes(v));
  if (answer.text.toLowerCase().includes(a.word) && !answer.sent.toLowerCase().includes(a.word)) found.push(`the word "${a.word}"`);
  return found;
}

const secretsIn = (text: string) => everySecret().filter((s) => text.includes(s));

// ---- the tests ----

describe("the route table", () => {
  it("covers every route file under app/api and every method each exports", () => {
    const onDisk: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name === "route.ts" || entry.name === "route.tsx") onDisk.push(path.relative("app/api", dir).split(path.sep).join("/"));
      }
    };
    walk("app/api");
    expect(Object.keys(MODULES).sort()).toEqual(onDisk.sort());

    const exported = Object.entries(MODULES).flatMap(([route, mod]) =>
      (["GET", "POST", "PUT", "PATCH", "DELETE"] as const).filter((m) => typeof mod[m] === "function").map((m) => `${m} ${route}`),
    );
    const tabled = [...ROUTES.map((r) => `${r.method} ${r.route}`), ...PUBLIC_ROUTES.map((r) => `${r.method} ${r.route}`)];
    expect([...tabled].sort()).toEqual([...exported].sort());
    expect(new Set(tabled).size).toBe(tabled.length);
  });

  it("has no server actions (they would need rows here too)", () => {
    const withActions: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "node_modules" && !entry.name.startsWith(".")) walk(full);
        } else if (/\.(ts|tsx)$/.test(entry.name) && /^\s*["']use server["']/m.test(fs.readFileSync(full, "utf8"))) withActions.push(full);
      }
    };
    for (const dir of ["app", "lib", "components"]) if (fs.existsSync(dir)) walk(dir);
    expect(withActions).toEqual([]);
  });
});

describe("every route × every caller", () => {
  const tenantRoutes = ROUTES.filter((r) => r.permission !== "session");

  it("anonymous callers get 401 and nothing of A", async () => {
    const got: string[] = [];
    for (const r of ROUTES) {
      const answer = await send(r.route, r.method, r.call(a), { name: "anon" });
      got.push(`${r.method} ${r.route} ${answer.status} ${leaksOfA(answer).join(",")}`.trim());
    }
    expect(got).toEqual(ROUTES.map((r) => `${r.method} ${r.route} 401`));
  });

  it("a signed-in user of no tenant gets 404 on every tenant route and nothing of A", async () => {
    const got: string[] = [];
    for (const r of ROUTES) {
      const answer = await send(r.route, r.method, r.call(a), { name: "loner", user: loner });
      got.push(`${r.method} ${r.route} ${answer.status} ${leaksOfA(answer).join(",")}`.trim());
    }
    expect(got).toEqual(ROUTES.map((r) => `${r.method} ${r.route} 404`));
  });

  it.each(["admin", "viewer"] as const)("B's %s naming tenant A in the header gets 404 (not a member) and nothing of A", async (role) => {
    const got: string[] = [];
    for (const r of tenantRoutes) {
      const answer = await send(r.route, r.method, r.call(a), { name: `b-${role}`, user: b.tenant.members[role], headers: { [TENANT_HEADER]: a.tenant.slug } });
      got.push(`${r.method} ${r.route} ${answer.status} ${leaksOfA(answer).join(",")}`.trim());
    }
    expect(got).toEqual(tenantRoutes.map((r) => `${r.method} ${r.route} 404`));
  });

  it("B's admin with A's ids — in B by header, and with a cookie naming A (which falls back to B) — gets 404 for A's things and nothing of A", async () => {
    const got: string[] = [];
    const want: string[] = [];
    const callers: Caller[] = [
      { name: "b-admin header B", user: b.tenant.members.admin, headers: { [TENANT_HEADER]: b.tenant.slug } },
      { name: "b-admin cookie A", user: b.tenant.members.admin, cookies: { [TENANT_COOKIE]: a.tenant.slug } },
    ];
    for (const who of callers) {
      for (const r of ROUTES) {
        const c = (r.crossCall ?? r.call)(a);
        const answer = await send(r.route, r.method, c, who);
        got.push(`${who.name}: ${r.method} ${r.route} ${answer.status} ${leaksOfA(answer).join(",")}`.trim());
        want.push(`${who.name}: ${r.method} ${r.route} ${r.crossTenant}`);
      }
    }
    expect(got).toEqual(want);
    // Nothing of A changed on the way: its held duplicates still pending, its staged rows unexcluded, its committed import still in the ledger.
    const state = await asService(async (db) => ({
      pending: (await db.query<{ n: number }>("select count(*)::int as n from public.duplicate_candidates where tenant_id = $1 and status = 'pending'", [a.tenant.id])).rows[0]!.n,
      excluded: (await db.query<{ n: number }>("select count(*)::int as n from public.staged_rows where tenant_id = $1 and status = 'excluded'", [a.tenant.id])).rows[0]!.n,
      committed: (await db.query<{ status: string }>("select status from public.imports where id = $1", [a.committedImportId])).rows[0]!.status,
      mapped: (await db.query<{ n: number }>("select count(*)::int as n from public.account_mappings where tenant_id = $1", [a.tenant.id])).rows[0]!.n,
    }));
    expect(state).toEqual({ pending: a.candidateIds.length, excluded: 0, committed: "committed", mapped: 1 });
  });

  it("B's own things cannot be pointed at A's account: upload, import account, connection, mapping answer 422, and nothing of A", async () => {
    const uploaded = await imports.POST(
      await multipartRequest(b.tenant.members.uploader, b.tenant, { name: "wombat-extra.csv", bytes: new TextEncoder().encode("Date,Description,Amount\n2025-01-01,Wombat extra,1.00\n") }, { accountId: a.accountId }),
      { params: Promise.resolve({}) },
    );
    const answers: Answer[] = [
      { status: uploaded.status, text: await uploaded.text(), headers: uploaded.headers, sent: a.accountId },
      await send("imports/[id]/account", "PATCH", { params: { id: b.stagedImportId }, body: { accountId: a.accountId } }, { name: "b-uploader", user: b.tenant.members.uploader }),
      await send("connections", "POST", jsonBody({ name: "Wombat pointed at A", type: "sftp", config: { host: "127.0.0.1", username: "u", accountId: a.accountId }, secrets: { password: "x" } }), { name: "b-admin", user: b.tenant.members.admin }),
      await send("account-mappings", "POST", jsonBody({ source: "bank", externalId: "WOMBAT-TO-A", accountId: a.accountId }), { name: "b-admin", user: b.tenant.members.admin }),
    ];
    expect(answers.map((x) => [x.status, leaksOfA(x)])).toEqual(answers.map(() => [422, []]));
    const bAccounts = await asService(async (db) =>
      (await db.query<{ account_id: string | null }>("select distinct account_id::text from public.imports where tenant_id = $1", [b.tenant.id])).rows.map((r) => r.account_id),
    );
    expect(bAccounts).not.toContain(a.accountId);
  });

  it("B's members see B's own data on list routes (so the 'nothing of A' above is not an empty answer)", async () => {
    for (const route of ["transactions", "imports", "connections", "duplicates", "accounts"]) {
      const answer = await send(route, "GET", {}, { name: "b-admin", user: b.tenant.members.admin });
      expect(answer.status).toBe(200);
      expect(answer.text.toLowerCase()).toContain(b.word);
      expect(leaksOfA(answer)).toEqual([]);
    }
  });

  it.each(ROLES)("A's %s gets its role's answer on every route", async (role: Role) => {
    const got: string[] = [];
    const want: string[] = [];
    for (const r of ROUTES) {
      const answer = await send(r.route, r.method, r.call(a), { name: role, user: a.tenant.members[role] });
      const allowed = r.permission === "session" || r.permission === "public" || (PERMISSIONS[r.permission] as readonly Role[]).includes(role);
      const expected = allowed ? r.member : 403;
      // On a surprise the answer's text is shown, so the failure says why.
      got.push(`${r.method} ${r.route} ${answer.status}${answer.status === expected ? "" : ` ${answer.text.slice(0, 200)}`}${secretsIn(answer.text).length ? " SECRET" : ""}`);
      want.push(`${r.method} ${r.route} ${expected}`);
    }
    expect(got).toEqual(want);
  });

  it("a member removed by A's admin (above) is refused at once, though their session cookie is still valid", async () => {
    expect(await asService(async (db) => (await db.query("select 1 from public.memberships where user_id = $1", [a.extra.id])).rowCount)).toBe(0);
    const answer = await send("imports", "GET", {}, { name: "removed", user: a.extra, headers: { [TENANT_HEADER]: a.tenant.slug } });
    expect(answer.status).toBe(404);
    expect(leaksOfA({ ...answer, sent: "" })).toEqual([]);
  });

  it.each(PUBLIC_ROUTES)("public $method $route answers $status to anyone, with nothing of A", async (r) => {
    const call = r.call(a);
    // Sessions of their own: signing out (auth/logout) revokes the session it is called with.
    const session = async (user: TestUser) => ({ [SESSION_COOKIE]: await createSessionToken(user.claims) });
    const callers: Caller[] = [{ name: "anon" }, { name: "b-admin", cookies: await session(b.tenant.members.admin) }, { name: "a-admin", cookies: await session(a.tenant.members.admin) }];
    for (const who of callers) {
      const answer = await send(r.route, r.method, call, who, { "x-forwarded-for": `public-${who.name}` });
      expect(answer.status, `${who.name}`).toBe(r.status);
      if (who.name !== "a-admin") expect(leaksOfA(answer)).toEqual([]);
    }
  });
});

describe("raw files", () => {
  it("the raw store refuses another tenant's key, a traversal, and anything not a content hash", async () => {
    const store = await rawFileStore();
    const aKey = a.rawKeys[0]!;
    const sha = aKey.split("/")[1]!;
    const bad = [aKey, `${b.tenant.id}/../${aKey}`, `${b.tenant.id}/..%2F${aKey}`, `${b.tenant.id}//${aKey}`, `${b.tenant.id}/${sha}/../../${aKey}`, `/${aKey}`, `${b.tenant.id}/${sha}\0`];
    for (const key of bad) await expect(store.get(b.tenant.id, key), key).rejects.toThrow(/does not belong to this tenant/);
    // Its own file still reads.
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get(b.tenant.id, b.rawKeys[0]!)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString("utf8")).toContain("Wombat");
  });

  it("an import row of B cannot be pointed at A's raw file (as a PostgREST caller could try), and a key of A is refused by the parse", async () => {
    const attempt = await asUser(b.tenant.members.uploader, async (db) => {
      try {
        await db.query("update public.imports set raw_key = $3 where tenant_id = $1 and id = $2", [b.tenant.id, b.unmappedImportId, a.rawKeys[0]]);
        return "updated";
      } catch (error) {
        return (error as { code?: string }).code ?? "error";
      }
    });
    expect(attempt).toBe("42501");
    // Even a row written on the service path with A's key does not read A's file: the store refuses it.
    await asService((db) => db.query("update public.imports set raw_key = $3, status = 'uploaded' where tenant_id = $1 and id = $2", [b.tenant.id, b.unmappedImportId, a.rawKeys[0]]));
    const parse = await runParseJob({ claims: b.tenant.members.uploader.claims, tenantId: b.tenant.id, importId: b.unmappedImportId }).then(
      () => "finished",
      (error: unknown) => String(error),
    );
    // The job ends (a retry could never read it either) and the import says why, instead of staying "parsing".
    expect(parse).toBe("finished");
    const failed = await asService(async (db) => (await db.query<{ status: string; error: { code: string; message: string } }>("select status, error from public.imports where id = $1", [b.unmappedImportId])).rows[0]!);
    expect(failed).toEqual({
      status: "failed",
      error: { code: "raw_file_refused", message: "wombat-unmapped.ofx: the import's stored file is not one of this workspace's files, so it was not read. Upload the file again." },
    });
    const staged = await asService(async (db) =>
      (await db.query<{ t: string }>("select row_to_json(s)::text as t from public.staged_rows s where tenant_id = $1", [b.tenant.id])).rows.map((r) => r.t).join("\n"),
    );
    expect(staged.toLowerCase()).not.toContain(a.word);
    expect(staged).toContain("Wombat");
  });

  it("ids with traversal or garbage in them are 404 (or a 422 naming the id), never a 500 or a file", async () => {
    const tricks = [`../${a.tenant.id}`, `..%2F..%2F${a.rawKeys[0]}`, `${a.committedImportId}/../${a.stagedImportId}`, a.rawKeys[0]!, `../../../../etc/passwd`, "%00", "' or 1=1 --"];
    // Every route with a path parameter, the public ones (a callback token) included.
    const idRoutes = [...ROUTES, ...PUBLIC_ROUTES].filter((r) => Object.keys(r.call(a).params ?? {}).length > 0);
    expect(idRoutes.length).toBeGreaterThan(10);
    const got: string[] = [];
    for (const who of [{ name: "a-admin", user: a.tenant.members.admin }, { name: "b-admin", user: b.tenant.members.admin }] as Caller[]) {
      for (const r of idRoutes) {
        for (const trick of tricks) {
          const c = r.call(a);
          const params = Object.fromEntries(Object.keys(c.params ?? {}).map((k) => [k, k === "rowNo" ? "1" : trick]));
          const answer = await send(r.route, r.method, { ...c, params }, who);
          const ok = answer.status === 404 || (answer.status === 422 && /id/.test(answer.text));
          if (!ok || (who.name === "b-admin" && leaksOfA(answer).length)) got.push(`${who.name} ${r.method} ${r.route} ${JSON.stringify(trick)} → ${answer.status} ${answer.text.slice(0, 120)}`);
        }
      }
    }
    expect(got).toEqual([]);
  });
});

describe("connection secrets", () => {
  it("are in no answer to A's admin: list, history, test, create, pause, resume, sync", async () => {
    const admin: Caller = { name: "a-admin", user: a.tenant.members.admin };
    const created = await send("connections", "POST", jsonBody({ name: "quokka second drop", type: "sftp", config: { host: "127.0.0.1", port: 1, username: "quokka-u2" }, secrets: { password: "s3cr3t-quokka-created" } }), admin);
    expect(created.status).toBe(201);
    expect(created.text).not.toContain("s3cr3t");
    const id = (JSON.parse(created.text) as { id: string }).id;
    const answers = [
      created,
      await send("connections", "GET", {}, admin),
      await send("connections/[id]/history", "GET", { params: { id: a.sftpConnectionId } }, admin),
      await send("connections/[id]/test", "POST", { params: { id: a.sftpConnectionId } }, admin),
      await send("connections/[id]/test", "POST", { params: { id: a.sqlConnectionId } }, admin),
      await send("connections/[id]/test", "POST", { params: { id } }, admin),
      await send("connections/[id]/pause", "POST", { params: { id } }, admin),
      await send("connections/[id]/resume", "POST", { params: { id } }, admin),
      await send("audit", "GET", {}, admin),
    ];
    expect(answers.map((x) => x.status)).toEqual([201, 200, 200, 200, 200, 200, 200, 200, 200]);
    // Test connection answered in words (so the calls did reach the provider code), without the secret.
    expect((JSON.parse(answers[3]!.text) as { ok: boolean }).ok).toBe(false);
    for (const answer of answers) expect(answer.text).not.toMatch(/s3cr3t/);
  });

  it("a connection string Inflow cannot read, or that would open Inflow's own files or sockets, is a 422 that does not repeat it", async () => {
    const admin: Caller = { name: "a-admin", user: a.tenant.members.admin };
    const config = { table: "t", cursorColumn: "id", idColumn: "id", amountColumn: "amount", dateColumn: "booked_on", currency: "USD" };
    const strings = [
      "postgres://u:s3cr3t-port@127.0.0.1:99999999/db",
      "postgres://u:s3cr3t-bracket@[::1/db",
      "postgres://u:s3cr3t-cert@db.example:5432/db?sslmode=require&sslcert=/etc/ssl/certs/ca-certificates.crt",
      "postgres://u:s3cr3t-root@db.example:5432/db?sslrootcert=/proc/self/environ",
      "postgres://u:s3cr3t-socket@%2Fvar%2Frun%2Fpostgresql/db",
      "postgres://u:s3cr3t-hostparam@db.example/db?host=/tmp",
      // The same for MySQL / MariaDB: TLS files, a socket path or a socket host, any driver option but ssl.
      "mysql://u:s3cr3t-mycert@db.example:3306/db?sslcert=/etc/ssl/private/inflow.key",
      "mysql://u:s3cr3t-myca@db.example:3306/db?ssl=true&sslca=/proc/self/environ",
      "mysql://u:s3cr3t-mysock@db.example/db?socketPath=/run/mysqld/mysqld.sock",
      "mariadb://u:s3cr3t-myhost@%2Frun%2Fmysqld%2Fmysqld.sock/db",
      "mysql://u:s3cr3t-myinfile@db.example/db?localInfile=true",
    ];
    const got: string[] = [];
    for (const [i, connectionString] of strings.entries()) {
      const answer = await send("connections", "POST", jsonBody({ name: `quokka bad string ${i}`, type: "sql", config, secrets: { connectionString } }), admin);
      const paths = answer.status === 422 ? (JSON.parse(answer.text) as { error: { issues?: { path: string }[] } }).error.issues?.map((x) => x.path) : answer.text.slice(0, 100);
      got.push(`${i} ${answer.status} ${JSON.stringify(paths)}${/s3cr3t/.test(answer.text) ? " SECRET" : ""}`);
    }
    expect(got).toEqual(strings.map((_, i) => `${i} 422 ${JSON.stringify(["secrets.connectionString"])}`));
  });

  it("in production, connection settings cannot point Inflow at its own machine or private network, nor send credentials over plain http", async () => {
    const admin: Caller = { name: "a-admin", user: a.tenant.members.admin };
    const stripe = (baseUrl: string) => jsonBody({ name: `quokka stripe ${baseUrl}`, type: "stripe", schedule: "manual", config: { baseUrl }, secrets: { secretKey: "sk_test_s3cr3tquokka" } });
    const sql = (connectionString: string) =>
      jsonBody({ name: `quokka sql ${connectionString.slice(0, 40)}`, type: "sql", schedule: "manual", config: { table: "t", cursorColumn: "id", idColumn: "id", amountColumn: "amount", dateColumn: "booked_on", currency: "USD" }, secrets: { connectionString } });
    const sftp = (host: string) => jsonBody({ name: `quokka sftp ${host}`, type: "sftp", schedule: "manual", config: { host, username: "u" }, secrets: { password: "s3cr3t-sftp" } });
    const refused: [string, ReturnType<typeof jsonBody>, string][] = [
      ...[
        "http://127.0.0.1:4010",
        "http://api.stripe.example",
        "https://127.0.0.1",
        "https://localhost:8443",
        "https://metadata.localhost",
        "https://169.254.169.254",
        "https://10.1.2.3",
        "https://172.16.0.1",
        "https://192.168.1.1",
        "https://[::1]",
        "https://[::ffff:127.0.0.1]",
        "https://[fe80::1]",
        "https://2130706433", // 127.0.0.1 as one number
        "https://0.0.0.0",
      ].map((url): [string, ReturnType<typeof jsonBody>, string] => [url, stripe(url), "config.baseUrl"]),
      ...[
        "postgres://u:s3cr3t@127.0.0.1:54329/postgres",
        "postgres://u:s3cr3t@localhost/postgres",
        "postgres://u:s3cr3t@db.example/postgres?host=10.0.0.5",
        "mysql://u:s3cr3t@192.168.1.10:3306/db",
      ].map((cs): [string, ReturnType<typeof jsonBody>, string] => [cs.replace(/s3cr3t/, "…"), sql(cs), "secrets.connectionString"]),
      ["sftp 127.0.0.1", sftp("127.0.0.1"), "config.host"],
      ["sftp localhost", sftp("localhost"), "config.host"],
    ];
    const allowed: [string, ReturnType<typeof jsonBody>][] = [
      ["https://api.stripe.example", stripe("https://api.stripe.example")],
      ["postgres://…@db.example", sql("postgres://u:s3cr3t@db.example:5432/ledger")],
      ["sftp files.example", sftp("files.example")],
    ];
    const saved = { node: process.env.NODE_ENV, allow: process.env.INFLOW_ALLOW_PRIVATE_PROVIDER_URLS };
    const setEnv = (allowPrivate: boolean) => {
      (process.env as Record<string, string>).NODE_ENV = "production";
      if (allowPrivate) process.env.INFLOW_ALLOW_PRIVATE_PROVIDER_URLS = "1";
      else delete process.env.INFLOW_ALLOW_PRIVATE_PROVIDER_URLS;
      resetEnvCache();
    };
    const issuePaths = (text: string) => (JSON.parse(text) as { error: { issues?: { path: string }[] } }).error.issues?.map((x) => x.path) ?? [];
    try {
      setEnv(false);
      const got: string[] = [];
      for (const [what, body] of refused) {
        const answer = await send("connections", "POST", body, admin);
        got.push(`${what} ${answer.status} ${answer.status === 422 ? issuePaths(answer.text).join() : answer.text.slice(0, 100)}${/s3cr3t/.test(answer.text) ? " SECRET" : ""}`);
      }
      expect(got).toEqual(refused.map(([what, , path]) => `${what} 422 ${path}`));
      for (const [what, body] of allowed) expect((await send("connections", "POST", body, admin)).status, what).toBe(201);
      const webhook = await send("connections/notifications", "PUT", jsonBody({ webhookUrl: "http://127.0.0.1:9/hook" }), admin);
      expect([webhook.status, issuePaths(webhook.text)]).toEqual([422, ["webhookUrl"]]);

      // A deployment whose providers are on its own network says so.
      setEnv(true);
      expect((await send("connections", "POST", stripe("http://127.0.0.1:4010"), admin)).status).toBe(201);
    } finally {
      (process.env as Record<string, string | undefined>).NODE_ENV = saved.node;
      if (saved.allow === undefined) delete process.env.INFLOW_ALLOW_PRIVATE_PROVIDER_URLS;
      else process.env.INFLOW_ALLOW_PRIVATE_PROVIDER_URLS = saved.allow;
      resetEnvCache();
    }
    // Outside production (tests, the embedded dev default) the local provider servers stay reachable.
    expect((await send("connections", "POST", stripe("http://127.0.0.1:4011"), admin)).status).toBe(201);
  });

  it("are in nothing logged while every route above ran, nor in the failed sync's history", async () => {
    // The sync queued by A's admin ran on the worker and failed: wait for its history to say so.
    const admin: Caller = { name: "a-admin", user: a.tenant.members.admin };
    let history = "";
    let lastError: { message: string } | null = null;
    for (let i = 0; i < 150 && !lastError; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      history = (await send("connections/[id]/history", "GET", { params: { id: a.sftpConnectionId } }, admin)).text;
      lastError = (JSON.parse(history) as { connection: { lastError: { message: string } | null } }).connection.lastError;
    }
    expect(lastError?.message).toMatch(/\w/);
    expect(history).not.toMatch(/s3cr3t/);
    const everything = logged.join("\n");
    expect(everything).not.toMatch(/s3cr3t/);
    // The capture itself works: what the route wrapper logs for a 500 (console.error) and what goes
    // straight to the process streams both land in it.
    console.error("capture check", new Error("inner"));
    process.stderr.write("stream check\n");
    expect(logged.join("\n")).toMatch(/capture check[\s\S]*inner[\s\S]*stream check/);
  });
});
