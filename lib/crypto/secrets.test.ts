import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { SecretsError, decryptJson, decryptSecret, encryptJson, encryptSecret, keyFilePath } from "./secrets";

const saved = { dataDir: process.env.INFLOW_DATA_DIR, key: process.env.INFLOW_SECRETS_KEY };
let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inflow-secrets-"));
  process.env.INFLOW_DATA_DIR = tmp;
  delete process.env.INFLOW_SECRETS_KEY;
  resetEnvCache();
});

afterEach(() => {
  for (const [name, value] of [["INFLOW_DATA_DIR", saved.dataDir], ["INFLOW_SECRETS_KEY", saved.key]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetEnvCache();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("connection secrets at rest", () => {
  it("round-trips text and JSON, with a fresh IV each time", () => {
    const secret = JSON.stringify({ password: "s3cret ünïcode", privateKey: "-----BEGIN KEY-----" });
    const a = encryptSecret(secret, "t:c");
    const b = encryptSecret(secret, "t:c");
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from("s3cret"))).toBe(false);
    expect(a.length).toBe(1 + 12 + 16 + Buffer.byteLength(secret));
    expect(decryptSecret(a, "t:c")).toBe(secret);
    expect(decryptJson(encryptJson({ token: "abc", n: 1 }))).toEqual({ token: "abc", n: 1 });
  });

  it("refuses a ciphertext with any byte altered, a different context, or an unknown version", () => {
    const good = encryptSecret("hunter2", "tenant-a:conn-1");
    for (const index of [1, 13, 29, good.length - 1]) {
      const bad = Buffer.from(good);
      bad[index] = bad[index]! ^ 0x01;
      expect(() => decryptSecret(bad, "tenant-a:conn-1")).toThrow(SecretsError);
    }
    expect(() => decryptSecret(good, "tenant-b:conn-1")).toThrow(/could not be decrypted/);
    const wrongVersion = Buffer.from(good);
    wrongVersion[0] = 9;
    expect(() => decryptSecret(wrongVersion, "tenant-a:conn-1")).toThrow(/not in a format/);
    expect(() => decryptSecret(Buffer.alloc(10), "")).toThrow(SecretsError);
  });

  it("generates the key once under the data directory with mode 0600 and reuses it", () => {
    const file = keyFilePath();
    expect(file).toBe(path.join(tmp, "secrets", "connections.key"));
    expect(fs.existsSync(file)).toBe(false);
    const sealed = encryptSecret("kept");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64")).toHaveLength(32);
    const before = fs.readFileSync(file, "utf8");
    expect(decryptSecret(sealed)).toBe("kept");
    expect(fs.readFileSync(file, "utf8")).toBe(before);
  });

  it("uses INFLOW_SECRETS_KEY when set, writes no key file, and a different key cannot decrypt", () => {
    process.env.INFLOW_SECRETS_KEY = randomBytes(32).toString("base64");
    resetEnvCache();
    const sealed = encryptSecret("from env");
    expect(decryptSecret(sealed)).toBe("from env");
    expect(fs.existsSync(keyFilePath())).toBe(false);
    process.env.INFLOW_SECRETS_KEY = randomBytes(32).toString("base64");
    resetEnvCache();
    expect(() => decryptSecret(sealed)).toThrow(/secrets key changed/);
  });

  it("explains a key of the wrong length", () => {
    process.env.INFLOW_SECRETS_KEY = Buffer.alloc(16).toString("base64");
    resetEnvCache();
    expect(() => encryptSecret("x")).toThrow("INFLOW_SECRETS_KEY must be the base64 of exactly 32 random bytes (e.g. `openssl rand -base64 32`); it decodes to 16 bytes.");
  });
});
