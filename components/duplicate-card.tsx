"use client";

import type { DuplicateCandidate } from "@/lib/db/queries/duplicates";

/** A queue row as the API sends it (dates as ISO strings). */
export type CandidateJson = Omit<DuplicateCandidate, "decidedAt" | "createdAt"> & { decidedAt: string | null; createdAt: string };

/** "import:csv" → "upload (csv)", "cli:ofx" → "command line (ofx)", "connector:sftp:mt940" → "connector sftp (mt940)". */
function describeSource(source: string): string {
  const parts = source.split(":");
  const format = parts.length > 1 ? parts[parts.length - 1] : null;
  const origin = parts.slice(0, -1).join(" ") || source;
  const words: Record<string, string> = { upload: "an upload", import: "an upload", cli: "the command line", api: "the API" };
  return `${words[origin] ?? origin}${format ? ` (${format})` : ""}`;
}

/** The reason in words: "Same amount · 1 day apart · descriptions 82 % alike · matched a row from bank_medium.ofx". */
export function duplicateReason(row: CandidateJson): string {
  const r = row.reason;
  const days = r.dateDifferenceDays;
  const when = days === 0 ? "same day" : days === 1 ? "1 day apart" : `${days} days apart`;
  const alike = `descriptions ${Math.round(r.descriptionSimilarity * 100)} % alike`;
  const from = row.matched?.fileName ? `matched a row from ${row.matched.fileName}` : `matched a row from ${describeSource(r.matchedSource)}`;
  return [r.sameAmount ? "Same amount" : "Different amount", when, alike, from].join(" · ");
}

interface Side {
  date: string | null;
  amount: string | null;
  currency: string | null;
  description: string;
  counterparty: string | null;
  file: string | null;
  account: string | null;
}

const FIELDS: { key: keyof Side; label: string }[] = [
  { key: "date", label: "Date" },
  { key: "amount", label: "Amount" },
  { key: "description", label: "Description" },
  { key: "counterparty", label: "Counterparty" },
  { key: "file", label: "Source file" },
  { key: "account", label: "Account" },
];

function show(side: Side, key: keyof Side): string {
  if (key === "amount") return side.amount === null ? "—" : `${side.amount}${side.currency ? ` ${side.currency}` : ""}`;
  const v = side[key];
  return v === null || v === "" ? "—" : v;
}

function SideView({ title, side, other, testId }: { title: string; side: Side; other: Side | null; testId: string }) {
  return (
    <div className="min-w-0 flex-1 rounded-lg bg-slate-50 p-3" data-testid={testId}>
      <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h3>
      <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1 text-sm">
        {FIELDS.map(({ key, label }) => {
          const value = show(side, key);
          const differs = other !== null && key !== "file" && value !== show(other, key);
          return (
            <div key={key} className="contents">
              <dt className="text-slate-500">{label}</dt>
              <dd className={`min-w-0 break-words ${key === "amount" || key === "date" ? "num" : ""} ${differs ? "font-medium text-amber-800" : "text-slate-900"}`}
                data-field={key}>
                {value}
                {differs && <span className="sr-only"> (differs)</span>}
              </dd>
            </div>
          );
        })}
      </dl>
    </div>
  );
}

export function DuplicateCard(props: {
  row: CandidateJson;
  active: boolean;
  onActivate: () => void;
  selection: { checked: boolean; onToggle: (range: boolean) => void } | null;
  actions: { busy: boolean; onDecide: (decision: "approve" | "reject") => void } | null;
  decided: string | null;
}) {
  const { row, active } = props;
  const held: Side = {
    date: row.held.date,
    amount: row.held.amount,
    currency: row.held.currency,
    description: row.held.description,
    counterparty: row.held.counterparty,
    file: `${row.held.fileName}, line ${row.held.line}`,
    account: row.held.accountName,
  };
  const matched: Side | null = row.matched
    ? {
        date: row.matched.date,
        amount: row.matched.amount,
        currency: row.matched.currency,
        description: row.matched.description,
        counterparty: row.matched.counterparty,
        file: row.matched.fileName ?? describeSource(row.matched.source),
        // Likely duplicates are only looked for within the same account.
        account: row.held.accountName,
      }
    : null;
  const label = `Duplicate #${row.id}: ${row.held.description || "no description"}`;
  return (
    <li aria-label={label} aria-current={active ? "true" : undefined} onClick={props.onActivate}
      className={`rounded-xl border bg-white p-4 shadow-sm transition ${active ? "border-brand-600 ring-2 ring-brand-200" : "border-slate-200"}`}>
      <div className="mb-3 flex flex-wrap items-start gap-3">
        {props.selection && (
          <input type="checkbox" checked={props.selection.checked} aria-label={`Select duplicate #${row.id}`}
            onClick={(e) => { e.stopPropagation(); props.selection?.onToggle(e.shiftKey); }} onChange={() => undefined}
            className="mt-0.5 h-4 w-4 accent-brand-600" />
        )}
        <div className="min-w-0 flex-1">
          <p className="text-sm font-medium text-slate-900" data-testid="duplicate-reason">{duplicateReason(row)}</p>
          {props.decided && <p className="mt-0.5 text-xs text-slate-600" data-testid="duplicate-decided">{props.decided}</p>}
        </div>
        {props.actions && (
          <div className="flex gap-2">
            <button type="button" disabled={props.actions.busy} onClick={(e) => { e.stopPropagation(); props.actions?.onDecide("approve"); }}
              className="rounded-md border border-emerald-700 px-3 py-1 text-sm font-medium text-emerald-800 hover:bg-emerald-50 disabled:opacity-40">
              Approve <kbd className="ml-1 text-xs text-emerald-700">A</kbd>
            </button>
            <button type="button" disabled={props.actions.busy} onClick={(e) => { e.stopPropagation(); props.actions?.onDecide("reject"); }}
              className="rounded-md border border-red-700 px-3 py-1 text-sm font-medium text-red-800 hover:bg-red-50 disabled:opacity-40">
              Reject <kbd className="ml-1 text-xs text-red-700">R</kbd>
            </button>
          </div>
        )}
      </div>
      <div className="flex flex-col gap-3 md:flex-row">
        <SideView title="Held from this import" side={held} other={matched} testId="held-row" />
        {matched ? (
          <SideView title="Already in the ledger" side={matched} other={held} testId="matched-row" />
        ) : (
          <div className="flex-1 rounded-lg bg-slate-50 p-3 text-sm text-slate-600" data-testid="matched-row">
            The ledger row it resembled has been removed since (its import was reverted).
          </div>
        )}
      </div>
    </li>
  );
}
