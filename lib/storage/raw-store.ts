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
import { serverRealtime } from "@/lib/supabase";

export interface StoredFile {
  key: string;
  sha256: string;
  byteSize: number;
}

/** A file received and hashed but not yet in the store: kept once what came with it is known to be valid, else discarded. */
export interface SpooledFile extends StoredFile {
  /** Moves it into the store under its key (the same bytes already there stay as they are). */
  keep(): Promise<StoredFile>;
  /** Removes the spooled copy; the store, and any earlier file with the same bytes, is untouched. */
  discard(): Promise<void>;
}

export interface RawFileStore {
  /** Streams `body` into the store, hashing on the way; never holds the whole file in memory. */
  put(tenantId: string, body: ReadableStream<Uint8Array> | Readable): Promise<StoredFile>;
  /** Like put, but the file only enters the store on keep(). */
  spool(tenantId: string, body: ReadableStream<Uint8Array> | Readable): Promise<SpooledFile>;
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
    return (await localRawStore.spool(tenantId, body)).keep();
  },
  async spool(tenantId, body) {
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
    const stored = { key: `${tenantId}/${sha256}`, sha256, byteSize };
    return {
      ...stored,
      async keep() {
        // Content-addressed: the same bytes land on the same name, so a re-upload stores nothing new.
        await fs.promises.rename(temporary, dataDir("raw", stored.key));
        return stored;
      },
      discard: () => fs.promises.rm(temporary, { force: true }),
    };
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
  const client = createClient(e.NEXT_PUBLIC_SUPABASE_URL!, e.SUPABASE_SERVICE_ROLE_KEY, { auth: { persistSession: false }, realtime: serverRealtime });
  const bucket = client.storage.from(e.SUPABASE_STORAGE_BUCKET);
  const store: RawFileStore = {
    async put(tenantId, body) {
      return (await store.spool(tenantId, body)).keep();
    },
    async spool(tenantId, body) {
      // Spool to local disk first (hashing on the way): the object name is the hash, known only at the end.
      const local = await localRawStore.spool(tenantId, body);
      const stored = { key: local.key, sha256: local.sha256, byteSize: local.byteSize };
      return {
        ...stored,
        async keep() {
          const file = await local.keep();
          try {
            const upload = await bucket.upload(file.key, fs.createReadStream(dataDir("raw", file.key)), {
              upsert: true,
              contentType: "application/octet-stream",
              duplex: "half",
            });
            if (upload.error) throw new Error(`Supabase Storage upload failed: ${upload.error.message}`);
          } finally {
            await fs.promises.rm(dataDir("raw", file.key), { force: true });
          }
          return stored;
        },
        discard: () => local.discard(),
      };
    },
    async get(tenantId, key) {
      assertTenantKey(tenantId, key);
      const { data, error } = await bucket.download(key);
      if (error || !data) throw new Error(`Supabase Storage download failed: ${error?.message ?? "no data"}`);
      return Readable.fromWeb(data.stream() as import("node:stream/web").ReadableStream<Uint8Array>);
    },
  };
  return store;
}

export async function rawFileStore(): Promise<RawFileStore> {
  return supabaseConfigured() ? supabaseStore() : localRawStore;
}
