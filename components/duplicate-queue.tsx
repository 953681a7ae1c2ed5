"use client";

import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { DuplicateCandidate } from "@/lib/db/queries/duplicates";
import { EmptyState } from "./ui";
import { formatDateTime, plural } from "./import-status";
import { DuplicateCard, type CandidateJson } from "./duplicate-card";

type Tab = "pending" | "approved" | "rejected";
type Decision = "approve" | "reject";

interface QueuePageJson {
  rows: CandidateJson[];
  nextAfter: string | null;
}
interface DecisionJson {
  decided: number[];
  alreadyDecided: { id: number; status: DuplicateCandidate["status"]; decidedBy: string | null }[];
  alreadyInLedger: number[];
  notFound: number[];
}
interface UndoJson {
  undone: number[];
}

const TABS: { id: Tab; label: string }[] = [
  { id: "pending", label: "Waiting" },
  { id: "approved", label: "Approved" },
  { id: "rejected", label: "Rejected" },
];
const PAGE_SIZE = 200;
/** The API decides at most 500 at a time; bigger selections go in several requests. */
const MAX_PER_REQUEST = 500;

export const duplicatesQueryKey = (status: Tab) => ["duplicates", status] as const;

class RequestError extends Error {}

/** POSTs JSON; answers the body for 2xx and for the statuses the caller expects (409 here), else throws the API's message. */
async function postJson<T>(url: string, body: unknown, accept: number[] = []): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { accept: "application/json", "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await response.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
  if (json && (response.ok || accept.includes(response.status))) return json;
  throw new RequestError(json?.error?.message ?? `The request failed (HTTP ${response.status}). Try again.`);
}

async function getQueuePage(status: Tab, after: string | null): Promise<QueuePageJson> {
  const params = new URLSearchParams({ status, limit: String(PAGE_SIZE) });
  if (after) params.set("after", after);
  const response = await fetch(`/api/duplicates?${params}`, { headers: { accept: "application/json" } });
  const json = (await response.json().catch(() => null)) as (QueuePageJson & { error?: { message?: string } }) | null;
  if (!response.ok || !json) throw new RequestError(json?.error?.message ?? `The queue could not be loaded (HTTP ${response.status}).`);
  return json;
}

function useQueue(status: Tab) {
  return useInfiniteQuery({
    queryKey: duplicatesQueryKey(status),
    queryFn: ({ pageParam }) => getQueuePage(status, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextAfter,
    staleTime: 0,
  });
}

const pastTense = (d: Decision) => (d === "approve" ? "approved" : "rejected");

function describeAlready(a: DecisionJson["alreadyDecided"][number]): string {
  if (a.status === "pending") return `#${a.id} is still waiting`;
  return `#${a.id} was already ${a.status}${a.decidedBy ? ` by ${a.decidedBy}` : ""}`;
}

function decisionMessage(decision: Decision, r: DecisionJson): string {
  const parts: string[] = [];
  if (r.decided.length > 0) {
    const n = r.decided.length - r.alreadyInLedger.length;
    parts.push(
      decision === "approve"
        ? `Approved ${plural(r.decided.length, "duplicate")}: ${plural(n, "row")} added to the ledger.`
        : `Rejected ${plural(r.decided.length, "duplicate")}: kept out of the ledger.`,
    );
  }
  if (r.alreadyInLedger.length > 0) {
    parts.push(`${plural(r.alreadyInLedger.length, "row was", "rows were")} already in the ledger, so nothing was added twice.`);
  }
  if (r.alreadyDecided.length > 0) {
    const shown = r.alreadyDecided.slice(0, 5).map(describeAlready).join("; ");
    const more = r.alreadyDecided.length > 5 ? `; and ${r.alreadyDecided.length - 5} more` : "";
    parts.push(`Someone decided first: ${shown}${more}.`);
  }
  if (r.notFound.length > 0) parts.push(`${plural(r.notFound.length, "duplicate")} no longer exist${r.notFound.length === 1 ? "s" : ""} in this workspace.`);
  return parts.join(" ");
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit"].includes(target.type);
}

export function DuplicateQueue() {
  const queryClient = useQueryClient();
  const [tab, setTab] = useState<Tab>("pending");
  const queues = { pending: useQueue("pending"), approved: useQueue("approved"), rejected: useQueue("rejected") };
  const current = queues[tab];
  const rows = useMemo(() => current.data?.pages.flatMap((p) => p.rows) ?? [], [current.data]);

  const [active, setActive] = useState(0);
  const [checked, setChecked] = useState<ReadonlySet<number>>(new Set());
  const lastClicked = useRef<number | null>(null);
  const [notice, setNotice] = useState<{ tone: "ok" | "warn" | "error"; text: string } | null>(null);
  const [last, setLast] = useState<{ ids: number[]; decision: Decision } | null>(null);
  const listRef = useRef<HTMLUListElement>(null);

  const pendingRows = useMemo(() => queues.pending.data?.pages.flatMap((p) => p.rows) ?? [], [queues.pending.data]);
  const activeIndex = Math.min(active, Math.max(rows.length - 1, 0));
  const activeRow = tab === "pending" ? pendingRows[activeIndex] : undefined;

  // Checked ids that have left the queue (decided here or elsewhere) are no longer selected.
  useEffect(() => {
    const present = new Set(pendingRows.map((r) => r.id));
    setChecked((c) => {
      const kept = [...c].filter((id) => present.has(id));
      return kept.length === c.size ? c : new Set(kept);
    });
  }, [pendingRows]);

  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>("[aria-current='true']")?.scrollIntoView({ block: "nearest" });
  }, [activeIndex, tab]);

  const refreshAll = useCallback(async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ["duplicates"] }),
      queryClient.invalidateQueries({ queryKey: ["imports"] }),
      queryClient.invalidateQueries({ queryKey: ["transactions"] }),
      queryClient.invalidateQueries({ queryKey: ["accounts"] }),
    ]);
  }, [queryClient]);

  /** Takes decided rows out of the waiting list at once, before the refetch confirms it. */
  const dropFromPending = useCallback(
    (ids: readonly number[]) => {
      const gone = new Set(ids);
      queryClient.setQueryData<InfiniteData<QueuePageJson, string | null>>(duplicatesQueryKey("pending"), (data) =>
        data ? { ...data, pages: data.pages.map((p) => ({ ...p, rows: p.rows.filter((r) => !gone.has(r.id)) })) } : data,
      );
    },
    [queryClient],
  );

  const decide = useMutation({
    mutationFn: async ({ ids, decision }: { ids: number[]; decision: Decision }) => {
      const merged: DecisionJson = { decided: [], alreadyDecided: [], alreadyInLedger: [], notFound: [] };
      for (const part of chunks(ids, MAX_PER_REQUEST)) {
        const r = await postJson<DecisionJson>("/api/duplicates/decide", { ids: part, decision }, [409]);
        merged.decided.push(...r.decided);
        merged.alreadyDecided.push(...r.alreadyDecided);
        merged.alreadyInLedger.push(...r.alreadyInLedger);
        merged.notFound.push(...(r.notFound ?? []));
      }
      return merged;
    },
    onSuccess: (r, { decision }) => {
      dropFromPending([...r.decided, ...r.alreadyDecided.filter((a) => a.status !== "pending").map((a) => a.id), ...r.notFound]);
      if (r.decided.length > 0) setLast({ ids: r.decided, decision });
      const warn = r.alreadyDecided.length > 0 || r.notFound.length > 0;
      setNotice({ tone: r.decided.length === 0 ? "error" : warn ? "warn" : "ok", text: decisionMessage(decision, r) });
    },
    onError: (error) => setNotice({ tone: "error", text: error.message }),
    // Refresh in the background: waiting for it would keep the mutation pending, and the keys (A, R, U)
    // pressed meanwhile would be ignored without a word.
    onSettled: () => void refreshAll(),
  });

  const undo = useMutation({
    mutationFn: (ids: number[]) => postJson<UndoJson>("/api/duplicates/undo", { ids }),
    onSuccess: (r, ids) => {
      const what = last ? `${last.decision === "approve" ? "approval" : "rejection"} of ${plural(r.undone.length, "duplicate")}` : plural(r.undone.length, "decision");
      const missed = ids.length - r.undone.length;
      setNotice({
        tone: missed > 0 ? "warn" : "ok",
        text: `Undid the ${what}; back in the queue.${missed > 0 ? ` ${plural(missed, "decision")} could not be undone (only your own of the last 10 minutes can).` : ""}`,
      });
      setLast(null);
    },
    onError: (error) => setNotice({ tone: "error", text: error.message }),
    onSettled: () => void refreshAll(),
  });

  const busy = decide.isPending || undo.isPending;
  const decideIds = useCallback(
    (ids: number[], decision: Decision) => {
      if (ids.length === 0 || busy) return;
      decide.mutate({ ids, decision });
    },
    [busy, decide],
  );
  const undoLast = useCallback(() => {
    if (last && !busy) undo.mutate(last.ids);
  }, [busy, last, undo]);

  const toggle = useCallback((id: number, index: number, range: boolean) => {
    const anchor = range ? lastClicked.current : null;
    lastClicked.current = index;
    setChecked((c) => {
      const next = new Set(c);
      const on = !c.has(id);
      if (anchor !== null) {
        const [from, to] = [Math.min(anchor, index), Math.max(anchor, index)];
        for (const r of pendingRows.slice(from, to + 1)) {
          if (on) next.add(r.id);
          else next.delete(r.id);
        }
      } else if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, [pendingRows]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTextEntry(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === "u") {
        e.preventDefault();
        undoLast();
        return;
      }
      if (tab !== "pending") {
        if (key === "j" || key === "arrowdown") setActive((i) => Math.min(i + 1, Math.max(rows.length - 1, 0)));
        if (key === "k" || key === "arrowup") setActive((i) => Math.max(i - 1, 0));
        return;
      }
      if (key === "j" || key === "arrowdown") {
        e.preventDefault();
        setActive((i) => Math.min(i + 1, Math.max(pendingRows.length - 1, 0)));
      } else if (key === "k" || key === "arrowup") {
        e.preventDefault();
        setActive((i) => Math.max(i - 1, 0));
      } else if ((key === "a" || key === "r") && activeRow) {
        e.preventDefault();
        decideIds([activeRow.id], key === "a" ? "approve" : "reject");
      } else if ((key === "x" || key === " ") && activeRow && !(e.target instanceof HTMLInputElement)) {
        e.preventDefault();
        toggle(activeRow.id, activeIndex, e.shiftKey);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [activeIndex, activeRow, decideIds, pendingRows.length, rows.length, tab, toggle, undoLast]);

  const count = (t: Tab) => {
    const q = queues[t];
    if (!q.data) return "…";
    const n = q.data.pages.reduce((sum, p) => sum + p.rows.length, 0);
    return q.hasNextPage ? `${n}+` : String(n);
  };

  const checkedIds = pendingRows.filter((r) => checked.has(r.id)).map((r) => r.id);
  const allChecked = pendingRows.length > 0 && checkedIds.length === pendingRows.length;

  return (
    <div className="space-y-4">
      <div role="tablist" aria-label="Duplicates by decision" className="flex gap-1 border-b border-slate-200">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" id={`dup-tab-${t.id}`} aria-selected={tab === t.id} aria-controls="dup-panel"
            onClick={() => { setTab(t.id); setActive(0); }}
            className={`-mb-px rounded-t-md border-b-2 px-4 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-brand-600 ${
              tab === t.id ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}>
            {t.label} <span className="num ml-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700" data-testid={`count-${t.id}`}>{count(t.id)}</span>
          </button>
        ))}
      </div>

      {notice && (
        <div role="status" className={`flex flex-wrap items-center justify-between gap-3 rounded-lg border px-4 py-2 text-sm ${
          notice.tone === "ok" ? "border-emerald-200 bg-emerald-50 text-emerald-900" : notice.tone === "warn" ? "border-amber-200 bg-amber-50 text-amber-900" : "border-red-200 bg-red-50 text-red-800"}`}>
          <span data-testid="duplicate-notice">{notice.text}</span>
        </div>
      )}

      <div id="dup-panel" role="tabpanel" aria-labelledby={`dup-tab-${tab}`} className="space-y-3">
        {tab === "pending" && pendingRows.length > 0 && (
          <div className="sticky top-0 z-10 flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-white/95 px-4 py-2 text-sm shadow-sm backdrop-blur">
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={allChecked} onChange={() => setChecked(allChecked ? new Set() : new Set(pendingRows.map((r) => r.id)))}
                className="h-4 w-4 accent-brand-600" />
              Select all shown
            </label>
            <span className="text-slate-500" data-testid="selected-count">{plural(checkedIds.length, "selected", "selected")}</span>
            <button type="button" disabled={busy || checkedIds.length === 0} onClick={() => decideIds(checkedIds, "approve")}
              className="rounded-md bg-emerald-700 px-3 py-1.5 font-medium text-white hover:bg-emerald-800 disabled:cursor-not-allowed disabled:opacity-40">
              Approve selected ({checkedIds.length})
            </button>
            <button type="button" disabled={busy || checkedIds.length === 0} onClick={() => decideIds(checkedIds, "reject")}
              className="rounded-md bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-40">
              Reject selected ({checkedIds.length})
            </button>
            <span className="ml-auto hidden text-xs text-slate-500 lg:inline">
              Keys: <kbd>J</kbd>/<kbd>K</kbd> or arrows move · <kbd>A</kbd> approve · <kbd>R</kbd> reject · <kbd>X</kbd> select · <kbd>U</kbd> undo
            </span>
          </div>
        )}
        {last && (
          <div className="flex items-center gap-3 text-sm text-slate-600">
            <span>Last decision: {pastTense(last.decision)} {plural(last.ids.length, "duplicate")}.</span>
            <button type="button" onClick={undoLast} disabled={busy}
              className="rounded-md border border-slate-300 bg-white px-3 py-1 font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-40">
              Undo <kbd className="ml-1 text-xs text-slate-500">U</kbd>
            </button>
          </div>
        )}

        {current.isError ? (
          <p role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">{current.error.message}</p>
        ) : current.isPending ? (
          <p className="text-sm text-slate-500" role="status">Loading the duplicates…</p>
        ) : rows.length === 0 ? (
          tab === "pending" ? (
            <EmptyState title="No likely duplicates waiting">
              When a commit holds rows that look like ones already in the ledger, they wait here for a reviewer.
            </EmptyState>
          ) : (
            <EmptyState title={tab === "approved" ? "Nothing approved yet" : "Nothing rejected yet"}>Decided duplicates are listed here, oldest first, with who decided them and when.</EmptyState>
          )
        ) : (
          <ul ref={listRef} aria-label={tab === "pending" ? "Likely duplicates waiting" : `Likely duplicates ${tab}`} className="space-y-3">
            {rows.map((row, index) => (
              <DuplicateCard key={row.id} row={row} active={index === activeIndex}
                onActivate={() => setActive(index)}
                selection={tab === "pending" ? { checked: checked.has(row.id), onToggle: (range) => toggle(row.id, index, range) } : null}
                actions={tab === "pending" ? { busy, onDecide: (d) => { setActive(index); decideIds([row.id], d); } } : null}
                decided={row.decidedAt ? `${row.status === "approved" ? "Approved" : "Rejected"} by ${row.decidedBy ?? "someone no longer in this workspace"} on ${formatDateTime(row.decidedAt)}` : null} />
            ))}
          </ul>
        )}
        {current.hasNextPage && (
          <button type="button" onClick={() => void current.fetchNextPage()} disabled={current.isFetchingNextPage}
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">
            {current.isFetchingNextPage ? "Loading…" : "Show more"}
          </button>
        )}
      </div>
    </div>
  );
}
