/**
 * Step 1, upload: a multipart body streamed to a spooled file beside the raw file store (hashed on the
 * way, never held in memory), refused with 413 past the size limit, moved into the store with the
 * import row that records it (a refused upload leaves neither), recognised when the same bytes were
 * imported before, and handed to the parse job.
 */
import { Readable } from "node:stream";
import busboy from "busboy";
import { z } from "zod";
import type { TenantContext } from "@/lib/auth/context";
import { withUser } from "@/lib/db/with-user";
import { findImportsBySha, insertImport } from "@/lib/db/queries/pipeline";
import { writeAudit } from "@/lib/db/queries/audit";
import { formatName } from "@/lib/schemas/canonical";
import { AppError } from "@/lib/http/errors";
import { rawFileStore, type SpooledFile, type StoredFile } from "@/lib/storage/raw-store";
import { enqueue } from "./jobs";

export const DEFAULT_UPLOAD_LIMIT_BYTES = 1024 ** 3;

export function uploadLimitBytes(): number {
  const configured = Number(process.env.INFLOW_UPLOAD_LIMIT_BYTES);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_UPLOAD_LIMIT_BYTES;
}

/** Options a user may state with the file; everything else is detected. */
export const uploadFields = z.object({
  accountId: z.string().uuid("Choose an account that exists in this workspace").optional(),
  format: formatName.optional(),
  dateOrder: z.enum(["YMD", "DMY", "MDY"]).optional(),
  decimalSeparator: z.enum([".", ","]).optional(),
  integrity: z.enum(["true", "false"]).optional(),
});
export type UploadFields = z.infer<typeof uploadFields>;

const tooLarge = (limit: number) =>
  new AppError(413, "too_large", `The file is larger than the upload limit of ${formatBytes(limit)}. Split it, or ask an admin to raise INFLOW_UPLOAD_LIMIT_BYTES.`);

function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(n % 1024 ** 3 ? 1 : 0)} GB` : n >= 1024 ** 2 ? `${Math.round(n / 1024 ** 2)} MB` : `${n} bytes`;
}

interface ReceivedFile {
  fileName: string;
  /** Not in the raw store yet: kept with the import row, discarded if the upload is refused. */
  spooled: SpooledFile;
  fields: Record<string, string>;
}

/** Streams the first file of a multipart request to a spooled file beside the raw store. */
export async function receiveMultipart(request: Request, tenantId: string, limit: number): Promise<ReceivedFile> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.startsWith("multipart/form-data") || !request.body) {
    throw new AppError(415, "unsupported_media_type", "Send the file as multipart/form-data in a field named \"file\".");
  }
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit + 64 * 1024) throw tooLarge(limit);
  const store = await rawFileStore();

  return new Promise<ReceivedFile>((resolve, reject) => {
    const body = Readable.fromWeb(request.body as import("node:stream/web").ReadableStream<Uint8Array>);
    const fields: Record<string, string> = {};
    let upload: Promise<{ fileName: string; spooled: SpooledFile }> | undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { "content-type": contentType }, limits: { files: 1, fileSize: limit, fields: 20, fieldSize: 1024 } });
    } catch {
      reject(new AppError(400, "bad_multipart", "The upload could not be read as multipart/form-data."));
      return;
    }
    parser.on("field", (name, value) => {
      fields[name] = value;
    });
    parser.on("file", (name, file, info) => {
      if (name !== "file" || upload) {
        file.resume();
        return;
      }
      // Past the limit: answer 413 at once and stop reading. Waiting for busboy to finish would hang —
      // a destroyed file stream is no longer drained, so the body stops flowing and busboy never closes.
      file.on("error", () => undefined); // the store's write sees the error and removes its temporary file
      file.on("limit", () => {
        const error = tooLarge(limit);
        file.destroy(error);
        body.unpipe(parser);
        body.destroy();
        // Answer once the store has removed its partial temporary file, so nothing of it outlives the 413.
        void (upload ?? Promise.resolve()).then(
          () => reject(error),
          () => reject(error),
        );
      });
      upload = store.spool(tenantId, file).then((spooled) => ({ fileName: info.filename || "upload", spooled }));
      // Settled below; keep an early failure from surfacing as an unhandled rejection.
      upload.catch(() => undefined);
    });
    parser.on("error", () => {
      // The file may have been received in full before the body broke: it goes with the refusal.
      void upload?.then(({ spooled }) => spooled.discard(), () => undefined);
      reject(new AppError(400, "bad_multipart", "The upload was cut off or is not valid multipart/form-data."));
    });
    parser.on("close", () => {
      if (!upload) {
        reject(new AppError(422, "validation", "file: attach a file in the field named \"file\"."));
        return;
      }
      upload.then((received) => resolve({ ...received, fields }), reject);
    });
    body.on("error", reject).pipe(parser);
  });
}

export interface UploadResult {
  importId: string;
  sha256: string;
  byteSize: number;
  /** Earlier imports of the same bytes in this tenant: when, by whom, which import. */
  previousImports: { id: string; fileName: string; status: string; createdAt: Date; createdBy: string | null }[];
}

/** Records an uploaded file as an import and queues its parse. Shared by the HTTP API and the CLI. */
export async function createImportFromStoredFile(
  ctx: Pick<TenantContext, "claims" | "tenantId">,
  input: { fileName: string; stored: StoredFile | SpooledFile; fields: UploadFields; source: string },
  options: { enqueueParse: boolean },
): Promise<UploadResult> {
  const { fields } = input;
  const result = await withUser(ctx.claims, async (db) => {
    if (fields.accountId) {
      const found = await db.query("select 1 from public.accounts where tenant_id = $1 and id = $2", [ctx.tenantId, fields.accountId]);
      if (found.rowCount === 0) throw new AppError(422, "validation", "accountId: choose an account that exists in this workspace.");
    }
    // A spooled file enters the raw store only now, once the upload is accepted, just before the row
    // that references it. (Should this transaction still fail, the kept file has no import: the same
    // bytes uploaded again reuse it.)
    if ("keep" in input.stored) await input.stored.keep();
    const previousImports = await findImportsBySha(db, { tenantId: ctx.tenantId, sha256: input.stored.sha256 });
    const importId = await insertImport(db, {
      tenantId: ctx.tenantId,
      fileName: input.fileName,
      source: input.source,
      rawKey: input.stored.key,
      sha256: input.stored.sha256,
      byteSize: input.stored.byteSize,
      accountId: fields.accountId ?? null,
      options: {
        ...(fields.format ? { format: fields.format } : {}),
        ...(fields.dateOrder ? { dateOrder: fields.dateOrder } : {}),
        ...(fields.decimalSeparator ? { decimalSeparator: fields.decimalSeparator } : {}),
        ...(fields.integrity === "false" ? { integrity: false } : {}),
      },
    });
    await db.query("update public.imports set metrics = jsonb_build_object('bytes', $3::bigint) where tenant_id = $1 and id = $2", [ctx.tenantId, importId, input.stored.byteSize]);
    await writeAudit(db, {
      tenantId: ctx.tenantId,
      action: "import.upload",
      entity: "import",
      entityId: importId,
      after: { fileName: input.fileName, sha256: input.stored.sha256, bytes: input.stored.byteSize, source: input.source },
      details: previousImports.length ? { sameBytesAs: previousImports.map((p) => p.id) } : undefined,
    });
    return { importId, sha256: input.stored.sha256, byteSize: input.stored.byteSize, previousImports };
  });
  if (options.enqueueParse) await enqueue("parse", { tenantId: ctx.tenantId, importId: result.importId, claims: ctx.claims }, { bytes: result.byteSize });
  return result;
}

/**
 * A refused upload (a field that is not valid, an account of another workspace) leaves nothing: its
 * spooled file is discarded, and a file with the same bytes that an earlier import references is
 * never touched, since the spooled copy is not it.
 */
export async function receiveUpload(ctx: TenantContext, request: Request): Promise<UploadResult> {
  const received = await receiveMultipart(request, ctx.tenantId, uploadLimitBytes());
  try {
    const fields = uploadFields.parse(received.fields);
    return await createImportFromStoredFile(ctx, { fileName: received.fileName, stored: received.spooled, fields, source: "upload" }, { enqueueParse: true });
  } finally {
    await received.spooled.discard(); // nothing left to remove once kept
  }
}
