"use client";
/** The tenant's connections with status, schedule, last and next sync, health and the last error in words. */
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { Card, EmptyState } from "./ui";
import { fetchJson } from "./import-status";
import { ConnectionStatusBadge, connectionsQueryKey, healthText, scheduleText, typeLabel, when, type ConnectionJson } from "./connection-status";

export function ConnectionList() {
  const query = useQuery({
    queryKey: connectionsQueryKey,
    queryFn: () => fetchJson<{ rows: ConnectionJson[] }>("/api/connections"),
    refetchInterval: 15_000,
  });
  if (query.isPending) return <p className="text-sm text-slate-600" role="status">Loading connections…</p>;
  if (query.isError) return <p className="text-sm text-red-700" role="alert">The connections could not be loaded: {query.error.message}</p>;
  const rows = query.data.rows;
  if (rows.length === 0) {
    return (
      <EmptyState title="No connections yet">
        Connect an SFTP drop folder, a bank or a payment provider: its files and records go through the same import steps as uploads.{" "}
        <Link href="/connections/new" className="underline">Add a connection</Link>.
      </EmptyState>
    );
  }
  return (
    <Card className="overflow-x-auto">
      <table className="min-w-full text-sm" aria-label="Connections">
        <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-4 py-2">Name</th><th className="px-4 py-2">Type</th><th className="px-4 py-2">Status</th>
            <th className="px-4 py-2">Schedule</th><th className="px-4 py-2">Last sync</th><th className="px-4 py-2">Next sync</th>
            <th className="px-4 py-2">Health</th><th className="px-4 py-2">Last error</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((c) => (
            <tr key={c.id}>
              <td className="px-4 py-2 font-medium"><Link href={`/connections/${c.id}`} className="text-brand-700 underline">{c.name}</Link></td>
              <td className="px-4 py-2 text-slate-700">{typeLabel(c.type)}</td>
              <td className="px-4 py-2"><ConnectionStatusBadge status={c.status} /></td>
              <td className="px-4 py-2 text-slate-700">{scheduleText(c.schedule)}</td>
              <td className="whitespace-nowrap px-4 py-2 text-slate-700">{when(c.lastSyncAt, "Never")}</td>
              <td className="whitespace-nowrap px-4 py-2 text-slate-700">{c.status === "paused" ? "Paused" : when(c.nextSyncAt, "When someone syncs it")}</td>
              <td className="px-4 py-2 text-slate-700">{healthText(c)}</td>
              <td className="max-w-xs px-4 py-2 text-red-800">{c.lastError?.message ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
