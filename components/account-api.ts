/** The accounts page's data: query keys, fetchers and the JSON shapes of /api/accounts and /api/account-mappings. */
import type { InternalAccount } from "@/lib/db/queries/accounts";
import type { ExternalAccountView, MappingRow } from "@/lib/db/queries/mappings";

export type AccountJson = InternalAccount;
export type ExternalAccountJson = ExternalAccountView;
export type MappingJson = Omit<MappingRow, "createdAt"> & { createdAt: string };

export const ACCOUNT_KINDS = ["bank", "mobile_money", "card", "cash", "clearing", "other"] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];
export const KIND_LABELS: Record<AccountKind, string> = {
  bank: "Bank",
  mobile_money: "Mobile money",
  card: "Card",
  cash: "Cash",
  clearing: "Clearing",
  other: "Other",
};

export const accountsKey = ["accounts", "internal"] as const;
export const externalAccountsKey = ["accounts", "external"] as const;
export const mappingsKey = ["accounts", "mappings"] as const;

export class AccountApiError extends Error {}

export async function api<T>(url: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const response = await fetch(url, {
    method: init?.method ?? "GET",
    headers: { accept: "application/json", ...(init?.body === undefined ? {} : { "content-type": "application/json" }) },
    ...(init?.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const json = (await response.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
  if (!response.ok || json === null) throw new AccountApiError(json?.error?.message ?? `The request failed (HTTP ${response.status}). Try again.`);
  return json;
}

export const fetchAccounts = () => api<{ accounts: AccountJson[] }>("/api/accounts").then((r) => r.accounts);
export const fetchExternalAccounts = () => api<{ externalAccounts: ExternalAccountJson[] }>("/api/accounts/external").then((r) => r.externalAccounts);
export const fetchMappings = () => api<{ mappings: MappingJson[] }>("/api/account-mappings").then((r) => r.mappings);

/** The internal kind for what the statement says (OFX CHECKING/SAVINGS/CREDITCARD, MPESA…). */
export function kindFor(external: Pick<ExternalAccountJson, "kind" | "source">): AccountKind {
  const k = (external.kind ?? "").toUpperCase();
  if (external.source === "mpesa" || k.includes("MPESA") || k.includes("MOBILE")) return "mobile_money";
  if (k.includes("CREDITCARD") || k.includes("CARD")) return "card";
  return "bank";
}

/** A name to start from: the statement's own name, else "Checking …5678 (CAD)". */
export function suggestedName(external: Pick<ExternalAccountJson, "name" | "kind" | "number" | "externalId" | "currency">): string {
  if (external.name) return external.name;
  const kind = external.kind ? external.kind.charAt(0).toUpperCase() + external.kind.slice(1).toLowerCase().replace(/_/g, " ") : "Account";
  const digits = (external.number ?? external.externalId).replace(/\D/g, "");
  const tail = digits.length > 4 ? `…${digits.slice(-4)}` : digits || external.externalId;
  return `${kind} ${tail}${external.currency ? ` (${external.currency})` : ""}`;
}

export const SUGGESTION_REASONS: Record<ExternalAccountJson["suggestions"][number]["reason"], string> = {
  same_number: "same account number",
  same_account_number: "same number after the bank id",
  ends_with_number: "the statement's number ends with it",
};
