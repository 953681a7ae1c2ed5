"use client";
/**
 * Create a connection: a form generated from the connector's config and credentials schemas. Credential
 * fields are password inputs; once saved they are encrypted and never shown again. Saving leads to the
 * connection's page, where "Test connection" and "Sync now" are.
 */
import { useId, useState, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Card } from "./ui";
import { fetchJson } from "./import-status";
import { connectionsQueryKey, type ConnectionJson } from "./connection-status";

export interface FieldSpec {
  name: string;
  label: string;
  kind: "text" | "text-area" | "number" | "boolean" | "select" | "account" | "secret" | "secret-text";
  required: boolean;
  defaultValue?: string;
  /** An example shown while the input is empty. */
  placeholder?: string;
  options?: string[];
  min?: number;
  max?: number;
}

export interface ConnectorForm {
  type: string;
  label: string;
  config: FieldSpec[];
  secrets: FieldSpec[];
}

export type Values = Record<string, string>;

export const inputClass = "mt-1 w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm focus:border-brand-600 focus:outline-none focus:ring-2 focus:ring-brand-100";

export function defaults(fields: FieldSpec[]): Values {
  return Object.fromEntries(fields.map((f) => [f.name, f.defaultValue ?? (f.kind === "boolean" ? "false" : "")]));
}

/** The typed value of a field, or undefined when left empty (the schema's default applies). */
function valueOf(field: FieldSpec, raw: string): unknown {
  if (field.kind === "boolean") return raw === "true";
  if (raw.trim() === "") return undefined;
  // Settings such as port or batch size: whole numbers, never amounts.
  if (field.kind === "number") return Number(raw);
  return raw;
}

export function collect(fields: FieldSpec[], values: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = valueOf(f, values[f.name] ?? "");
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}

export function Field({ field, value, onChange, accounts, prefix, error }: { field: FieldSpec; value: string; onChange: (v: string) => void; accounts: { id: string; name: string; currency: string }[]; prefix: string; error?: string | undefined }) {
  const id = `${prefix}-${field.name}`;
  const describedBy = error ? `${id}-error` : undefined;
  const common = { id, name: field.name, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy, required: field.required, ...(field.placeholder ? { placeholder: field.placeholder } : {}) };
  let control: ReactNode;
  switch (field.kind) {
    case "boolean":
      return (
        <div className="flex items-center gap-2">
          <input {...common} required={false} type="checkbox" checked={value === "true"} onChange={(e) => onChange(e.target.checked ? "true" : "false")} className="h-4 w-4" />
          <label htmlFor={id} className="text-sm text-slate-800">{field.label}</label>
        </div>
      );
    case "select":
      control = (
        <select {...common} value={value} onChange={(e) => onChange(e.target.value)} className={inputClass}>
          {!field.required && <option value="">{field.defaultValue ? `Default (${field.defaultValue})` : "Detect automatically"}</option>}
          {field.options?.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      );
      break;
    case "account":
      control = (
        <select {...common} value={value} onChange={(e) => onChange(e.target.value)} className={inputClass}>
          <option value="">Named by each file (or map later)</option>
          {accounts.map((a) => <option key={a.id} value={a.id}>{a.name} ({a.currency})</option>)}
        </select>
      );
      break;
    case "number":
      control = <input {...common} type="number" inputMode="numeric" min={field.min} max={field.max} step={1} value={value} onChange={(e) => onChange(e.target.value)} className={inputClass} />;
      break;
    case "text-area":
      control = <textarea {...common} rows={4} value={value} onChange={(e) => onChange(e.target.value)} className={`${inputClass} font-mono`} />;
      break;
    case "secret":
      control = <input {...common} type="password" autoComplete="new-password" value={value} onChange={(e) => onChange(e.target.value)} className={inputClass} />;
      break;
    case "secret-text":
      // A private key has line breaks a password input would drop; masked as far as a textarea allows, never shown again after saving.
      control = <textarea {...common} rows={4} autoComplete="off" spellCheck={false} value={value} onChange={(e) => onChange(e.target.value)} className={`${inputClass} font-mono [-webkit-text-security:disc]`} />;
      break;
    default:
      control = <input {...common} type="text" value={value} onChange={(e) => onChange(e.target.value)} className={inputClass} />;
  }
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {field.label}
        {!field.required && <span className="font-normal text-slate-500"> (optional)</span>}
      </label>
      {control}
      {error && <p id={`${id}-error`} className="mt-1 text-xs text-red-700">{error}</p>}
    </div>
  );
}

export const SCHEDULES = [
  ["manual", "Manual (Sync now only)"],
  ["hourly", "Every hour"],
  ["daily", "Every day"],
  ["cron", "Cron expression (UTC)"],
] as const;

export type ScheduleKind = (typeof SCHEDULES)[number][0];

/** The schedule select, and the cron expression when the schedule is "cron": same on create and edit. */
export function ScheduleFields({ prefix, kind, onKind, cron, onCron }: { prefix: string; kind: ScheduleKind; onKind: (k: ScheduleKind) => void; cron: string; onCron: (c: string) => void }) {
  return (
    <>
      <div>
        <label htmlFor={`${prefix}-schedule`} className="block text-sm font-medium text-slate-800">Schedule</label>
        <select id={`${prefix}-schedule`} value={kind} onChange={(e) => onKind(e.target.value as ScheduleKind)} className={inputClass}>
          {SCHEDULES.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
        </select>
      </div>
      {kind === "cron" && (
        <div>
          <label htmlFor={`${prefix}-cron`} className="block text-sm font-medium text-slate-800">Cron (minute hour day month weekday)</label>
          <input id={`${prefix}-cron`} value={cron} onChange={(e) => onCron(e.target.value)} className={`${inputClass} font-mono`} />
        </div>
      )}
    </>
  );
}

export function ConnectionForm({ connectors, accounts }: { connectors: ConnectorForm[]; accounts: { id: string; name: string; currency: string }[] }) {
  const router = useRouter();
  const client = useQueryClient();
  const prefix = useId();
  const [type, setType] = useState(connectors[0]?.type ?? "");
  const connector = connectors.find((c) => c.type === type);
  const [name, setName] = useState("");
  const [scheduleKind, setScheduleKind] = useState<ScheduleKind>("manual");
  const [cron, setCron] = useState("0 6 * * *");
  const [config, setConfig] = useState<Values>(() => defaults(connector?.config ?? []));
  const [secrets, setSecrets] = useState<Values>(() => defaults(connector?.secrets ?? []));

  const create = useMutation({
    mutationFn: () =>
      fetchJson<ConnectionJson>("/api/connections", {
        method: "POST",
        body: JSON.stringify({
          name,
          type,
          schedule: scheduleKind === "cron" ? cron : scheduleKind,
          config: collect(connector?.config ?? [], config),
          secrets: collect(connector?.secrets ?? [], secrets),
        }),
      }),
    onSuccess: async (created) => {
      // The credentials leave the page's memory as soon as they are saved.
      setSecrets(defaults(connector?.secrets ?? []));
      await client.invalidateQueries({ queryKey: connectionsQueryKey });
      router.push(`/connections/${created.id}`);
    },
  });
  // The API names the field first ("config.host: Enter …"): show the message beside that field too.
  const fieldError = (part: "config" | "secrets", field: string): string | undefined => {
    const message = create.error?.message;
    return message?.startsWith(`${part}.${field}: `) ? message.slice(part.length + field.length + 3) : undefined;
  };

  return (
    <Card className="max-w-2xl p-6">
      <form
        aria-label="New connection"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
        className="space-y-5"
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <div>
            <label htmlFor={`${prefix}-type`} className="block text-sm font-medium text-slate-800">Type</label>
            <select
              id={`${prefix}-type`}
              value={type}
              onChange={(e) => {
                const next = connectors.find((c) => c.type === e.target.value);
                setType(e.target.value);
                setConfig(defaults(next?.config ?? []));
                setSecrets(defaults(next?.secrets ?? []));
              }}
              className={inputClass}
            >
              {connectors.map((c) => <option key={c.type} value={c.type}>{c.label}</option>)}
            </select>
          </div>
          <div>
            <label htmlFor={`${prefix}-name`} className="block text-sm font-medium text-slate-800">Name</label>
            <input id={`${prefix}-name`} required value={name} onChange={(e) => setName(e.target.value)} className={inputClass} placeholder="e.g. Bank drop folder" />
          </div>
          <ScheduleFields prefix={prefix} kind={scheduleKind} onKind={setScheduleKind} cron={cron} onCron={setCron} />
        </div>

        <fieldset className="space-y-4">
          <legend className="text-sm font-semibold text-slate-900">Settings</legend>
          {connector?.config.map((f) => (
            <Field key={`${type}-${f.name}`} field={f} prefix={`${prefix}-config`} accounts={accounts} value={config[f.name] ?? ""} onChange={(v) => setConfig((s) => ({ ...s, [f.name]: v }))} error={fieldError("config", f.name)} />
          ))}
        </fieldset>

        <fieldset className="space-y-4">
          <legend className="text-sm font-semibold text-slate-900">Credentials</legend>
          <p className="text-xs text-slate-600">Encrypted when saved. Nobody, admins included, can see them again; to change them, use “Replace credentials” on the connection’s page.</p>
          {connector?.secrets.map((f) => (
            <Field key={`${type}-${f.name}`} field={f} prefix={`${prefix}-secret`} accounts={accounts} value={secrets[f.name] ?? ""} onChange={(v) => setSecrets((s) => ({ ...s, [f.name]: v }))} error={fieldError("secrets", f.name)} />
          ))}
        </fieldset>

        <div aria-live="assertive">
          {create.isError && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{create.error.message}</p>}
        </div>
        <button type="submit" disabled={create.isPending} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-50">
          {create.isPending ? "Saving…" : "Save connection"}
        </button>
      </form>
    </Card>
  );
}
