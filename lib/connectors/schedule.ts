/**
 * When a connection syncs next: its schedule (manual, hourly, daily, or a five-field cron expression,
 * evaluated in UTC), retries after failures (exponential backoff with jitter, bounded), and the
 * provider's own limit (next_allowed_sync_at: never before it). Pure functions; the sync jobs
 * (./jobs.ts) store the answers in connections.next_sync_at.
 */

/** Retries: 1, 2, 4, 8 … minutes after consecutive failures, capped at an hour; each delay jittered down to half. */
export const RETRY = {
  baseSeconds: 60,
  capSeconds: 3600,
  /** A manual connection stops retrying on its own after this many failures in a row (someone syncs it again). */
  manualAttempts: 5,
} as const;

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "weekday", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
] as const;

export interface Cron {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Cron's rule: when both day of month and weekday are restricted, either one matching is enough. */
  dayOrWeekday: boolean;
}

export class ScheduleError extends Error {}

function parseValue(text: string, field: (typeof FIELDS)[number]): number {
  const lower = text.toLowerCase();
  if ("names" in field) {
    const index = (field.names as readonly string[]).indexOf(lower);
    if (index >= 0) return field.name === "month" ? index + 1 : index;
  }
  if (!/^\d+$/.test(text)) throw new ScheduleError(`"${text}" is not a valid ${field.name}.`);
  const value = Number(text);
  if (value < field.min || value > field.max) throw new ScheduleError(`The ${field.name} ${value} is out of range (${field.min}–${field.max}).`);
  return value;
}

function parseField(text: string, field: (typeof FIELDS)[number]): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`"${part}" has a step that is not a positive whole number.`);
    let from: number;
    let to: number;
    if (range === "*") {
      from = field.min;
      to = field.name === "weekday" ? 6 : field.max;
    } else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      from = parseValue(a, field);
      to = parseValue(b, field);
      if (from > to) throw new ScheduleError(`The ${field.name} range "${range}" runs backwards.`);
    } else {
      from = parseValue(range, field);
      to = stepText === undefined ? from : field.max;
    }
    for (let v = from; v <= to; v += step) values.add(field.name === "weekday" && v === 7 ? 0 : v);
  }
  return values;
}

/** Parses a five-field cron expression (minute hour day-of-month month weekday); throws ScheduleError in plain words. */
export function parseCron(expression: string): Cron {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new ScheduleError("A cron expression has five fields: minute hour day-of-month month weekday.");
  const [minute, hour, day, month, weekday] = parts.map((p, i) => parseField(p, FIELDS[i]!)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return { minutes: minute, hours: hour, days: day, months: month, weekdays: weekday, dayOrWeekday: parts[2] !== "*" && parts[4] !== "*" };
}

/** True for the schedules a connection may have; the message says what is wrong otherwise. */
export function checkSchedule(schedule: string): { ok: true } | { ok: false; message: string } {
  if (schedule === "manual" || schedule === "hourly" || schedule === "daily") return { ok: true };
  try {
    parseCron(schedule);
    return { ok: true };
  } catch (error) {
    if (error instanceof ScheduleError) return { ok: false, message: error.message };
    throw error;
  }
}

function dayMatches(cron: Cron, date: Date): boolean {
  const day = cron.days.has(date.getUTCDate());
  const weekday = cron.weekdays.has(date.getUTCDay());
  return cron.dayOrWeekday ? day || weekday : day && weekday;
}

/** The first minute strictly after `from` that the cron expression names (UTC); null if none within five years. */
export function nextCronRun(cron: Cron, from: Date): Date | null {
  const t = new Date(from.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = from.getTime() + 5 * 366 * 86_400_000;
  // Skips whole months, days and hours that cannot match, so even rare dates take a few hundred steps.
  while (t.getTime() <= limit) {
    if (!cron.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(cron, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!cron.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!cron.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t;
    }
  }
  return null;
}

/**
 * When a connection on this schedule is next due after a sync at `from`: an hour or a day later, the
 * cron expression's next minute, or never for manual connections (and unparseable schedules).
 */
export function nextScheduledRun(schedule: string, from: Date): Date | null {
  if (schedule === "manual") return null;
  if (schedule === "hourly") return new Date(from.getTime() + 3600_000);
  if (schedule === "daily") return new Date(from.getTime() + 86_400_000);
  try {
    return nextCronRun(parseCron(schedule), from);
  } catch (error) {
    if (error instanceof ScheduleError) return null;
    throw error;
  }
}

/**
 * Seconds to wait before retrying after `failures` failed syncs in a row: exponential (base × 2^(n−1)),
 * capped, with "equal jitter" — a random point in the upper half — so connections that failed together
 * (a provider outage) do not all retry in the same second, yet none retries sooner than half the step.
 */
export function retryDelaySeconds(failures: number, random: () => number = Math.random): number {
  const step = Math.min(RETRY.capSeconds, RETRY.baseSeconds * 2 ** Math.max(0, failures - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * The next attempt after a sync: the schedule's next run after a success; after a failure, the
 * earlier of a backed-off retry and the schedule (manual connections retry a few times, then wait for
 * someone); never before the provider allows.
 */
export function nextAttemptAt(params: {
  schedule: string;
  consecutiveFailures: number;
  nextAllowedSyncAt: Date | null;
  now: Date;
  random?: () => number;
}): Date | null {
  const { schedule, consecutiveFailures: failures, now } = params;
  const scheduled = nextScheduledRun(schedule, now);
  let next = scheduled;
  if (failures > 0) {
    const giveUp = schedule === "manual" && failures >= RETRY.manualAttempts;
    const retry = giveUp ? null : new Date(now.getTime() + retryDelaySeconds(failures, params.random) * 1000);
    next = retry && scheduled ? (retry < scheduled ? retry : scheduled) : (retry ?? scheduled);
  }
  if (next && params.nextAllowedSyncAt && params.nextAllowedSyncAt > next) return params.nextAllowedSyncAt;
  return next;
}
