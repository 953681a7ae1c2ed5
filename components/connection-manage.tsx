"use client";
/**
 * Changing a connection after it was saved (admins): the callback addresses to register with a
 * provider that pushes to Inflow (M-Pesa), with a copy button; "Replace credentials" (the old ones are
 * never shown, the new ones leave the page's memory once saved); and "Edit settings" (name, schedule,
 * and the connector's settings, prefilled).
 */
import { useId, useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Card } from "./ui";
import { fetchJson } from "./import-status";
import { Field, SCHEDULES, ScheduleFields, collect, defaults, inputClass, type FieldSpec, type ScheduleKind, type Values } from "./connection-form";
import { connectionsQueryKey, historyQueryKey, type ConnectionJson } from "./connection-status";

type Account = { id: string; name: string; currency: string };

const buttonClass = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-50";
const primaryClass = "rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-50";

/** The message beside its field when the API names it ("secrets.consumerKey: Enter …"). */
function fieldErrorOf(message: string | undefined, part: "config" | "secrets", field: string): string | undefined {
  return message?.startsWith(`${part}.${field}: `) ? message.slice(part.length + field.length + 3) : undefined;
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  return (
    <>
      <button
        type="button"
        className={buttonClass}
        aria-label={`Copy the ${label}`}
        onClick={() => {
          navigator.clipboard.writeText(text).then(
            () => setCopied("yes"),
            () => setCopied("no"),
          );
        }}
      >
        Copy
      </button>
      <span role="status" className="text-xs text-slate-600">{copied === "yes" ? "Copied." : copied === "no" ? "Could not copy: select the address and copy it." : ""}</span>
    </>
  );
}

/** The addresses the provider pushes to: admins only (the page is theirs), since anyone holding them can post. */
export function CallbackAddresses({ addresses }: { addresses: { label: string; url: string }[] }) {
  const prefix = useId();
  return (
    <Card className="mt-4 p-4">
      <h2 className="text-lg font-semibold">Callback addresses</h2>
      <p className="mt-1 text-sm text-slate-600">
        Daraja sends each payment to these addresses. The first sync registers them for the shortcode; if Safaricom asks you to register them yourself on the Daraja portal, copy them from here.
        Anyone who has them can send payments to this connection: share them only with Safaricom.
      </p>
      <dl className="mt-3 space-y-3">
        {addresses.map((a, i) => (
          <div key={a.label}>
            <dt><label htmlFor={`${prefix}-${i}`} className="text-sm font-medium text-slate-800">{a.label}</label></dt>
            <dd className="mt-1 flex flex-wrap items-center gap-2">
              <input id={`${prefix}-${i}`} readOnly value={a.url} onFocus={(e) => e.target.select()} className={`${inputClass} mt-0 min-w-0 flex-1 font-mono text-xs`} />
              <CopyButton text={a.url} label={a.label} />
            </dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

/** Name, schedule, settings and credentials of a saved connection. */
export function ConnectionSettings({
  id,
  name,
  schedule,
  config,
  secrets,
  values,
  accounts,
}: {
  id: string;
  name: string;
  schedule: string;
  config: FieldSpec[];
  secrets: FieldSpec[];
  /** The current settings as the inputs show them. */
  values: Values;
  accounts: Account[];
}) {
  const [open, setOpen] = useState<"settings" | "credentials" | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return (
    <section className="mt-6">
      <h2 className="mb-2 text-lg font-semibold">Settings and credentials</h2>
      <div className="flex flex-wrap gap-2">
        <button type="button" className={buttonClass} aria-expanded={open === "settings"} onClick={() => { setOpen(open === "settings" ? null : "settings"); setDone(null); }}>Edit settings</button>
        <button type="button" className={buttonClass} aria-expanded={open === "credentials"} onClick={() => { setOpen(open === "credentials" ? null : "credentials"); setDone(null); }}>Replace credentials</button>
      </div>
      <div aria-live="polite">{done && <p role="status" data-testid="settings-result" className="mt-3 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">{done}</p>}</div>
      {open === "credentials" && <ReplaceCredentials id={id} fields={secrets} accounts={accounts} onDone={(message) => { setOpen(null); setDone(message); }} />}
      {open === "settings" && <EditSettings id={id} name={name} schedule={schedule} fields={config} values={values} accounts={accounts} onDone={(message) => { setOpen(null); setDone(message); }} />}
    </section>
  );
}

function ReplaceCredentials({ id, fields, accounts, onDone }: { id: string; fields: FieldSpec[]; accounts: Account[]; onDone: (message: string) => void }) {
  const prefix = useId();
  const [values, setValues] = useState<Values>(() => defaults(fields));
  const save = useMutation({
    mutationFn: () => fetchJson<ConnectionJson>(`/api/connections/${id}/credentials`, { method: "PUT", body: JSON.stringify({ secrets: collect(fields, values) }) }),
    onSuccess: () => {
      // The credentials leave the page's memory as soon as they are saved.
      setValues(defaults(fields));
      onDone("Credentials replaced. Test the connection to check them.");
    },
  });
  return (
    <Card className="mt-3 max-w-2xl p-6">
      <form aria-label="Replace credentials" className="space-y-4" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <p className="text-xs text-slate-600">Enter all of the credentials again: they replace the saved ones, which are never shown. Encrypted when saved, and never shown again.</p>
        {fields.map((f) => (
          <Field key={f.name} field={f} prefix={`${prefix}-secret`} accounts={accounts} value={values[f.name] ?? ""} onChange={(v) => setValues((s) => ({ ...s, [f.name]: v }))} error={fieldErrorOf(save.error?.message, "secrets", f.name)} />
        ))}
        <div aria-live="assertive">{save.isError && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{save.error.message}</p>}</div>
        <button type="submit" className={primaryClass} disabled={save.isPending}>{save.isPending ? "Saving…" : "Save credentials"}</button>
      </form>
    </Card>
  );
}

function EditSettings({ id, name, schedule, fields, values: initial, accounts, onDone }: { id: string; name: string; schedule: string; fields: FieldSpec[]; values: Values; accounts: Account[]; onDone: (message: string) => void }) {
  const prefix = useId();
  const router = useRouter();
  const client = useQueryClient();
  const preset = SCHEDULES.some(([value]) => value === schedule && value !== "cron");
  const [newName, setNewName] = useState(name);
  const [scheduleKind, setScheduleKind] = useState<ScheduleKind>(preset ? (schedule as ScheduleKind) : "cron");
  const [cron, setCron] = useState(preset ? "0 6 * * *" : schedule);
  const [values, setValues] = useState<Values>(initial);
  const save = useMutation({
    mutationFn: () =>
      fetchJson<ConnectionJson>(`/api/connections/${id}`, {
        method: "PATCH",
        body: JSON.stringify({ name: newName, schedule: scheduleKind === "cron" ? cron : scheduleKind, config: collect(fields, values) }),
      }),
    onSuccess: async () => {
      await Promise.all([client.invalidateQueries({ queryKey: historyQueryKey(id) }), client.invalidateQueries({ queryKey: connectionsQueryKey, exact: true })]);
      // The page's name and callback addresses come from the server.
      router.refresh();
      onDone("Settings saved.");
    },
  });
  return (
    <Card className="mt-3 max-w-2xl p-6">
      <form aria-label="Edit settings" className="space-y-4" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <p className="text-xs text-slate-600">Changing the settings makes the next sync read the source from the beginning; what was imported before is recognised as duplicates, nothing is imported twice.</p>
        <div className="grid gap-4 sm:grid-cols-2">
          <div>
            <label htmlFor={`${prefix}-name`} className="block text-sm font-medium text-slate-800">Name</label>
            <input id={`${prefix}-name`} required value={newName} onChange={(e) => setNewName(e.target.value)} className={inputClass} />
          </div>
          <ScheduleFields prefix={prefix} kind={scheduleKind} onKind={setScheduleKind} cron={cron} onCron={setCron} />
        </div>
        {fields.map((f) => (
          <Field key={f.name} field={f} prefix={`${prefix}-config`} accounts={accounts} value={values[f.name] ?? ""} onChange={(v) => setValues((s) => ({ ...s, [f.name]: v }))} error={fieldErrorOf(save.error?.message, "config", f.name)} />
        ))}
        <div aria-live="assertive">{save.isError && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{save.error.message}</p>}</div>
        <button type="submit" className={primaryClass} disabled={save.isPending}>{save.isPending ? "Saving…" : "Save settings"}</button>
      </form>
    </Card>
  );
}
