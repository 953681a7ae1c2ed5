"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { DryRun } from "@/lib/ingest/classify";
import { ImportProfileView } from "./import-profile";
import { ImportRows } from "./import-rows";
import {
  ImportStatusBadge,
  blockedReason,
  fetchJson,
  formatBytes,
  formatDateTime,
  getImport,
  importQueryKey,
  isActive,
  plural,
  type ImportJson,
  type PreviousImport,
} from "./import-status";

export interface ImportReviewProps {
  initial: ImportJson;
  /** Uploaders and admins act on imports; everyone else reads. */
  canAct: boolean;
  accountName: string | null;
  previousImports: PreviousImport[];
}

export function ImportReview({ initial, canAct, accountName, previousImports }: ImportReviewProps) {
  const queryClient = useQueryClient();
  const key = importQueryKey(initial.id);
  const query = useQuery({
    queryKey: key,
    queryFn: () => getImport(initial.id),
    initialData: initial,
    staleTime: 0,
    refetchInterval: (q) => (isActive(q.state.data?.status) ? 1000 : false),
  });
  const imp = query.data;
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["import", initial.id] });

  const commit = useMutation({
    mutationFn: () => fetchJson<{ status: string; dryRun: DryRun }>(`/api/imports/${imp.id}/commit`, { method: "POST" }),
    onSettled: refresh,
  });
  const excludeErrors = useMutation({
    mutationFn: () =>
      fetchJson<unknown>(`/api/imports/${imp.id}/rows/exclude`, { method: "POST", body: JSON.stringify({ rowNos: "errors", excluded: true }) }),
    onSettled: refresh,
  });
  const revert = useMutation({
    mutationFn: () => fetchJson<{ removed: number }>(`/api/imports/${imp.id}/revert`, { method: "POST" }),
    onSettled: refresh,
  });
  const actionError = [commit, excludeErrors, revert].find((m) => m.isError)?.error;
  const busy = commit.isPending || excludeErrors.isPending || revert.isPending;

  const d = imp.dryRun;
  const reason = d ? blockedReason(d) : null;
  // Progress counts while parsing; once a later step replaces it, the parse metrics keep the count.
  const records = typeof imp.progress.records === "number" ? imp.progress.records : typeof imp.metrics.fetched === "number" ? imp.metrics.fetched : null;

  return (
    <div className="space-y-6">
      <section aria-label="Status" className="rounded-xl border border-slate-200 bg-white p-5 text-sm shadow-sm">
        <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
          <ImportStatusBadge status={imp.status} />
          {records !== null && <span className="num text-slate-700">{plural(records, "row")} read</span>}
          {imp.format && <span className="text-slate-600">Format: <span className="font-medium text-slate-900">{imp.format}</span></span>}
          {imp.encoding && <span className="text-slate-600">Encoding: <span className="font-medium text-slate-900">{imp.encoding}</span></span>}
          <span className="text-slate-600">{formatBytes(Number(imp.byteSize))}</span>
          <span className="text-slate-600">Uploaded {formatDateTime(imp.createdAt)}</span>
          {accountName && <span className="text-slate-600">Account for unnamed rows: <span className="font-medium text-slate-900">{accountName}</span></span>}
          {imp.committedAt && <span className="text-slate-600">Committed {formatDateTime(imp.committedAt)}</span>}
          {imp.revertedAt && <span className="text-slate-600">Reverted {formatDateTime(imp.revertedAt)}</span>}
        </div>
        {imp.error && <p role="alert" className="mt-3 rounded-md bg-red-50 px-3 py-2 text-red-800">{imp.error.message}</p>}
        {previousImports.length > 0 && (
          <div role="note" className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-amber-900">
            {previousImports.map((p) => (
              <p key={p.id}>
                The same file was also imported on {formatDateTime(p.createdAt)}{p.createdBy ? ` by ${p.createdBy}` : ""} (
                <Link href={`/imports/${p.id}`} className="underline">{p.fileName}</Link>, {p.status}). Rows already in the ledger are skipped.
              </p>
            ))}
          </div>
        )}
      </section>

      {d && <DryRunTable dryRun={d} committed={imp.status === "committed" || imp.status === "reverted"} metrics={imp.metrics} />}

      {canAct && (imp.status === "staged" || imp.status === "committed") && (
        <section aria-label="Actions" className="space-y-3">
          <div className="flex flex-wrap items-center gap-3">
            {imp.status === "staged" && (
              <button type="button" disabled={busy || reason !== null} onClick={() => commit.mutate()}
                aria-describedby={reason ? "commit-blocked" : undefined}
                className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600">
                Commit {d ? plural(d.new, "new row") : ""} to the ledger
              </button>
            )}
            {imp.status === "staged" && d && d.errors > 0 && (
              <button type="button" disabled={busy} onClick={() => excludeErrors.mutate()}
                className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-50">
                Exclude rows with errors
              </button>
            )}
            {imp.status === "committed" && (
              <button type="button" disabled={busy}
                onClick={() => {
                  const n = typeof imp.metrics.imported === "number" ? imp.metrics.imported : null;
                  const what = n === null ? "this import's rows" : `the ${plural(n, "row")} this import added`;
                  if (window.confirm(`Remove ${what} from the ledger? The file and the record of this import stay.`)) revert.mutate();
                }}
                className="rounded-md border border-red-300 bg-white px-4 py-2 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-50">
                Revert
              </button>
            )}
          </div>
          {imp.status === "staged" && reason && <p id="commit-blocked" className="text-sm text-amber-900">{reason}</p>}
        </section>
      )}
      {/* Outside the actions: they disappear once the status moves on, the outcome should not. */}
      {actionError && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{actionError.message}</p>}
      {revert.data && <p role="status" className="text-sm text-slate-700">{plural(revert.data.removed, "row")} removed from the ledger.</p>}

      {imp.profile && <ImportProfileView profile={imp.profile} />}
      {d && <ImportRows importId={imp.id} status={imp.status} />}
    </div>
  );
}

const METRIC_LABELS: Record<string, string> = {
  imported: "Added to the ledger",
  exactDuplicates: "Skipped as already in the ledger",
  flagged: "Held as likely duplicates",
  excluded: "Excluded",
  reverted: "Removed by revert",
};

function DryRunTable({ dryRun: d, committed, metrics }: { dryRun: DryRun; committed: boolean; metrics: ImportJson["metrics"] }) {
  const rows: [keyof DryRun, string, string, string?][] = [
    ["new", "New", "inserted at commit"],
    ["exactDuplicates", "Exact duplicates", "already in the ledger or earlier in this file; skipped"],
    ["likelyDuplicates", "Likely duplicates", "held for a reviewer in Duplicate review"],
    ["blocked", "Blocked", "rows with errors and rows of unmapped accounts", "font-medium"],
    ["errors", "with errors", "to correct or exclude", "pl-6"],
    ["unmapped", "unmapped account", "an admin maps the external account", "pl-6"],
    ["excluded", "Excluded", "left out by a reviewer"],
    ["total", "Total", "", "font-medium"],
  ];
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-5 text-sm shadow-sm">
      <h2 className="text-base font-medium text-slate-900">{committed ? "What commit did with each row" : "Dry run: what commit will do"}</h2>
      <table aria-label="Dry run" className="mt-3 min-w-[28rem] text-sm">
        <tbody className="divide-y divide-slate-100">
          {rows.map(([key, label, hint, cls]) => (
            <tr key={key}>
              <th scope="row" className={`py-1.5 pr-6 text-left font-normal text-slate-800 ${cls ?? ""}`}>{label}</th>
              <td className={`num py-1.5 pr-6 text-right ${d[key] > 0 && key === "blocked" ? "text-red-700" : ""}`} data-testid={`dry-run-${key}`}>{d[key]}</td>
              <td className="py-1.5 text-slate-500">{hint}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {committed && (
        <dl className="mt-4 grid grid-cols-[auto_auto] justify-start gap-x-6 gap-y-1">
          {Object.entries(METRIC_LABELS).filter(([k]) => typeof metrics[k] === "number").map(([k, label]) => (
            <div key={k} className="contents">
              <dt className="text-slate-600">{label}</dt>
              <dd className="num">{String(metrics[k])}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
