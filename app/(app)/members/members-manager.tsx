"use client";

/** Add people by email with a role, change roles, remove people; every change refreshes the list. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ROLES, type Role } from "@/lib/auth/permissions";
import { fetchJson } from "@/components/import-status";
import { Card } from "@/components/ui";

interface MemberJson {
  userId: string;
  email: string;
  role: Role;
  joinedAt: string;
}

const membersKey = ["members"] as const;
const ROLE_WORDS: Record<Role, string> = {
  admin: "Admin — everything, incl. members and audit log",
  reviewer: "Reviewer — decides on duplicates",
  uploader: "Uploader — uploads, reviews and commits imports",
  viewer: "Viewer — reads the ledger and imports",
};

export function MembersManager({ initial, currentUserId }: { initial: MemberJson[]; currentUserId: string }) {
  const client = useQueryClient();
  const members = useQuery({
    queryKey: membersKey,
    queryFn: () => fetchJson<{ members: MemberJson[] }>("/api/members").then((r) => r.members),
    initialData: initial,
  });
  const [notice, setNotice] = useState<{ kind: "ok" | "error"; text: string; password?: string } | null>(null);

  const add = useMutation({
    mutationFn: (input: { email: string; role: Role }) =>
      fetchJson<{ member: MemberJson; oneTimePassword?: string }>("/api/members", { method: "POST", body: JSON.stringify(input) }),
    onSuccess: (result) => {
      setNotice({ kind: "ok", text: `${result.member.email} was added as ${result.member.role}.`, password: result.oneTimePassword });
      void client.invalidateQueries({ queryKey: membersKey });
    },
    onError: (error) => setNotice({ kind: "error", text: error.message }),
  });
  const change = useMutation({
    mutationFn: (input: { userId: string; role: Role }) =>
      fetchJson<{ member: MemberJson }>(`/api/members/${input.userId}`, { method: "PATCH", body: JSON.stringify({ role: input.role }) }),
    onSuccess: (result) => setNotice({ kind: "ok", text: `${result.member.email} is now ${result.member.role}.` }),
    onError: (error) => setNotice({ kind: "error", text: error.message }),
    onSettled: () => void client.invalidateQueries({ queryKey: membersKey }),
  });
  const remove = useMutation({
    mutationFn: async (member: MemberJson) => {
      const response = await fetch(`/api/members/${member.userId}`, { method: "DELETE" });
      if (!response.ok) {
        const json = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(json?.error?.message ?? `The request failed (HTTP ${response.status}).`);
      }
      return member;
    },
    onSuccess: (member) => setNotice({ kind: "ok", text: `${member.email} was removed from this workspace.` }),
    onError: (error) => setNotice({ kind: "error", text: error.message }),
    onSettled: () => void client.invalidateQueries({ queryKey: membersKey }),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    add.mutate({ email: String(form.get("email") ?? ""), role: String(form.get("role") ?? "viewer") as Role });
  }

  return (
    <div className="space-y-5">
      <Card className="p-4">
        <form onSubmit={submit} aria-label="Add a member" className="flex flex-wrap items-end gap-3">
          <label className="text-sm font-medium text-slate-700">
            Email
            <input name="email" type="email" required placeholder="name@company.com" className="mt-1 block w-72 rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
          </label>
          <label className="text-sm font-medium text-slate-700">
            Role
            <select name="role" aria-label="Role for the new member" defaultValue="viewer" className="mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm">
              {ROLES.map((r) => <option key={r} value={r}>{ROLE_WORDS[r]}</option>)}
            </select>
          </label>
          <button type="submit" disabled={add.isPending} className="rounded-md bg-brand-700 px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-600 disabled:opacity-60">
            {add.isPending ? "Adding…" : "Add member"}
          </button>
        </form>
        <p className="mt-2 text-xs text-slate-500">
          Someone without an Inflow account gets one with a one-time password, shown here once: pass it on to them privately.
        </p>
      </Card>

      {notice && (
        <div role={notice.kind === "error" ? "alert" : "status"} className={`rounded-md px-3 py-2 text-sm ${notice.kind === "error" ? "bg-red-50 text-red-800" : "bg-green-50 text-green-900"}`}>
          {notice.text}
          {notice.password && (
            <p className="mt-1">
              Their one-time password (shown only now): <code data-testid="one-time-password" className="rounded bg-white px-1.5 py-0.5 font-mono">{notice.password}</code>
            </p>
          )}
        </div>
      )}

      <Card className="overflow-x-auto">
        <table className="min-w-full text-sm" aria-label="Members">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr><th className="px-4 py-2">Email</th><th className="px-4 py-2">Role</th><th className="px-4 py-2">Since</th><th className="px-4 py-2"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {members.data.map((m) => (
              <tr key={m.userId}>
                <td className="px-4 py-2">{m.email}{m.userId === currentUserId && <span className="ml-2 text-xs text-slate-500">(you)</span>}</td>
                <td className="px-4 py-2">
                  <select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    disabled={change.isPending}
                    onChange={(e) => change.mutate({ userId: m.userId, role: e.target.value as Role })}
                    className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
                  >
                    {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                  </select>
                </td>
                <td className="px-4 py-2 text-slate-600">{m.joinedAt.slice(0, 10)}</td>
                <td className="px-4 py-2 text-right">
                  <button
                    type="button"
                    disabled={remove.isPending}
                    onClick={() => {
                      if (window.confirm(`Remove ${m.email} from this workspace? Their account stays; they lose access here.`)) remove.mutate(m);
                    }}
                    className="text-sm text-red-700 underline disabled:opacity-60"
                  >
                    Remove<span className="sr-only"> {m.email}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
