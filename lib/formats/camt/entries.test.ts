import { describe, expect, it } from "vitest";
import { camt052Format, camtFormat } from "./index";
import { bytes, parsed, rejected } from "./test-support";

interface Doc {
  version?: string;
  message?: string;
  statement?: string;
  account?: string;
  body: string;
}

/** A camt document with the account, a group header and whatever balances/entries the test needs. */
function camt({ version = "camt.053.001.08", message = "BkToCstmrStmt", statement = "Stmt", account = "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>", body }: Doc): Uint8Array {
  return bytes(
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:${version}">`,
      `<${message}><GrpHdr><MsgId>MSG-1</MsgId></GrpHdr>`,
      `<${statement}><Id>S-1</Id>${account}`,
      body,
      `</${statement}></${message}></Document>`,
    ].join("\n"),
  );
}

const bal = (code: string, amount: string, indicator = "CRDT", date = "<Dt>2024-01-31</Dt>", ccy = "EUR") =>
  `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="${ccy}">${amount}</Amt><CdtDbtInd>${indicator}</CdtDbtInd><Dt>${date}</Dt></Bal>`;

const ntry = (inner: string, { amount = "10.00", indicator = "CRDT", ccy = "EUR", booking = "<Dt>2024-01-15</Dt>" } = {}) =>
  `<Ntry><Amt Ccy="${ccy}">${amount}</Amt><CdtDbtInd>${indicator}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>${booking ? `<BookgDt>${booking}</BookgDt>` : ""}<ValDt><Dt>2024-01-16</Dt></ValDt>${inner}</Ntry>`;

const tx = (inner: string) => `<TxDtls>${inner}</TxDtls>`;

describe("balances", () => {
  it.each([
    ["OPBD", "opening"],
    ["PRCD", "opening"],
    ["CLBD", "closing"],
    ["OPAV", "opening_available"],
    ["CLAV", "closing_available"],
    ["FWAV", "forward_available"],
    ["ITBD", "interim"],
    ["ITAV", "interim_available"],
    ["INFO", "information"],
    ["XPCD", "expected"],
  ])("%s is %s", async (code, type) => {
    const { statements } = await parsed(camtFormat, camt({ body: bal(code, "5.1", "DBIT") }));
    expect(statements[0]!.balances).toEqual([{ type, sourceCode: code, amount: "-5.10", currency: "EUR", date: "2024-01-31", line: 5 }]);
  });

  it("DtTm dates, unknown codes and impossible dates", async () => {
    const { statements, issues } = await parsed(
      camtFormat,
      camt({ body: [bal("CLBD", "1", "CRDT", "<DtTm>2024-01-31T23:59:59+01:00</DtTm>"), bal("ZZZZ", "1"), bal("CLAV", "1", "CRDT", "<Dt>2024-02-30</Dt>")].join("\n") }),
    );
    expect(statements[0]!.balances).toEqual([
      { type: "closing", sourceCode: "CLBD", amount: "1.00", currency: "EUR", date: "2024-01-31", line: 5 },
      { type: "closing_available", sourceCode: "CLAV", amount: "1.00", currency: "EUR", line: 7 },
    ]);
    expect(issues.map((i) => [i.code, i.line])).toEqual([
      ["unknown_balance_type", 6],
      ["invalid_date", 7],
    ]);
  });
});

describe("entries", () => {
  it("the sign comes from CdtDbtInd only; a reversal flag does not flip it", async () => {
    const body = [ntry("<RvslInd>true</RvslInd>", { indicator: "DBIT" }), ntry("<RvslInd>true</RvslInd>", { indicator: "CRDT" })].join("\n");
    const { statements } = await parsed(camtFormat, camt({ body }));
    expect(statements[0]!.transactions.map((t) => [t.amount, t.details?.reversal])).toEqual([
      ["-10.00", "true"],
      ["10.00", "true"],
    ]);
  });

  it("details that add up give one transaction each, signed by their own indicator", async () => {
    const body = ntry(
      "<NtryDtls>" +
        tx('<Refs><EndToEndId>E1</EndToEndId></Refs><Amt Ccy="EUR">7.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RltdPties><Cdtr><Nm>Shop</Nm></Cdtr><CdtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></CdtrAcct></RltdPties>') +
        tx('<Refs><EndToEndId>E2</EndToEndId></Refs><Amt Ccy="EUR">2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Pty><Nm>Refunder</Nm></Pty></Dbtr></RltdPties>') +
        "</NtryDtls>",
      { amount: "5.00", indicator: "DBIT" },
    );
    const { statements, issues } = await parsed(camtFormat, camt({ body }));
    expect(issues).toEqual([]);
    expect(statements[0]!.transactions.map((t) => [t.amount, t.externalId, t.counterpartyName, t.line])).toEqual([
      ["-7.00", "E1", "Shop", 5],
      ["2.00", "E2", "Refunder", 5],
    ]);
    expect(statements[0]!.transactions[0]!.counterpartyAccount).toBe("NL91ABNA0417164300");
  });

  it("details that do not add up leave the entry as one transaction, with an issue on the entry's line", async () => {
    const body = ntry("<NtryDtls>" + tx('<Amt Ccy="EUR">3.00</Amt>') + tx('<AmtDtls><TxAmt><Amt Ccy="EUR">3.00</Amt></TxAmt></AmtDtls>') + "</NtryDtls><AddtlNtryInf>Batch payment</AddtlNtryInf>");
    const { statements, issues } = await parsed(camtFormat, camt({ body }));
    expect(statements[0]!.transactions).toEqual([expect.objectContaining({ amount: "10.00", description: "Batch payment", details: expect.objectContaining({ detailCount: "2" }) })]);
    expect(issues).toEqual([expect.objectContaining({ code: "detail_sum_mismatch", severity: "error", line: 5 })]);
    expect(issues[0]!.message).toContain("6.00");
  });

  it("a detail without an amount among several keeps the entry whole (warning)", async () => {
    const body = ntry("<NtryDtls>" + tx('<Amt Ccy="EUR">3.00</Amt>') + tx("<Refs><EndToEndId>X</EndToEndId></Refs>") + "</NtryDtls>");
    const { statements, issues } = await parsed(camtFormat, camt({ body }));
    expect(statements[0]!.transactions.map((t) => t.amount)).toEqual(["10.00"]);
    expect(issues.map((i) => i.code)).toEqual(["detail_amount_missing"]);
  });

  it("a batch entry without details is one transaction carrying the batch count", async () => {
    const body = ntry("<AcctSvcrRef>B-1</AcctSvcrRef><NtryDtls><Btch><PmtInfId>PI-9</PmtInfId><NbOfTxs>3</NbOfTxs></Btch></NtryDtls>", { amount: "99.99", indicator: "DBIT" });
    const { statements } = await parsed(camtFormat, camt({ body }));
    expect(statements[0]!.transactions).toEqual([expect.objectContaining({ amount: "-99.99", externalId: "B-1", details: expect.objectContaining({ batchTransactionCount: "3", paymentInformationId: "PI-9" }) })]);
  });

  it("an instructed amount in another currency is kept in details", async () => {
    const body = ntry(
      "<NtryDtls>" + tx('<Refs><InstrId>I-1</InstrId><MsgId>M-1</MsgId></Refs><AmtDtls><InstdAmt><Amt Ccy="USD">11.00</Amt><CcyXchg><SrcCcy>USD</SrcCcy><XchgRate>0.9090</XchgRate></CcyXchg></InstdAmt><TxAmt><Amt Ccy="EUR">10.00</Amt></TxAmt></AmtDtls><RmtInf><Ustrd>Invoice</Ustrd><Ustrd>42</Ustrd></RmtInf>') + "</NtryDtls>",
    );
    const { statements, issues } = await parsed(camtFormat, camt({ body }));
    expect(issues).toEqual([]);
    expect(statements[0]!.transactions[0]).toMatchObject({
      amount: "10.00",
      customerReference: "I-1",
      description: "Invoice 42",
      details: { instructedAmount: "11.00", instructedCurrency: "USD", exchangeRate: "0.9090", instructionId: "I-1", messageId: "M-1", statementMessageId: "MSG-1" },
    });
  });

  it.each([
    ["EUR", "1.5", "1.50", []],
    ["JPY", "1500", "1500", []],
    ["JPY", "1500.5", "1500.5", ["too_many_decimals"]],
    ["BHD", "1.234", "1.234", []],
    ["EUR", "1.005", "1.005", ["too_many_decimals"]],
    ["XXX", "1.23456", "1.23456", []],
  ])("%s %s → %s", async (ccy, amount, expected, codes) => {
    const { statements, issues } = await parsed(camtFormat, camt({ body: ntry("", { amount, ccy }) }));
    expect(statements[0]!.transactions[0]!.amount).toBe(expected);
    expect(issues.map((i) => i.code)).toEqual(codes);
  });

  it.each([
    ["-5.00", "CRDT", "<Dt>2024-01-15</Dt>", "invalid_amount"],
    ["5,00", "CRDT", "<Dt>2024-01-15</Dt>", "invalid_amount"],
    ["5.00", "CRD", "<Dt>2024-01-15</Dt>", "invalid_credit_debit_indicator"],
    ["5.00", "CRDT", "<Dt>2024-02-30</Dt>", "invalid_date"],
    ["5.00", "CRDT", "", "missing_booking_date"],
  ])("amount %s, indicator %s, booking %s: skipped with %s", async (amount, indicator, booking, code) => {
    const { statements, issues, rejected: rows } = await parsed(camtFormat, camt({ body: ntry("", { amount, indicator, booking }) + "\n" + ntry("") }));
    expect(statements[0]!.transactions).toHaveLength(1);
    expect(issues).toEqual([expect.objectContaining({ code, severity: "error", line: 5 })]);
    // The skipped entry is kept for correction, its broken value as written.
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "transaction", line: 5, raw: expect.stringContaining("<Ntry>") });
    const bookingText = /<Dt>(.*)<\/Dt>/.exec(booking)?.[1] ?? "";
    expect(rows[0]!.fields).toMatchObject({ bookingDate: bookingText, amount, creditDebit: indicator, valueDate: "2024-01-16", currency: "EUR" });
  });

  it("a skipped entry carries its references, parties and text like a transaction would", async () => {
    const inner = "<NtryDtls>" + tx("<Refs><EndToEndId>E2E-7</EndToEndId></Refs><RltdPties><Dbtr><Nm>ACME</Nm></Dbtr><DbtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>Invoice 7</Ustrd></RmtInf>") + "</NtryDtls><AcctSvcrRef>ASR-1</AcctSvcrRef>";
    const { rejected: rows } = await parsed(camtFormat, camt({ body: ntry(inner, { booking: "<Dt>2024-13-01</Dt>" }) }));
    expect(rows.map((r) => r.fields)).toEqual([
      {
        bookingDate: "2024-13-01",
        valueDate: "2024-01-16",
        amount: "10.00",
        currency: "EUR",
        creditDebit: "CRDT",
        externalId: "ASR-1",
        bankReference: "ASR-1",
        customerReference: "E2E-7",
        description: "Invoice 7",
        counterpartyName: "ACME",
        counterpartyAccount: "NL91ABNA0417164300",
      },
    ]);
  });

  it("references: AcctSvcrRef of the entry, else EndToEndId (NOTPROVIDED is no id); description falls back to AddtlNtryInf", async () => {
    const body = [
      ntry("<NtryDtls>" + tx("<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>") + "</NtryDtls><AddtlNtryInf>Fee</AddtlNtryInf>"),
      ntry("<NtryDtls>" + tx("<Refs><EndToEndId>E2E</EndToEndId></Refs>") + "</NtryDtls>"),
    ].join("\n");
    const { statements } = await parsed(camtFormat, camt({ body }));
    const [first, second] = statements[0]!.transactions;
    expect(first!.externalId).toBeUndefined();
    expect(first!.customerReference).toBeUndefined();
    expect(first!.description).toBe("Fee");
    expect(second!.externalId).toBe("E2E");
  });
});

describe("messages", () => {
  it("camt.052 account reports parse the same way and say so in meta", async () => {
    const input = camt({ version: "camt.052.001.02", message: "BkToCstmrAcctRpt", statement: "Rpt", body: bal("ITBD", "3") + ntry("") });
    const { statements, meta } = await parsed(camt052Format, input);
    expect(meta).toMatchObject({ format: "camt052", extra: { version: "camt.052.001.02" } });
    expect(statements[0]!.balances[0]!.type).toBe("interim");
    expect(statements[0]!.transactions).toHaveLength(1);
  });

  it.each(["camt.053.001.02", "camt.053.001.04", "camt.053.001.06", "camt.053.001.10"])("version %s from the namespace", async (version) => {
    const { meta } = await parsed(camtFormat, camt({ version, body: ntry("") }));
    expect(meta?.extra.version).toBe(version);
  });

  it("accepts a prefixed namespace", async () => {
    const input = bytes('<ns2:Document xmlns:ns2="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><ns2:BkToCstmrStmt><ns2:Stmt><ns2:Acct><ns2:Id><ns2:IBAN>X1</ns2:IBAN></ns2:Id></ns2:Acct></ns2:Stmt></ns2:BkToCstmrStmt></ns2:Document>');
    const { statements } = await parsed(camtFormat, input);
    expect(statements[0]!.account.id).toBe("X1");
  });

  it.each([
    ['<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">\n<BkToCstmrDbtCdtNtfctn/></Document>', "camt_unsupported_message", 2],
    ["<Document>\n<Other/></Document>", "not_camt", 2],
    ["<Html/>", "not_camt", 1],
    ['<Document>\n<BkToCstmrStmt>\n<Stmt><Id>1</Id>\n<Bal/></Stmt></BkToCstmrStmt></Document>', "camt_missing_account", 3],
  ])("rejects %j", async (xml, code, line) => {
    const error = await rejected(camtFormat, bytes(xml));
    expect([error.code, error.line]).toEqual([code, line]);
  });
});

describe("sniffing", () => {
  it.each([
    ['<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">', 0.95, 0],
    ['<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">', 0.5, 0.95],
    ["<Document><BkToCstmrStmt>", 0.95, 0],
    ["<OFX><BANKMSGSRSV1>", 0, 0],
    [":20:X\n:25:1\n", 0, 0],
  ])("%j", (head, camt053, camt052) => {
    expect(camtFormat.sniff(head, bytes(head))).toBe(camt053);
    expect(camt052Format.sniff(head, bytes(head))).toBe(camt052);
  });
});

describe("statement integrity", () => {
  const summary = (count: number, sum: string) =>
    `<TxsSummry>\n<TtlNtries><NbOfNtries>${count}</NbOfNtries><Sum>${sum}</Sum></TtlNtries><TtlDbtNtries><NbOfNtries>1</NbOfNtries><Sum>4.00</Sum></TtlDbtNtries></TxsSummry>`;
  const entries = [ntry("", { amount: "10.00" }), ntry("", { amount: "4.00", indicator: "DBIT" })].join("\n");

  it("TxsSummry totals that match the entries pass", async () => {
    const { issues } = await parsed(camtFormat, camt({ body: [bal("OPBD", "100.00"), bal("CLBD", "106.00"), summary(2, "14.00"), entries].join("\n") }));
    expect(issues).toEqual([]);
  });

  it("a broken TxsSummry total is a FormatError on the summary's line, or a warning with integrity checks off", async () => {
    const input = camt({ body: [summary(3, "14.00"), entries].join("\n") });
    const error = await rejected(camtFormat, input);
    expect([error.code, error.line]).toEqual(["control_total_mismatch", 5]);
    const { issues } = await parsed(camtFormat, input, { integrity: false });
    expect(issues).toEqual([expect.objectContaining({ code: "control_total_mismatch", severity: "warning", line: 5, field: "TxsSummry/TtlNtries" })]);
  });

  it("a later page of a paginated statement is not held to the summary", async () => {
    const input = camt({ account: "<StmtPgntn><PgNb>2</PgNb><LastPgInd>true</LastPgInd></StmtPgntn><Acct><Id><IBAN>X</IBAN></Id></Acct>", body: [summary(9, "1.00"), entries].join("\n") });
    await expect(parsed(camtFormat, input)).resolves.toBeDefined();
  });

  it("opening + booked entries must equal closing (warning on the closing balance); pending entries do not count", async () => {
    const pending = ntry("", { amount: "50.00" }).replace("<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>");
    const { issues } = await parsed(camtFormat, camt({ body: [bal("OPBD", "100.00"), bal("CLBD", "106.00"), entries, pending].join("\n") }));
    expect(issues).toEqual([]);
    const wrong = await parsed(camtFormat, camt({ body: [bal("OPBD", "100.00"), bal("CLBD", "107.00"), entries].join("\n") }));
    expect(wrong.issues).toEqual([expect.objectContaining({ code: "balance_mismatch", severity: "warning", line: 6 })]);
  });
});
