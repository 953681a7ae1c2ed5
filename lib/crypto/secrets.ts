/**
 * Credentials at rest: AES-256-GCM with a random 96-bit IV per message. The key comes from
 * INFLOW_SECRETS_KEY (base64 of 32 bytes) or, on the embedded default, from a key generated once under
 * `<INFLOW_DATA_DIR>/secrets/connections.key` with mode 0600. Server-only.
 *
 * Layout of a ciphertext: 1 version byte, 12 bytes IV, 16 bytes GCM tag, then the encrypted bytes.
 * An optional context (e.g. "tenant:connection") is bound as additional authenticated data, so a
 * ciphertext copied onto another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir, env } from "@/lib/env";

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class SecretsError extends Error {}

const keys = new Map<string, Buffer>();

function decodeKey(base64: string, where: string): Buffer {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== KEY_BYTES) {
    throw new SecretsError(`${where} must be the base64 of exactly 32 random bytes (e.g. \`openssl rand -base64 32\`); it decodes to ${key.length} bytes.`);
  }
  return key;
}

/** The generated key file, created atomically (exclusive create) so two processes starting together agree. */
function readOrCreateKeyFile(file: string): Buffer {
  try {
    return decodeKey(fs.readFileSync(file, "utf8"), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, randomBytes(KEY_BYTES).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return decodeKey(fs.readFileSync(file, "utf8"), file);
}

/** Where the generated key lives when INFLOW_SECRETS_KEY is unset. */
export function keyFilePath(): string {
  return dataDir("secrets", "connections.key");
}

function secretsKey(): Buffer {
  const configured = env().INFLOW_SECRETS_KEY;
  const source = configured ? `env:${configured}` : `file:${keyFilePath()}`;
  let key = keys.get(source);
  if (!key) {
    key = configured ? decodeKey(configured, "INFLOW_SECRETS_KEY") : readOrCreateKeyFile(keyFilePath());
    keys.set(source, key);
  }
  return key;
}

/** A key for another purpose (callback tokens), derived from the secrets key so there is one secret to keep. */
export function derivedKey(purpose: string): Buffer {
  return createHmac("sha256", secretsKey()).update(`inflow:${purpose}`).digest();
}

export function encryptSecret(plaintext: string, context = ""): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", secretsKey(), iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export function decryptSecret(ciphertext: Buffer, context = ""): string {
  if (ciphertext.length < 1 + IV_BYTES + TAG_BYTES || ciphertext[0] !== VERSION) {
    throw new SecretsError("The stored credentials are not in a format this version of Inflow can read.");
  }
  const iv = ciphertext.subarray(1, 1 + IV_BYTES);
  const tag = ciphertext.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", secretsKey(), iv);
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    // GCM authentication failed: altered bytes, another row's ciphertext, or a different key.
    throw new SecretsError("The stored credentials could not be decrypted: they were altered, or the secrets key changed. Enter the credentials again.");
  }
}

/** JSON helpers: connectors keep their credentials as one JSON object. */
export function encryptJson(value: unknown, context = ""): Buffer {
  return encryptSecret(JSON.stringify(value), context);
}

export function decryptJson(ciphertext: Buffer, context = ""): unknown {
  return JSON.parse(decryptSecret(ciphertext, context)) as unknown;
}
