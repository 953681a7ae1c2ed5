"use client";
/**
 * One connection: health, "Test connection" (the provider's own answer in words), "Sync now" (queued;
 * the page follows it while it runs), pause/resume, and the history of syncs with what each imported.
 */
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Card, PageHeader } from "./ui";
import { fetchJson, formatDateTime, plural } from "./import-status";
import { ConnectionStatusBadge, connectionsQueryKey, healthText, historyQueryKey, scheduleText, typeLabel, when, type ConnectionJson } from "./connection-status";

interface HistoryJson {
  connection: ConnectionJson;
  pending: "queued" | "running" | null;
  syncs: {
    at: string;
    by: string | null;
    ok: boolean;
    error: string | null;
    counts: { files: number; committed: number; needsReview: number; failed: number; imported: number; unchanged: number };
    imports: { id: string; fileName: string; status: string; metrics: Record<string, unknown> }[];
  }[];
}

const buttonClass = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-50";

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

/** `children`: what the page adds below the health card (the callback addresses), rendered on the server's say. */
export function ConnectionDetail({ id, name, children }: { id: string; name: string; children?: React.ReactNode }) {
  const client = useQueryClient();
  const history = useQuery({
    queryKey: historyQueryKey(id),
    queryFn: () => fetchJson<HistoryJson>(`/api/connections/${id}/history`),
    // Follow a queued or running sync until it is done.
    refetchInterval: (q) => (q.state.data?.pending ? 1500 : false),
  });
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: historyQueryKey(id) }), client.invalidateQueries({ queryKey: connectionsQueryKey, exact: true })]);
  const test = useMutation({ mutationFn: () => fetchJson<{ ok: boolean; message: string }>(`/api/connections/${id}/test`, { method: "POST" }) });
  const sync = useMutation({ mutationFn: () => fetchJson<{ state: string }>(`/api/connections/${id}/sync`, { method: "POST" }), onSettled: refresh });
  const pause = useMutation({ mutationFn: (action: "pause" | "resume") => fetchJson<ConnectionJson>(`/api/connections/${id}/${action}`, { method: "POST" }), onSettled: refresh });

  const c = history.data?.connection;
  const pending = history.data?.pending ?? null;
  return (
    <>
      <PageHeader
        title={name}
        description={c ? `${typeLabel(c.type)} · ${scheduleText(c.schedule)}` : undefined}
        actions={
          <div className="flex flex-wrap gap-2">
            <button type="button" className={buttonClass} onClick={() => test.mutate()} disabled={test.isPending}>{test.isPending ? "Testing…" : "Test connection"}</button>
            <button type="button" className={buttonClass} onClick={() => sync.mutate()} disabled={sync.isPending || !c || c.status === "paused" || pending !== null}>
              {pending === "running" ? "Syncing…" : pending === "queued" ? "Sync queued…" : "Sync now"}
            </button>
            {c && (
              <button type="button" className={buttonClass} onClick={() => pause.mutate(c.status === "paused" ? "resume" : "pause")} disabled={pause.isPending}>
                {c.status === "paused" ? "Resume" : "Pause"}
              </button>
            )}
          </div>
        }
      />
      <p className="-mt-4 mb-4 text-sm"><Link href="/connections" className="text-brand-700 underline">All connections</Link></p>

      <div aria-live="polite" className="space-y-2">
        {test.isSuccess && (
          <p role="status" data-testid="test-result" className={`rounded-md px-3 py-2 text-sm ${test.data.ok ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-900"}`}>
            <strong>{test.data.ok ? "Connection works. " : "Connection failed. "}</strong>
            {test.data.message}
          </p>
        )}
        {test.isError && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">{test.error.message}</p>}
        {sync.isError && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">{sync.error.message}</p>}
        {pause.isError && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">{pause.error.message}</p>}
        {pending && <p role="status" className="rounded-md bg-brand-50 px-3 py-2 text-sm text-slate-800">{pending === "running" ? "A sync is running…" : "A sync is queued and will start shortly…"}</p>}
      </div>

      {history.isPending && <p role="status" className="text-sm text-slate-600">Loading…</p>}
      {history.isError && <p role="alert" className="text-sm text-red-700">This connection could not be loaded: {history.error.message}</p>}
      {c && (
        <Card className="mt-4 p-4">
          <h2 className="sr-only">Health</h2>
          <dl className="grid gap-4 sm:grid-cols-3 lg:grid-cols-4">
            <Fact label="Status"><ConnectionStatusBadge status={c.status} /></Fact>
            <Fact label="Health"><span data-testid="connection-health">{healthText(c)}</span></Fact>
            <Fact label="Last sync">{when(c.lastSyncAt, "Never")}</Fact>
            <Fact label="Last success">{when(c.lastSuccessAt, "Never")}</Fact>
            <Fact label="Failures in a row">{c.consecutiveFailures}</Fact>
            <Fact label="Next attempt">{c.status === "paused" ? "Paused" : when(c.nextSyncAt, "When someone syncs it")}</Fact>
            {c.nextAllowedSyncAt && new Date(c.nextAllowedSyncAt) > new Date() && <Fact label="Provider allows the next sync at">{when(c.nextAllowedSyncAt)}</Fact>}
            {c.lastError && (
              <div className="sm:col-span-3 lg:col-span-4">
                <dt className="text-xs uppercase tracking-wide text-slate-500">Last error</dt>
                <dd className="mt-0.5 text-sm text-red-800">{c.lastError.message} <span className="text-slate-500">({formatDateTime(c.lastError.at)})</span></dd>
              </div>
            )}
          </dl>
        </Card>
      )}
      {children}

      {history.data && (
        <section className="mt-6">
          <h2 className="mb-2 text-lg font-semibold">Sync history</h2>
          {history.data.syncs.length === 0 ? (
            <p className="text-sm text-slate-600">No syncs yet. Press “Sync now”, or wait for the schedule.</p>
          ) : (
            <Card className="overflow-x-auto">
              <table className="min-w-full text-sm" aria-label="Sync history">
                <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <th className="px-4 py-2">When</th><th className="px-4 py-2">Result</th><th className="px-4 py-2 text-right">Files</th>
                    <th className="px-4 py-2 text-right">Rows imported</th><th className="px-4 py-2 text-right">Needs review</th>
                    <th className="px-4 py-2 text-right">Could not be read</th><th className="px-4 py-2">Imports</th><th className="px-4 py-2">By</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {history.data.syncs.map((s, i) => (
                    <tr key={`${s.at}-${i}`} className="align-top">
                      <td className="whitespace-nowrap px-4 py-2">{formatDateTime(s.at)}</td>
                      <td className="px-4 py-2">{s.ok ? <span className="text-emerald-800">Worked</span> : <span className="text-red-800">Failed: {s.error}</span>}</td>
                      <td className="num px-4 py-2 text-right">{s.counts.files}{s.counts.unchanged ? <span className="text-slate-500"> (+{s.counts.unchanged} unchanged)</span> : null}</td>
                      <td className="num px-4 py-2 text-right">{s.counts.imported}</td>
                      <td className="num px-4 py-2 text-right">{s.counts.needsReview}</td>
                      <td className="num px-4 py-2 text-right">{s.counts.failed}</td>
                      <td className="px-4 py-2">
                        {s.imports.length === 0 ? "—" : (
                          <ul className="space-y-0.5">
                            {s.imports.map((imp) => (
                              <li key={imp.id}>
                                <Link href={`/imports/${imp.id}`} className="text-brand-700 underline">{imp.fileName}</Link>{" "}
                                <span className="text-slate-600">· {imp.status}{typeof imp.metrics.imported === "number" ? ` · ${plural(imp.metrics.imported, "row")} imported` : ""}</span>
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                      <td className="px-4 py-2 text-slate-600">{s.by ?? "Schedule"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
          )}
        </section>
      )}
    </>
  );
}
