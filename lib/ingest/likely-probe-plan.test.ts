/**
 * The likely-duplicate probe's plan, read with auto_explain (nested statements, as notices): each
 * probe goes through transactions_likely_idx by account, and no index can take the tenant. That is
 * what keeps the plan right when a tenant's ledger rows are newer than the table's statistics: with
 * a tenant condition an index could use, the planner once probed a tenant-leading index on tenant_id
 * alone and read every row of the tenant per incoming row (16 minutes for 100,000 rows in the bench).
 */
import { describe, expect, it } from "vitest";
import { asService, createTenant } from "@/test/db";

describe("private.likely_duplicate_matches", () => {
  it("probes transactions_likely_idx by account, currency, amount and date, never by tenant", async () => {
    const tenant = await createTenant("likely-plan");
    const plans = await asService(async (db) => {
      const one = async (sql: string, params: unknown[]) => (await db.query<{ id: string }>(sql, params)).rows[0]!.id;
      // The statistics describe the ledger as it is now, without this tenant's rows: the case in the
      // header. Left to autovacuum they describe whatever the test files running beside this one had
      // written when it last ran, and once (in a whole-suite run) the planner chose another index.
      await db.query("analyze public.transactions");
      const account = await one("insert into public.accounts (tenant_id, name, currency) values ($1, 'Operating', 'USD') returning id", [tenant.id]);
      const imp = await one("insert into public.imports (tenant_id, file_name, format, status, created_by) values ($1, 'f.csv', 'csv', 'staged', $2) returning id", [
        tenant.id,
        tenant.members.uploader.id,
      ]);
      await db.query(
        `insert into public.transactions (tenant_id, account_id, booking_date, amount, currency, description, source)
         select $1, $2, date '2026-01-01' + (g % 60), g, 'USD', 'row ' || g, 'csv' from generate_series(1, 2000) g`,
        [tenant.id, account],
      );
      await db.query(
        `insert into public.staged_rows (tenant_id, import_id, row_no, line, kind, account_id, record, status)
         values ($1, $2, 1, 2, 'transaction', $3, '{"amount": "7", "bookingDate": "2026-01-08", "description": "row 7"}', 'new')`,
        [tenant.id, imp, account],
      );
      const notices: string[] = [];
      const listener = (n: { message?: string }) => notices.push(n.message ?? "");
      (db as unknown as NodeJS.EventEmitter).on("notice", listener);
      try {
        await db.query("load 'auto_explain'");
        await db.query("set local auto_explain.log_min_duration = 0");
        await db.query("set local auto_explain.log_nested_statements = on");
        await db.query("set local auto_explain.log_level = notice");
        await db.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(tenant.members.uploader.claims)]);
        await db.query("set local role authenticated");
        const { rows } = await db.query<{ transaction_id: string }>("select transaction_id::text from private.likely_duplicate_matches($1, $2, 3, 0.3)", [tenant.id, imp]);
        expect(rows).toHaveLength(1);
      } finally {
        (db as unknown as NodeJS.EventEmitter).off("notice", listener);
      }
      return notices.filter((n) => n.includes("on transactions t"));
    });
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) {
      const lines = plan.split("\n");
      const scan = lines.findIndex((l) => l.includes("on transactions t"));
      // The whole plan as the message: a failure shows what the planner chose instead.
      expect(lines[scan], plan).toContain("Index Scan using transactions_likely_idx on transactions t");
      const indexCond = lines[scan + 1] ?? "";
      expect(indexCond, plan).toContain("Index Cond: ((account_id = s.account_id) AND (currency =");
      expect(indexCond, plan).toContain("(amount =");
      expect(indexCond, plan).toContain("(booking_date >=");
      expect(indexCond, plan).not.toContain("tenant_id");
    }
  });
});
