/**
 * The ":61:" and Dutch ":86:" readers on character codes against the regex versions they replaced
 * (copied here as they were), on random text built from the pieces that matter to each.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseInformation } from "./information";
import { commaAmountToDecimal, parseStatementLine, type DebitCreditMark, type StatementLine } from "./statement-line";

const STATEMENT_LINE = /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d+(?:,\d*)?)([NFS][A-Z0-9]{3})(.*)$/;

function regexStatementLine(lines: readonly string[]): StatementLine | null {
  const m = STATEMENT_LINE.exec((lines[0] ?? "").trim());
  if (!m) return null;
  const [, valueDateText = "", entryDateText, mark = "C", fundsCode, amountText = "", typeCode = "", rest = ""] = m;
  const slashes = rest.indexOf("//");
  const customerReference = (slashes < 0 ? rest : rest.slice(0, slashes)).trim();
  const bankReference = slashes < 0 ? "" : rest.slice(slashes + 2).trim();
  let supplementaryDetails = "";
  for (let i = 1; i < lines.length; i++) {
    const part = lines[i]!.trim();
    if (part) supplementaryDetails = supplementaryDetails ? supplementaryDetails + " " + part : part;
  }
  const line = { valueDateText } as StatementLine;
  if (entryDateText) line.entryDateText = entryDateText;
  line.mark = mark as DebitCreditMark;
  if (fundsCode) line.fundsCode = fundsCode;
  line.unsignedAmount = commaAmountToDecimal(amountText);
  line.typeCode = typeCode;
  if (customerReference) line.customerReference = customerReference;
  if (bankReference) line.bankReference = bankReference;
  if (supplementaryDetails) line.supplementaryDetails = supplementaryDetails;
  return line;
}

const DUTCH_KEYS = [
  "TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "ORDP", "BENM", "CSID", "MARF", "SVCL", "ISDT", "RTRN", "PREF",
  "CNTP", "ADDR", "ULTC", "ULTD", "ULTB", "PURP", "CHGS", "EXCH", "OCMT", "COAM", "ID", "FX", "RTYP", "IREF", "BUSP",
];
const DUTCH_KEY = new RegExp(`/(${DUTCH_KEYS.join("|")})/`, "g");

function regexDutch(text: string): unknown {
  const values: Record<string, string> = {};
  DUTCH_KEY.lastIndex = 0;
  let m = DUTCH_KEY.exec(text);
  while (m) {
    const key = m[1]!;
    const from = m.index + m[0].length;
    const next = DUTCH_KEY.exec(text);
    const to = next ? next.index : text.length;
    const value = text.slice(from, to).replace(/\/+$/, "").trim();
    if (value && !(key in values)) values[key] = value;
    m = next;
  }
  DUTCH_KEY.lastIndex = 0;
  const [cntpAccount, cntpBic, cntpName] = (values.CNTP ?? "").split("/");
  const remittance = (values.REMI ?? "").replace(/^(USTD|STRD)\/+/, "").trim();
  const name = values.NAME ?? cntpName;
  const account = values.IBAN ?? cntpAccount;
  const details: Record<string, string> = {};
  if (remittance) details.remittance = remittance;
  if (values.TRTP) details.transactionType = values.TRTP;
  if (values.EREF) details.endToEndId = values.EREF;
  if (values.MARF) details.mandateId = values.MARF;
  if (values.CSID) details.creditorId = values.CSID;
  if (values.PREF) details.paymentReference = values.PREF;
  if (values.ISDT) details.instructionDate = values.ISDT;
  const bic = values.BIC ?? cntpBic;
  if (bic) details.counterpartyBic = bic;
  return {
    description: remittance || name || "",
    ...(name ? { counterpartyName: name } : {}),
    ...(account ? { counterpartyAccount: account } : {}),
    details,
  };
}

const text = (pieces: readonly string[], maxLength = 24) => fc.array(fc.constantFrom(...pieces), { maxLength }).map((p) => p.join(""));

describe(":61: on character codes", () => {
  const pieces = ["1", "0", "2", "9", "24", "0102", "240102", "R", "C", "D", "RC", "RD", "E", "x", ",", ",00", "N", "F", "S", "TRF", "MSC", "A1", "/", "//", " ", "\t", "\n", "\r", "\u2028", "\u2029", "\u00a0", "NONREF", "é"];
  it("gives the regex's result on random lines", () => {
    fc.assert(
      fc.property(text(pieces), fc.array(text(pieces, 4), { maxLength: 2 }), (first, more) => {
        const lines = [first, ...more];
        expect(JSON.stringify(parseStatementLine(lines))).toBe(JSON.stringify(regexStatementLine(lines)));
      }),
      { numRuns: 20_000 },
    );
  });

  it("gives the regex's result on well-formed lines with random parts", () => {
    const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^\\d{${min},${max}}$`));
    const line = fc
      .tuple(digits(5, 7), fc.option(digits(3, 5)), fc.constantFrom("C", "D", "RC", "RD", "R", "X"), fc.option(fc.constantFrom("R", "E", "9", "a")), digits(0, 6), fc.option(fc.tuple(fc.constant(","), digits(0, 3))), fc.constantFrom("NTRF", "FMSC", "S202", "N19", "XTRF", "Nab1"), text(pieces, 6))
      .map(([value, entry, mark, funds, whole, fraction, type, rest]) => `${value}${entry ?? ""}${mark}${funds ?? ""}${whole}${fraction ? fraction.join("") : ""}${type}${rest}`);
    fc.assert(
      fc.property(line, (first) => {
        expect(JSON.stringify(parseStatementLine([first]))).toBe(JSON.stringify(regexStatementLine([first])));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe("Dutch :86: on indexOf and slots", () => {
  const pieces = [...DUTCH_KEYS.map((k) => `/${k}/`), "/", "//", "///", "TRTP", "NAME", "ID", "X", "Shop BV", " ", "  ", "\t", "USTD", "STRD", "USTD//", "é", "NL91ABNA0417164300", "/ID", "ABCD/", "/name/"];
  it("gives the regex loop's result on random structured text", () => {
    fc.assert(
      fc.property(fc.constantFrom(...DUTCH_KEYS), text(pieces, 30), (first, rest) => {
        const structured = `/${first}/${rest}`.trim();
        expect(JSON.stringify(parseInformation([[structured]]))).toBe(JSON.stringify(regexDutch(structured)));
      }),
      { numRuns: 20_000 },
    );
  });
});
