import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunked, collect, type CollectedParse } from "../collect";
import { FormatError } from "../types";
import { ofxFormat, sniffOfx } from "./index";

const SAMPLES = "test/fixtures/samples/ofx/";
const sample = (name: string) => new Uint8Array(readFileSync(`${SAMPLES}jseutter-ofxparse__${name}.ofx`));
const bytes = (text: string) => new TextEncoder().encode(text);
const parse = (input: Uint8Array, size = input.length || 1) => collect(ofxFormat.parse(chunked(input, size)));

async function failure(input: Uint8Array): Promise<FormatError> {
  try {
    await parse(input);
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error("expected a FormatError");
}

const SGML_HEADER = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n";
function sgmlStatement(transactions: string, extra = ""): string {
  return `${SGML_HEADER}<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>1<ACCTID>42<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20251001<DTEND>20251031
${transactions}
</BANKTRANLIST>${extra}</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
`;
}
const trn = (fields: string) => `<STMTTRN>${fields}</STMTTRN>`;

describe("OFX samples", () => {
  it("bank_medium (SGML v1.02): account, balances and three transactions", async () => {
    const result = await parse(sample("bank_medium"));
    expect(result.statements).toHaveLength(1);
    const [statement] = result.statements;
    expect(statement?.account).toEqual({ id: "12300 000012345678", bankId: "160000100", currency: "CAD", kind: "CHECKING" });
    expect(statement?.balances.map((b) => [b.type, b.amount, b.date])).toEqual([
      ["closing", "382.34", "2009-05-23"],
      ["closing_available", "682.34", "2009-05-23"],
    ]);
    expect(statement?.transactions).toHaveLength(3);
    expect(statement?.transactions[0]).toMatchObject({
      bookingDate: "2009-04-01",
      amount: "-6.60",
      counterpartyName: "MCDONALD'S #112",
      description: "POS MERCHANDISE;MCDONALD'S #112",
      externalId: "0000123456782009040100001",
      typeCode: "POS",
      currency: "CAD",
      line: 15,
    });
    expect(statement?.transactions[1]).toMatchObject({ amount: "-316.67", customerReference: "0", typeCode: "CHECK" });
    expect(result.issues).toEqual([]);
    expect(result.meta).toMatchObject({ format: "ofx", lines: 18, extra: { headerStyle: "sgml", leafStyle: "unclosed", version: "102" } });
  });

  it("multiple_accounts2 (XML v2): one statement per STMTRS", async () => {
    const result = await parse(sample("multiple_accounts2"));
    expect(result.statements.map((s) => [s.account.id, s.account.kind, s.account.bankId])).toEqual([
      ["9100", "CHECKING", "123"],
      ["9200", "SAVINGS", "123"],
    ]);
    expect(result.statements.map((s) => s.balances.map((b) => [b.amount, b.date]))).toEqual([[["111", "2012-06-03"]], [["222", "2012-06-03"]]]);
    expect(result.meta?.extra).toMatchObject({ headerStyle: "xml", leafStyle: "closed", statements: 2, transactions: 0 });
  });

  it("anzcc: XML header with SGML-style unclosed leaves, credit card", async () => {
    const result = await parse(sample("anzcc"));
    expect(result.statements).toHaveLength(1);
    expect(result.statements[0]?.account).toEqual({ id: "1234123412341234", currency: "AUD", kind: "CREDITCARD" });
    expect(result.statements[0]?.transactions.map((t) => [t.bookingDate, t.amount, t.description, t.externalId])).toEqual([
      ["2017-05-08", "-5.50", "SOME MEMO", "201705080001"],
    ]);
    expect(result.statements[0]?.balances.map((b) => [b.type, b.amount])).toEqual([
      ["closing", "-123.45"],
      ["closing_available", "123.45"],
    ]);
  });

  it("suncorp: payee in CDATA", async () => {
    const result = await parse(sample("suncorp"));
    const [transaction] = result.statements[0]?.transactions ?? [];
    expect(transaction).toMatchObject({
      bookingDate: "2013-12-15",
      amount: "-16.85",
      counterpartyName: "EFTPOS WDL HANDYWAY ALDI STORE",
      description: "EFTPOS WDL HANDYWAY ALDI STORE   GEELONG WEST VICAU",
      currency: "AUD",
    });
    expect(result.statements[0]?.transactions).toHaveLength(1);
  });

  it("checking: tab-indented SGML with CHECKNUM", async () => {
    const result = await parse(sample("checking"));
    const transactions = result.statements[0]?.transactions ?? [];
    expect(transactions.map((t) => t.amount)).toEqual(["0.01", "-34.51", "-25.00"]);
    expect(transactions[2]?.customerReference).toBe("319");
    expect(result.statements[0]?.account).toMatchObject({ id: "1452687~7", bankId: "5472369148", currency: "USD" });
  });

  it("fail_nice_date_missing: each bad transaction is an error issue, none guessed", async () => {
    const result = await parse(sample("fail_nice_date_missing"));
    expect(result.statements[0]?.transactions).toEqual([]);
    expect(result.issues.map((i) => [i.severity, i.code, i.line, i.field])).toEqual([
      ["error", "ofx_missing_date", 33, "DTPOSTED"],
      ["error", "ofx_invalid_date", 40, "DTPOSTED"],
      ["error", "ofx_invalid_date", 48, "DTPOSTED"],
    ]);
    expect(result.issues[2]?.message).toContain('found "20120231"');
  });

  it("fail_nice_decimal_error: $120 and an impossible date are errors", async () => {
    const result = await parse(sample("fail_nice_decimal_error"));
    expect(result.statements[0]?.transactions).toEqual([]);
    expect(result.issues.map((i) => [i.code, i.field, i.line])).toEqual([
      ["ofx_invalid_date", "DTPOSTED", 34],
      ["ofx_invalid_amount", "TRNAMT", 34],
    ]);
    expect(result.issues[1]?.message).toBe('Expected a number such as -6.60 in <TRNAMT> of the transaction with FITID 2000957249, found "$120"');
  });

  it("fail_nice_empty_balance: empty BALAMT is an error, the transaction still parses", async () => {
    const result = await parse(sample("fail_nice_empty_balance"));
    expect(result.statements[0]?.balances).toEqual([]);
    expect(result.statements[0]?.transactions.map((t) => [t.bookingDate, t.amount])).toEqual([["2011-03-08", "120"]]);
    expect(result.issues.map((i) => [i.severity, i.code, i.line])).toEqual([
      ["error", "ofx_invalid_amount", 37],
      ["error", "ofx_invalid_amount", 41],
    ]);
  });
});

describe("OFX transaction tags", () => {
  it.each([
    ["TRNTYPE", "<TRNTYPE>XFER", { typeCode: "XFER" }],
    ["FITID", "<FITID>abc-1", { externalId: "abc-1" }],
    ["CHECKNUM", "<CHECKNUM>1001", { customerReference: "1001" }],
    ["REFNUM", "<REFNUM>R-9", { bankReference: "R-9" }],
    ["NAME", "<NAME>ACME Corp", { counterpartyName: "ACME Corp", description: "ACME Corp" }],
    ["PAYEE", "<PAYEE><NAME>Payee Inc<ADDR1>1 Main St</PAYEE>", { counterpartyName: "Payee Inc" }],
    ["MEMO", "<MEMO>Note", { description: "Note", details: expect.objectContaining({ memo: "Note" }) }],
    ["DTUSER", "<DTUSER>20251002", { details: expect.objectContaining({ userDate: "2025-10-02" }) }],
    ["DTAVAIL", "<DTAVAIL>20251003", { valueDate: "2025-10-03" }],
    ["BANKACCTTO", "<BANKACCTTO><BANKID>9<ACCTID>777<ACCTTYPE>SAVINGS</BANKACCTTO>", { counterpartyAccount: "777" }],
    ["CURRENCY", "<CURRENCY><CURRATE>1.1<CURSYM>EUR</CURRENCY>", { currency: "EUR", details: expect.objectContaining({ currencyRate: "1.1" }) }],
    ["SIC", "<SIC>5411", { details: expect.objectContaining({ sic: "5411" }) }],
  ])("%s", async (_tag, fields, expected) => {
    const result = await parse(bytes(sgmlStatement(trn(`${fields}<TRNTYPE>DEBIT<DTPOSTED>20251001<TRNAMT>-1.00<FITID>f1`))));
    expect(result.issues).toEqual([]);
    expect(result.statements[0]?.transactions[0]).toMatchObject(expected);
  });

  it.each([
    ["-6.60", "-6.60"],
    ["+6.60", "6.60"],
    ["6,60", "6.60"],
    [".5", "0.5"],
  ])("amount %s", async (written, amount) => {
    const result = await parse(bytes(sgmlStatement(trn(`<DTPOSTED>20251031<TRNAMT>${written}<FITID>1`))));
    expect(result.statements[0]?.transactions[0]?.amount).toBe(amount);
  });

  it.each(["$20", "", "1,234.56", "abc"])("amount %j is an error issue, never guessed", async (written) => {
    const result = await parse(bytes(sgmlStatement(trn(`<DTPOSTED>20251031<TRNAMT>${written}</TRNAMT><FITID>1`))));
    expect(result.statements[0]?.transactions).toEqual([]);
    expect(result.issues).toMatchObject([{ severity: "error", code: "ofx_invalid_amount", field: "TRNAMT", line: 13 }]);
  });

  it.each([
    ["20251031", "2025-10-31"],
    ["20251031120000", "2025-10-31"],
    ["20251031120000.000[-5:EST]", "2025-10-31"],
    ["20251031235959.000[-12:X]", "2025-10-31"],
  ])("date %s is booked on %s (no day shift)", async (written, date) => {
    const result = await parse(bytes(sgmlStatement(trn(`<DTPOSTED>${written}<TRNAMT>1<FITID>1`))));
    expect(result.statements[0]?.transactions[0]?.bookingDate).toBe(date);
  });

  it("decodes entities and keeps markup-looking text inert", async () => {
    const xml = `<?xml version="1.0"?><?OFX OFXHEADER="200" VERSION="220"?><OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD</CURDEF>
<BANKACCTFROM><BANKID>1</BANKID><ACCTID>42</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM><BANKTRANLIST>
<STMTTRN><DTPOSTED>20251031</DTPOSTED><TRNAMT>-1</TRNAMT><FITID>1</FITID><NAME>AT&amp;T &lt;script&gt;alert(1)&lt;/script&gt; &#233;&#x41;</NAME>
<MEMO><![CDATA[<script>alert("x")</script> & <b>]]></MEMO></STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`;
    const result = await parse(bytes(xml));
    const [transaction] = result.statements[0]?.transactions ?? [];
    expect(transaction?.counterpartyName).toBe("AT&T <script>alert(1)</script> éA");
    expect(transaction?.description).toBe('<script>alert("x")</script> & <b>');
  });

  it("keeps a bare ampersand and a stray < as text (SGML files carry them)", async () => {
    const result = await parse(bytes(sgmlStatement(trn("<DTPOSTED>20251031<TRNAMT>1<FITID>1<NAME>A&B 5 < 6"))));
    expect(result.statements[0]?.transactions[0]?.counterpartyName).toBe("A&B 5 < 6");
  });

  it("reads UTF-16 and Windows-1252 files", async () => {
    const text = sgmlStatement(trn("<DTPOSTED>20251031<TRNAMT>1<FITID>1<NAME>Café"));
    const utf16 = new Uint8Array([0xff, 0xfe, ...new Uint8Array(new Uint16Array([...text].map((c) => c.charCodeAt(0))).buffer)]);
    expect((await parse(utf16, 7)).statements[0]?.transactions[0]?.counterpartyName).toBe("Café");
    const cp1252 = new Uint8Array([...text].map((c) => c.charCodeAt(0)));
    const result = await parse(cp1252, 5);
    expect(result.statements[0]?.transactions[0]?.counterpartyName).toBe("Café");
    expect(result.meta?.encoding).toBe("windows-1252");
  });
});

describe("OFX status", () => {
  it("a non-zero STATUS code from the bank is a warning naming the code and message", async () => {
    const text = sgmlStatement(trn("<DTPOSTED>20251031<TRNAMT>1<FITID>1")).replace("<STMTTRNRS>", "<STMTTRNRS><TRNUID>1<STATUS><CODE>2000<SEVERITY>ERROR<MESSAGE>General error</STATUS>\n");
    const result = await parse(bytes(text));
    expect(result.issues).toEqual([
      { severity: "warning", code: "ofx_status_error", message: 'Expected status code 0 for the statement request, found 2000 ("General error"); the bank reported a problem', line: 11, field: "CODE" },
    ]);
    expect(result.statements[0]?.transactions).toHaveLength(1);
  });
});

describe("OFX investment statements", () => {
  it("are skipped with a warning", async () => {
    const text = `<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS>\n<INVSTMTRS><CURDEF>USD<INVACCTFROM><BROKERID>b<ACCTID>1</INVACCTFROM></INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>`;
    const result = await parse(bytes(text));
    expect(result.statements).toEqual([]);
    expect(result.issues).toMatchObject([{ severity: "warning", code: "ofx_investment_skipped", line: 2 }]);
  });
});

describe("OFX structural failures", () => {
  it.each([
    ["DOCTYPE", `<?xml version="1.0"?><!DOCTYPE OFX [<!ENTITY a "aaaa">]><OFX></OFX>`, "ofx_declaration_refused", 1],
    ["ENTITY", `<OFX>\n<!ENTITY lol "lol"></OFX>`, "ofx_declaration_refused", 2],
    ["truncated", `${SGML_HEADER}<OFX><BANKMSGSRSV1>\n<STMTTRNRS>`, "ofx_truncated", 12],
    ["unterminated tag", `<OFX>\n<STMT`, "ofx_truncated", 2],
    ["no OFX root", `<HTML><BODY>hi</BODY></HTML>`, "ofx_missing_root", 1],
    ["empty file", ``, "ofx_missing_root", 1],
    ["garbage header", `hello world\n<OFX></OFX>`, "ofx_bad_header", 1],
    ["statement without account", `<OFX><STMTRS><BANKTRANLIST><STMTTRN><TRNAMT>1</STMTTRN></BANKTRANLIST></STMTRS></OFX>`, "ofx_missing_account", 1],
    ["malformed tag", `<OFX>\n<NAME <b></OFX>`, "ofx_malformed_tag", 2],
  ])("%s", async (_name, text, code, line) => {
    const error = await failure(bytes(text));
    expect([error.code, error.line]).toEqual([code, line]);
  });

  it("bounds a value built from many CDATA sections", async () => {
    const huge = "<OFX><NAME>" + "<![CDATA[xxxxxxxxxxxxxxxx]]>".repeat(70_000) + "</NAME></OFX>";
    expect((await failure(bytes(huge))).code).toBe("ofx_token_too_long");
  });

  it("bounds nesting depth", async () => {
    const deep = "<OFX>" + "<A><B>".repeat(100) + "x";
    const error = await failure(bytes(deep));
    expect(error.code).toBe("ofx_too_deep");
  });
});

describe("sniffOfx", () => {
  it.each([
    ["OFXHEADER:100\nDATA:OFXSGML", 1],
    ['<?xml version="1.0"?>\n<?OFX OFXHEADER="200"?>\n<OFX>', 1],
    ["\r\n\r\n<OFX>\r\n", 0.95],
    ["Date,Amount\n2025-10-31,1.00", 0],
    ["<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">", 0],
  ])("%j → %d", (head, confidence) => {
    expect(sniffOfx(head, bytes(head))).toBe(confidence);
  });
});

const SAMPLE_NAMES = ["bank_medium", "multiple_accounts2", "anzcc", "suncorp", "checking", "fail_nice_date_missing", "fail_nice_decimal_error", "fail_nice_empty_balance"];

async function outcome(input: Uint8Array, size: number): Promise<CollectedParse | { error: string; line: number }> {
  try {
    return await parse(input, size);
  } catch (error) {
    if (error instanceof FormatError) {
      expect(error.line).toBeGreaterThanOrEqual(1);
      return { error: error.code, line: error.line };
    }
    throw error;
  }
}

function checkLines(result: CollectedParse | { error: string; line: number }): void {
  if ("error" in result) return;
  for (const issue of result.issues) expect(issue.line).toBeGreaterThanOrEqual(1);
}

describe("OFX properties", () => {
  it("arbitrary bytes never throw anything but FormatError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (input) => checkLines(await outcome(input, input.length || 1))),
      { numRuns: 200 },
    );
  });

  it("arbitrary OFX-like text never throws anything but FormatError", async () => {
    const piece = fc.constantFrom("<OFX>", "</OFX>", "<STMTRS>", "</STMTRS>", "<STMTTRN>", "</STMTTRN>", "<TRNAMT>", "-1.5", "<DTPOSTED>", "20251031", "<ACCTID>", "1", "<![CDATA[x]]>", "&amp;", "<", "\n", "</X>", "<?OFX a=\"b\"?>", "<LEDGERBAL>", "<BALAMT>");
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 60 }), async (pieces) => {
        const input = bytes(pieces.join(""));
        checkLines(await outcome(input, input.length || 1));
      }),
      { numRuns: 200 },
    );
  });

  it("mutated samples never throw anything but FormatError", async () => {
    const inputs = SAMPLE_NAMES.map(sample);
    await fc.assert(
      fc.asyncProperty(fc.nat(inputs.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), async (index, edits) => {
        const input = new Uint8Array(inputs[index]!);
        for (const [position, value] of edits) input[position % input.length] = value;
        checkLines(await outcome(input, input.length));
      }),
      { numRuns: 200 },
    );
  });

  it("chunked parsing equals whole parsing", async () => {
    const inputs = SAMPLE_NAMES.map(sample);
    await fc.assert(
      fc.asyncProperty(fc.nat(inputs.length - 1), fc.integer({ min: 1, max: 64 }), async (index, size) => {
        const input = inputs[index]!;
        expect(await outcome(input, size)).toEqual(await outcome(input, input.length));
      }),
      { numRuns: 60 },
    );
  });
});

describe("OFX rejected rows (kept for correction in review)", () => {
  it("fail_nice_date_missing: the three dropped STMTTRN blocks, dates as written", async () => {
    const result = await parse(sample("fail_nice_date_missing"));
    expect(result.rejected.map((r) => [r.kind, r.line, r.fields.bookingDate, r.fields.amount, r.fields.externalId])).toEqual([
      ["transaction", 33, "", "-80.00", "184997056"],
      ["transaction", 40, "", "200.00", "2000957249"],
      ["transaction", 48, "20120231", "200.00", "2000957249"],
    ]);
    expect(result.rejected[0]).toEqual({
      kind: "transaction",
      line: 33,
      raw: "<STMTTRN><TRNTYPE>OTHER</TRNTYPE><TRNAMT>-80.00</TRNAMT><FITID>184997056</FITID><NAME>TestFail1</NAME></STMTTRN>",
      fields: { bookingDate: "", amount: "-80.00", currency: "USD", description: "TestFail1", counterpartyName: "TestFail1", externalId: "184997056", typeCode: "OTHER" },
    });
  });

  it("fail_nice_decimal_error: $120 and the impossible date as written", async () => {
    const result = await parse(sample("fail_nice_decimal_error"));
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({ kind: "transaction", line: 34, fields: { bookingDate: "201120000000", amount: "$120", currency: "CAD", externalId: "2000957249" } });
    expect(result.rejected[0]!.raw).toContain("<TRNAMT>$120</TRNAMT>");
  });

  it("fail_nice_empty_balance: the bad balances are not rows, the transaction is kept, nothing rejected", async () => {
    const result = await parse(sample("fail_nice_empty_balance"));
    expect(result.rejected).toEqual([]);
    expect(result.statements[0]!.transactions).toHaveLength(1);
  });

  it("SGML: parsed values canonical, other elements by their OFX names, the same in any chunking", async () => {
    const input = bytes(sgmlStatement("<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20251002<DTUSER>20251001<TRNAMT>12,5x<FITID>A1<MEMO>Coffee<NAME>Cafe</STMTTRN>"));
    const whole = await parse(input);
    expect(whole.rejected).toEqual([
      {
        kind: "transaction",
        line: 13,
        raw: expect.stringContaining("<TRNAMT>12,5x"),
        fields: { bookingDate: "2025-10-02", amount: "12,5x", currency: "USD", description: "Coffee", counterpartyName: "Cafe", externalId: "A1", typeCode: "DEBIT", DTUSER: "20251001" },
      },
    ]);
    for (const size of [1, 7, 64]) expect((await parse(input, size)).rejected).toEqual(whole.rejected);
  });
});

describe("OFX markup inside a text element", () => {
  it("<MEMO><script>…</script> is said, on its line and field, and never read as the memo", async () => {
    const result = await parse(bytes(sgmlStatement(trn("<TRNTYPE>DEBIT<DTPOSTED>20251002<TRNAMT>-1.00<FITID>A1<NAME>Cafe\n<MEMO><script>alert(1)</script>"))));
    expect(result.issues.filter((i) => i.code === "ofx_markup_in_text")).toEqual([
      { severity: "warning", code: "ofx_markup_in_text", line: 14, field: "MEMO", message: expect.stringContaining("found the tag <SCRIPT> inside it") },
    ]);
    const [transaction] = result.statements[0]!.transactions;
    expect(transaction).toMatchObject({ amount: "-1.00", counterpartyName: "Cafe", description: "Cafe" });
    // Only the raw text, kept verbatim for the reviewer, still holds it.
    expect(JSON.stringify({ ...transaction, raw: undefined })).not.toContain("alert");
  });

  it("escaped markup is text, read back verbatim", async () => {
    const result = await parse(bytes(sgmlStatement(trn("<TRNTYPE>DEBIT<DTPOSTED>20251002<TRNAMT>-1.00<FITID>A1<MEMO>&lt;script&gt;alert(1)&lt;/script&gt;"))));
    expect(result.issues).toEqual([]);
    expect(result.statements[0]!.transactions[0]!.description).toBe("<script>alert(1)</script>");
  });
});
