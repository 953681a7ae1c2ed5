/**
 * Small charts of the review page, plain SVG and CSS: rows by status (from the dry run) and amounts
 * over time (credits up, debits down, per day, week or month, summed by the database as exact
 * decimals; the bar heights are the only place a number is approximated, and only for drawing).
 */
import type { DryRun } from "@/lib/ingest/classify";

const STATUS_BARS: { key: keyof DryRun; label: string; color: string }[] = [
  { key: "new", label: "New", color: "bg-emerald-500" },
  { key: "exactDuplicates", label: "Exact duplicates", color: "bg-slate-400" },
  { key: "likelyDuplicates", label: "Likely duplicates", color: "bg-amber-400" },
  { key: "errors", label: "Errors", color: "bg-red-500" },
  { key: "unmapped", label: "Unmapped", color: "bg-rose-300" },
  { key: "excluded", label: "Excluded", color: "bg-slate-200" },
];

export function RowsByStatus({ dryRun }: { dryRun: DryRun }) {
  const total = Math.max(dryRun.total, 1);
  const bars = STATUS_BARS.filter((b) => dryRun[b.key] > 0);
  return (
    <figure aria-label="Rows by status" className="text-sm">
      <figcaption className="font-medium text-slate-800">Rows by status</figcaption>
      <div className="mt-2 flex h-4 w-full overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
        {bars.map((b) => (
          <div key={b.key} className={b.color} style={{ width: `${(dryRun[b.key] / total) * 100}%` }} title={`${b.label}: ${dryRun[b.key]}`} />
        ))}
      </div>
      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
        {bars.map((b) => (
          <li key={b.key} className="flex items-center gap-1.5">
            <span className={`inline-block h-2.5 w-2.5 rounded-sm ${b.color}`} aria-hidden="true" />
            {b.label} <span className="num">{dryRun[b.key]}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

export interface AmountBucket {
  /** First day of the bucket, YYYY-MM-DD. */
  start: string;
  credits: string;
  debits: string;
  count: number;
}

/** For drawing only: the bar's height. Sums shown as text are the server's exact strings. */
function magnitude(decimal: string): number {
  const n = Math.abs(Number.parseFloat(decimal));
  return Number.isFinite(n) ? n : 0;
}

export function AmountsOverTime({ buckets, currency, unit, otherCurrencies }: { buckets: AmountBucket[]; currency: string; unit: "day" | "week" | "month"; otherCurrencies: string[] }) {
  if (buckets.length === 0) return null;
  const max = Math.max(...buckets.map((b) => Math.max(magnitude(b.credits), magnitude(b.debits))), 1);
  const W = 560;
  const H = 140;
  const mid = H / 2;
  const slot = W / buckets.length;
  const bar = Math.max(1, Math.min(24, slot * 0.7));
  const first = buckets[0]!;
  const last = buckets.at(-1)!;
  return (
    <figure aria-label="Amounts over time" className="text-sm">
      <figcaption className="font-medium text-slate-800">
        Amounts over time <span className="font-normal text-slate-600">({currency}, per {unit}; credits above the line, debits below)</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H + 18}`} className="mt-2 h-auto w-full max-w-xl" role="img" aria-label={`Credits and debits in ${currency} per ${unit} from ${first.start} to ${last.start}`}>
        <line x1={0} x2={W} y1={mid} y2={mid} className="stroke-slate-300" strokeWidth={1} />
        {buckets.map((b, i) => {
          const x = i * slot + (slot - bar) / 2;
          const up = (magnitude(b.credits) / max) * (mid - 4);
          const down = (magnitude(b.debits) / max) * (mid - 4);
          return (
            <g key={b.start}>
              <title>{`${b.start}: credits ${b.credits}, debits ${b.debits} ${currency} (${b.count} rows)`}</title>
              <rect x={x} y={mid - up} width={bar} height={up} className="fill-emerald-500" />
              <rect x={x} y={mid} width={bar} height={down} className="fill-red-400" />
            </g>
          );
        })}
        <text x={0} y={H + 14} className="fill-slate-500 text-[11px]">{first.start}</text>
        <text x={W} y={H + 14} textAnchor="end" className="fill-slate-500 text-[11px]">{last.start}</text>
      </svg>
      {otherCurrencies.length > 0 && <p className="text-xs text-slate-500">Rows in {otherCurrencies.join(", ")} are not drawn; see their totals in the profile.</p>}
    </figure>
  );
}
