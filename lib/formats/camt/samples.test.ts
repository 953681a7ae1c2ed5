import { describe, expect, it } from "vitest";
import { camtFormat } from "./index";
import { parsed, rejected, sample } from "./test-support";

const file = (name: string) => sample("camt053", name);

describe("camt.053 samples (rows of the samples README)", () => {
  it.each([
    ["genkgo-camt__camt053.v2.minimal.xml", "camt.053.001.02", "2014-12-31"],
    ["genkgo-camt__camt053.v3.xml", "camt.053.001.03", "2014-12-31"],
    ["genkgo-camt__camt053.v4.xml", "camt.053.001.04", "2014-12-30"],
    ["genkgo-camt__camt053.v8.xml", "camt.053.001.08", "2014-12-30"],
  ])("%s: 1 statement NL26VAYB8060476890, four balances, 1 entry 8.85 EUR booked 2014-12-31 value 2015-01-02", async (name, version, closingDate) => {
    const { statements, meta } = await parsed(camtFormat, file(name));
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    expect(statement!.account.id).toBe("NL26VAYB8060476890");
    expect(statement!.statementId).toBe("253EURNL26VAYB8060476890");
    expect(statement!.balances.map((b) => [b.type, b.sourceCode, b.amount, b.currency])).toEqual([
      ["opening", "OPBD", "18.15", "EUR"],
      ["closing", "CLBD", "-27.00", "SEK"],
      ["opening_available", "OPAV", "35.00", "CHF"],
      ["closing_available", "CLAV", "-2700", "JPY"],
    ]);
    expect(statement!.balances[1]!.date).toBe(closingDate);
    expect(statement!.transactions).toHaveLength(1);
    expect(statement!.transactions[0]).toMatchObject({ amount: "8.85", currency: "EUR", bookingDate: "2014-12-31", valueDate: "2015-01-02", counterpartyName: "NAME NAME", counterpartyAccount: "NL56AGDH9619008421" });
    expect(meta).toMatchObject({ format: "camt053", encoding: "utf-8", extra: { version, messageId: "CAMT053RIB000000000001", statements: 1, entries: 1, transactions: 1 } });
  });

  it("v2 minimal: lines are those of the Stmt, Bal and Ntry elements; raw is the entry's XML", async () => {
    const { statements, meta } = await parsed(camtFormat, file("genkgo-camt__camt053.v2.minimal.xml"));
    expect(statements[0]!.line).toBe(26);
    expect(statements[0]!.balances.map((b) => b.line)).toEqual([42, 54, 66, 78]);
    const t = statements[0]!.transactions[0]!;
    expect(t.line).toBe(90);
    expect(t.typeCode).toBe("544");
    expect(t.raw).toMatch(/^<Ntry><Amt Ccy="EUR">8\.85<\/Amt><CdtDbtInd>CRDT<\/CdtDbtInd>.*<\/Ntry>$/);
    expect(meta?.lines).toBe(173);
  });

  it("v3: the detail states 105.750 against an entry of 8.85 — the entry amount stands and both problems are issues", async () => {
    const { statements, issues } = await parsed(camtFormat, file("genkgo-camt__camt053.v3.xml"));
    expect(statements[0]!.transactions[0]).toMatchObject({ amount: "8.85", externalId: "XXXXXXXXXXXXXXXXXXXXXXEUR", typeCode: "PMNT/RCDT/DMCT" });
    expect(statements[0]!.account).toMatchObject({ bankId: "KREDBEBB", kind: "KBC-Business PRO-rekening", name: "COMPANY BVBA", currency: "EUR" });
    expect(issues.map((i) => [i.code, i.severity])).toEqual([
      ["too_many_decimals", "warning"],
      ["detail_sum_mismatch", "error"],
    ]);
  });

  it("v8: DtTm booking date, a detail amount in another currency kept in details, EndToEndId as customer reference", async () => {
    const { statements, issues } = await parsed(camtFormat, file("genkgo-camt__camt053.v8.xml"));
    expect(issues).toEqual([]);
    expect(statements[0]!.transactions[0]).toMatchObject({
      bookingDate: "2014-12-31",
      externalId: "AAAASESS-FP-CN_98765/01",
      customerReference: "MUELL/FINP/RA12345",
      typeCode: "PMNT/RCDT/BOOK",
      details: { endToEndId: "MUELL/FINP/RA12345", status: "BOOK", transactionAmount: "0", transactionCurrency: "SEK" },
    });
  });

  it("multi statement: 2 statements, entries +8.85 (EndToEndId 000000001) and -7.00 (000000002)", async () => {
    const { statements, issues } = await parsed(camtFormat, file("genkgo-camt__camt053.v2.multi.statement.xml"));
    expect(issues).toEqual([]);
    expect(statements).toHaveLength(2);
    expect(statements.map((s) => s.transactions.map((t) => [t.amount, t.details?.endToEndId]))).toEqual([[["8.85", "000000001"]], [["-7.00", "000000002"]]]);
  });

  it("wrong: a group header without any statement is rejected", async () => {
    const error = await rejected(camtFormat, file("genkgo-camt__camt053.v2.wrong.xml"));
    expect([error.code, error.line]).toEqual(["camt_no_statement", 3]);
  });

  it("viafintech: DE14740618130000033626 EUR, opening (PRCD) 33.06, first entry 2.00 DBIT, last entry 6.00 DBIT split into 3.50 + 2.50", async () => {
    const { statements, issues } = await parsed(camtFormat, file("viafintech-camt_parser__053_valid_example.xml"));
    expect(issues).toEqual([]);
    const [statement] = statements;
    expect(statement!.account).toMatchObject({ id: "DE14740618130000033626", currency: "EUR", bankId: "GENODEF1PFK" });
    expect(statement!.balances[0]).toMatchObject({ type: "opening", sourceCode: "PRCD", amount: "33.06", date: "2013-12-27" });
    const t = statement!.transactions;
    expect(t.map((x) => x.amount)).toEqual(["-2.00", "-3.00", "1.00", "-3.50", "-2.50"]);
    expect(t[0]).toMatchObject({
      externalId: "2013122710583450000",
      bankReference: "BankReference",
      customerReference: "EndToEndReference",
      typeCode: "NTRF+020",
      description: "TEST BERWEISUNG MITTELS BLZUND KONTONUMMER - DTA",
      counterpartyName: "Testkonto Nummer 2",
      counterpartyAccount: "DE09300606010012345671",
      details: { mandateId: "MandateReference", transactionId: "UniqueTransactionId", additionalEntryInformation: "Überweisungs-Gutschrift; GVC: SEPA Credit Transfer (Einzelbuchung-Haben)" },
    });
    expect(t[2]).toMatchObject({ counterpartyName: "Testkonto Nummer 2", counterpartyAccount: "740618130100033626" });
    expect(t[3]).toMatchObject({ externalId: "STZV-EtE27122013-11:02-1", line: 260, details: { messageId: "STZV-Msg27122013-11:02", batchTransactionCount: "2", paymentInformationId: "STZV-PmInf27122013-11:02-2" } });
    expect(t[3]!.raw).toContain("STZV-EtE27122013-11:02-1");
    expect(t[3]!.raw).not.toContain("STZV-EtE27122013-11:02-2");
    expect(t[4]!.raw).toContain("STZV-EtE27122013-11:02-2");
    const closing = statement!.balances.find((b) => b.type === "closing")!;
    expect(closing.amount).toBe("23.06");
  });
});
