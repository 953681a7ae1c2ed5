import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { collect } from "../collect";
import { parseFile } from "../index";
import { checkArbitraryBytes, checkChunking, checkMutatedSamples, expectWellFormed, outcome } from "../tabular/property-helpers";
import { csvFormat, scanDelimited } from "./index";
import { mpesaFormat } from "../mpesa";
import { posFormat } from "../pos";

const dir = "test/fixtures/samples/csv/";
const sample = (name: string): Uint8Array => new Uint8Array(readFileSync(dir + name));
const parse = async (bytes: Uint8Array, options = {}) => collect(csvFormat.parse([bytes], options));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("csv samples (README rows)", () => {
  it("bank_de_semicolon_cp1252.csv: Windows-1252, semicolons, preamble, DD.MM.YYYY, 1.234,56, umlauts", async () => {
    const r = await parse(sample("bank_de_semicolon_cp1252.csv"));
    expect(r.issues).toEqual([]);
    expect(r.meta).toMatchObject({ format: "csv", encoding: "windows-1252", lines: 10 });
    expect(r.meta?.extra).toMatchObject({ delimiter: ";", headerLine: 4, preambleLines: 3, dateOrder: "DMY", dateOrderCertainty: "evidence", decimalSeparator: ",", account: "DE89370400440532013000" });
    expect(r.meta?.extra.columnMapping).toEqual({ date: "Buchungstag", valueDate: "Valuta", amount: "Betrag", description: "Verwendungszweck", currency: "Währung", counterparty: "Empfänger/Auftraggeber" });
    const [statement] = r.statements;
    expect(statement?.account.id).toBe("DE89370400440532013000");
    const txs = statement!.transactions;
    expect(txs.map((t) => [t.line, t.bookingDate, t.valueDate, t.amount, t.currency])).toEqual([
      [5, "2025-10-01", "2025-10-01", "-1234.56", "EUR"],
      [6, "2025-10-02", "2025-10-03", "12500.00", "EUR"],
      [7, "2025-10-02", "2025-10-02", "-89.90", "EUR"],
      [8, "2025-10-05", "2025-10-05", "-7.80", "EUR"],
      [9, "2025-10-05", "2025-10-05", "-7.80", "EUR"],
      [10, "2025-10-31", "2025-10-31", "-9.95", "EUR"],
    ]);
    expect(txs[0]).toMatchObject({ counterpartyName: "Müller GmbH", description: "Rechnung 4711 Büromaterial" });
    expect(txs[3]!.counterpartyName).toBe("Café Grünwald");
    expect(txs[5]!.description).toBe("Kontoführungsgebühr");
  });

  it("bank_us_debit_credit_bom.csv: BOM, Debit/Credit, (2,000.00), MM/DD with an impossible 13/10/2025, two identical purchases", async () => {
    const r = await parse(sample("bank_us_debit_credit_bom.csv"));
    expect(r.meta).toMatchObject({ encoding: "utf-8-bom", lines: 8 });
    expect(r.meta?.extra).toMatchObject({ dateOrder: "MDY", decimalSeparator: ".", headerLine: 1, rows: 7, transactions: 6, rowsRejected: 1 });
    expect(r.meta?.extra.columnMapping).toMatchObject({ date: "Posting Date", debit: "Debit", credit: "Credit", balance: "Balance", reference: "Reference" });
    const txs = r.statements[0]!.transactions;
    expect(txs.map((t) => [t.line, t.bookingDate, t.amount, t.bankReference ?? null, t.details?.balance])).toEqual([
      [2, "2025-10-01", "5000.00", "ACH1001", "15230.11"],
      [3, "2025-10-02", "-1250.00", "CHK1042", "13980.11"],
      [4, "2025-10-03", "-2000.00", "WIR0001", "11980.11"],
      [5, "2025-10-03", "-42.17", null, "11937.94"],
      [6, "2025-10-03", "-42.17", null, "11895.77"],
      [8, "2025-10-14", "0.31", "INT", "11886.08"],
    ]);
    const errors = r.issues.filter((i) => i.severity === "error");
    expect(errors).toEqual([
      {
        severity: "error",
        code: "invalid_date",
        line: 7,
        field: "Posting Date",
        message: 'Expected a date as MM/DD/YYYY (month first) in field "Posting Date", found "13/10/2025", which is not a real calendar day read as month/day/year',
      },
    ]);
    expect(r.issues.find((i) => i.code === "date_order_ambiguous")?.severity).toBe("warning");
  });

  it("sheets_sales.csv: quoted 1,500, empty amount, refund, two identical rows", async () => {
    const r = await parse(sample("sheets_sales.csv"));
    const txs = r.statements[0]!.transactions;
    expect(txs.map((t) => [t.line, t.bookingDate, t.amount, t.description])).toEqual([
      [2, "2025-10-01", "120000", "iPhone 15"],
      [3, "2025-10-02", "2500", "Laptop Case"],
      [4, "2025-10-02", "2500", "Laptop Case"],
      [5, "2025-10-03", "1500", "Repair service"],
      [7, "2025-10-05", "-120000", "Refund - iPhone 15"],
    ]);
    expect(txs[0]!.details).toEqual({ Category: "Electronics", "Payment Method": "M-Pesa" });
    expect(r.issues).toEqual([
      { severity: "error", code: "missing_amount", line: 6, field: "Amount", message: 'Expected an amount with "." as the decimal separator in field "Amount", found an empty cell' },
    ]);
  });
});

describe("options and meta", () => {
  it("date order can be overridden and is reported as given", async () => {
    const r = await parse(sample("bank_us_debit_credit_bom.csv"), { dateOrder: "DMY" });
    expect(r.meta?.extra).toMatchObject({ dateOrder: "DMY", dateOrderBasis: "option" });
    expect(r.issues.find((i) => i.code === "invalid_date")?.line).toBe(8);
  });

  it("decimal separator can be overridden", async () => {
    const r = await parse(enc("Date,Amount\n2025-01-01,\"1,5\"\n"), { decimalSeparator: "," });
    expect(r.statements[0]!.transactions[0]!.amount).toBe("1.5");
    expect(r.meta?.extra.numberFormatBasis).toBe("option");
  });

  it("a supplied column mapping wins and is reported for saving", async () => {
    const bytes = enc("When,What,How much,Other\n2025-01-02,Coffee,-3.50,x\n");
    await expect(parse(bytes)).rejects.toMatchObject({ code: "columns_not_mapped", line: 1 });
    const r = await parse(bytes, { columnMapping: { date: "When", description: "What", amount: "How much" } });
    expect(r.statements[0]!.transactions[0]).toMatchObject({ bookingDate: "2025-01-02", amount: "-3.50", description: "Coffee", details: { Other: "x" } });
    expect(r.meta?.extra.columnMapping).toEqual({ date: "When", amount: "How much", description: "What" });
    await expect(parse(bytes, { columnMapping: { date: "Nope", amount: "How much" } })).rejects.toMatchObject({ code: "mapping_mismatch" });
  });

  it("date order comes from the whole file: a deciding value after the look-ahead window is found by the scan", async () => {
    const rows = Array.from({ length: 10_050 }, (_, i) => `0${(i % 9) + 1}/0${(i % 9) + 1}/2025,row ${i},1.00`);
    rows.push("12/25/2025,christmas,2.00");
    const bytes = enc("Date,Memo,Amount\n" + rows.join("\n") + "\n");
    const profile = await scanDelimited([bytes]);
    expect(profile.dateOrder).toBe("MDY");
    expect(profile.rows).toBe(10_051);
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);
    const scanned = await parse(bytes, { profile });
    expect(scanned.meta?.extra).toMatchObject({ dateOrder: "MDY", dateOrderBasis: "scan" });
    expect(scanned.issues.filter((i) => i.severity === "error")).toEqual([]);
    const windowed = await parse(bytes);
    expect(windowed.meta?.extra).toMatchObject({ dateOrderBasis: "lookahead", dateOrderCertainty: "ambiguous" });
  });

  it.each([
    ["TSV", "Date\tDescription\tAmount\n2025-01-02\tTea\t-2.00\n", "\t"],
    ["pipe", "Date|Description|Amount\n2025-01-02|Tea, milk|-2.00\n", "|"],
  ])("%s", async (_name, text, delimiter) => {
    const r = await parse(enc(text));
    expect(r.meta?.extra.delimiter).toBe(delimiter);
    expect(r.statements[0]!.transactions[0]!.amount).toBe("-2.00");
  });

  it("UTF-16 LE with BOM", async () => {
    const text = "\ufeffDate,Description,Amount\n2025-01-02,Crème,-2.00\n";
    const bytes = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      bytes[i * 2] = text.charCodeAt(i) & 0xff;
      bytes[i * 2 + 1] = text.charCodeAt(i) >> 8;
    }
    const r = await parse(bytes);
    expect(r.meta?.encoding).toBe("utf-16le");
    expect(r.statements[0]!.transactions[0]!.description).toBe("Crème");
  });

  it("debit written negative stays a debit; credit column positive; both filled is an error", async () => {
    const r = await parse(enc("Date,Withdrawal,Deposit\n2025-01-02,-5.00,\n2025-01-03,,7.00\n2025-01-04,1.00,2.00\n2025-01-05,,\n"));
    expect(r.statements[0]!.transactions.map((t) => t.amount)).toEqual(["-5.00", "7.00"]);
    expect(r.issues.map((i) => [i.code, i.line])).toEqual([
      ["debit_and_credit", 4],
      ["missing_amount", 5],
    ]);
  });

  it("bad amount names what was found", async () => {
    const r = await parse(enc("Date,Amount\n2025-01-02,12abc\n"));
    expect(r.issues[0]).toMatchObject({ code: "invalid_amount", line: 2, field: "Amount", message: 'Expected an amount with "." as the decimal separator in field "Amount", found "12abc"' });
  });

  it("empty file and header-less noise are FormatErrors with a line", async () => {
    await expect(parse(new Uint8Array())).rejects.toMatchObject({ code: "empty_file", line: 1 });
    await expect(parse(enc("1,2\n3,4\n"))).rejects.toMatchObject({ code: "header_not_found", line: 1 });
  });
});

describe("csv sniff", () => {
  it("low confidence for any table, below the specific formats", () => {
    const head = readFileSync("test/fixtures/samples/pos/pos_export_oct2025.csv", "utf8");
    expect(csvFormat.sniff(head, enc(head))).toBe(0.3);
    expect(posFormat.sniff(head, enc(head))).toBeGreaterThan(0.3);
    const mpesa = readFileSync("test/fixtures/samples/mpesa/mpesa_simple_export.csv", "utf8");
    expect(mpesaFormat.sniff(mpesa, enc(mpesa))).toBeGreaterThan(csvFormat.sniff(mpesa, enc(mpesa)));
    expect(csvFormat.sniff("just one line of prose", enc("just one line of prose"))).toBe(0);
  });
});

describe("csv properties", () => {
  const samples = ["bank_de_semicolon_cp1252.csv", "bank_us_debit_credit_bom.csv", "sheets_sales.csv"].map(sample);
  it("samples are well-formed", async () => {
    for (const s of samples) expectWellFormed(await outcome(csvFormat, s));
  });
  it("arbitrary bytes never crash", () => checkArbitraryBytes(csvFormat));
  it("mutated samples never crash", () => checkMutatedSamples(csvFormat, samples));
  it("chunking never changes the result", () => checkChunking(csvFormat, samples));
});

describe("csv rejected rows (kept for correction in review)", () => {
  it("bank_us_debit_credit_bom.csv: the 13/10/2025 row, as written, with its signed amount, right after its issue", async () => {
    const r = await parse(sample("bank_us_debit_credit_bom.csv"));
    expect(r.rejected).toEqual([
      {
        kind: "transaction",
        line: 7,
        raw: '13/10/2025,BAD DATE ROW,10.00,,"11,885.77",X1',
        fields: { bookingDate: "13/10/2025", amount: "-10.00", description: "BAD DATE ROW", bankReference: "X1", Balance: "11,885.77" },
      },
    ]);
    const events = [];
    for await (const event of csvFormat.parse([sample("bank_us_debit_credit_bom.csv")])) events.push(event);
    const at = events.findIndex((e) => e.type === "rejected");
    expect(events[at - 1]).toMatchObject({ type: "issue", issue: { code: "invalid_date", line: 7 } });
  });

  it("sheets_sales.csv: the empty amount on line 6", async () => {
    const r = await parse(sample("sheets_sales.csv"));
    expect(r.rejected).toEqual([
      { kind: "transaction", line: 6, raw: "2025-10-04,Gift card,,Other,Card", fields: { bookingDate: "2025-10-04", amount: "", description: "Gift card", Category: "Other", "Payment Method": "Card" } },
    ]);
  });

  it("bank_de_semicolon_cp1252.csv: nothing rejected", async () => {
    expect((await parse(sample("bank_de_semicolon_cp1252.csv"))).rejected).toEqual([]);
  });

  it("an amount that is not a number is given as written; debit/credit cells that cannot be read are given raw", async () => {
    const single = await parse(enc("Date,Description,Amount,Currency\n2025-01-02,Tea,$20x,usd\n2025-01-03,Cake,5,EUR\n"));
    expect(single.rejected).toEqual([{ kind: "transaction", line: 2, raw: "2025-01-02,Tea,$20x,usd", fields: { bookingDate: "2025-01-02", amount: "$20x", currency: "usd", description: "Tea" } }]);
    const split = await parse(enc("Date,Description,Debit,Credit\n2025-01-02,Both,1.00,2.00\n2025-01-03,Bad,abc,\n2025-01-04,Fine,1.00,\n"));
    expect(split.rejected.map((x) => [x.line, x.fields])).toEqual([
      [2, { bookingDate: "2025-01-02", debit: "1.00", credit: "2.00", description: "Both" }],
      [3, { bookingDate: "2025-01-03", debit: "abc", credit: "", description: "Bad" }],
    ]);
  });

  it("a multi-line quoted row is rejected at the line it starts on, with its whole text", async () => {
    const r = await parse(enc('Date,Description,Amount\n2025-01-02,"two\nlines",\n2025-01-03,ok,1\n'));
    expect(r.rejected).toEqual([{ kind: "transaction", line: 2, raw: '2025-01-02,"two\nlines",', fields: { bookingDate: "2025-01-02", amount: "", description: "two\nlines" } }]);
  });
});

describe("csv edge cases that must be answered, not guessed", () => {
  it("a header with no rows below it stages nothing and says so on the header line", async () => {
    const r = await parse(enc("Date,Description,Amount\n"));
    expect(r.statements[0]?.transactions).toEqual([]);
    expect(r.issues).toEqual([{ severity: "warning", code: "no_rows", line: 1, message: "Expected rows below the header on line 1, found no rows; there is nothing to import" }]);
  });

  it.each([
    ["mpesa", "Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn,Balance\n"],
    ["pos", "Date,Item,Quantity,Price,Total,Payment Method\n"],
    ["trial_balance", "account_code,account_name,balance,entity,period,bs_pl,status\n"],
    ["salespro", "_id,_created_at,isSale,customer.nameFirst,salesrep.email,saleAmount\n"],
  ])("%s with a header only says so too", async (format, text) => {
    const r = await collect(parseFile([enc(text)]));
    expect(r.meta?.format).toBe(format);
    expect(r.issues).toEqual([expect.objectContaining({ severity: "warning", code: "no_rows", line: 1 })]);
  });

  it("a mapped header written twice is refused, naming it and both columns", async () => {
    const error = await parse(enc("Date,Description,Amount,amount\n2025-01-05,Coffee,-3.50,3.50\n")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ambiguous_column", line: 1, message: expect.stringContaining('Expected one column named "Amount", found 2 (columns 3 and 4)') });
    // An unmapped header written twice is no ambiguity for the import.
    const r = await parse(enc("Date,Description,Amount,Note,Note\n2025-01-05,Coffee,-3.50,a,b\n"));
    expect(r.statements[0]?.transactions.map((t) => t.amount)).toEqual(["-3.50"]);
  });

  it("an amount of 30 digits is a row error naming the field", async () => {
    const r = await parse(enc("Date,Description,Amount\n2025-01-05,Coffee,-3.50\n2025-01-06,Tea,123456789012345678901234567890\n"));
    expect(r.statements[0]?.transactions.map((t) => t.amount)).toEqual(["-3.50"]);
    expect(r.issues).toEqual([{ severity: "error", code: "invalid_amount", line: 3, field: "Amount", message: expect.stringContaining('in field "Amount", found "123456789012345678901234567890", 30 digits before the decimal point') }]);
  });
});
