"use client";

import type { ReactNode } from "react";
import { useEffect, useRef } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { DryRun } from "@/lib/ingest/classify";
import { ImportProfileView } from "./import-profile";
import { ReviewTable } from "./review-table";
import { RowsByStatus } from "./review-charts";
import { amountsQueryKey } from "./amounts-chart";
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
  /** Amounts over time, drawn on the server and streamed in (Suspense). */
  chart?: ReactNode;
}

type AccountOption = { id: string; name: string; currency: string; number: string | null };

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  }
  return out;
}

export function ImportReview({ initial, canAct, accountName, previousImports, chart }: ImportReviewProps) {
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
  // After a change to many rows (exclude all errors, the file's account, commit, revert): the summary and
  // the chart are read again, and the rows start over from their first page instead of re-reading every
  // loaded page.
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: key, exact: true }),
      queryClient.invalidateQueries({ queryKey: amountsQueryKey(initial.id), exact: true }),
      queryClient.resetQueries({ queryKey: ["import", initial.id, "rows"] }),
    ]);
  // When a job settles (parsing or committing ends), the server-drawn parts (chart, names) are redrawn.
  const router = useRouter();
  const lastStatus = useRef(initial.status);
  useEffect(() => {
    if (isActive(lastStatus.current) && !isActive(imp.status)) router.refresh();
    lastStatus.current = imp.status;
  }, [imp.status, router]);

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
  const parser = (imp.profile?.parser ?? {}) as Record<string, unknown>;
  const columnMapping = stringMap(parser.columnMapping);
  // A file that names no account (a bank CSV or spreadsheet) takes the account chosen for it.
  const needsAccount = parser.accountFromFile === false || imp.accountId !== null;

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
          {accountName && !needsAccount && <span className="text-slate-600">Account for unnamed rows: <span className="font-medium text-slate-900">{accountName}</span></span>}
          {imp.committedAt && <span className="text-slate-600">Committed {formatDateTime(imp.committedAt)}</span>}
          {imp.revertedAt && <span className="text-slate-600">Reverted {formatDateTime(imp.revertedAt)}</span>}
        </div>
        {isActive(imp.status) && (
          <div className="mt-3 flex items-center gap-3" role="status" aria-live="polite">
            <progress className="h-2 w-full max-w-md" aria-label={imp.status === "committing" ? "Adding the rows to the ledger" : "Reading the file"} />
            <span className="text-slate-700">
              {imp.status === "committing"
                ? "Adding the rows to the ledger…"
                : imp.status === "uploaded"
                  ? "Waiting for a worker to read the file…"
                  : `Reading the file${records !== null ? `: ${plural(records, "row")} so far` : "…"}`}
            </span>
          </div>
        )}
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

      {needsAccount && d && (
        <AccountChooser importId={imp.id} accountId={imp.accountId} accountName={accountName} editable={canAct && imp.status === "staged"} onChanged={refresh} />
      )}

      {d && (
        <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
          <DryRunTable dryRun={d} committed={imp.status === "committed" || imp.status === "reverted"} metrics={imp.metrics}>
            {canAct && (imp.status === "staged" || imp.status === "committed") && (
              <section aria-label="Actions" className="mt-4 space-y-3 border-t border-slate-100 pt-4">
                <div className="flex flex-wrap items-center gap-3">
                  {imp.status === "staged" && (
                    <button type="button" disabled={busy || reason !== null} onClick={() => commit.mutate()}
                      aria-describedby={reason ? "commit-blocked" : undefined}
                      className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600">
                      Commit {plural(d.new, "new row")} to the ledger
                    </button>
                  )}
                  {imp.status === "staged" && d.errors > 0 && (
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
            {actionError && <p role="alert" className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{actionError.message}</p>}
            {revert.data && <p role="status" className="mt-3 text-sm text-slate-700">{plural(revert.data.removed, "row")} removed from the ledger.</p>}
          </DryRunTable>
          <section aria-label="Charts" className="space-y-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <RowsByStatus dryRun={d} />
            {chart}
          </section>
        </div>
      )}

      {imp.profile && <ImportProfileView profile={imp.profile} />}
      {d && <FileIssues importId={imp.id} />}
      {d && <ReviewTable importId={imp.id} importStatus={imp.status} dryRun={d} canAct={canAct} columnMapping={columnMapping} />}
    </div>
  );
}

function AccountChooser({ importId, accountId, accountName, editable, onChanged }: { importId: string; accountId: string | null; accountName: string | null; editable: boolean; onChanged: () => unknown }) {
  const accounts = useQuery({
    queryKey: ["accounts"],
    queryFn: () => fetchJson<{ accounts: AccountOption[] }>("/api/accounts"),
    enabled: editable,
  });
  const choose = useMutation({
    mutationFn: (id: string | null) => fetchJson<unknown>(`/api/imports/${importId}/account`, { method: "PATCH", body: JSON.stringify({ accountId: id }) }),
    onSettled: onChanged,
  });
  const current = accounts.data?.accounts.find((a) => a.id === accountId);
  return (
    <section aria-label="Account" className="rounded-xl border border-slate-200 bg-white p-5 text-sm shadow-sm">
      <h2 className="text-base font-medium text-slate-900">Account</h2>
      <p className="mt-1 text-slate-600">This file does not say which account it belongs to. Its rows go into the account chosen here.</p>
      {editable ? (
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <label htmlFor="import-account" className="text-slate-700">Account for this file</label>
          <select
            id="import-account"
            value={accountId ?? ""}
            disabled={choose.isPending || accounts.isPending}
            onChange={(e) => choose.mutate(e.target.value === "" ? null : e.target.value)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
          >
            <option value="">No account chosen (rows wait)</option>
            {accounts.data?.accounts.map((a) => (
              <option key={a.id} value={a.id}>{a.name} ({a.currency}){a.number ? ` · ${a.number}` : ""}</option>
            ))}
          </select>
          {choose.isPending && <span className="text-slate-500">Saving…</span>}
          {accounts.isError && <span role="alert" className="text-red-700">{accounts.error.message}</span>}
          {choose.isError && <span role="alert" className="text-red-700">{choose.error.message}</span>}
        </div>
      ) : (
        <p className="mt-2 text-slate-800">{current ? `${current.name} (${current.currency})` : accountName ?? "No account chosen yet."}</p>
      )}
    </section>
  );
}

interface FileIssue { id: string; line: number; severity: "error" | "warning" | "info"; code: string; message: string }

/** Issues of the file itself (header, balances, trailer), not of one row. */
function FileIssues({ importId }: { importId: string }) {
  const issues = useQuery({
    queryKey: ["import", importId, "issues"],
    queryFn: () => fetchJson<{ issues: FileIssue[]; nextAfter: string | null }>(`/api/imports/${importId}/issues?limit=50`),
  });
  if (!issues.data || issues.data.issues.length === 0) return null;
  return (
    <section aria-label="Issues of the file" className="rounded-xl border border-slate-200 bg-white p-5 text-sm shadow-sm">
      <h2 className="text-base font-medium text-slate-900">About the file as a whole</h2>
      <ul className="mt-2 space-y-1">
        {issues.data.issues.map((i) => (
          <li key={i.id} className={i.severity === "error" ? "text-red-800" : i.severity === "warning" ? "text-amber-900" : "text-slate-700"}>
            <span className="num text-slate-500">Line {i.line}:</span> {i.message}
          </li>
        ))}
      </ul>
      {issues.data.nextAfter !== null && <p className="mt-1 text-xs text-slate-500">More issues than shown here.</p>}
    </section>
  );
}

const METRIC_LABELS: Record<string, string> = {
  imported: "Added to the ledger",
  exactDuplicates: "Skipped as already in the ledger",
  flagged: "Held as likely duplicates",
  excluded: "Excluded",
  reverted: "Removed by revert",
};

function DryRunTable({ dryRun: d, committed, metrics, children }: { dryRun: DryRun; committed: boolean; metrics: ImportJson["metrics"]; children?: ReactNode }) {
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
      <table aria-label="Dry run" className="mt-3 w-full text-sm">
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
      {children}
    </section>
  );
}
