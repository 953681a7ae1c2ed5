import { describe, expect, it } from "vitest";
import { commaAmountToDecimal, isNegativeMark, parseStatementLine, statementLineDates } from "./statement-line";
import { parseBalanceField, parseControlTotal } from "./balance";
import { parseInformation } from "./information";

describe(":61: statement line", () => {
  it.each([
    ["1105240524D9,N192NONREF", { valueDateText: "110524", entryDateText: "0524", mark: "D", unsignedAmount: "9", typeCode: "N192", customerReference: "NONREF" }],
    ["131017D620,3NSTON", { valueDateText: "131017", mark: "D", unsignedAmount: "620.3", typeCode: "NSTO", customerReference: "N" }],
    ["0211011102DR800,NSTONONREF//55555", { entryDateText: "1102", mark: "D", fundsCode: "R", unsignedAmount: "800", bankReference: "55555" }],
    ["1407290729C500NTRF29-07-2014 10:05//B4G29PGDCK1QFV3E", { mark: "C", unsignedAmount: "500", customerReference: "29-07-2014 10:05", bankReference: "B4G29PGDCK1QFV3E" }],
    ["1312091209C79,7FMSC01916//NONREF", { unsignedAmount: "79.7", typeCode: "FMSC", customerReference: "01916", bankReference: "NONREF" }],
    ["130101D000000000025,00N102EREF", { unsignedAmount: "000000000025.00", typeCode: "N102" }],
    ["200101RC12,34NTRFREF", { mark: "RC", unsignedAmount: "12.34" }],
    ["200101RDR12,34NTRFREF", { mark: "RD", fundsCode: "R", unsignedAmount: "12.34" }],
    ["2001010102CE1,00S202ABC//XYZ", { mark: "C", fundsCode: "E", typeCode: "S202", customerReference: "ABC", bankReference: "XYZ" }],
  ])("%s", (text, expected) => {
    expect(parseStatementLine([text])).toMatchObject(expected);
  });

  it.each(["", "ABC", "1105240524X9,N192", "110524D9.50N192", "110524D,50N192", "110524D9,50X192", "11052D9,50N192"])("rejects %j", (text) => {
    expect(parseStatementLine([text])).toBeNull();
  });

  it("keeps the next lines as supplementary details", () => {
    expect(parseStatementLine(["0310201020C20000,00FMSCNONREF//8327000090031789", "Card transaction"])?.supplementaryDetails).toBe("Card transaction");
  });

  it.each([
    ["C", false],
    ["D", true],
    ["RC", true],
    ["RD", false],
  ] as const)("mark %s is negative: %s", (mark, negative) => {
    expect(isNegativeMark(mark)).toBe(negative);
  });

  it.each([
    ["1,00", "1.00"],
    ["9,", "9"],
    ["0,", "0"],
    ["500", "500"],
    ["000123,4", "000123.4"],
  ])("amount %s → %s", (text, decimal) => {
    expect(commaAmountToDecimal(text)).toBe(decimal);
  });
});

describe("entry date year rollover", () => {
  it.each([
    ["110524", "0524", "2011-05-24", "2011-05-24"],
    ["101231", "0102", "2010-12-31", "2011-01-02"],
    ["110102", "1231", "2011-01-02", "2010-12-31"],
    ["160230", "0301", null, "2016-03-01"],
    ["160229", "0229", "2016-02-29", "2016-02-29"],
    ["150229", "0301", null, "2015-03-01"],
    ["110524", "1340", "2011-05-24", null],
    ["991231", "0101", "1999-12-31", "2000-01-01"],
  ])("value %s entry %s", (value, entry, valueDate, entryDate) => {
    expect(statementLineDates(value, entry)).toEqual({ valueDate, entryDate });
  });

  it("without an entry date only the value date is known", () => {
    expect(statementLineDates("131017")).toEqual({ valueDate: "2013-10-17" });
  });
});

describe("balances and control totals", () => {
  it.each([
    ["C110522EUR3236,28", { negative: false, date: "2011-05-22", currency: "EUR", unsignedAmount: "3236.28" }],
    ["D140829EUR000000000147,64", { negative: true, date: "2014-08-29", unsignedAmount: "000000000147.64" }],
    ["C140507EUR0,", { unsignedAmount: "0" }],
    ["C160230EUR1,00", { date: null, dateText: "160230" }],
  ])("%s", (text, expected) => {
    expect(parseBalanceField(text)).toMatchObject(expected);
  });

  it.each(["", "X110522EUR1,00", "C1105EUR1,00", "C110522EU1,00", "C110522EUR", "C110522EUR1.00"])("rejects %j", (text) => {
    expect(parseBalanceField(text)).toBeNull();
  });

  it("reads :90D: counts", () => {
    expect(parseControlTotal("3EUR120,50")).toEqual({ count: 3, currency: "EUR", unsignedAmount: "120.50" });
    expect(parseControlTotal("EUR120,50")).toBeNull();
  });
});

describe(":86: information", () => {
  it("German ?NN subfields: booking text, remittance, counterparty name, account and bank", () => {
    const info = parseInformation([["008?00DAUERAUFTRAG?100599?20Miete November?3010020030?31234567?32MUELLER?34339"]]);
    expect(info).toEqual({
      description: "Miete November",
      counterpartyName: "MUELLER",
      counterpartyAccount: "234567",
      details: { transactionCode: "008", bookingText: "DAUERAUFTRAG", primaNota: "0599", counterpartyBankId: "10020030", textKeyExtension: "339", remittance: "Miete November" },
    });
  });

  it("subfield markers split across lines, full 27-character subfields joined without a space", () => {
    const info = parseInformation([["166?00SEPA-UEBERWEISUNG?20EREF+E2E-1 SVWZ+Rechnung 12", "345 vom 01.?21", "02.2024?32ACME GmbH?33 Berlin"]]);
    expect(info.description).toBe("Rechnung 12345 vom 01.02.2024");
    expect(info.details.endToEndId).toBe("E2E-1");
    expect(info.counterpartyName).toBe("ACME GmbH Berlin");
    const wrapped = parseInformation([["166?20ABCDEFGHIJKLMNOPQRSTUVWXYZA?21BC"]]);
    expect(wrapped.description).toBe("ABCDEFGHIJKLMNOPQRSTUVWXYZABC");
  });

  it("Dutch /KEY/ structure: NAME, IBAN, REMI, EREF, TRTP", () => {
    const info = parseInformation([["/TRTP/SEPA OVERBOEKING/IBAN/NL12RABO0123456789/BIC/RABONL2U/NAME/J. JANSEN/REMI/Factuur 2024", "-001/EREF/NOTPROVIDED"]]);
    expect(info).toMatchObject({
      description: "Factuur 2024-001",
      counterpartyName: "J. JANSEN",
      counterpartyAccount: "NL12RABO0123456789",
      details: { transactionType: "SEPA OVERBOEKING", remittance: "Factuur 2024-001", endToEndId: "NOTPROVIDED", counterpartyBic: "RABONL2U" },
    });
  });

  it("ING /CNTP/ and /REMI/USTD// forms", () => {
    const info = parseInformation([["/CNTP/NL91ABNA0417164300/ABNANL2A/Shop BV/AMSTERDAM/REMI/USTD//Order 42/"]]);
    expect(info).toMatchObject({ counterpartyName: "Shop BV", counterpartyAccount: "NL91ABNA0417164300", description: "Order 42" });
  });

  it("free text is joined with single spaces; several :86: fields are concatenated", () => {
    expect(parseInformation([["first   line", "second"], ["third"]]).description).toBe("first line second third");
    expect(parseInformation([]).description).toBe("");
  });
});

describe("tag lines read on character codes", () => {
  it("split exactly as /^:(\\d{2}[A-Z]?|NS):(.*)$/ does", async () => {
    const fc = (await import("fast-check")).default;
    const { SwiftFieldReader } = await import("./fields");
    const TAG_LINE = /^:(\d{2}[A-Z]?|NS):(.*)$/;
    const piece = fc.constantFrom(":", "2", "0", "6", "F", "f", "N", "S", "x", " ", "\u2028", "-");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }).map((p) => p.join("")), (text) => {
        const reader = new SwiftFieldReader({ headerLines: 0, envelopeOpen: false, envelopeLine: 1, lastLine: 0 });
        const tokens = [...reader.read([{ text: ":20:X", line: 1 }, { text, line: 2 }]), ...reader.end()];
        const m = TAG_LINE.exec(text);
        const last = tokens[tokens.length - 1];
        if (m) expect(last).toEqual({ kind: "field", field: { tag: m[1], lines: [m[2]], line: 2 } });
        else expect(last?.kind === "field" && last.field.line === 2).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});
