"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import {
  KIND_LABELS,
  SUGGESTION_REASONS,
  accountsKey,
  api,
  externalAccountsKey,
  fetchAccounts,
  fetchExternalAccounts,
  fetchMappings,
  mappingsKey,
  type AccountJson,
  type AccountKind,
  type ExternalAccountJson,
  type MappingJson,
} from "./account-api";
import { AccountMapForm } from "./account-map-form";
import { ACCOUNT_INPUT_CLASS, NewAccountFields, newAccountBody, type NewAccountValues } from "./account-fields";
import { formatDateTime, plural } from "./import-status";
import { Card, EmptyState } from "./ui";

const kindLabel = (kind: string) => KIND_LABELS[kind as AccountKind] ?? kind;
const input = ACCOUNT_INPUT_CLASS;

function Loading({ what }: { what: string }) {
  return <p role="status" className="px-4 py-6 text-sm text-slate-500">Loading {what}…</p>;
}
function Failed({ error }: { error: Error }) {
  return <p role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">{error.message}</p>;
}

export function AccountManager({ canManage }: { canManage: boolean }) {
  const accounts = useQuery({ queryKey: accountsKey, queryFn: fetchAccounts, staleTime: 0 });
  const external = useQuery({ queryKey: externalAccountsKey, queryFn: fetchExternalAccounts, staleTime: 0 });
  const mappings = useQuery({ queryKey: mappingsKey, queryFn: fetchMappings, staleTime: 0 });
  const [notice, setNotice] = useState<string | null>(null);

  const waiting = external.data?.filter((e) => e.state === "unmapped") ?? [];
  const waitingByKey = new Map((external.data ?? []).map((e) => [`${e.source}:${e.externalId}`, e]));

  return (
    <div className="space-y-8">
      {notice && <p role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-2 text-sm text-emerald-900" data-testid="accounts-notice">{notice}</p>}

      <section aria-labelledby="waiting-heading" className="space-y-3">
        <h2 id="waiting-heading" className="text-lg font-semibold">Waiting for a mapping</h2>
        <p className="text-sm text-slate-600">
          Accounts named in uploaded statements that no internal account stands for yet. Their rows cannot be committed until {canManage ? "you map them" : "an admin maps them"}.
        </p>
        {external.isError ? <Failed error={external.error} /> : external.isPending || accounts.isPending ? <Loading what="the statements' accounts" /> : waiting.length === 0 ? (
          <EmptyState title="Nothing is waiting">Every account named in the staged statements is mapped.</EmptyState>
        ) : (
          <ul className="space-y-3" aria-label="External accounts waiting">
            {waiting.map((e) => (
              <ExternalAccountCard key={`${e.source}:${e.externalId}`} external={e} accounts={accounts.data ?? []} canManage={canManage} onMapped={setNotice} />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="internal-heading" className="space-y-3">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <h2 id="internal-heading" className="text-lg font-semibold">Internal accounts</h2>
        </div>
        {accounts.isError ? <Failed error={accounts.error} /> : accounts.isPending ? <Loading what="the accounts" /> : accounts.data.length === 0 ? (
          <EmptyState title="No accounts yet">{canManage ? "Create one below, or while mapping a statement's account." : "An admin creates the internal accounts statements are mapped onto."}</EmptyState>
        ) : (
          <InternalAccountsTable accounts={accounts.data} />
        )}
        {canManage && <NewAccountForm onCreated={setNotice} />}
      </section>

      <section aria-labelledby="mapped-heading" className="space-y-3">
        <h2 id="mapped-heading" className="text-lg font-semibold">Mapped statement accounts</h2>
        {mappings.isError ? <Failed error={mappings.error} /> : mappings.isPending ? <Loading what="the mappings" /> : mappings.data.length === 0 ? (
          <EmptyState title="No mappings yet">When a statement&apos;s account is mapped onto an internal account, it is listed here.</EmptyState>
        ) : (
          <MappingsTable mappings={mappings.data} staged={waitingByKey} canManage={canManage} onRemoved={setNotice} />
        )}
      </section>
    </div>
  );
}

function InternalAccountsTable({ accounts }: { accounts: AccountJson[] }) {
  return (
    <Card className="overflow-x-auto">
      <table className="min-w-full text-sm" aria-label="Internal accounts">
        <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-2">Name</th>
            <th scope="col" className="px-4 py-2">Number</th>
            <th scope="col" className="px-4 py-2">Kind</th>
            <th scope="col" className="px-4 py-2 text-right">Transactions</th>
            <th scope="col" className="px-4 py-2 text-right">Balance</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {accounts.map((a) => (
            <tr key={a.id}>
              <td className="px-4 py-2 font-medium">{a.name}</td>
              <td className="num px-4 py-2 text-slate-600">{a.number ?? "—"}</td>
              <td className="px-4 py-2 text-slate-600">{kindLabel(a.kind)}</td>
              <td className="num px-4 py-2 text-right">{a.transactionCount}</td>
              <td className={`num whitespace-nowrap px-4 py-2 text-right ${a.balance.startsWith("-") ? "text-red-700" : ""}`}>{a.balance} {a.currency}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

function ExternalAccountCard({ external, accounts, canManage, onMapped }: {
  external: ExternalAccountJson;
  accounts: AccountJson[];
  canManage: boolean;
  onMapped: (message: string) => void;
}) {
  const headingId = useId();
  return (
    <li aria-labelledby={headingId} className="rounded-xl border border-amber-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h3 id={headingId} className="num font-medium text-slate-900">{external.externalId}</h3>
          <p className="mt-0.5 text-sm text-slate-600">
            {[
              external.source === "bank" ? "Bank statement" : external.source === "mpesa" ? "M-Pesa statement" : external.source,
              external.bankId && `bank ${external.bankId}`,
              external.number && `account ${external.number}`,
              external.kind && external.kind.toLowerCase(),
              external.currency,
              external.name,
            ].filter(Boolean).join(" · ")}
          </p>
        </div>
        <p className="rounded-full bg-amber-100 px-3 py-1 text-sm font-medium text-amber-900" data-testid="rows-waiting">
          {plural(external.rowsWaiting, "row")} waiting in {plural(external.imports.length, "import")}
        </p>
      </div>
      <ul className="mt-2 space-y-0.5 text-sm" aria-label={`Imports waiting on ${external.externalId}`}>
        {external.imports.map((i) => (
          <li key={i.importId}>
            <Link href={`/imports/${i.importId}`} className="text-brand-700 underline-offset-2 hover:underline">{i.fileName}</Link>
            <span className="text-slate-600"> · {plural(i.rowsWaiting, "row")} waiting</span>
          </li>
        ))}
      </ul>
      {external.suggestions.length > 0 && (
        <div className="mt-3 text-sm">
          <span className="font-medium text-slate-700">Suggested by number: </span>
          {external.suggestions.map((s, n) => (
            <span key={s.accountId}>
              {n > 0 && ", "}
              {s.name} ({s.currency}, {s.number}: {SUGGESTION_REASONS[s.reason]})
            </span>
          ))}
        </div>
      )}
      {canManage ? (
        <AccountMapForm external={external} accounts={accounts} onMapped={onMapped} />
      ) : (
        <p className="mt-3 text-sm text-slate-500">An admin can map it to an internal account.</p>
      )}
    </li>
  );
}

const EMPTY_ACCOUNT: NewAccountValues = { name: "", currency: "", kind: "bank", number: "" };

function NewAccountForm({ onCreated }: { onCreated: (message: string) => void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<NewAccountValues>(EMPTY_ACCOUNT);
  const create = useMutation({
    mutationFn: () => api<{ account: AccountJson }>("/api/accounts", { method: "POST", body: newAccountBody(values) }),
    onSuccess: (r) => {
      onCreated(`Created the account ${r.account.name} (${r.account.currency}).`);
      setValues(EMPTY_ACCOUNT);
      setOpen(false);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["accounts"] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!create.isPending) create.mutate();
  };
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">
        New account
      </button>
    );
  }
  return (
    <Card className="p-4">
      <form onSubmit={submit} aria-label="New account" className="space-y-3">
        <NewAccountFields id={id} values={values} onChange={setValues} />
        {create.isError && <p role="alert" className="text-sm text-red-700">{create.error.message}</p>}
        <div className="flex gap-2">
          <button type="submit" disabled={create.isPending} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-50">
            {create.isPending ? "Creating…" : "Create account"}
          </button>
          <button type="button" onClick={() => setOpen(false)} className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium hover:bg-slate-50">Cancel</button>
        </div>
      </form>
    </Card>
  );
}

function MappingsTable({ mappings, staged, canManage, onRemoved }: {
  mappings: MappingJson[];
  staged: Map<string, ExternalAccountJson>;
  canManage: boolean;
  onRemoved: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (m: MappingJson) =>
      api<{ externalId: string; reclassified: string[] }>("/api/account-mappings", { method: "DELETE", body: { source: m.source, externalId: m.externalId } }),
    onSuccess: (r) =>
      onRemoved(`Removed the mapping of ${r.externalId}.${r.reclassified.length > 0 ? ` ${plural(r.reclassified.length, "staged import")} wait${r.reclassified.length === 1 ? "s" : ""} for an account again.` : ""}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["accounts"] }),
  });
  const confirmRemove = (m: MappingJson) => {
    if (window.confirm(`Stop mapping ${m.externalId} to ${m.accountName}? Rows already in the ledger stay; staged imports from this account will wait for a mapping again.`)) {
      remove.mutate(m);
    }
  };
  return (
    <>
      {remove.isError && <Failed error={remove.error} />}
      <Card className="overflow-x-auto">
        <table className="min-w-full text-sm" aria-label="Mapped statement accounts">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2">Statement account</th>
              <th scope="col" className="px-4 py-2">Source</th>
              <th scope="col" className="px-4 py-2">Internal account</th>
              <th scope="col" className="px-4 py-2">Staged imports</th>
              <th scope="col" className="px-4 py-2">Mapped</th>
              {canManage && <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {mappings.map((m) => {
              const seen = staged.get(`${m.source}:${m.externalId}`);
              return (
                <tr key={`${m.source}:${m.externalId}`}>
                  <td className="num px-4 py-2 font-medium">{m.externalId}</td>
                  <td className="px-4 py-2 text-slate-600">{m.source}</td>
                  <td className="px-4 py-2">{m.accountName}</td>
                  <td className="px-4 py-2 text-slate-600">{seen ? plural(seen.imports.length, "import") : "—"}</td>
                  <td className="num whitespace-nowrap px-4 py-2 text-slate-600">{formatDateTime(m.createdAt)}</td>
                  {canManage && (
                    <td className="px-4 py-2 text-right">
                      <button type="button" onClick={() => confirmRemove(m)} disabled={remove.isPending}
                        aria-label={`Remove the mapping of ${m.externalId}`}
                        className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm font-medium text-red-800 hover:bg-red-50 disabled:opacity-40">
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>
    </>
  );
}
