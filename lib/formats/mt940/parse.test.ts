import { describe, expect, it } from "vitest";
import { mt940Format, mt942Format } from "./index";
import { bytes, parsed, rejected } from "../camt/test-support";

const statement = (body: string[], { close = true } = {}) =>
  [":20:REF1", ":25:NL91ABNA0417164300", ":28C:1/1", ":60F:C240101EUR100,00", ...body, ...(close ? [":62F:C240131EUR90,00"] : []), "-"].join("\r\n");

describe("MT940 structure", () => {
  it("reads {1:}{2:}{4: envelopes, ends at -}, and counts message types", async () => {
    const message = (n: number) => `{1:F01ABNANL2AXXXX0000000000}{2:O9401200240101ABNANL2AXXXX00000000002401011200N}{4:\n:20:REF${n}\n:25:123456789\n:28C:${n}/1\n:60F:C240101EUR0,00\n:61:240102C5,00NTRFNONREF//B${n}\n:86:payment ${n}\n:62F:C240102EUR5,00\n-}{5:{CHK:ABC}}\n`;
    const { statements, meta, issues } = await parsed(mt940Format, bytes(message(1) + message(2)));
    expect(statements.map((s) => s.statementId)).toEqual(["1/1", "2/1"]);
    expect(statements.map((s) => s.transactions[0]?.externalId)).toEqual(["B1", "B2"]);
    expect(issues).toEqual([]);
    expect(meta?.extra.messageTypes).toEqual(["940"]);
  });

  it("an envelope without its closing -} is a truncated file", async () => {
    const error = await rejected(mt940Format, bytes("{1:F01ABNANL2AXXXX0000000000}{2:O940}{4:\n:20:X\n:25:1\n:60F:C240101EUR0,00\n:61:240102C5,00NTRF"));
    expect([error.code, error.line]).toEqual(["truncated_message", 1]);
  });

  it("without envelope, a missing closing balance is a warning on the statement's first line", async () => {
    const { issues, statements } = await parsed(mt940Format, bytes(statement([":61:240102D10,00NTRFNONREF"], { close: false })));
    expect(statements[0]!.transactions).toHaveLength(1);
    expect(issues).toEqual([expect.objectContaining({ severity: "warning", code: "missing_closing_balance", line: 1, field: "62F" })]);
  });

  it("signs C, D, RC (reversed credit: out) and RD (reversed debit: back in)", async () => {
    const { statements, issues } = await parsed(
      mt940Format,
      bytes(statement([":61:240102C1,00NTRFA", ":61:240102D2,00NTRFB", ":61:240102RC3,00NTRFC", ":61:240102RD4,00NTRFD"], { close: false })),
    );
    expect(statements[0]!.transactions.map((t) => [t.amount, t.details?.reversal])).toEqual([
      ["1.00", undefined],
      ["-2.00", undefined],
      ["-3.00", "true"],
      ["4.00", "true"],
    ]);
    expect(issues.map((i) => i.code)).toEqual(["missing_closing_balance"]);
  });

  it("CRLF and LF give the same result; lines are physical lines", async () => {
    const text = statement([":61:2401020102D10,00NTRFNONREF//X1", ":86:line one", "line two", ":86:second field"]);
    const crlf = await parsed(mt940Format, bytes(text));
    const lf = await parsed(mt940Format, bytes(text.replace(/\r\n/g, "\n")));
    expect(crlf.statements).toEqual(lf.statements);
    const t = crlf.statements[0]!.transactions[0]!;
    expect(t).toMatchObject({ line: 5, description: "line one line two second field", raw: ":61:2401020102D10,00NTRFNONREF//X1\n:86:line one\nline two\n:86:second field" });
    expect(crlf.statements[0]!.balances.map((b) => b.line)).toEqual([4, 9]);
  });

  it("decodes Windows-1252 (umlauts in ?32)", async () => {
    const text = statement([":61:240102D10,00NTRFNONREF", ":86:166?00GUTSCHRIFT?20Miete?32M\u00fcller B\u00e4ckerei"]);
    const latin = Uint8Array.from([...text].map((c) => c.charCodeAt(0)));
    const { statements, meta } = await parsed(mt940Format, latin);
    expect(meta?.encoding).toBe("windows-1252");
    expect(statements[0]!.transactions[0]!.counterpartyName).toBe("M\u00fcller B\u00e4ckerei");
  });

  it("entry dates across the year end", async () => {
    const { statements } = await parsed(mt940Format, bytes(statement([":61:2312310102D1,00NTRFA", ":61:2401021231D1,00NTRFB"], { close: false })));
    expect(statements[0]!.transactions.map((t) => [t.valueDate, t.bookingDate])).toEqual([
      ["2023-12-31", "2024-01-02"],
      ["2024-01-02", "2023-12-31"],
    ]);
  });

  it("a bad :61: or an impossible entry date is an issue on its line and parsing goes on", async () => {
    const { statements, issues } = await parsed(mt940Format, bytes(statement([":61:24010XD1,00", ":86:ignored", ":61:2401021340D1,00NTRFB", ":61:240103D1,00NTRFC"])));
    expect(statements[0]!.transactions.map((t) => t.customerReference)).toEqual(["C"]);
    expect(issues.filter((i) => i.severity === "error").map((i) => [i.code, i.line, i.field])).toEqual([
      ["invalid_statement_line", 5, "61"],
      ["invalid_date", 7, "61 entry date"],
    ]);
  });

  it("an invalid balance date keeps the balance without a date", async () => {
    const { statements, issues } = await parsed(mt940Format, bytes(":20:X\n:25:1\n:60F:C241301EUR1,00\n:62F:C240101EUR1,00\n-"));
    expect(statements[0]!.balances[0]).toEqual({ type: "opening", sourceCode: ":60F:", amount: "1.00", currency: "EUR", line: 3 });
    expect(issues[0]).toMatchObject({ code: "invalid_date", line: 3, field: "60F" });
  });

  it("opening + entries must equal closing (warning otherwise)", async () => {
    const { issues } = await parsed(mt940Format, bytes(statement([":61:240102D10,01NTRFA"])));
    expect(issues).toEqual([expect.objectContaining({ code: "balance_mismatch", severity: "warning", line: 6 })]);
    const balanced = await parsed(mt940Format, bytes(statement([":61:240102D10,00NTRFA"])));
    expect(balanced.issues).toEqual([]);
  });

  it(":64: and :65: are closing and forward available balances", async () => {
    const { statements } = await parsed(mt940Format, bytes(statement([":61:240102D10,00NTRFA"]).replace("\r\n-", "\r\n:64:C240131EUR90,00\r\n:65:D240201EUR5,\r\n-")));
    expect(statements[0]!.balances.map((b) => [b.type, b.amount])).toEqual([
      ["opening", "100.00"],
      ["closing", "90.00"],
      ["closing_available", "90.00"],
      ["forward_available", "-5.00"],
    ]);
  });

  it("amounts take the currency's decimals; more decimals than allowed is a warning, kept exact", async () => {
    const { statements, issues } = await parsed(mt940Format, bytes(":20:X\n:25:1\n:60F:C240101JPY100,\n:61:240102D1,5NTRFA\n:62F:C240101JPY98,5\n-"));
    expect(statements[0]!.transactions[0]!.amount).toBe("-1.5");
    expect(issues.filter((i) => i.code === "too_many_decimals").map((i) => i.line)).toEqual([4, 5]);
  });

  it("an :25: of BIC/account or IBAN+currency is split", async () => {
    const { statements } = await parsed(mt940Format, bytes(":20:X\n:25:NL91ABNA0417164300EUR\n:60F:C240101EUR1,00\n:62F:C240101EUR1,00\n-"));
    expect(statements[0]!.account).toEqual({ id: "NL91ABNA0417164300", currency: "EUR" });
  });

  it("rejects text without MT940 fields", async () => {
    const error = await rejected(mt940Format, bytes("Date,Amount\n2024-01-01,5\n"));
    expect([error.code, error.line]).toEqual(["not_mt940", 1]);
  });
});

describe("MT942", () => {
  const report = (debits: string) =>
    [":20:INTRADAY", ":25:DE89370400440532013000", ":28C:1/1", ":34F:EURD0,", ":13D:2401021200+0100", ":61:240102D10,00NTRFA", ":86:one", ":61:240102D2,50NTRFB", ":61:240102C1,00NTRFC", `:90D:${debits}`, ":90C:1EUR1,00", "-"].join("\n");

  it("is told apart by :34F:/:13D:/:90D:, has no closing balance, and its :90D:/:90C: totals are checked", async () => {
    const { statements, issues, meta } = await parsed(mt942Format, bytes(report("2EUR12,50")));
    expect(meta?.format).toBe("mt942");
    expect(issues).toEqual([]);
    expect(statements[0]!.transactions.map((t) => t.amount)).toEqual(["-10.00", "-2.50", "1.00"]);
    expect(statements[0]!.account.currency).toBe("EUR");
  });

  it("a :90D: that does not match the entries is a FormatError on its line, or a warning when integrity checks are off", async () => {
    const error = await rejected(mt942Format, bytes(report("2EUR12,49")));
    expect([error.code, error.line]).toEqual(["control_total_mismatch", 10]);
    const lenient = await parsed(mt942Format, bytes(report("3EUR12,50")), { integrity: false });
    expect(lenient.issues).toEqual([expect.objectContaining({ code: "control_total_mismatch", line: 10, severity: "warning" })]);
  });
});

describe("sniffing", () => {
  it.each([
    [":20:REF\n:25:123\n:28C:1\n:60F:C240101EUR1,00\n:61:240102C1,00NTRF\n", 0.95, 0],
    ["{1:F01ABNANL2AXXXX0000000000}{2:O9401200}{4:\n:20:X\n", 0.95, 0.3],
    ["{1:F01ABNANL2AXXXX0000000000}{2:O9421200}{4:\n:20:X\n", 0.6, 0.95],
    [":20:X\n:25:1\n:34F:EURD0,\n:13D:2401021200+0100\n:61:240102D1,00NTRFA\n", 0.6, 0.95],
    [":60F:D140829EUR000000000147,64", 0.6, 0],
    ["<?xml version='1.0'?><Document/>", 0, 0],
    ["Date,Amount\n", 0, 0],
  ])("%j", (head, mt940, mt942) => {
    expect(mt940Format.sniff(head, bytes(head))).toBe(mt940);
    expect(mt942Format.sniff(head, bytes(head))).toBe(mt942);
  });
});

describe("MT940 rejected rows (kept for correction in review)", () => {
  it("an unreadable :61: and one with an impossible entry date are yielded with their :61: (+:86:) text", async () => {
    const { rejected: rows, statements } = await parsed(
      mt940Format,
      bytes(statement([":61:24010XD1,00", ":86:ignored", ":61:2401021340D1,00NTRFREF9//B7", "SUPPLEMENT", ":86:rent March", ":61:240103D1,00NTRFC"])),
    );
    expect(statements[0]!.transactions.map((t) => t.line)).toEqual([10]);
    expect(rows).toEqual([
      { kind: "transaction", line: 5, raw: ":61:24010XD1,00\n:86:ignored", fields: { "61": "24010XD1,00", currency: "EUR", description: "ignored" } },
      {
        kind: "transaction",
        line: 7,
        raw: ":61:2401021340D1,00NTRFREF9//B7\nSUPPLEMENT\n:86:rent March",
        fields: { bookingDate: "1340", valueDate: "2024-01-02", amount: "-1.00", externalId: "B7", bankReference: "B7", customerReference: "REF9", typeCode: "NTRF", debitCreditMark: "D", currency: "EUR", description: "rent March" },
      },
    ]);
  });

  it("an impossible value date without an entry date is rejected with the date as written", async () => {
    const { rejected: rows } = await parsed(mt940Format, bytes(statement([":61:240230C5,00NTRFNONREF"])));
    expect(rows).toEqual([{ kind: "transaction", line: 5, raw: ":61:240230C5,00NTRFNONREF", fields: { bookingDate: "240230", valueDate: "240230", amount: "5.00", typeCode: "NTRF", debitCreditMark: "C", currency: "EUR", description: "" } }]);
  });
});
