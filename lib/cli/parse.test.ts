import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runParse } from "./parse";

const OFX = "test/fixtures/samples/ofx/jseutter-ofxparse__bank_medium.ofx";

async function run(...argv: string[]): Promise<{ code: number; output: string }> {
  let output = "";
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  const code = await runParse(argv, out);
  return { code, output };
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "inflow-cli-")), name);
  writeFileSync(path, content);
  return path;
}

describe("inflow parse", () => {
  it("--json prints the canonical result with decimal-string amounts and exits 0", async () => {
    const { code, output } = await run(OFX, "--json");
    expect(code).toBe(0);
    const parsed = JSON.parse(output) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["format", "encoding", "statements", "records", "issues", "rejected", "meta"]);
    expect(parsed).toMatchObject({
      format: "ofx",
      encoding: "utf-8",
      statements: [{ account: { id: "12300 000012345678" }, balances: [{ amount: "382.34" }, { amount: "682.34" }], transactions: [{ amount: "-6.60" }, {}, {}] }],
      records: [],
      issues: [],
    });
  });

  it("--json lists rejected rows with their line, raw text and fields as read; the summary counts them", async () => {
    const file = "test/fixtures/samples/csv/bank_us_debit_credit_bom.csv";
    const { code, output } = await run(file, "--json");
    expect(code).toBe(0);
    const parsed = JSON.parse(output) as { rejected: unknown[] };
    expect(parsed.rejected).toEqual([
      { kind: "transaction", line: 7, raw: '13/10/2025,BAD DATE ROW,10.00,,"11,885.77",X1', fields: expect.objectContaining({ bookingDate: "13/10/2025", amount: "-10.00" }) },
    ]);
    expect((await run(file)).output).toContain("Rejected rows (kept for correction): 1");
    expect((JSON.parse((await run(OFX, "--json")).output) as { rejected: unknown[] }).rejected).toEqual([]);
  });

  it("accepts the sub-command name and an explicit --format", async () => {
    const { code, output } = await run("parse", OFX, "--format", "ofx", "--json");
    expect(code).toBe(0);
    expect(JSON.parse(output)).toMatchObject({ format: "ofx" });
  });

  it("prints a short human summary without --json, with issue lines", async () => {
    const { code, output } = await run("test/fixtures/samples/ofx/jseutter-ofxparse__fail_nice_empty_balance.ofx");
    expect(code).toBe(0);
    expect(output).toContain("Format: ofx (utf-8)");
    expect(output).toContain("Statements: 1 (accounts: 192639749)");
    expect(output).toContain("Transactions: 1");
    expect(output).toContain("Issues: 2 (2 errors, 0 warnings)");
    expect(output).toContain("line 37 [error] ofx_invalid_amount");
  });

  it("a structural failure prints the error with its line and exits 1", async () => {
    const file = tempFile("cut.ofx", "OFXHEADER:100\n\n<OFX><BANKMSGSRSV1>\n");
    const json = await run(file, "--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.output)).toEqual({ error: { code: "ofx_truncated", message: expect.stringContaining("</BANKMSGSRSV1>"), line: 4 } });
    const human = await run(file);
    expect(human.code).toBe(1);
    expect(human.output).toMatch(/^Error on line 4: .*\(ofx_truncated\)\n$/);
  });

  it("--no-integrity reaches the parser (a BAI2 file with a broken control total)", async () => {
    const file = "test/fixtures/samples/bai2/venturehacks-bai2__invalid_checksum_eod.bai2";
    expect((await run(file, "--json")).code).toBe(1);
    expect((await run(file, "--json", "--no-integrity")).code).toBe(0);
  });

  it("an unknown format, a missing file and a bad option are reported", async () => {
    expect(await run(OFX, "--format", "pdf")).toMatchObject({ code: 2, output: expect.stringContaining('Unknown format "pdf"') });
    expect(await run()).toMatchObject({ code: 2, output: expect.stringContaining("Usage:") });
    expect(await run(OFX, "--bogus")).toMatchObject({ code: 2 });
    const missing = await run("/nonexistent/file.ofx", "--json");
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.output)).toMatchObject({ error: { code: "file_unreadable" } });
  });

  it("unrecognisable content is an unknown_format error on line 1", async () => {
    const file = tempFile("blob.bin", "\u0000\u0001\u0002 nothing to see");
    const { code, output } = await run(file, "--json");
    expect(code).toBe(1);
    expect(JSON.parse(output)).toMatchObject({ error: { code: "unknown_format", line: 1 } });
  });
});
