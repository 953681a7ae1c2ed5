"use client";

/** The selected row in full: every issue, each field as read and as corrected, the raw text, the match. */
import type { JsonValue } from "@/lib/formats/types";
import type { StagedRowView } from "@/lib/db/queries/staged-rows";
import { EDITABLE_COLUMNS, FIELD_LABEL, HIDDEN_RECORD_KEYS, STATUS_LABEL, fieldOf, issueField, text, type Column } from "./review-fields";

const COLUMN_LABEL: Record<Column, string> = { date: "date", amount: "amount", description: "description" };

function shown(value: JsonValue | undefined): string {
  if (value === undefined || value === null || value === "") return "—";
  return text(value) ?? JSON.stringify(value);
}

export interface ReviewRowPanelProps {
  row: StagedRowView | undefined;
  columnMapping: Record<string, string>;
  editable: boolean;
  editError: string | null;
  onClose: () => void;
  onToggleExcluded: (row: StagedRowView) => void;
  onEdit: (column: Column) => void;
}

export function ReviewRowPanel({ row, columnMapping, editable, editError, onClose, onToggleExcluded, onEdit }: ReviewRowPanelProps) {
  if (!row) {
    return (
      <aside aria-label="Selected row" className="border-t border-slate-200 px-5 py-4 text-sm text-slate-500 xl:border-l xl:border-t-0">
        Select a row to see its issues, its values as read and as corrected, and the line as it stands in the file.
      </aside>
    );
  }
  const original = row.original ?? row.record;
  const keys = [...new Set([...Object.keys(row.record), ...Object.keys(original)])].filter((k) => !HIDDEN_RECORD_KEYS.has(k));
  const corrected = (k: string) => row.original !== null && JSON.stringify(row.original[k] ?? null) !== JSON.stringify(row.record[k] ?? null);
  const errorFields = new Set(row.issues.filter((i) => i.severity === "error").map((i) => issueField(row.kind, i, columnMapping)));
  const details = row.record.details ?? row.record.fields;
  const raw = text(row.record.raw) ?? text(original.raw);

  return (
    <aside aria-label="Selected row" className="max-h-[640px] overflow-y-auto border-t border-slate-200 px-5 py-4 text-sm xl:border-l xl:border-t-0">
      <div className="flex items-start justify-between gap-2">
        <h3 className="font-medium text-slate-900">Line {row.line} <span className="font-normal text-slate-600">· {STATUS_LABEL[row.status]}</span></h3>
        <button type="button" onClick={onClose} className="rounded px-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-800" aria-label="Close the selected row">✕</button>
      </div>

      {row.issues.length > 0 && (
        <ul aria-label="Issues of this row" className="mt-3 space-y-1.5">
          {row.issues.map((issue, n) => (
            <li key={n} className={`rounded-md px-2.5 py-1.5 ${issue.severity === "error" ? "bg-red-50 text-red-800" : issue.severity === "warning" ? "bg-amber-50 text-amber-900" : "bg-slate-50 text-slate-700"}`}>
              <span className="font-medium">{issue.severity === "error" ? "Error" : issue.severity === "warning" ? "Warning" : "Note"}:</span> {issue.message}
            </li>
          ))}
        </ul>
      )}
      {editError && <p role="alert" className="mt-2 rounded-md bg-red-50 px-2.5 py-1.5 text-red-800">{editError}</p>}

      {row.match && (
        <div className="mt-3 rounded-md bg-amber-50 px-2.5 py-1.5 text-amber-900">
          {row.status === "exact_duplicate" ? "Already in the ledger" : "Resembles a ledger row"}: {row.match.bookingDate} · <span className="num">{row.match.amount} {row.match.currency}</span> · “{row.match.description}”
          {row.match.score !== null && row.status === "likely_duplicate" ? ` (similarity ${row.match.score.toFixed(2)})` : ""}
        </div>
      )}

      <table aria-label="Values of this row" className="mt-3 w-full text-sm">
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr><th className="py-1 pr-2">Field</th><th className="py-1 pr-2">Value</th>{row.original && <th className="py-1">As read</th>}</tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {keys.map((k) => (
            <tr key={k} className={errorFields.has(k) ? "bg-red-50" : corrected(k) ? "bg-emerald-50" : undefined}>
              <th scope="row" className="py-1 pr-2 text-left font-normal text-slate-600">{FIELD_LABEL[k] ?? k}</th>
              <td className="num break-all py-1 pr-2">{shown(row.record[k])}</td>
              {row.original && <td className={`num break-all py-1 ${corrected(k) ? "text-slate-500 line-through" : "text-slate-500"}`}>{corrected(k) ? shown(row.original[k]) : ""}</td>}
            </tr>
          ))}
          {details && typeof details === "object" && !Array.isArray(details) &&
            Object.entries(details).map(([k, v]) => (
              <tr key={`d-${k}`}>
                <th scope="row" className="py-1 pr-2 text-left font-normal text-slate-500">{k}</th>
                <td className="num break-all py-1 pr-2 text-slate-700">{shown(v)}</td>
                {row.original && <td />}
              </tr>
            ))}
        </tbody>
      </table>

      {raw !== null && (
        <div className="mt-3">
          <h4 className="text-xs uppercase tracking-wide text-slate-500">In the file (line {row.line})</h4>
          <pre className="mt-1 overflow-x-auto whitespace-pre-wrap break-all rounded-md bg-slate-50 px-2.5 py-1.5 font-mono text-xs text-slate-800">{raw}</pre>
        </div>
      )}

      {editable && (
        <div className="mt-4 flex flex-wrap gap-2">
          {EDITABLE_COLUMNS.filter((c) => fieldOf(row.kind, c) !== null).map((c) => (
            <button key={c} type="button" onClick={() => onEdit(c)} className="rounded-md border border-slate-300 px-2.5 py-1 text-xs text-slate-800 hover:bg-slate-50">
              Correct the {COLUMN_LABEL[c]}
            </button>
          ))}
          <button type="button" onClick={() => onToggleExcluded(row)} className="rounded-md border border-slate-300 px-2.5 py-1 text-xs text-slate-800 hover:bg-slate-50">
            {row.excluded ? "Include this row" : "Exclude this row"}
          </button>
        </div>
      )}
    </aside>
  );
}
