/**
 * The bench's M-Pesa generator (bench/generate/mpesa.ts) writes what this parser reads cleanly: every
 * row a transaction, no issue of any kind (so its balances are consistent and no row repeats), and the
 * same bytes for the same seed. Lives here because the pure vitest project only collects lib/formats.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateMpesa } from "../../../bench/generate/mpesa";
import { chunked, collect } from "../collect";
import { mpesaFormat } from "./index";

const dir = mkdtempSync(join(tmpdir(), "inflow-mpesa-gen-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bench M-Pesa generator", () => {
  it("writes a statement the parser reads with no issues and exactly the generated record count", async () => {
    const file = generateMpesa(join(dir, "a.csv"), 300_000, 20251031);
    const bytes = new Uint8Array(readFileSync(file.path));
    expect(file.bytes).toBe(bytes.length);
    expect(file.records).toBeGreaterThan(2000);
    const result = await collect(mpesaFormat.parse(chunked(bytes, 65_536)));
    expect(result.issues).toEqual([]);
    const transactions = result.statements.flatMap((s) => s.transactions);
    expect(transactions).toHaveLength(file.records);
    expect(result.meta?.extra).toMatchObject({ order: "newest_first", balanceMismatches: 0, repeatedRows: 0, failedRows: 0 });
    expect(result.meta?.extra.balanceChecks).toBe(file.records - 1);
    const categories = new Set(transactions.map((t) => t.details?.category));
    for (const category of ["charge", "paybill", "withdrawal", "sent", "buy_goods", "airtime", "deposit", "received", "business_payment", "mshwari"]) expect(categories).toContain(category);
  });

  it("is deterministic for a seed", () => {
    const a = generateMpesa(join(dir, "b.csv"), 50_000, 7);
    const b = generateMpesa(join(dir, "c.csv"), 50_000, 7);
    const c = generateMpesa(join(dir, "d.csv"), 50_000, 8);
    expect(readFileSync(a.path)).toEqual(readFileSync(b.path));
    expect(readFileSync(a.path)).not.toEqual(readFileSync(c.path));
  });
});
