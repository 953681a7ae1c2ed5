"use client";

/**
 * The ledger view: a filter form whose values live in the URL (so a view can be shared), the filter's
 * totals per currency (summed by the server), the rows newest first with "Load more" (keyset), and the
 * export of exactly the filtered rows. Amounts are shown as the exact strings the server sends.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { FormEvent } from "react";
import { LEDGER_FILTER_KEYS, type LedgerRow, type LedgerTotals } from "@/lib/db/queries/transactions";
import { fetchJson } from "./import-status";
import { Card, EmptyState } from "./ui";

type FilterKey = (typeof LEDGER_FILTER_KEYS)[number];
type Filters = Partial<Record<FilterKey, string>>;

interface LedgerPage {
  rows: LedgerRow[];
  nextCursor: string | null;
  totals?: LedgerTotals[];
}

export interface LedgerOptions {
  accounts: { id: string; name: string; currency: string }[];
  sources: string[];
  imports: { id: string; fileName: string }[];
}

const PAGE_SIZE = 100;

export const transactionsQueryKey = (filters: Filters) => ["transactions", filters] as const;

function filtersOf(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const key of LEDGER_FILTER_KEYS) {
    const value = params.get(key)?.trim();
    if (value) filters[key] = value;
  }
  return filters;
}

function queryString(filters: Filters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const key of LEDGER_FILTER_KEYS) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params.toString();
}

const inputClass = "mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

export function TransactionLedger({ options }: { options: LedgerOptions }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = filtersOf(new URLSearchParams(searchParams.toString()));
  const filterCount = Object.keys(filters).length;

  const query = useInfiniteQuery({
    queryKey: transactionsQueryKey(filters),
    queryFn: ({ pageParam }) =>
      fetchJson<LedgerPage>(`/api/transactions?${queryString(filters, { limit: String(PAGE_SIZE), ...(pageParam ? { cursor: pageParam } : {}) })}`),
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Filters = {};
    for (const key of LEDGER_FILTER_KEYS) {
      const value = form.get(key);
      if (typeof value === "string" && value.trim()) next[key] = value.trim();
    }
    const qs = queryString(next);
    router.push(qs ? `${pathname}?${qs}` : pathname);
  }

  const rows = query.data?.pages.flatMap((p) => p.rows) ?? [];
  const totals = query.data?.pages[0]?.totals ?? [];
  const formKey = queryString(filters); // re-mounts the form when the URL changes (back/forward)

  return (
    <div className="space-y-5">
      <Card className="p-4">
        <form key={formKey} onSubmit={apply} aria-label="Filters" className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-8">
          <label className="col-span-2 text-sm font-medium text-slate-700">
            Search
            <input name="q" type="search" defaultValue={filters.q ?? ""} placeholder="Description or counterparty" className={inputClass} />
          </label>
          <label className="text-sm font-medium text-slate-700">
            Account
            <select name="accountId" defaultValue={filters.accountId ?? ""} className={inputClass}>
              <option value="">All accounts</option>
              {options.accounts.map((a) => (
                <option key={a.id} value={a.id}>{a.name} ({a.currency})</option>
              ))}
            </select>
          </label>
          <label className="text-sm font-medium text-slate-700">
            From
            <input name="from" type="date" defaultValue={filters.from ?? ""} className={inputClass} />
          </label>
          <label className="text-sm font-medium text-slate-700">
            To
            <input name="to" type="date" defaultValue={filters.to ?? ""} className={inputClass} />
          </label>
          <label className="text-sm font-medium text-slate-700">
            Amount from
            <input name="min" inputMode="decimal" defaultValue={filters.min ?? ""} placeholder="e.g. -500" className={inputClass} />
          </label>
          <label className="text-sm font-medium text-slate-700">
            Amount to
            <input name="max" inputMode="decimal" defaultValue={filters.max ?? ""} placeholder="e.g. 10000" className={inputClass} />
          </label>
          <label className="text-sm font-medium text-slate-700">
            Source
            <select name="source" defaultValue={filters.source ?? ""} className={inputClass}>
              <option value="">All sources</option>
              {options.sources.map((s) => (
                <option key={s} value={s}>{s}</option>
              ))}
            </select>
          </label>
          <label className="col-span-2 text-sm font-medium text-slate-700">
            Import
            <select name="importId" defaultValue={filters.importId ?? ""} className={inputClass}>
              <option value="">All imports</option>
              {options.imports.map((i) => (
                <option key={i.id} value={i.id}>{i.fileName}</option>
              ))}
            </select>
          </label>
          <div className="col-span-2 flex items-end gap-3">
            <button type="submit" className="rounded-md bg-brand-700 px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-600">Apply filters</button>
            {filterCount > 0 && <Link href={pathname} className="text-sm text-brand-700 underline">Clear filters</Link>}
          </div>
        </form>
      </Card>

      {query.isError ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{query.error.message}</p>
      ) : query.isPending ? (
        <p role="status" className="text-sm text-slate-600">Loading transactions…</p>
      ) : (
        <>
          <div className="flex flex-wrap items-start justify-between gap-4">
            <Card className="overflow-x-auto">
              <table className="text-sm" aria-label="Totals for this filter">
                <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <th className="px-4 py-2">Currency</th>
                    <th className="px-4 py-2 text-right">Rows</th>
                    <th className="px-4 py-2 text-right">Credits</th>
                    <th className="px-4 py-2 text-right">Debits</th>
                    <th className="px-4 py-2 text-right">Net</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {totals.length === 0 ? (
                    <tr><td colSpan={5} className="px-4 py-2 text-slate-500">No rows match.</td></tr>
                  ) : (
                    totals.map((t) => (
                      <tr key={t.currency}>
                        <th scope="row" className="px-4 py-2 text-left font-medium">{t.currency}</th>
                        <td className="num px-4 py-2 text-right" data-testid={`total-count-${t.currency}`}>{t.count}</td>
                        <td className="num px-4 py-2 text-right" data-testid={`total-credits-${t.currency}`}>{t.credits}</td>
                        <td className="num px-4 py-2 text-right text-red-700" data-testid={`total-debits-${t.currency}`}>{t.debits}</td>
                        <td className="num px-4 py-2 text-right font-medium" data-testid={`total-net-${t.currency}`}>{t.net}</td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            </Card>
            <div className="flex items-center gap-3 text-sm">
              <span className="text-slate-600">Export {filterCount > 0 ? "the filtered rows" : "all rows"}:</span>
              <a href={`/api/transactions/export?${queryString(filters, { format: "csv" })}`} download className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium hover:bg-slate-50">CSV</a>
              <a href={`/api/transactions/export?${queryString(filters, { format: "parquet" })}`} download className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium hover:bg-slate-50">Parquet</a>
            </div>
          </div>

          {rows.length === 0 ? (
            filterCount > 0 ? (
              <EmptyState title="No transactions match these filters">Change or clear the filters to see more of the ledger.</EmptyState>
            ) : (
              <EmptyState title="The ledger is empty">Committed imports appear here.</EmptyState>
            )
          ) : (
            <Card className="overflow-x-auto">
              <table className="min-w-full text-sm" aria-label="Transactions">
                <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <th className="px-4 py-2">Date</th>
                    <th className="px-4 py-2">Description</th>
                    <th className="px-4 py-2">Counterparty</th>
                    <th className="px-4 py-2">Account</th>
                    <th className="px-4 py-2 text-right">Amount</th>
                    <th className="px-4 py-2">Source</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {rows.map((r) => (
                    <tr key={r.id}>
                      <td className="num whitespace-nowrap px-4 py-2">{r.bookingDate}</td>
                      <td className="px-4 py-2">{r.description}</td>
                      <td className="px-4 py-2 text-slate-600">{r.counterparty ?? "—"}</td>
                      <td className="px-4 py-2 text-slate-600">{r.accountName ?? "—"}</td>
                      <td className={`num whitespace-nowrap px-4 py-2 text-right ${r.amount.startsWith("-") ? "text-red-700" : ""}`}>
                        {r.amount} {r.currency}
                      </td>
                      <td className="px-4 py-2 text-slate-500">
                        {r.importId ? <Link href={`/imports/${r.importId}`} className="underline">{r.source}</Link> : r.source}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
          )}
          <div className="flex items-center gap-4 text-sm text-slate-600">
            <span role="status">Showing {rows.length} of {totals.reduce((n, t) => n + t.count, 0)} rows.</span>
            {query.hasNextPage && (
              <button
                type="button"
                onClick={() => void query.fetchNextPage()}
                disabled={query.isFetchingNextPage}
                className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-60"
              >
                {query.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            )}
          </div>
        </>
      )}
    </div>
  );
}
