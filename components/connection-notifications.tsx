"use client";
/** The tenant's webhook for "a connection keeps failing": one URL, posted a JSON message after 3 failed syncs in a row. */
import { useEffect, useId, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Card } from "./ui";
import { fetchJson } from "./import-status";

const key = ["connections", "notifications"] as const;

export function ConnectionNotifications() {
  const client = useQueryClient();
  const id = useId();
  const query = useQuery({ queryKey: key, queryFn: () => fetchJson<{ webhookUrl: string | null }>("/api/connections/notifications") });
  const [url, setUrl] = useState("");
  useEffect(() => {
    if (query.data) setUrl(query.data.webhookUrl ?? "");
  }, [query.data]);
  const save = useMutation({
    mutationFn: () => fetchJson<{ webhookUrl: string | null }>("/api/connections/notifications", { method: "PUT", body: JSON.stringify({ webhookUrl: url }) }),
    onSuccess: (data) => client.setQueryData(key, data),
  });
  return (
    <Card className="mt-6 p-4">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
        className="flex flex-wrap items-end gap-3"
      >
        <div className="min-w-72 flex-1">
          <label htmlFor={id} className="block text-sm font-medium text-slate-800">Webhook for failing connections</label>
          <p id={`${id}-help`} className="text-xs text-slate-600">
            When a connection fails three syncs in a row, Inflow posts a JSON message here once (e.g. a Slack or Teams incoming webhook). Leave empty for none.
          </p>
          <input
            id={id}
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://hooks.example.com/…"
            aria-describedby={`${id}-help`}
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
            disabled={query.isPending}
          />
        </div>
        <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50" disabled={save.isPending || query.isPending}>
          {save.isPending ? "Saving…" : "Save webhook"}
        </button>
      </form>
      <div aria-live="polite" className="mt-2 text-sm">
        {save.isError && <p className="text-red-700">{save.error.message}</p>}
        {save.isSuccess && <p className="text-emerald-800">{save.data.webhookUrl ? "Saved: failing connections will be reported there." : "Saved: no webhook."}</p>}
      </div>
    </Card>
  );
}
