"use client";

import { useQuery } from "@tanstack/react-query";
import type { JsonValue } from "@/lib/formats/types";
import type { RowStatus, StagedRowView } from "@/lib/db/queries/staged-rows";
import { fetchJson } from "./import-status";

/** The first page only; filtering, paging and corrections belong to the full review screen. */
const FIRST_PAGE = 200;

const STATUS_LABEL: Record<RowStatus, string> = {
  new: "new",
  exact_duplicate: "exact duplicate",
  likely_duplicate: "likely duplicate",
  error: "error",
  unmapped: "unmapped account",
  excluded: "excluded",
};

const STATUS_STYLE: Record<RowStatus, string> = {
  new: "text-emerald-800",
  exact_duplicate: "text-slate-500",
  likely_duplicate: "text-amber-800",
  error: "text-red-700",
  unmapped: "text-red-700",
  excluded: "text-slate-500 line-through",
};

function text(value: JsonValue | undefined): string | null {
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

/**
 * The columns a person scans, whatever the row's kind: a transaction's booking date, amount and
 * description; a sales line's date, total and item; a trial-balance line's period, balance and
 * account. A row that could not be read keeps the raw fields of its source, shown as they were.
 */
function columnsOf(row: StagedRowView): { date: string; amount: string; description: string } {
  const r = row.record;
  const date = text(r.bookingDate) ?? text(r.date) ?? text(r.period) ?? text(r.createdAt) ?? "";
  const amountValue = text(r.amount) ?? text(r.total) ?? text(r.balance) ?? text(r.saleAmount);
  const currency = text(r.currency);
  const amount = amountValue === null ? "" : currency ? `${amountValue} ${currency}` : amountValue;
  const description =
    text(r.description) ?? text(r.item) ?? (text(r.accountCode) ? `${text(r.accountCode)} ${text(r.accountName) ?? ""}`.trim() : null) ?? text(r.customerName) ?? text(r.raw) ?? "";
  return { date, amount, description };
}

export function ImportRows({ importId, status }: { importId: string; status: string }) {
  const query = useQuery({
    // Keyed by the import's status too: the rows appear once staging ends and change at commit.
    queryKey: ["import", importId, "rows", status],
    queryFn: () => fetchJson<{ rows: StagedRowView[]; nextAfter: number | null }>(`/api/imports/${importId}/rows?limit=${FIRST_PAGE}`),
    staleTime: 0,
  });
  if (query.isPending) return <p className="text-sm text-slate-600">Loading the rows…</p>;
  if (query.isError) return <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{query.error.message}</p>;
  const { rows, nextAfter } = query.data;
  if (rows.length === 0) return null;
  return (
    <section aria-label="Staged rows" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <h2 className="px-5 pt-5 text-base font-medium text-slate-900">Rows</h2>
      <p className="px-5 pb-3 text-sm text-slate-600">
        {nextAfter === null ? `All ${rows.length} rows of the file.` : `The first ${rows.length} rows of the file.`}
      </p>
      <div className="overflow-x-auto">
        <table aria-label="Rows" className="min-w-full text-sm">
          <thead className="border-y border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-4 py-2">Status</th><th className="px-4 py-2 text-right">Line</th><th className="px-4 py-2">Date</th>
              <th className="px-4 py-2 text-right">Amount</th><th className="px-4 py-2">Description</th><th className="px-4 py-2">Issues</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((row) => {
              const c = columnsOf(row);
              return (
                <tr key={row.rowNo} className={row.status === "error" || row.status === "unmapped" ? "bg-red-50/40" : undefined}>
                  <td className={`whitespace-nowrap px-4 py-2 ${STATUS_STYLE[row.status]}`}>{STATUS_LABEL[row.status]}</td>
                  <td className="num px-4 py-2 text-right text-slate-600">{row.line}</td>
                  <td className="num whitespace-nowrap px-4 py-2">{c.date}</td>
                  <td className={`num whitespace-nowrap px-4 py-2 text-right ${c.amount.startsWith("-") ? "text-red-700" : ""}`}>{c.amount}</td>
                  <td className="max-w-md truncate px-4 py-2" title={c.description}>{c.description}</td>
                  <td className="px-4 py-2">
                    {row.issues.length > 0 && (
                      <ul className="space-y-0.5">
                        {row.issues.map((i, n) => (
                          <li key={n} className={i.severity === "error" ? "text-red-800" : "text-amber-800"}>{i.message}</li>
                        ))}
                      </ul>
                    )}
                    {row.match && (
                      <span className="text-slate-600">
                        Matches {row.match.bookingDate} {row.match.amount} {row.match.currency} “{row.match.description}”
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
