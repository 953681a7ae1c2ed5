/**
 * The profile of an import as stored on it (ImportProfile as JSON): counts, date range, debit and
 * credit totals per currency, the opening + transactions = closing checks and the parser's own facts.
 * Read defensively: a profile written by an older build may lack a field.
 */
import type { JsonValue } from "@/lib/formats/types";
import type { BalanceCheck, ImportProfile } from "@/lib/ingest/profile";
import { plural } from "./import-status";

type StoredProfile = Partial<ImportProfile>;

const KIND_LABELS: Record<string, string> = {
  transaction: "transactions",
  sales_line: "sales lines",
  gl_balance: "trial-balance lines",
  appointment: "appointments",
};

/** Parser facts too large or too internal to help a reader of the profile. */
const HIDDEN_FACTS = new Set(["headers", "columnMapping", "groups", "statements"]);

const DATE_ORDER_WORDS: Record<string, string> = { YMD: "YYYY-MM-DD", DMY: "DD/MM/YYYY (day first)", MDY: "MM/DD/YYYY (month first)" };
const BASIS_WORDS: Record<string, string> = { option: "as chosen at upload", scan: "from the first rows", lookahead: "from the first rows", whole_file: "from the whole file" };

/** The reader's decisions about dates and numbers, said back in words, so a wrong guess is seen before commit. */
function readingOf(parser: Record<string, JsonValue>): string[] {
  const out: string[] = [];
  const order = typeof parser.dateOrder === "string" ? parser.dateOrder : null;
  if (order) {
    const basis = typeof parser.dateOrderBasis === "string" ? BASIS_WORDS[parser.dateOrderBasis] : undefined;
    const reason = typeof parser.dateOrderReason === "string" && parser.dateOrderReason ? `: ${parser.dateOrderReason}` : "";
    const unsure = parser.dateOrderCertainty === "ambiguous" ? " (not certain: check the dates below)" : "";
    out.push(`Dates read as ${DATE_ORDER_WORDS[order] ?? order}${basis ? `, ${basis}` : ""}${reason}${unsure}.`);
  }
  const sep = typeof parser.decimalSeparator === "string" ? parser.decimalSeparator : null;
  if (sep) {
    const example = sep === "," ? "1.234,56" : "1,234.56";
    out.push(`Amounts read with "${sep}" as the decimal separator (${example})${parser.numberFormatConflict === true ? "; some values suggested the other separator" : ""}.`);
  }
  const mapping = parser.columnMapping;
  if (mapping && typeof mapping === "object" && !Array.isArray(mapping)) {
    const pairs = Object.entries(mapping).filter(([, v]) => typeof v === "string").map(([k, v]) => `${words(k).toLowerCase()} ← "${String(v)}"`);
    if (pairs.length > 0) out.push(`Columns: ${pairs.join(", ")}.`);
  }
  return out;
}

function factText(value: JsonValue): string {
  if (value === null) return "—";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  const json = JSON.stringify(value);
  return json.length > 160 ? `${json.slice(0, 157)}…` : json;
}

function words(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function isZero(decimal: string): boolean {
  return /^-?0*(\.0*)?$/.test(decimal);
}

export function ImportProfileView({ profile: raw }: { profile: Record<string, JsonValue> }) {
  const p = raw as unknown as StoredProfile;
  const totals = Object.entries(p.totals ?? {});
  const checks: BalanceCheck[] = p.balanceChecks ?? [];
  const facts = Object.entries(p.parser ?? {}).filter(([k]) => !HIDDEN_FACTS.has(k));
  const kinds = Object.entries(p.byKind ?? {});
  const empty = Object.entries(p.emptyFields ?? {}).filter(([, n]) => n > 0);
  const reading = readingOf(p.parser ?? {});

  return (
    <section aria-label="Profile" className="rounded-xl border border-slate-200 bg-white p-5 text-sm shadow-sm">
      <h2 className="text-base font-medium text-slate-900">Profile</h2>
      <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-6 gap-y-1">
        <dt className="text-slate-600">Rows</dt>
        <dd className="num">
          {p.rows ?? 0}
          {kinds.length > 0 && ` (${kinds.map(([k, n]) => `${n} ${KIND_LABELS[k] ?? k}`).join(", ")})`}
          {p.rejected ? `, plus ${plural(p.rejected, "row")} that could not be read` : ""}
        </dd>
        {p.statements ? (<><dt className="text-slate-600">Statements</dt><dd className="num">{p.statements}</dd></>) : null}
        <dt className="text-slate-600">Date range</dt>
        <dd className="num">{p.dateRange ? `${p.dateRange.from} to ${p.dateRange.to}` : "—"}</dd>
        <dt className="text-slate-600">Issues</dt>
        <dd>{plural(p.errors ?? 0, "error")}, {plural(p.warnings ?? 0, "warning")}</dd>
        {empty.length > 0 && (<><dt className="text-slate-600">Empty fields</dt><dd>{empty.map(([f, n]) => `${f}: ${n}`).join(", ")}</dd></>)}
        {p.balanceSum != null && (<><dt className="text-slate-600">Sum of balances</dt><dd className="num">{p.balanceSum}</dd></>)}
        {p.zeroBalances ? (<><dt className="text-slate-600">Zero balances</dt><dd className="num">{p.zeroBalances}</dd></>) : null}
      </dl>

      {totals.length > 0 && (
        <table aria-label="Totals per currency" className="mt-4 min-w-[28rem] text-sm">
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr><th className="py-1 pr-6">Currency</th><th className="py-1 pr-6 text-right">Rows</th><th className="py-1 pr-6 text-right">Credits</th><th className="py-1 text-right">Debits</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {totals.map(([currency, t]) => (
              <tr key={currency}>
                <td className="py-1 pr-6">{currency}</td>
                <td className="num py-1 pr-6 text-right">{t.count}</td>
                <td className="num py-1 pr-6 text-right">{t.credits}</td>
                <td className="num py-1 text-right text-red-700">{t.debits}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {checks.length > 0 && (
        <table aria-label="Balance checks" className="mt-4 min-w-[36rem] text-sm">
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="py-1 pr-6">Statement</th><th className="py-1 pr-6 text-right">Opening</th><th className="py-1 pr-6 text-right">+ Transactions</th>
              <th className="py-1 pr-6 text-right">= Expected closing</th><th className="py-1 pr-6 text-right">Stated closing</th><th className="py-1 text-right">Difference</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {checks.map((c) => (
              <tr key={c.statementNo}>
                <td className="py-1 pr-6">{c.statementNo + 1}{c.currency ? ` (${c.currency})` : ""}</td>
                <td className="num py-1 pr-6 text-right">{c.opening}</td>
                <td className="num py-1 pr-6 text-right">{c.transactions}</td>
                <td className="num py-1 pr-6 text-right">{c.expectedClosing}</td>
                <td className="num py-1 pr-6 text-right">{c.closing}</td>
                <td className={`num py-1 text-right ${isZero(c.difference) ? "text-emerald-700" : "font-medium text-red-700"}`}>
                  {isZero(c.difference) ? "balances" : c.difference}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {checks.some((c) => !isZero(c.difference)) && (
        <p role="note" className="mt-2 rounded-md bg-amber-50 px-3 py-2 text-amber-900">
          Opening balance plus transactions does not equal the stated closing balance for {plural(checks.filter((c) => !isZero(c.difference)).length, "statement")}:
          rows may be missing from the file, or the bank counts something the file does not list.
        </p>
      )}

      {reading.length > 0 && (
        <div className="mt-4" aria-label="How the file was read">
          <h3 className="font-medium text-slate-800">How the file was read</h3>
          <ul className="mt-1 list-disc space-y-0.5 pl-5 text-slate-700">
            {reading.map((line) => <li key={line}>{line}</li>)}
          </ul>
        </div>
      )}

      {facts.length > 0 && (
        <div className="mt-4">
          <h3 className="font-medium text-slate-800">What the reader found in the file</h3>
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-6 gap-y-1">
            {facts.map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-slate-600">{words(k)}</dt>
                <dd className="num break-all">{factText(v)}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </section>
  );
}
