/**
 * The SFTP connector against a real OpenSSH server on loopback (test/sftp-server.ts): password and
 * key sign-in, host key pinning, the server's errors in plain words, listing by pattern, batches
 * after a cursor, files still being written left for later, and the file-name patterns.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredFile } from "@/lib/storage/raw-store";
import { startSftpServer, type SftpTestServer } from "@/test/sftp-server";
import type { FetchContext, FetchedFile } from "../types";
import { globToRegExp, matchesGlob } from "./glob";
import { sftpConfig, sftpConnector, sftpSecrets, type SftpConfig } from "./index";

let server: SftpTestServer;
let base: SftpConfig;

beforeAll(async () => {
  server = await startSftpServer();
  base = sftpConfig.parse({ host: server.host, port: server.port, username: server.username, folder: "inbox", pattern: "*.{csv,ofx}", settleSeconds: 0 });
  server.put("inbox/a-statement.csv", "Date,Amount\n2026-01-02,10.00\n");
  server.put("inbox/b-statement.OFX", "OFXHEADER:100\n");
  server.put("inbox/c-statement.csv", "Date,Amount\n2026-01-03,-5.00\n");
  server.put("inbox/readme.txt", "not a statement\n");
  server.put("inbox/archive/old.csv", "in a subfolder: not listed\n");
});

afterAll(async () => {
  await server?.stop();
});

/** A fetch context that keeps downloads in memory and knows the files listed in `seen`. */
function memoryContext(seen: { path: string; size: number }[] = []) {
  const stored: Record<string, Buffer> = {};
  const asked: string[] = [];
  const context: FetchContext = {
    async storeFile(body: Readable): Promise<StoredFile> {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const bytes = Buffer.concat(chunks);
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      stored[sha256] = bytes;
      return { key: `t/${sha256}`, sha256, byteSize: bytes.length };
    },
    async alreadySeen(file) {
      asked.push(file.path);
      return seen.some((s) => s.path === file.path && s.size === file.size);
    },
  };
  return { context, stored, asked };
}

const names = (items: { kind: string }[]) => (items as FetchedFile[]).map((i) => i.path);

describe("SFTP connector: test connection", () => {
  it("signs in with the password and counts the files matching the pattern", async () => {
    expect(await sftpConnector.test(base, { password: server.password })).toEqual({
      ok: true,
      message: `Signed in to 127.0.0.1 as ${server.username}: 3 files match "*.{csv,ofx}" in "inbox".`,
    });
  });

  it("signs in with the private key", async () => {
    expect(await sftpConnector.test({ ...base, pattern: "*.csv" }, { privateKey: server.privateKey })).toEqual({
      ok: true,
      message: `Signed in to 127.0.0.1 as ${server.username}: 2 files match "*.csv" in "inbox".`,
    });
  });

  it("accepts the server when its host key matches the pinned fingerprint", async () => {
    const result = await sftpConnector.test({ ...base, hostKeySha256: server.hostKeySha256 }, { password: server.password });
    expect(result.ok).toBe(true);
  });

  it("explains each failure in plain words", async () => {
    const wrongKey = "SHA256:" + "A".repeat(43);
    const cases: [Partial<SftpConfig>, Record<string, string>, string][] = [
      [{}, { password: "not-the-password" }, `The server refused to sign in as "${server.username}": check the password or the private key.`],
      [{ username: "nobody-here" }, { password: server.password }, `The server refused to sign in as "nobody-here": check the password or the private key.`],
      [
        { hostKeySha256: wrongKey },
        { password: server.password },
        `The server's host key (${server.hostKeySha256}) does not match the fingerprint saved with this connection (${wrongKey}). If the server's key changed on purpose, save its new fingerprint.`,
      ],
      [{ folder: "no-such-folder" }, { password: server.password }, 'The folder "no-such-folder" does not exist on the server.'],
      [{ port: 1 }, { password: server.password }, "127.0.0.1:1 refused the connection. Check the host and port, and that the SFTP server is running."],
      [
        {},
        { privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n" },
        "The private key could not be read (Malformed OpenSSH private key). Paste the whole key (OpenSSH or PEM), with its passphrase if it has one.",
      ],
    ];
    for (const [config, secrets, message] of cases) {
      expect(await sftpConnector.test({ ...base, ...config }, sftpSecrets.parse(secrets))).toEqual({ ok: false, message });
    }
  });

  it("never puts the password in a failure message", async () => {
    const result = await sftpConnector.test({ ...base, folder: "no-such-folder" }, { password: server.password });
    expect(JSON.stringify(result)).not.toContain(server.password);
  });
});

describe("SFTP connector: fetching", () => {
  it("downloads the matching files in name order, byte for byte, and nothing else", async () => {
    const { context, stored } = memoryContext();
    const batch = await sftpConnector.fetchNext(base, { password: server.password }, null, context);
    expect(names(batch.items)).toEqual(["inbox/a-statement.csv", "inbox/b-statement.OFX", "inbox/c-statement.csv"]);
    expect(batch).toMatchObject({ cursor: null, hasMore: false });
    for (const item of batch.items as FetchedFile[]) {
      const onDisk = fs.readFileSync(path.join(server.home, item.path));
      expect(stored[item.stored.sha256]).toEqual(onDisk);
      expect(item.size).toBe(onDisk.length);
      expect(item.modifiedAt).toBe(new Date(Math.floor(fs.statSync(path.join(server.home, item.path)).mtimeMs / 1000) * 1000).toISOString());
    }
  });

  it("pages in batches after a cursor until nothing is left", async () => {
    const config = { ...base, filesPerBatch: 2 };
    const { context } = memoryContext();
    const first = await sftpConnector.fetchNext(config, { privateKey: server.privateKey }, null, context);
    expect(names(first.items)).toEqual(["inbox/a-statement.csv", "inbox/b-statement.OFX"]);
    expect(first).toMatchObject({ cursor: { after: "b-statement.OFX" }, hasMore: true });
    const second = await sftpConnector.fetchNext(config, { privateKey: server.privateKey }, first.cursor, context);
    expect(names(second.items)).toEqual(["inbox/c-statement.csv"]);
    expect(second).toMatchObject({ cursor: null, hasMore: false });
  });

  it("does not download files the connection already has, and counts them against no batch", async () => {
    const { context, stored, asked } = memoryContext([{ path: "inbox/a-statement.csv", size: fs.statSync(path.join(server.home, "inbox/a-statement.csv")).size }]);
    const batch = await sftpConnector.fetchNext({ ...base, filesPerBatch: 2 }, { password: server.password }, null, context);
    expect(names(batch.items)).toEqual(["inbox/b-statement.OFX", "inbox/c-statement.csv"]);
    expect(asked).toEqual(["inbox/a-statement.csv", "inbox/b-statement.OFX", "inbox/c-statement.csv"]);
    expect(Object.keys(stored)).toHaveLength(2);
  });

  it("leaves a file changed within the settle time for a later sync", async () => {
    server.put("fresh/new.csv", "Date,Amount\n", 0);
    server.put("fresh/old.csv", "Date,Amount\n", 600);
    const { context } = memoryContext();
    const config = { ...base, folder: "fresh", settleSeconds: 120 };
    const batch = await sftpConnector.fetchNext(config, { password: server.password }, null, context);
    expect(names(batch.items)).toEqual(["fresh/old.csv"]);
  });

  it("reports a folder it cannot list as a provider error with the folder named", async () => {
    const { context } = memoryContext();
    await expect(sftpConnector.fetchNext({ ...base, folder: "missing" }, { password: server.password }, null, context)).rejects.toThrow(
      'The folder "missing" does not exist on the server.',
    );
  });

  it("refuses a file it is not allowed to read, naming the server's answer", async () => {
    const file = server.put("locked/secret.csv", "Date,Amount\n");
    fs.chmodSync(file, 0o600);
    const { context } = memoryContext();
    await expect(sftpConnector.fetchNext({ ...base, folder: "locked" }, { password: server.password }, null, context)).rejects.toThrow(
      `The server does not let "${server.username}" read "locked".`,
    );
  });
});

describe("settings and credentials", () => {
  it("needs a password or a private key", () => {
    const result = sftpSecrets.safeParse({});
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["password", "Enter a password or a private key"]]);
  });

  it("fills the defaults and checks the fingerprint's shape", () => {
    expect(sftpConfig.parse({ host: "sftp.bank.example", username: "acme" })).toEqual({
      host: "sftp.bank.example",
      port: 22,
      username: "acme",
      folder: ".",
      pattern: "*",
      settleSeconds: 60,
      filesPerBatch: 50,
    });
    expect(sftpConfig.safeParse({ host: "h", username: "u", hostKeySha256: "MD5:aa" }).success).toBe(false);
    expect(sftpConfig.safeParse({ host: "h", username: "u", pattern: "*.{csv" }).success).toBe(false);
  });
});

describe("file-name patterns", () => {
  it.each([
    ["*.csv", "statement.csv", true],
    ["*.csv", "STATEMENT.CSV", true],
    ["*.csv", "statement.csv.part", false],
    ["*.{csv,ofx}", "a.ofx", true],
    ["*.{csv,ofx}", "a.qif", false],
    ["stmt-????.txt", "stmt-2026.txt", true],
    ["stmt-????.txt", "stmt-26.txt", false],
    ["[!.]*", ".hidden", false],
    ["[!.]*", "visible", true],
    ["report[0-9].csv", "report7.csv", true],
    ["a+b(1).csv", "a+b(1).csv", true],
    ["a+b(1).csv", "aab1.csv", false],
    ["*", "anything at all", true],
  ])("%s against %s → %s", (pattern, name, expected) => {
    expect(matchesGlob(name, pattern)).toBe(expected);
  });

  it("rejects an alternative that is never closed", () => {
    expect(() => globToRegExp("*.{csv")).toThrow('The file pattern "*.{csv" opens a { without closing it.');
  });
});

describe("the test server", () => {
  it("is a real sshd on loopback, not a stand-in", () => {
    expect(server.log()).toContain(`Accepted password for ${server.username} from 127.0.0.1`);
    expect(server.log()).toContain(`Accepted publickey for ${server.username} from 127.0.0.1`);
    expect(fs.realpathSync(os.tmpdir())).not.toBe("");
  });
});
