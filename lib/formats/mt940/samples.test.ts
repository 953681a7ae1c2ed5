import { describe, expect, it } from "vitest";
import { mt940Format } from "./index";
import { parsed, sample } from "../camt/test-support";

const file = (name: string) => sample("mt940", `wolph-mt940__${name}`);

describe("MT940 samples (rows of the samples README)", () => {
  it("abnamro: 10 transactions over 2 statements, account 517852257, first -9.00 on 2011-05-24, opening C 3236.28 EUR on 2011-05-22", async () => {
    const { statements, meta } = await parsed(mt940Format, file("jejik_abnamro.sta"));
    expect(statements).toHaveLength(2);
    expect(statements.flatMap((s) => s.transactions)).toHaveLength(10);
    expect(statements.map((s) => s.account.id)).toEqual(["517852257", "517852257"]);
    const first = statements[0]!.transactions[0]!;
    expect([first.amount, first.bookingDate, first.valueDate, first.currency]).toEqual(["-9.00", "2011-05-24", "2011-05-24", "EUR"]);
    expect(statements[0]!.balances[0]).toMatchObject({ type: "opening", amount: "3236.28", currency: "EUR", date: "2011-05-22", sourceCode: ":60F:", line: 7 });
    expect(statements[1]!.balances.map((b) => [b.type, b.sourceCode, b.amount])).toEqual([
      ["opening", ":60M:", "2876.84"],
      ["closing", ":62M:", "1849.75"],
    ]);
    expect(first.description).toBe("GIRO 428428 KPN - DIGITENNE BETALINGSKENM. 000000042188659 5314606715 BETREFT FACTUUR D.D. 20-05-2011 INCL. 1,44 BTW");
    expect(first.raw.split("\n")).toHaveLength(4);
    expect(meta).toMatchObject({ format: "mt940", encoding: "utf-8", lines: 41, extra: { statements: 2, transactions: 10, headerLines: 6 } });
  });

  it("ing: 7 transactions, account 0001234567, first -25.03 on 2010-07-22, last +1.00, closing C 3.47 EUR", async () => {
    const { statements } = await parsed(mt940Format, file("jejik_ing.sta"));
    const transactions = statements.flatMap((s) => s.transactions);
    expect(transactions).toHaveLength(7);
    expect(statements[0]!.account.id).toBe("0001234567");
    expect([transactions[0]!.amount, transactions[0]!.bookingDate]).toEqual(["-25.03", "2010-07-22"]);
    expect(transactions[6]!.amount).toBe("1.00");
    expect(statements[0]!.balances.find((b) => b.type === "closing")).toMatchObject({ amount: "3.47", currency: "EUR" });
    // The :86: after :62F: describes the statement and must not be glued to the last transaction.
    expect(transactions[6]!.description).not.toContain("D000004C000002");
  });

  it("knab: 3 transactions, opening C 3058.98 and closing 798.98 EUR, bank references as external ids", async () => {
    const { statements } = await parsed(mt940Format, file("jejik_knab.sta"));
    expect(statements.flatMap((s) => s.transactions)).toHaveLength(3);
    const second = statements[1]!;
    expect(second.balances.map((b) => [b.type, b.amount, b.currency])).toEqual([
      ["opening", "3058.98", "EUR"],
      ["closing", "798.98", "EUR"],
    ]);
    expect(second.transactions[0]).toMatchObject({ externalId: "B4G29PGCVO7Q06US", bankReference: "B4G29PGCVO7Q06US", counterpartyName: "PICQER", counterpartyAccount: "NL65INGB0123456789" });
    expect(second.transactions[1]).toMatchObject({ amount: "500.00", customerReference: "29-07-2014 10:05" });
  });

  it("triodos: 2 transactions, -15.70 on 2011-01-01 and -700.00 on 2011-01-25, '>' subfields", async () => {
    const { statements } = await parsed(mt940Format, file("jejik_triodos.sta"));
    const t = statements[0]!.transactions;
    expect(t.map((x) => [x.amount, x.bookingDate])).toEqual([
      ["-15.70", "2011-01-01"],
      ["-700.00", "2011-01-25"],
    ]);
    expect(t[0]!.description).toBe("ALGEMENE TUSSENREKENING KOSTEN VAN 01-10-2010 TOT EN MET 31-12-2010");
    expect(statements[0]!.account).toEqual({ id: "0390123456", bankId: "TRIODOSBANK", currency: "EUR" });
  });

  it("cmxl: 16 transactions, the last statement in PLN, first -6800", async () => {
    const { statements } = await parsed(mt940Format, file("cmxl_mt940.sta"));
    const transactions = statements.flatMap((s) => s.transactions);
    expect(transactions).toHaveLength(16);
    expect(transactions[0]!.amount).toBe("-6800");
    expect(statements[2]!.account.currency).toBe("PLN");
    expect(statements[2]!.transactions.every((t) => t.currency === "PLN")).toBe(true);
    const german = statements[1]!.transactions[0]!;
    expect(german).toMatchObject({ amount: "-800.00", bookingDate: "2002-11-02", valueDate: "2002-11-01", description: "Miete November", counterpartyName: "MUELLER", counterpartyAccount: "234567", bankReference: "55555", details: { transactionCode: "008", bookingText: "DAUERAUFTRAG", fundsCode: "R" } });
  });

  it("cmxl_account_balance_debit: no transactions; opening D 147.64 EUR = -147.64", async () => {
    const { statements, issues } = await parsed(mt940Format, file("cmxl_account_balance_debit.sta"));
    expect(statements).toHaveLength(1);
    expect(statements[0]!.transactions).toHaveLength(0);
    expect(statements[0]!.balances).toEqual([{ type: "opening", sourceCode: ":60F:", date: "2014-08-29", amount: "-147.64", currency: "EUR", line: 1 }]);
    expect(issues.map((i) => i.code).sort()).toEqual(["missing_account", "missing_closing_balance"]);
  });

  it("self-provided_february_30: value date 16-02-30 is an issue, never a guessed date; 1 transaction -6.00 booked on the entry date 2016-03-01", async () => {
    const { statements, issues } = await parsed(mt940Format, file("self-provided_february_30.sta"));
    const [t] = statements[0]!.transactions;
    expect(statements[0]!.transactions).toHaveLength(1);
    expect(t).toMatchObject({ amount: "-6.00", bookingDate: "2016-03-01", line: 6 });
    expect(t!.valueDate).toBeUndefined();
    expect(issues).toEqual([expect.objectContaining({ severity: "error", code: "invalid_date", line: 6, field: "61 value date" })]);
    expect(issues[0]!.message).toContain('"160230"');
  });

  it("self-provided_february_30: the row is kept (booked on the entry date), so nothing is rejected", async () => {
    expect((await parsed(mt940Format, file("self-provided_february_30.sta"))).rejected).toEqual([]);
  });

  it.each([
    ["cmxl_statement_line.sta", 1, 1],
    ["jejik_generic.sta", 2, 2],
    ["jejik_postfinance.sta", 2, 4],
    ["jejik_rabobank-iban.sta", 2, 4],
    ["jejik_sns.sta", 2, 2],
  ])("%s parses: %i statements, %i transactions", async (name, statementCount, transactionCount) => {
    const { statements } = await parsed(mt940Format, file(name));
    expect(statements).toHaveLength(statementCount);
    expect(statements.flatMap((s) => s.transactions)).toHaveLength(transactionCount);
  });

  it("rabobank: Dutch /NAME/ /REMI/ structure and the IBAN in the supplementary details become counterparty and remittance", async () => {
    const { statements } = await parsed(mt940Format, file("jejik_rabobank-iban.sta"));
    const [first, second] = statements[0]!.transactions;
    expect(first).toMatchObject({ counterpartyName: "CONTRA ACCOUNT HOLDER", counterpartyAccount: "NL70ABNA0987654321", details: { instructionDate: "2013-07-11" } });
    expect(second).toMatchObject({ counterpartyName: "JOHN DOE", description: "Reference 201301234", details: { remittance: "Reference 201301234" } });
  });

  it("cmxl_statement_line: '//' bank reference is the external id, the entry date rolls from the value date's year", async () => {
    const { statements } = await parsed(mt940Format, file("cmxl_statement_line.sta"));
    expect(statements[0]!.transactions[0]).toMatchObject({ amount: "-1.62", valueDate: "2014-09-01", bookingDate: "2014-09-02", customerReference: "0000549855700010", externalId: "025498557/000001", typeCode: "NTRF" });
  });
});
