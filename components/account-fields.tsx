"use client";

import { ACCOUNT_KINDS, KIND_LABELS, type AccountKind } from "./account-api";

/** What a person states about a new internal account: the one form used to create one anywhere. */
export interface NewAccountValues {
  name: string;
  currency: string;
  kind: AccountKind;
  number: string;
}

export const ACCOUNT_INPUT_CLASS =
  "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm focus:border-brand-600 focus:outline-none focus:ring-2 focus:ring-brand-200";

/** The body the accounts API takes for a new account (an empty number is no number). */
export function newAccountBody(values: NewAccountValues) {
  return { name: values.name, number: values.number || null, currency: values.currency, kind: values.kind };
}

export function NewAccountFields({ id, values, onChange }: { id: string; values: NewAccountValues; onChange: (next: NewAccountValues) => void }) {
  const set = (patch: Partial<NewAccountValues>) => onChange({ ...values, ...patch });
  const input = ACCOUNT_INPUT_CLASS;
  return (
    <div className="grid max-w-3xl gap-3 sm:grid-cols-2 lg:grid-cols-4">
      <div className="sm:col-span-2">
        <label htmlFor={`${id}-name`} className="block text-sm font-medium text-slate-700">Name</label>
        <input id={`${id}-name`} value={values.name} onChange={(e) => set({ name: e.target.value })} required maxLength={200} className={input} />
      </div>
      <div>
        <label htmlFor={`${id}-currency`} className="block text-sm font-medium text-slate-700">Currency</label>
        <input id={`${id}-currency`} value={values.currency} onChange={(e) => set({ currency: e.target.value.toUpperCase() })} required pattern="[A-Za-z]{3}"
          title="A three-letter currency code, e.g. USD" maxLength={3} placeholder="USD" className={`${input} uppercase`} />
      </div>
      <div>
        <label htmlFor={`${id}-kind`} className="block text-sm font-medium text-slate-700">Kind</label>
        <select id={`${id}-kind`} value={values.kind} onChange={(e) => set({ kind: e.target.value as AccountKind })} className={input}>
          {ACCOUNT_KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
        </select>
      </div>
      <div className="sm:col-span-2">
        <label htmlFor={`${id}-number`} className="block text-sm font-medium text-slate-700">Account number <span className="font-normal text-slate-500">(optional)</span></label>
        <input id={`${id}-number`} value={values.number} onChange={(e) => set({ number: e.target.value })} maxLength={100} className={input} />
      </div>
    </div>
  );
}
