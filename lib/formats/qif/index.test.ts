import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunked, collect, type CollectedParse } from "../collect";
import { FormatError, type ParseOptions } from "../types";
import { qifFormat, sniffQif } from "./index";
import { DATE_WINDOW } from "./reader";

const FIXTURES = "lib/formats/qif/__fixtures__/";
const fixture = (name: string) => new Uint8Array(readFileSync(`${FIXTURES}${name}.qif`));
const bytes = (text: string) => new TextEncoder().encode(text);
const parse = (input: Uint8Array, options: ParseOptions = {}, size = input.length || 1) => collect(qifFormat.parse(chunked(input, size), options));

async function failure(input: Uint8Array): Promise<FormatError> {
  try {
    await parse(input);
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error("expected a FormatError");
}

describe("QIF fixtures", () => {
  it("bank_mdy: US dates (incl. apostrophe years), grouped amounts, splits, categories", async () => {
    const result = await parse(fixture("bank_mdy"));
    const [statement] = result.statements;
    expect(statement?.account).toEqual({ id: "Bank", kind: "BANK" });
    expect(statement?.transactions.map((t) => [t.bookingDate, t.amount, t.counterpartyName, t.line])).toEqual([
      ["2025-10-01", "1500.00", "Opening Balance", 2],
      ["2025-10-03", "-45.67", "ACME Hardware", 7],
      ["2025-10-31", "-120.00", "City Utilities", 17],
      ["2025-11-02", "2000", "Payroll", 28],
    ]);
    expect(statement?.transactions[0]?.details).toEqual({ transferAccount: "Checking" });
    expect(statement?.transactions[1]).toMatchObject({
      customerReference: "1001",
      description: "Shelves & brackets",
      details: { category: "Home:Repairs", cleared: "X", address: "123 Main St, Springfield" },
    });
    expect(statement?.transactions[2]?.details).toMatchObject({ "split1.category": "Utilities:Water", "split1.amount": "-70.00", "split2.amount": "-50.00" });
    expect(result.issues).toEqual([]);
    expect(result.meta).toMatchObject({ format: "qif", lines: 33, extra: { dateOrder: "MDY", dateOrderSource: "inferred" } });
  });

  it("ccard_dmy: day-first dates inferred from 31/10, comma decimals, CRLF", async () => {
    const result = await parse(fixture("ccard_dmy"));
    expect(result.statements[0]?.account.kind).toBe("CREDITCARD");
    expect(result.statements[0]?.transactions.map((t) => [t.bookingDate, t.amount])).toEqual([
      ["2025-10-31", "-12.50"],
      ["2025-11-01", "-8.00"],
      ["2025-11-05", "250.00"],
    ]);
    expect(result.meta?.extra).toMatchObject({ dateOrder: "DMY", dateOrderSource: "inferred" });
  });

  it("accounts: one statement per account section; category lists skipped", async () => {
    const result = await parse(fixture("accounts"));
    expect(result.statements.map((s) => [s.account.id, s.account.kind, s.transactions.map((t) => t.amount)])).toEqual([
      ["Everyday", "BANK", ["-10.00"]],
      ["Visa", "CREDITCARD", ["-99.99"]],
    ]);
    expect(result.issues).toMatchObject([{ severity: "info", code: "qif_section_skipped", line: 10 }]);
  });

  it("bad_records: each bad record is an error issue on its line, never a guessed value", async () => {
    const result = await parse(fixture("bad_records"));
    expect(result.statements[0]?.transactions.map((t) => t.line)).toEqual([2, 20]);
    expect(result.issues.map((i) => [i.code, i.line, i.field])).toEqual([
      ["qif_missing_date", 6, "D"],
      ["qif_invalid_date", 9, "D"],
      ["qif_invalid_amount", 13, "T"],
      ["qif_missing_amount", 17, "T"],
      ["qif_date_order_conflict", 24, "D"],
    ]);
    expect(result.issues[2]?.message).toBe('Expected an amount such as -1,234.56 in "T", found "$20"');
  });

  it("ambiguous: no day above 12 → MM/DD assumed and said so", async () => {
    const result = await parse(fixture("ambiguous"));
    expect(result.statements[0]?.transactions.map((t) => t.bookingDate)).toEqual(["2025-01-02", "2025-03-04"]);
    expect(result.issues).toMatchObject([{ severity: "warning", code: "qif_date_order_assumed", line: 2 }]);
    expect(result.meta?.extra).toMatchObject({ dateOrderSource: "default" });
  });

  it("an explicit date order wins over inference", async () => {
    const result = await parse(fixture("ambiguous"), { dateOrder: "DMY" });
    expect(result.statements[0]?.transactions.map((t) => t.bookingDate)).toEqual(["2025-02-01", "2025-04-03"]);
    expect(result.issues).toEqual([]);
    expect(result.meta?.extra).toMatchObject({ dateOrder: "DMY", dateOrderSource: "option" });
  });

  it("truncated: a record without ^ at the end of the file is a structural error", async () => {
    const error = await failure(fixture("truncated"));
    expect([error.code, error.line]).toEqual(["qif_truncated", 6]);
  });

  it("holds back at most a bounded window of records before deciding the date order", async () => {
    const ambiguous = Array.from({ length: DATE_WINDOW + 5 }, () => "D01/02/2025\nT-1.00\n^\n").join("");
    const result = await parse(bytes(`!Type:Bank\n${ambiguous}D31/10/2025\nT-1.00\n^\n`));
    expect(result.statements[0]?.transactions).toHaveLength(DATE_WINDOW + 5);
    expect(result.issues.map((i) => i.code)).toEqual(["qif_date_order_assumed", "qif_date_order_conflict"]);
  });
});

describe("QIF structure", () => {
  it.each([
    ["no header", "D10/01/2025\nT1\n^\n", "qif_missing_header", 1],
    ["empty", "", "qif_missing_header", 1],
    ["unknown header first", "!Foo\nD1\n^\n", "qif_missing_header", 1],
  ])("%s", async (_name, text, code, line) => {
    const error = await failure(bytes(text));
    expect([error.code, error.line]).toEqual([code, line]);
  });

  it("a header ending a record without ^ is a warning and the record still counts", async () => {
    const result = await parse(bytes("!Type:Bank\nD10/31/2025\nT-1\n!Type:Bank\nD10/31/2025\nT-2\n^\n"));
    expect(result.statements.map((s) => s.transactions.map((t) => t.amount))).toEqual([["-1"], ["-2"]]);
    expect(result.issues).toMatchObject([{ code: "qif_unterminated_record", line: 2 }]);
  });

  it("an AutoSwitch account list does not name the account of a later section", async () => {
    const result = await parse(bytes("!Option:AutoSwitch\n!Account\nNVisa\nTCCard\n^\n!Clear:AutoSwitch\n!Type:Bank\nD10/31/2025\nT-1\n^\n"));
    expect(result.statements.map((s) => s.account.id)).toEqual(["Bank"]);
  });

  it("skips investment sections with a warning", async () => {
    const result = await parse(bytes("!Type:Invst\nD10/31/2025\nNBuy\nYACME\nI10\nQ5\nT50\n^\n!Type:Bank\nD10/31/2025\nT-1\n^\n"));
    expect(result.issues).toMatchObject([{ severity: "warning", code: "qif_section_skipped", line: 1 }]);
    expect(result.statements.map((s) => s.transactions.length)).toEqual([1]);
    expect(result.meta?.extra).toMatchObject({ skippedRecords: 1 });
  });

  it("reads !Option:DMY as the file's own date order", async () => {
    const result = await parse(bytes("!Option:DMY\n!Type:Bank\nD01/02/2025\nT-1\n^\n"));
    expect(result.statements[0]?.transactions[0]?.bookingDate).toBe("2025-02-01");
    expect(result.meta?.extra).toMatchObject({ dateOrderSource: "file" });
  });
});

describe("sniffQif", () => {
  it.each([
    ["!Type:Bank\nD10/31/2025", 0.95],
    ["\uFEFF!Account\nNChecking", 0.95],
    ["!Option:AutoSwitch", 0.95],
    ["OFXHEADER:100", 0],
    ["Date,Amount\n", 0],
  ])("%j → %d", (head, confidence) => expect(sniffQif(head, bytes(head))).toBe(confidence));
});

const FIXTURE_NAMES = ["bank_mdy", "ccard_dmy", "accounts", "bad_records", "ambiguous", "truncated"];

async function outcome(input: Uint8Array, size: number): Promise<CollectedParse | { error: string; line: number }> {
  try {
    const result = await parse(input, {}, size);
    for (const issue of result.issues) expect(issue.line).toBeGreaterThanOrEqual(1);
    return result;
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    expect(error.line).toBeGreaterThanOrEqual(1);
    return { error: error.code, line: error.line };
  }
}

describe("QIF properties", () => {
  it("arbitrary bytes and QIF-like lines never throw anything but FormatError", async () => {
    const line = fc.oneof(fc.constantFrom("!Type:Bank", "!Account", "^", "D10/31/2025", "D31/10'25", "T-1,234.56", "T$5", "PX", "LCat", "S", "$1"), fc.string({ maxLength: 12 }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.array(line, { maxLength: 40 }).map((l) => bytes(l.join("\n")))), async (input) => {
        await outcome(input, input.length || 1);
      }),
      { numRuns: 200 },
    );
  });

  it("mutated fixtures never throw anything but FormatError; chunked equals whole", async () => {
    const inputs = FIXTURE_NAMES.map(fixture);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(inputs.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.integer({ min: 1, max: 40 }),
        async (index, edits, size) => {
          const input = new Uint8Array(inputs[index]!);
          for (const [position, value] of edits) input[position % input.length] = value;
          expect(await outcome(input, size)).toEqual(await outcome(input, input.length));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("QIF rejected records (kept for correction in review)", () => {
  it("bad_records: every dropped record with its lines as written and its date or amount as written", async () => {
    const result = await parse(fixture("bad_records"));
    expect(result.rejected).toEqual([
      { kind: "transaction", line: 6, raw: "T-2.00\nPno date", fields: { bookingDate: "", amount: "-2.00", description: "no date", counterpartyName: "no date" } },
      { kind: "transaction", line: 9, raw: "D02/30/2025\nT-3.00\nPimpossible date", fields: { bookingDate: "02/30/2025", amount: "-3.00", description: "impossible date", counterpartyName: "impossible date" } },
      { kind: "transaction", line: 13, raw: "D10/05/2025\nT$20\nPdollar amount", fields: { bookingDate: "2025-10-05", amount: "$20", description: "dollar amount", counterpartyName: "dollar amount" } },
      { kind: "transaction", line: 17, raw: "D10/06/2025\nPno amount", fields: { bookingDate: "2025-10-06", amount: "", description: "no amount", counterpartyName: "no amount" } },
      { kind: "transaction", line: 24, raw: "D31/10/2025\nT-5.00\nPconflicting DMY", fields: { bookingDate: "31/10/2025", amount: "-5.00", description: "conflicting DMY", counterpartyName: "conflicting DMY" } },
    ]);
  });

  it("the default currency is given to a rejected record too", async () => {
    const result = await parse(bytes("!Type:Bank\nD13/13/2025\nT1.00\nMtea\n^\n"), { defaultCurrency: "EUR" });
    expect(result.rejected.map((r) => r.fields)).toEqual([{ bookingDate: "13/13/2025", amount: "1.00", currency: "EUR", description: "tea" }]);
  });
});
