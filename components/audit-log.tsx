"use client";

/**
 * The audit log: newest first, filtered by action and by kind of thing, each entry with who, when,
 * what, and what changed (before → after, field by field); "Load more" pages by id (keyset).
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { fetchJson } from "./import-status";
import { Card, EmptyState } from "./ui";

interface AuditJson {
  id: string;
  at: string;
  actor: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  details: unknown;
}

const ACTIONS: [string, string][] = [
  ["import.upload", "File uploaded"],
  ["import.correct", "Row corrected"],
  ["import.exclude", "Rows excluded"],
  ["import.include", "Rows included again"],
  ["import.account", "Import account chosen"],
  ["import.commit", "Import committed"],
  ["import.revert", "Import reverted"],
  ["mapping.create", "Account mapped"],
  ["mapping.delete", "Account mapping removed"],
  ["account.create", "Account created"],
  ["duplicate.approve", "Duplicate approved"],
  ["duplicate.reject", "Duplicate rejected"],
  ["duplicate.undo", "Duplicate decision undone"],
  ["member.add", "Member added"],
  ["member.role", "Member role changed"],
  ["member.remove", "Member removed"],
  ["connection.create", "Connection created"],
  ["connection.sync", "Connection synced"],
  ["connection.update", "Connection settings changed"],
  ["connection.credentials_replaced", "Connection credentials replaced"],
];
const ACTION_WORDS = new Map(ACTIONS);
const ENTITIES: [string, string][] = [
  ["import", "Imports"],
  ["duplicate_candidate", "Duplicates"],
  ["account", "Accounts"],
  ["account_mapping", "Account mappings"],
  ["member", "Members"],
  ["connection", "Connections"],
  ["tenant", "Workspace"],
];

const PAGE_SIZE = 50;

export const auditQueryKey = (filters: { action: string; entity: string }) => ["audit", filters] as const;

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The fields of before/after side by side; only the fields that differ when both exist. */
function Changes({ before, after, details }: { before: unknown; after: unknown; details: unknown }) {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const b = isObject(before) ? before : before == null ? {} : { value: before };
  const a = isObject(after) ? after : after == null ? {} : { value: after };
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !(k in b && k in a) || show(b[k]) !== show(a[k]));
  const d = isObject(details) ? details : details == null ? {} : { details };
  return (
    <dl className="space-y-0.5 text-xs">
      {keys.map((k) => (
        <div key={k} className="flex flex-wrap gap-x-1">
          <dt className="font-medium text-slate-700">{k}:</dt>
          <dd className="break-all">
            {k in b && <span className="text-red-800 line-through decoration-red-400">{show(b[k])}</span>}
            {k in b && k in a && <span aria-label="changed to"> → </span>}
            {k in a && <span className="text-green-900">{show(a[k])}</span>}
          </dd>
        </div>
      ))}
      {Object.entries(d).map(([k, v]) => (
        <div key={`d-${k}`} className="flex flex-wrap gap-x-1 text-slate-500">
          <dt>{k}:</dt>
          <dd className="break-all">{show(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function AuditLog() {
  const [filters, setFilters] = useState({ action: "", entity: "" });
  const query = useInfiniteQuery({
    queryKey: auditQueryKey(filters),
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (filters.action) params.set("action", filters.action);
      if (filters.entity) params.set("entity", filters.entity);
      if (pageParam) params.set("before", pageParam);
      return fetchJson<{ rows: AuditJson[]; nextBefore: string | null }>(`/api/audit?${params}`);
    },
    initialPageParam: "",
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.rows) ?? [];
  const selectClass = "mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

  return (
    <div className="space-y-5">
      <Card className="flex flex-wrap gap-4 p-4">
        <label className="text-sm font-medium text-slate-700">
          Action
          <select value={filters.action} onChange={(e) => setFilters((f) => ({ ...f, action: e.target.value }))} className={selectClass}>
            <option value="">All actions</option>
            {ACTIONS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          Concerning
          <select value={filters.entity} onChange={(e) => setFilters((f) => ({ ...f, entity: e.target.value }))} className={selectClass}>
            <option value="">Everything</option>
            {ENTITIES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
      </Card>

      {query.isError ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{query.error.message}</p>
      ) : query.isPending ? (
        <p role="status" className="text-sm text-slate-600">Loading the audit log…</p>
      ) : rows.length === 0 ? (
        <EmptyState title={filters.action || filters.entity ? "No actions match these filters" : "No actions recorded yet"}>
          Uploads, corrections, mappings, commits, decisions and member changes are listed here with who did them and when.
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="min-w-full text-sm" aria-label="Audit log">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr><th className="px-4 py-2">When</th><th className="px-4 py-2">Who</th><th className="px-4 py-2">What</th><th className="px-4 py-2">Changes</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100 align-top">
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="num whitespace-nowrap px-4 py-2 text-slate-600">
                    <time dateTime={r.at}>{new Date(r.at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" })}</time>
                  </td>
                  <td className="px-4 py-2">{r.actor ?? "a former member"}</td>
                  <td className="px-4 py-2">
                    <div className="font-medium">{ACTION_WORDS.get(r.action) ?? r.action}</div>
                    <div className="text-xs text-slate-500">{r.entity}{r.entityId ? ` ${r.entityId}` : ""}</div>
                  </td>
                  <td className="px-4 py-2"><Changes before={r.before} after={r.after} details={r.details} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      {query.hasNextPage && (
        <button
          type="button"
          onClick={() => void query.fetchNextPage()}
          disabled={query.isFetchingNextPage}
          className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-60"
        >
          {query.isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      )}
    </div>
  );
}
