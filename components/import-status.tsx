/**
 * What the browser knows about an import (GET /api/imports/:id as JSON) and the small pieces every
 * import view shares: the status badge, the words for each status, the fetch with a readable error.
 */
import type { DryRun } from "@/lib/ingest/classify";
import type { ImportView } from "@/lib/ingest/imports";
import type { ImportStatus } from "@/lib/db/queries/pipeline";

/** ImportView after JSON: dates arrive as ISO strings. */
export type ImportJson = Omit<ImportView, "createdAt" | "committedAt" | "revertedAt"> & {
  createdAt: string;
  committedAt: string | null;
  revertedAt: string | null;
};

export function toImportJson(view: ImportView): ImportJson {
  return {
    ...view,
    createdAt: view.createdAt.toISOString(),
    committedAt: view.committedAt?.toISOString() ?? null,
    revertedAt: view.revertedAt?.toISOString() ?? null,
  };
}

export interface PreviousImport {
  id: string;
  fileName: string;
  status: string;
  createdAt: string;
  createdBy: string | null;
}

/** Statuses a background job is still working on: the page keeps asking until they settle. */
export const ACTIVE_STATUSES: ReadonlySet<ImportStatus> = new Set(["uploaded", "parsing", "committing"]);

export function isActive(status: ImportStatus | undefined): boolean {
  return status === undefined || ACTIVE_STATUSES.has(status);
}

const STATUS_TEXT: Record<ImportStatus, string> = {
  uploaded: "Waiting to be read",
  parsing: "Reading the file",
  staged: "Ready for review",
  committing: "Adding to the ledger",
  committed: "In the ledger",
  failed: "Could not be read",
  reverted: "Removed from the ledger",
};

const STATUS_STYLE: Record<ImportStatus, string> = {
  uploaded: "bg-slate-100 text-slate-700",
  parsing: "bg-sky-50 text-sky-800",
  staged: "bg-amber-50 text-amber-900",
  committing: "bg-sky-50 text-sky-800",
  committed: "bg-emerald-50 text-emerald-800",
  failed: "bg-red-50 text-red-800",
  reverted: "bg-slate-100 text-slate-600",
};

export function ImportStatusBadge({ status }: { status: ImportStatus }) {
  return (
    <span className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium ${STATUS_STYLE[status] ?? ""}`} title={STATUS_TEXT[status]}>
      <span data-testid="import-status">{status}</span>
      <span className="font-normal opacity-80">· {STATUS_TEXT[status]}</span>
    </span>
  );
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The dry run in one line, in the words commit uses. */
export function dryRunSummary(d: DryRun): string {
  const parts = [`${plural(d.new, "new row")}`];
  if (d.exactDuplicates) parts.push(`${d.exactDuplicates} already in the ledger`);
  if (d.likelyDuplicates) parts.push(`${d.likelyDuplicates} held as likely duplicates`);
  if (d.blocked) parts.push(`${d.blocked} blocked`);
  if (d.excluded) parts.push(`${d.excluded} excluded`);
  return parts.join(", ");
}

/** Why commit is not possible yet, in the words the commit API uses for its 409. */
export function blockedReason(d: DryRun): string | null {
  if (d.blocked === 0) return null;
  const reasons = [
    d.errors ? `${d.errors} row${d.errors === 1 ? " has" : "s have"} errors to correct or exclude` : "",
    d.unmapped ? `${d.unmapped} row${d.unmapped === 1 ? " belongs" : "s belong"} to an external account an admin has not mapped yet` : "",
  ].filter(Boolean);
  return `This import cannot be committed yet: ${reasons.join("; ")}.`;
}

export function formatDateTime(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** Reads a JSON answer; a non-2xx answer becomes an Error carrying the API's own message. */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}), ...init?.headers } });
  const json = (await response.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
  if (!response.ok || json === null) {
    throw new ApiError(response.status, json?.error?.message ?? `The request failed (HTTP ${response.status}).`);
  }
  return json;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function getImport(id: string): Promise<ImportJson> {
  return fetchJson<ImportJson>(`/api/imports/${id}`);
}

export const importQueryKey = (id: string) => ["import", id] as const;
