"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { api, kindFor, suggestedName, type AccountJson, type ExternalAccountJson } from "./account-api";
import { ACCOUNT_INPUT_CLASS, NewAccountFields, newAccountBody, type NewAccountValues } from "./account-fields";
import { plural } from "./import-status";

interface MappingAnswer {
  externalId: string;
  account: { id: string; name: string; currency: string };
  reclassified: string[];
}

const input = ACCOUNT_INPUT_CLASS;

/** Map one external account: to an account that exists, or to a new one created in the same step. */
export function AccountMapForm({ external, accounts, onMapped }: { external: ExternalAccountJson; accounts: AccountJson[]; onMapped: (message: string) => void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const sameCurrency = accounts.filter((a) => !external.currency || a.currency === external.currency);
  const firstChoice = external.suggestions[0]?.accountId ?? sameCurrency[0]?.id ?? "";
  const [mode, setMode] = useState<"existing" | "new">(firstChoice ? "existing" : "new");
  const [accountId, setAccountId] = useState(firstChoice);
  const [values, setValues] = useState<NewAccountValues>(() => ({
    name: suggestedName(external),
    number: external.number ?? "",
    currency: external.currency ?? "",
    kind: kindFor(external),
  }));

  const map = useMutation({
    mutationFn: () =>
      api<MappingAnswer>("/api/account-mappings", {
        method: "POST",
        body:
          mode === "existing"
            ? { source: external.source, externalId: external.externalId, accountId }
            : { source: external.source, externalId: external.externalId, newAccount: newAccountBody(values) },
      }),
    onSuccess: (r) => {
      const n = external.rowsWaiting;
      onMapped(
        `Mapped ${r.externalId} to ${r.account.name}.${r.reclassified.length > 0 ? ` ${plural(r.reclassified.length, "import")} re-checked; ${plural(n, "row")} no longer wait${n === 1 ? "s" : ""} for this account.` : ""}`,
      );
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["accounts"] }),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!map.isPending) map.mutate();
  };

  return (
    <form onSubmit={submit} aria-label={`Map ${external.externalId}`} className="mt-4 space-y-3 border-t border-slate-100 pt-4">
      <fieldset>
        <legend className="sr-only">How to map it</legend>
        <div className="flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-2">
            <input type="radio" name={`${id}-mode`} checked={mode === "existing"} onChange={() => setMode("existing")} disabled={accounts.length === 0} className="accent-brand-600" />
            Map to an existing account
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name={`${id}-mode`} checked={mode === "new"} onChange={() => setMode("new")} className="accent-brand-600" />
            Create a new account
          </label>
        </div>
      </fieldset>

      {mode === "existing" ? (
        <div className="max-w-md">
          <label htmlFor={`${id}-account`} className="block text-sm font-medium text-slate-700">Internal account</label>
          <select id={`${id}-account`} value={accountId} onChange={(e) => setAccountId(e.target.value)} className={input} required>
            <option value="" disabled>Choose an account</option>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.currency}){a.number ? ` · ${a.number}` : ""}
                {external.currency && a.currency !== external.currency ? " · other currency" : ""}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <NewAccountFields id={id} values={values} onChange={setValues} />
      )}

      {map.isError && <p role="alert" className="text-sm text-red-700">{map.error.message}</p>}
      <button type="submit" disabled={map.isPending || (mode === "existing" && !accountId)}
        className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:cursor-not-allowed disabled:opacity-50">
        {map.isPending ? "Mapping…" : mode === "existing" ? "Map to this account" : "Create account and map"}
      </button>
    </form>
  );
}
