/** Finding named columns in a header for formats with a fixed vocabulary (M-Pesa, POS, trial balance, SalesPro). */
import { FormatError } from "../types";
import { normalizeHeader } from "./mapping";

/** Index of the first header equal (after normalisation) to one of `names`. */
export function findColumn(headers: readonly string[], names: readonly string[]): number | undefined {
  const normalized = headers.map(normalizeHeader);
  for (const name of names) {
    const i = normalized.indexOf(normalizeHeader(name));
    if (i >= 0) return i;
  }
  return undefined;
}

/**
 * Resolves every wanted column; a missing required one is a structural failure naming what was
 * expected and what the header holds.
 */
export function requireColumns<K extends string>(
  headers: readonly string[],
  wanted: Record<K, { names: readonly string[]; required: boolean }>,
  line: number,
): Record<K, number | undefined> {
  const out = {} as Record<K, number | undefined>;
  const missing: string[] = [];
  for (const key of Object.keys(wanted) as K[]) {
    const spec = wanted[key];
    const index = findColumn(headers, spec.names);
    out[key] = index;
    if (index === undefined && spec.required) missing.push(`"${spec.names[0]}"`);
  }
  if (missing.length > 0) {
    throw new FormatError("missing_columns", `Expected column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} in the header, found: ${headers.join(" | ")}`, line);
  }
  return out;
}

/** A header predicate: every one of `names` present. */
export function headerHas(names: readonly string[]): (cells: readonly string[]) => boolean {
  const wanted = names.map(normalizeHeader);
  return (cells) => {
    const have = new Set(cells.map(normalizeHeader));
    return wanted.every((n) => have.has(n));
  };
}
