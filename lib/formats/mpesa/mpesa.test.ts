import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { collect } from "../collect";
import { checkArbitraryBytes, checkChunking, checkMutatedSamples, expectWellFormed, outcome } from "../tabular/property-helpers";
import { categorize, parseCounterparty } from "./categories";
import { mpesaFormat } from "./index";

const dir = "test/fixtures/samples/mpesa/";
const sample = (name: string): Uint8Array => new Uint8Array(readFileSync(dir + name));
const parse = async (bytes: Uint8Array, options = {}) => collect(mpesaFormat.parse([bytes], options));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("mpesa_full_statement_oct2025.csv", () => {
  it("preamble, newest first, charges linked, failed rows not applied, balance consistent", async () => {
    const r = await parse(sample("mpesa_full_statement_oct2025.csv"));
    expect(r.issues).toEqual([]);
    const [s] = r.statements;
    expect(s?.account).toEqual({ id: "0722000111", currency: "KES", kind: "MPESA", name: "JANE WANJIKU MWANGI" });
    expect(s).toMatchObject({ from: "2025-10-01", to: "2025-10-31" });
    const txs = s!.transactions;
    expect(txs).toHaveLength(76);
    expect(r.meta?.extra).toMatchObject({ headerLine: 7, preambleLines: 5, order: "newest_first", failedRows: 2, balanceMismatches: 0, balanceChecks: 73 });
    expect(txs[0]).toMatchObject({ line: 8, externalId: "TJEGZD8PCF", bookingDate: "2025-10-31", amount: "19009.00", currency: "KES", details: { category: "deposit", time: "19:05:00", balance: "292668.00" } });
    const paybill = txs.find((t) => t.externalId === "TKVMGNZGED")!;
    expect(paybill).toMatchObject({ amount: "-1514.00", counterpartyName: "KPLC PREPAID", counterpartyAccount: "888880", details: { category: "paybill", paybillAccount: "5440247" } });
    const charge = txs.find((t) => t.externalId === "TKVMGNZGED:charge")!;
    expect(charge).toMatchObject({ amount: "-23.00", line: 11, details: { category: "charge", linkedReceipt: "TKVMGNZGED" } });
    const failed = txs.filter((t) => t.details?.applied === "false");
    expect(failed.map((t) => [t.externalId, t.details?.status, t.amount])).toEqual([
      ["TJ6YFH0N6M", "Failed", "4883.00"],
      ["TRDBR7SA5E", "Failed", "19314.00"],
    ]);
    expect(new Set(txs.map((t) => t.externalId)).size).toBe(76);
    expect(txs.filter((t) => t.details?.category === "charge")).toHaveLength(16);
    expect(txs.find((t) => t.externalId === "TKXS6L9BP9")).toMatchObject({ amount: "-2677.00", details: { category: "mshwari" } });
    expect(txs.find((t) => t.externalId === "TMT4868R9S")?.details?.category).toBe("fuliza");
    expect(txs.find((t) => t.externalId === "TLR117FL41")).toMatchObject({ counterpartyName: "JOHN KAMAU", counterpartyAccount: "0712***323", details: { category: "sent" } });
    expect(txs.find((t) => t.externalId === "TN4U0YB5YL")).toMatchObject({ counterpartyName: "ACME LTD", details: { category: "business_payment" } });
    expect(s!.balances).toEqual([
      { type: "closing", date: "2025-10-31", amount: "292668.00", currency: "KES", line: 8 },
      { type: "opening", date: "2025-10-10", amount: "48210.00", currency: "KES", line: 83 },
    ]);
  });

  it("a broken running balance is flagged on the row that does not follow", async () => {
    const text = readFileSync(dir + "mpesa_full_statement_oct2025.csv", "utf8").replace('-54.00,"273,659.00"', '-54.00,"273,658.00"');
    const r = await parse(enc(text));
    expect(r.issues.map((i) => [i.code, i.line])).toEqual([
      ["balance_mismatch", 8],
      ["balance_mismatch", 9],
    ]);
    expect(r.issues[1]!.message).toBe("Expected balance 273659.00 (balance 273713.00 on line 10 plus amount -54.00), found 273658.00");
  });
});

describe("mpesa_simple_export.csv", () => {
  it("DD/MM/YYYY, 0 for empty, an exact repeat kept with the same external id and flagged", async () => {
    const r = await parse(sample("mpesa_simple_export.csv"));
    const txs = r.statements[0]!.transactions;
    expect(r.statements[0]!.account.id).toBe("MPESA");
    expect(txs.map((t) => [t.line, t.externalId, t.bookingDate, t.amount, t.details?.category])).toEqual([
      [2, "SLK1ABC123", "2025-10-01", "5000", "received"],
      [3, "SLK1ABC124", "2025-10-01", "-3500", "paybill"],
      [4, "SLK2QWE981", "2025-10-02", "-740", "buy_goods"],
      [5, "SLK2QWE981", "2025-10-02", "-740", "buy_goods"],
      [6, "SLK3ZXC777", "2025-10-03", "-100", "airtime"],
      [7, "SLK4RTY555", "2025-10-13", "2500", "received"],
    ]);
    expect(txs[0]!.counterpartyName).toBe("John");
    expect(txs[1]).toMatchObject({ counterpartyName: "EQUITY PAYBILL", counterpartyAccount: "247247", details: { paybillAccount: "0700123" } });
    expect(r.issues).toEqual([expect.objectContaining({ severity: "warning", code: "repeated_row", line: 5, field: "Receipt No." })]);
    expect(r.meta?.extra).toMatchObject({ order: "oldest_first", dateOrder: "DMY", balanceMismatches: 0, repeatedRows: 1 });
  });

  it("a bad completion time is an error issue, never a guess", async () => {
    const r = await parse(enc("Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn,Balance\nA1,31/02/2025 10:00:00,Airtime Purchase,Completed,0,10,90\n"));
    expect(r.statements[0]!.transactions).toEqual([]);
    expect(r.issues[0]).toMatchObject({ code: "invalid_date", line: 2, field: "Completion Time" });
  });

  it("missing required column is a FormatError naming it", async () => {
    await expect(parse(enc("Receipt No.,Completion Time,Details\nA,2025-01-01 10:00:00,x\n"))).rejects.toMatchObject({ code: "missing_columns", line: 1 });
  });
});

describe("categories and counterparties", () => {
  it.each([
    ["Pay Bill Charge", "charge"],
    ["Withdrawal Charge", "charge"],
    ["Customer Transfer of Funds Charge", "charge"],
    ["Reversal of transaction QWE123", "reversal"],
    ["OverDraft of Credit Party", "fuliza"],
    ["Fuliza M-Pesa repayment", "fuliza"],
    ["M-Shwari Withdraw", "mshwari"],
    ["M-Shwari Deposit", "mshwari"],
    ["Airtime Purchase", "airtime"],
    ["Pay Bill Online to 888880 - KPLC PREPAID Acc. 5440247", "paybill"],
    ["Merchant Payment Online to 5123644 - NAIVAS SUPERMARKET", "buy_goods"],
    ["Buy Goods from 5566 - JAVA HOUSE", "buy_goods"],
    ["Customer Withdrawal At Agent Till 21996 - MAMA NJERI SHOP", "withdrawal"],
    ["Deposit of Funds at Agent Till 33504 - QUICKMART AGENT", "deposit"],
    ["Business Payment from 600100 - ACME LTD via API. Original conversation ID is AG_1", "business_payment"],
    ["Customer Transfer to 0712***323 - JOHN KAMAU", "sent"],
    ["Funds received from 0722***312 - ALI HASSAN", "received"],
    ["Received from John", "received"],
    ["Something new", "other"],
  ])("%s → %s", (details, category) => {
    expect(categorize(details)).toBe(category);
  });

  it.each([
    ["Pay Bill Online to 888880 - KPLC PREPAID Acc. 5440247", { number: "888880", name: "KPLC PREPAID", account: "5440247" }],
    ["Business Payment from 600100 - ACME LTD via API. Original conversation ID is AG_2025848", { number: "600100", name: "ACME LTD" }],
    ["Customer Transfer to 0712***323 - JOHN KAMAU", { number: "0712***323", name: "JOHN KAMAU" }],
    ["Received from Mary Atieno", { name: "Mary Atieno" }],
    ["Airtime Purchase", {}],
  ])("%s", (details, party) => {
    expect(parseCounterparty(details)).toEqual(party);
  });
});

describe("mpesa sniff and properties", () => {
  const samples = ["mpesa_full_statement_oct2025.csv", "mpesa_simple_export.csv"].map(sample);
  it("sniffs by Receipt No. + Completion Time, even after a preamble", () => {
    const head = readFileSync(dir + "mpesa_full_statement_oct2025.csv", "utf8");
    expect(mpesaFormat.sniff(head, enc(head))).toBeGreaterThan(0.9);
    expect(mpesaFormat.sniff("Date,Amount\n2025-01-01,1\n", enc(""))).toBe(0);
  });
  it("samples are well-formed", async () => {
    for (const s of samples) expectWellFormed(await outcome(mpesaFormat, s));
  });
  it("arbitrary bytes never crash", () => checkArbitraryBytes(mpesaFormat));
  it("mutated samples never crash", () => checkMutatedSamples(mpesaFormat, samples));
  it("chunking never changes the result", () => checkChunking(mpesaFormat, samples));
});

describe("mpesa rejected rows", () => {
  it("the samples have none", async () => {
    for (const name of ["mpesa_full_statement_oct2025.csv", "mpesa_simple_export.csv"]) expect((await parse(sample(name))).rejected).toEqual([]);
  });

  it("rows dropped for a bad time, amount or receipt carry their cells; the amount is signed when it could be read", async () => {
    const csv = [
      "Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn,Balance",
      "RJ1,2025-10-40 10:00:00,Pay Bill to 123 - KPLC,Completed,,-500.00,1000.00",
      "RJ2,2025-10-05 10:00:00,Funds received,Completed,abc,,1500.00",
      ",2025-10-04 10:00:00,Funds received,Completed,100.00,,1000.00",
    ].join("\n");
    const r = await parse(enc(csv));
    expect(r.rejected.map((x) => [x.kind, x.line, x.fields.externalId, x.fields.bookingDate, x.fields.amount ?? null, x.fields.credit ?? null])).toEqual([
      ["transaction", 2, "RJ1", "2025-10-40 10:00:00", "-500.00", null],
      ["transaction", 3, "RJ2", "2025-10-05", null, "abc"],
      ["transaction", 4, "", "2025-10-04", "100.00", null],
    ]);
    expect(r.rejected[0]!.fields).toMatchObject({ currency: "KES", description: "Pay Bill to 123 - KPLC", "Transaction Status": "Completed", Balance: "1000.00" });
  });
});

describe("mpesa statements longer than the order look-ahead (10,000 rows)", () => {
  /** Rows of one KES 1 payment per minute; `minutes` gives each row's time, balances follow file order. */
  const statement = (minutes: number[], newestFirst: boolean): string => {
    const lines = ["Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn,Balance"];
    // Newest first: each row's balance is the next row's plus its own amount, so balances count down the file.
    minutes.forEach((minute, i) => {
      const time = new Date(Date.UTC(2026, 0, 1) + minute * 60_000).toISOString().slice(0, 19).replace("T", " ");
      const balance = newestFirst ? minutes.length - i : i + 1;
      lines.push(`R${String(i).padStart(9, "0")},${time},Funds received from 0722000111 - JANE,Completed,1.00,,${balance}.00`);
    });
    return lines.join("\n") + "\n";
  };

  it("decides the order on exactly the first 10,000 rows: 4,000 newest first then 6,000 oldest first reads as oldest first", async () => {
    const minutes = [...Array.from({ length: 4000 }, (_, i) => 100_000 - i), ...Array.from({ length: 8000 }, (_, i) => i)];
    const r = await parse(enc(statement(minutes, false)));
    expect(r.meta?.extra).toMatchObject({ order: "oldest_first", rows: 12_000, transactions: 12_000, balanceChecks: 11_999, balanceMismatches: 0 });
  });

  it("flags repeats and checks the running balance across batch edges and the look-ahead's edge, in any chunking", async () => {
    const minutes = Array.from({ length: 10_500 }, (_, i) => 20_000 - i);
    const lines = statement(minutes, true).split("\n");
    // Each data row copied right after itself (lines[k] is on line k + 1): in the look-ahead across its
    // first replay batch's edge (1,024 rows), around the look-ahead's end, and after it. Inserted last
    // to first, so each later copy moves by the ones before it.
    for (const k of [10_300, 10_000, 1_024]) lines.splice(k + 1, 0, lines[k]!);
    const text = lines.join("\n");
    // 37-byte chunks: after the look-ahead, nearly every row arrives in a batch of its own.
    for (const size of [1 << 16, 37]) {
      const bytes = enc(text);
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
      const r = await collect(mpesaFormat.parse(chunks));
      // A copy's balance cannot follow from its original's: one mismatch, on the original's line.
      expect(r.issues.map((i) => [i.code, i.line]), `chunks of ${size}`).toEqual([
        ["repeated_row", 1_026],
        ["balance_mismatch", 1_025],
        ["repeated_row", 10_003],
        ["balance_mismatch", 10_002],
        ["repeated_row", 10_304],
        ["balance_mismatch", 10_303],
      ]);
      expect(r.meta?.extra).toMatchObject({ order: "newest_first", rows: 10_503, repeatedRows: 3, balanceMismatches: 3 });
    }
  });
});
