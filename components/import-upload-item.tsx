"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import {
  ImportStatusBadge,
  formatBytes,
  formatDateTime,
  getImport,
  importQueryKey,
  isActive,
  plural,
  dryRunSummary,
  type PreviousImport,
} from "./import-status";

export interface UploadItem {
  key: number;
  fileName: string;
  size: number;
  loaded: number;
  total: number;
  state: "uploading" | "uploaded" | "refused";
  importId?: string;
  previousImports?: PreviousImport[];
  error?: string;
}

/** One dropped file: its upload progress, then what the pipeline makes of it. */
export function ImportUploadItem({ item }: { item: UploadItem }) {
  const percent = item.total > 0 ? Math.min(100, Math.round((item.loaded / item.total) * 100)) : 100;
  return (
    <li className="rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-sm" aria-label={item.fileName} data-testid="upload-item">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="font-medium text-slate-900">{item.fileName}</span>
        <span className="text-xs text-slate-500">{formatBytes(item.size)}</span>
      </div>
      {item.state !== "refused" && (
        <div className="mt-2 flex items-center gap-3">
          <progress className="h-2 w-full max-w-md" value={item.loaded} max={item.total || 1} aria-label={`Upload of ${item.fileName}`} />
          <span className="num w-24 text-xs text-slate-600">{item.state === "uploading" ? `${percent}% sent` : "Sent"}</span>
        </div>
      )}
      {item.state === "refused" && <p role="alert" className="mt-2 rounded-md bg-red-50 px-3 py-2 text-red-800">{item.error}</p>}
      {item.previousImports && item.previousImports.length > 0 && <PreviousImportsNotice previous={item.previousImports} />}
      {item.importId && <ImportProgress importId={item.importId} />}
    </li>
  );
}

function PreviousImportsNotice({ previous }: { previous: PreviousImport[] }) {
  return (
    <div role="note" className="mt-2 rounded-md bg-amber-50 px-3 py-2 text-amber-900">
      {previous.map((p) => (
        <p key={p.id}>
          This exact file was already imported on {formatDateTime(p.createdAt)}
          {p.createdBy ? ` by ${p.createdBy}` : ""} (<Link href={`/imports/${p.id}`} className="underline">{p.fileName}</Link>, {p.status}).
        </p>
      ))}
      <p className="mt-1 text-xs">You may go on: rows already in the ledger are recognised and skipped, so nothing is added twice.</p>
    </div>
  );
}

/** Asks for the import's state every second while a job works on it. */
function ImportProgress({ importId }: { importId: string }) {
  const query = useQuery({
    queryKey: importQueryKey(importId),
    queryFn: () => getImport(importId),
    refetchInterval: (q) => (isActive(q.state.data?.status) ? 1000 : false),
    staleTime: 0,
  });
  const imp = query.data;
  if (!imp) {
    return query.isError
      ? <p role="alert" className="mt-2 text-red-800">{query.error.message}</p>
      : <p className="mt-2 text-slate-600">Waiting for the import to start…</p>;
  }
  // Progress counts while parsing; once a later step replaces it, the parse metrics keep the count.
  const records = typeof imp.progress.records === "number" ? imp.progress.records : typeof imp.metrics.fetched === "number" ? imp.metrics.fetched : null;
  const d = imp.dryRun;
  return (
    <div className="mt-3 space-y-2" role="status" aria-live="polite">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
        <ImportStatusBadge status={imp.status} />
        {records !== null && <span className="num text-slate-700">{plural(records, "row")} read{d && d.errors > 0 ? `, ${d.errors} with an error` : ""}</span>}
        {imp.format && <span className="text-slate-600">Format: <span className="font-medium">{imp.format}</span></span>}
        {imp.encoding && <span className="text-slate-600">Encoding: <span className="font-medium">{imp.encoding}</span></span>}
      </div>
      {imp.error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-red-800">{imp.error.message}</p>}
      {d && <p className="text-slate-700">Dry run: {dryRunSummary(d)}.</p>}
      <Link href={`/imports/${imp.id}`} className="inline-block font-medium text-brand-700 underline">Review</Link>
    </div>
  );
}
