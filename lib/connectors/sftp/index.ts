/**
 * SFTP drop folder: lists a folder on an SFTP server, downloads the files matching a pattern that
 * this connection has not imported yet (by path, size and SHA-256, recorded in connection_files by
 * the sync), and hands each one to the pipeline as a file in any format the format library reads.
 * Password or private-key authentication; the server's host key may be pinned by its SHA-256
 * fingerprint (as `ssh-keygen -lf` prints it).
 *
 * Client: ssh2-sftp-client over ssh2, pure JavaScript (ssh2's optional native crypto addon is not
 * built here and not needed).
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import SftpClient from "ssh2-sftp-client";
import { z } from "zod";
import type { StoredFile } from "@/lib/storage/raw-store";
import { assertPublicHost, hostProblem } from "../address";
import { importOptions, ProviderError, type FetchContext, type FetchedFile, type FileConnector } from "../types";
import { globToRegExp } from "./glob";

export const sftpConfig = importOptions.extend({
  host: z
    .string()
    .trim()
    .min(1, "Enter the server's host name or address")
    .superRefine((host, ctx) => {
      const problem = hostProblem(host);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().min(1, "Enter the user name to sign in as"),
  /** The drop folder; relative paths start at the user's login folder. */
  folder: z.string().trim().min(1).default("."),
  pattern: z
    .string()
    .trim()
    .min(1)
    .default("*")
    .refine((p) => {
      try {
        globToRegExp(p);
        return true;
      } catch {
        return false;
      }
    }, "The file pattern opens a { without closing it"),
  /** Pin the server's host key: "SHA256:…" as `ssh-keygen -lf` prints it. Unset: any host key is accepted. */
  hostKeySha256: z
    .string()
    .trim()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, "Write the fingerprint as ssh-keygen -lf prints it: SHA256: followed by 43 characters")
    .optional(),
  /** Files changed more recently than this are still being written: they wait for the next sync. */
  settleSeconds: z.number().int().min(0).max(86_400).default(60),
  filesPerBatch: z.number().int().min(1).max(500).default(50),
});
export type SftpConfig = z.infer<typeof sftpConfig>;

export const sftpSecrets = z
  .object({
    password: z.string().min(1).optional(),
    privateKey: z.string().min(1).optional(),
    passphrase: z.string().min(1).optional(),
  })
  .refine((s) => s.password !== undefined || s.privateKey !== undefined, { message: "Enter a password or a private key", path: ["password"] });
export type SftpSecrets = z.infer<typeof sftpSecrets>;

/** Where the next batch of one sync resumes: after this file name (in byte order). */
export const sftpCursor = z.object({ after: z.string() });
export type SftpCursor = z.infer<typeof sftpCursor>;

function fingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

const READY_TIMEOUT_MS = 15_000;

interface Session {
  client: SftpClient;
  close: () => Promise<void>;
}

async function connect(config: SftpConfig, secrets: SftpSecrets): Promise<Session> {
  // Not Inflow's own machine or network (lib/connectors/address.ts), by any address the name has.
  await assertPublicHost(config.host).catch((error: Error) => {
    throw new ProviderError(error.message);
  });
  const client = new SftpClient("inflow");
  let offeredKey: string | undefined;
  const pinned = config.hostKeySha256?.replace(/=$/, "");
  try {
    await client.connect({
      host: config.host,
      port: config.port,
      username: config.username,
      ...(secrets.password !== undefined ? { password: secrets.password } : {}),
      ...(secrets.privateKey !== undefined ? { privateKey: secrets.privateKey } : {}),
      ...(secrets.passphrase !== undefined ? { passphrase: secrets.passphrase } : {}),
      readyTimeout: READY_TIMEOUT_MS,
      ...(pinned
        ? {
            hostVerifier: (key: Buffer) => {
              offeredKey = fingerprint(key);
              return offeredKey === pinned;
            },
          }
        : {}),
    });
  } catch (error) {
    await client.end().catch(() => undefined);
    throw plainError(error, config, offeredKey);
  }
  return { client, close: () => client.end().then(() => undefined, () => undefined) };
}

/** The server's error in words a person setting up the connection can act on; never a credential. */
export function plainError(error: unknown, config: SftpConfig, offeredKey?: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" || typeof e.code === "number" ? String(e.code) : "";
  const raw = typeof e.message === "string" ? e.message : String(error);
  const where = `${config.host}:${config.port}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || /Address lookup failed/i.test(raw)) {
    return new ProviderError(`The server name "${config.host}" could not be found. Check the host name.`);
  }
  if (code === "ECONNREFUSED" || /refused connection/i.test(raw)) {
    return new ProviderError(`${where} refused the connection. Check the host and port, and that the SFTP server is running.`);
  }
  if (code === "ETIMEDOUT" || /timed out/i.test(raw)) {
    return new ProviderError(`${where} did not answer in time. Check the host and port, and that a firewall lets this server through.`);
  }
  if (/verification failed|host denied/i.test(raw)) {
    return new ProviderError(
      `The server's host key${offeredKey ? ` (${offeredKey})` : ""} does not match the fingerprint saved with this connection (${config.hostKeySha256}). If the server's key changed on purpose, save its new fingerprint.`,
    );
  }
  if (/authentication methods failed/i.test(raw)) {
    return new ProviderError(`The server refused to sign in as "${config.username}": check the password or the private key.`);
  }
  if (/privateKey|private key|passphrase/i.test(raw)) {
    const reason = stripPrefixes(raw).replace(/^Cannot parse privateKey:\s*/i, "");
    return new ProviderError(`The private key could not be read (${reason}). Paste the whole key (OpenSSH or PEM), with its passphrase if it has one.`);
  }
  if (/no such file/i.test(raw) || code === "2" || code === "ENOENT") {
    return new ProviderError(`The folder "${config.folder}" does not exist on the server.`);
  }
  if (/permission denied/i.test(raw) || code === "3" || code === "EACCES") {
    return new ProviderError(`The server does not let "${config.username}" read "${config.folder}".`);
  }
  return new ProviderError(`The SFTP server answered: ${stripPrefixes(raw)}`);
}

/** ssh2-sftp-client prefixes messages with the call chain ("list: getConnection: …"). */
function stripPrefixes(message: string): string {
  return message.replace(/^(?:[A-Za-z]+(?:->|: ))+/, "").trim();
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

async function listMatching(client: SftpClient, config: SftpConfig): Promise<SftpClient.FileInfo[]> {
  const matcher = globToRegExp(config.pattern);
  const entries = await client.list(config.folder);
  return entries.filter((entry) => entry.type === "-" && matcher.test(entry.name)).sort(byName);
}

/**
 * Streams one remote file into the store and waits until its remote handle is closed: ending the
 * session while the close request is in flight would fail it after the download had succeeded.
 */
async function download(client: SftpClient, path: string, context: FetchContext): Promise<StoredFile> {
  const stream = client.createReadStream(path);
  const closed = new Promise<void>((resolve, reject) => {
    stream.once("close", () => resolve());
    stream.once("error", reject);
  });
  closed.catch(() => undefined);
  const stored = await context.storeFile(stream);
  await closed;
  return stored;
}

export const sftpConnector: FileConnector<SftpConfig, SftpSecrets, SftpCursor> = {
  type: "sftp",
  label: "SFTP drop folder",
  produces: "files",
  configSchema: sftpConfig,
  secretsSchema: sftpSecrets,
  cursorSchema: sftpCursor,

  importOptions: (config) => ({
    ...(config.accountId ? { accountId: config.accountId } : {}),
    ...(config.format ? { format: config.format } : {}),
    ...(config.dateOrder ? { dateOrder: config.dateOrder } : {}),
    ...(config.decimalSeparator ? { decimalSeparator: config.decimalSeparator } : {}),
  }),

  async test(config, secrets) {
    let session: Session | undefined;
    try {
      session = await connect(config, secrets);
      const files = await listMatching(session.client, config);
      const count = files.length === 1 ? "1 file matches" : `${files.length} files match`;
      return { ok: true, message: `Signed in to ${config.host} as ${config.username}: ${count} "${config.pattern}" in "${config.folder}".` };
    } catch (error) {
      return { ok: false, message: plainError(error, config).message };
    } finally {
      await session?.close();
    }
  },

  async fetchNext(config, secrets, cursor, context) {
    const session = await connect(config, secrets);
    try {
      let entries: SftpClient.FileInfo[];
      try {
        entries = await listMatching(session.client, config);
      } catch (error) {
        throw plainError(error, config);
      }
      const settledBefore = Date.now() - config.settleSeconds * 1000;
      const items: FetchedFile[] = [];
      let last: string | null = null;
      let hasMore = false;
      for (const entry of entries) {
        if (cursor && entry.name <= cursor.after) continue;
        if (items.length >= config.filesPerBatch) {
          hasMore = true;
          break;
        }
        last = entry.name;
        // Still being written (or just replaced): wait for the next sync rather than import half a file.
        if (entry.modifyTime > settledBefore) continue;
        const path = posix.join(config.folder, entry.name);
        const modifiedAt = new Date(entry.modifyTime).toISOString();
        if (await context.alreadySeen({ path, size: entry.size, modifiedAt })) continue;
        let stored;
        try {
          stored = await download(session.client, path, context);
        } catch (error) {
          throw plainError(error, config);
        }
        // The file changed while we read it: it is not complete yet.
        if (stored.byteSize !== entry.size) continue;
        items.push({ kind: "file", path, size: stored.byteSize, modifiedAt, stored });
      }
      return { items, cursor: hasMore && last !== null ? { after: last } : null, hasMore };
    } finally {
      await session.close();
    }
  },
};
