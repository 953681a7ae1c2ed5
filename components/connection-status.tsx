/** Connections in words: status, schedule and health as a finance person reads them. Shared by the list and detail pages. */
import { formatDateTime, plural } from "./import-status";

/** A connection as the API answers it (dates as ISO strings). */
export interface ConnectionJson {
  id: string;
  name: string;
  type: string;
  status: "active" | "paused" | "failing";
  schedule: string;
  config: Record<string, unknown>;
  lastSyncAt: string | null;
  nextSyncAt: string | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  lastError: { message: string; at: string } | null;
  nextAllowedSyncAt: string | null;
  createdAt: string;
}

export const CONNECTOR_LABELS: Record<string, string> = { sftp: "SFTP drop folder", plaid: "Plaid", stripe: "Stripe", sql: "SQL database", quickbooks: "QuickBooks Online", superops: "SuperOps", "google-sheets": "Google Sheets", "mpesa-daraja": "M-Pesa (Daraja)" };

export const connectionsQueryKey = ["connections"] as const;
export const historyQueryKey = (id: string) => ["connections", id, "history"] as const;

export function typeLabel(type: string): string {
  return CONNECTOR_LABELS[type] ?? type;
}

export function scheduleText(schedule: string): string {
  if (schedule === "manual") return "Manual (Sync now only)";
  if (schedule === "hourly") return "Every hour";
  if (schedule === "daily") return "Every day";
  return `Cron ${schedule} (UTC)`;
}

export function when(iso: string | null, never = "—"): string {
  return iso ? formatDateTime(iso) : never;
}

/** How the connection is doing, in one sentence. */
export function healthText(c: ConnectionJson): string {
  if (c.consecutiveFailures === 0) return c.lastSuccessAt ? "Healthy: the last sync worked." : "Not synced yet.";
  const streak = `${plural(c.consecutiveFailures, "failed sync")} in a row`;
  return c.status === "failing" ? `Failing: ${streak}.` : `${streak}; it will be retried.`;
}

const STATUS_STYLE: Record<ConnectionJson["status"], string> = {
  active: "bg-emerald-50 text-emerald-800",
  paused: "bg-slate-100 text-slate-700",
  failing: "bg-red-50 text-red-800",
};
const STATUS_WORDS: Record<ConnectionJson["status"], string> = { active: "Active", paused: "Paused", failing: "Failing" };

export function ConnectionStatusBadge({ status }: { status: ConnectionJson["status"] }) {
  return (
    <span data-testid="connection-status" className={`inline-flex rounded-full px-2.5 py-0.5 text-xs font-medium ${STATUS_STYLE[status]}`}>
      {STATUS_WORDS[status]}
    </span>
  );
}
