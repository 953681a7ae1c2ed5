/**
 * The raw file store: every uploaded file kept unchanged, addressed by tenant and SHA-256. Local disk
 * under .data/raw by default, a private Supabase Storage bucket when Supabase is configured. Object
 * keys always start with the tenant id, so one tenant's files are never reachable from another's.
 */
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { dataDir, env, supabaseConfigured } from "@/lib/env";

export interface StoredFile {
  key: string;
  sha256: string;
  byteSize: number;
}

export interface RawFileStore {
  /** Streams `body` into the store, hashing on the way; never holds the whole file in memory. */
  put(tenantId: string, body: ReadableStream<Uint8Array> | Readable): Promise<StoredFile>;
  /** Streams a stored file back; the key must belong to the tenant. */
  get(tenantId: string, key: string): Promise<Readable>;
}

/** A key that is not one of the calling tenant's: reading it again will never succeed. */
export class RawKeyRefusedError extends Error {
  constructor() {
    super("raw file key does not belong to this tenant");
    this.name = "RawKeyRefusedError";
  }
}

/**
 * A key is exactly `<tenant id>/<sha256 in hex>`, as put() makes it. Anything else (another tenant's
 * key, `..`, a doubled slash that path.resolve would fold into a nested path) is refused before it
 * becomes a path, so no import row can point its tenant's parse at a file outside its own folder.
 */
function assertTenantKey(tenantId: string, key: string): void {
  const [owner, name, ...rest] = key.split("/");
  if (owner !== tenantId || rest.length > 0 || !/^[0-9a-f]{64}$/.test(name ?? "")) throw new RawKeyRefusedError();
}

function hashingCounter(): { transform: Transform; digest: () => { sha256: string; byteSize: number } } {
  const hash = createHash("sha256");
  let byteSize = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      byteSize += chunk.length;
      callback(null, chunk);
    },
  });
  return { transform, digest: () => ({ sha256: hash.digest("hex"), byteSize }) };
}

function toNodeStream(body: ReadableStream<Uint8Array> | Readable): Readable {
  return body instanceof Readable ? body : Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
}

export const localRawStore: RawFileStore = {
  async put(tenantId, body) {
    const dir = dataDir("raw", tenantId);
    await fs.promises.mkdir(dir, { recursive: true });
    const temporary = path.join(dir, `.upload-${randomUUID()}`);
    const counter = hashingCounter();
    try {
      await pipeline(toNodeStream(body), counter.transform, fs.createWriteStream(temporary, { mode: 0o600 }));
    } catch (error) {
      await fs.promises.rm(temporary, { force: true });
      throw error;
    }
    const { sha256, byteSize } = counter.digest();
    const key = `${tenantId}/${sha256}`;
    // Content-addressed: the same bytes land on the same name, so a re-upload stores nothing new.
    await fs.promises.rename(temporary, dataDir("raw", key));
    return { key, sha256, byteSize };
  },
  async get(tenantId, key) {
    assertTenantKey(tenantId, key);
    return fs.createReadStream(dataDir("raw", key));
  },
};

/** Loaded only when Supabase is configured, so the local default never loads its client. */
async function supabaseStore(): Promise<RawFileStore> {
  const { createClient } = await import("@supabase/supabase-js");
  const e = env();
  if (!e.SUPABASE_SERVICE_ROLE_KEY) throw new Error("SUPABASE_SERVICE_ROLE_KEY is required for Supabase Storage");
  const client = createClient(e.NEXT_PUBLIC_SUPABASE_URL!, e.SUPABASE_SERVICE_ROLE_KEY, { auth: { persistSession: false } });
  const bucket = client.storage.from(e.SUPABASE_STORAGE_BUCKET);
  return {
    async put(tenantId, body) {
      // Spool to local disk first (hashing on the way): the object name is the hash, known only at the end.
      const spooled = await localRawStore.put(tenantId, body);
      const upload = await bucket.upload(spooled.key, fs.createReadStream(dataDir("raw", spooled.key)), {
        upsert: true,
        contentType: "application/octet-stream",
        duplex: "half",
      });
      await fs.promises.rm(dataDir("raw", spooled.key), { force: true });
      if (upload.error) throw new Error(`Supabase Storage upload failed: ${upload.error.message}`);
      return spooled;
    },
    async get(tenantId, key) {
      assertTenantKey(tenantId, key);
      const { data, error } = await bucket.download(key);
      if (error || !data) throw new Error(`Supabase Storage download failed: ${error?.message ?? "no data"}`);
      return Readable.fromWeb(data.stream() as import("node:stream/web").ReadableStream<Uint8Array>);
    },
  };
}

export async function rawFileStore(): Promise<RawFileStore> {
  return supabaseConfigured() ? supabaseStore() : localRawStore;
}
