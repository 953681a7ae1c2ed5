/**
 * MT940 / MT942 parser: fields → statements, balances and transactions, streamed.
 *
 * Truncation: MT940 has no trailer or counts, so a file cut between fields cannot be told apart
 * from a statement that simply has no closing balance. A statement without ":62F:"/":62M:" is
 * therefore an issue (`missing_closing_balance`), not a failure. When a SWIFT envelope "{4:" was
 * opened, its "-}" is required: a missing one means the file was cut, which is a FormatError.
 * When both balances are present, opening + entries must equal closing (`balance_mismatch` issue).
 */
import type { Balance, ParseIssue, StatementInfo } from "@/lib/schemas/canonical";
import { addDecimals, compareDecimals, type ShortDecimal } from "@/lib/money/decimal";
import { FormatError, type ByteSource, type ParseEvent, type ParseOptions } from "../types";
import { DecimalTotal } from "../shared/decimal";
import { flattenBatches } from "../shared/batches";
import { decodeText, peekBytes, sniffEncoding } from "../shared/text";
import type { FieldReaderState, SwiftField } from "./fields";
import { SwiftScanner, type SwiftSink } from "./scanner";
import { BALANCE_TAGS, parseBalanceField, parseControlTotal, type ControlTotal } from "./balance";
import { signedAmount, statementTransaction, type PendingTransaction } from "./transaction";
import { holdPending, quickTransaction, type HeldEntry } from "./quick";

/** quickTransaction's reading of the amount, reused for every entry. */
const QUICK_AMOUNT: ShortDecimal = { n: 0, digits: 0, scale: 0, negative: false };

/** Placeholder account id when a file has no ":25:" field; always reported as an issue. */
export const UNKNOWN_ACCOUNT = "UNKNOWN";

const MT942_TAGS = new Set(["34F", "13D", "90D", "90C"]);
const STATEMENT_TAGS = new Set(["20", "21", "25", "28", "28C", "60F", "60M", "61", "62F", "62M", "64", "65", "86", "34F", "13D", "90D", "90C"]);

interface OpenStatement {
  line: number;
  reference?: string;
  account?: string;
  statementNumber?: string;
  currency?: string;
  announced: boolean;
  interimReport: boolean;
  opening?: { amount: string; currency: string };
  closing?: { amount: string; currency: string; line: number };
  /** Running sums kept as DecimalTotal: re-parsing a growing total string per entry was a hot spot. */
  entriesTotal: DecimalTotal;
  entriesComplete: boolean;
  debits: { count: number; total: DecimalTotal };
  credits: { count: number; total: DecimalTotal };
  controlTotals: { tag: string; line: number; total: ControlTotal }[];
}

export function parseMt940(source: ByteSource, options: ParseOptions = {}): AsyncGenerator<ParseEvent, void, undefined> {
  return flattenBatches(mt940Batches(source, options));
}

/**
 * The events, one array per decoded chunk (see flattenBatches: no async step per event). The scanner
 * hands fields straight to the builder, which adds its events to one array; when a step fails, the
 * events it had added are dropped and the earlier ones handed on, as the one-event-at-a-time parser
 * did. With `quickEntries` false every entry goes the general way (statementTransaction), which
 * quick.test.ts compares the quick one against.
 */
export async function* mt940Batches(source: ByteSource, options: ParseOptions, quickEntries = true): AsyncGenerator<ParseEvent[], void, undefined> {
  const { head, source: replay } = await peekBytes(source);
  const encoding = options.encoding ?? sniffEncoding(head);
  const reader: FieldReaderState = { headerLines: 0, envelopeOpen: false, envelopeLine: 1, lastLine: 0 };
  const parser = new Mt940Builder(options.integrity !== false, quickEntries);
  const scanner = new SwiftScanner(reader, parser);
  try {
    for await (const chunk of decodeText(replay, encoding)) {
      scanner.push(chunk);
      if (parser.out.length > 0) yield parser.take();
    }
    scanner.endLines();
    if (parser.out.length > 0) yield parser.take();
    scanner.end();
    if (reader.envelopeOpen) {
      throw new FormatError("truncated_message", 'Expected the SWIFT message opened with "{4:" to end with "-}", found the end of the file', reader.envelopeLine);
    }
    parser.statementEnd();
    if (parser.fieldsSeen === 0) {
      throw new FormatError("not_mt940", "Expected MT940 fields such as :20:, :25:, :60F: or :61: at the start of a line, found none", 1);
    }
  } catch (error) {
    parser.dropUnfinished();
    if (parser.out.length > 0) yield parser.take();
    throw error;
  }
  parser.out.push({
    type: "meta",
    meta: {
      format: parser.isMt942 ? "mt942" : "mt940",
      encoding,
      lines: reader.lastLine,
      extra: {
        statements: parser.statementCount,
        transactions: parser.transactionCount,
        headerLines: reader.headerLines,
        messageTypes: [...parser.messageTypes],
      },
    },
  });
  yield parser.take();
}

/**
 * Statements, balances and transactions from fields. Exported for the differential test, which
 * drives it from the reference readers (readLineBatches + SwiftFieldReader).
 */
export class Mt940Builder implements SwiftSink {
  fieldsSeen = 0;
  statementCount = 0;
  transactionCount = 0;
  isMt942 = false;
  readonly messageTypes = new Set<string>();
  /** Events not yet handed on. */
  out: ParseEvent[] = [];
  /** out.length when the sink call in progress started; -1 between calls. */
  private mark = -1;
  private statement: OpenStatement | undefined;
  private pending: PendingTransaction | undefined;
  /** Instead of `pending`, the entry held as offsets (fieldLine): only with `quick`, reused for every entry. */
  private holding = false;
  private readonly held: HeldEntry = { text: "", from: 0, to: 0, line: 0, info: undefined, infoFrom: 0, infoTo: 0, infoLine: 0 };

  /** `quick`: the usual entries through quickTransaction (see mt940Batches). */
  constructor(
    private readonly integrity: boolean,
    private readonly quick = true,
  ) {}

  /** The events so far, handed over once. */
  take(): ParseEvent[] {
    const events = this.out;
    this.out = [];
    return events;
  }

  /** After a failure: the events of the call that failed go, as they never reached the caller before. */
  dropUnfinished(): void {
    if (this.mark >= 0) this.out.length = this.mark;
    this.mark = -1;
  }

  field(field: SwiftField): void {
    this.mark = this.out.length;
    this.readField(field);
    this.mark = -1;
  }

  fieldLine(tag: string, text: string, value: number, end: number, line: number): void {
    if (this.quick) {
      // readField for the usual entry's two fields, on offsets; see HeldEntry.
      if (tag === "61") {
        this.mark = this.out.length;
        this.fieldsSeen++;
        this.flushTransaction();
        this.statement ??= this.openStatement(line);
        const held = this.held;
        held.text = text;
        held.from = value;
        held.to = end;
        held.line = line;
        held.info = undefined;
        this.holding = true;
        this.mark = -1;
        return;
      }
      if (tag === "86" && this.holding && this.held.info === undefined) {
        this.fieldsSeen++;
        const held = this.held;
        held.info = text;
        held.infoFrom = value;
        held.infoTo = end;
        held.infoLine = line;
        return;
      }
    }
    this.field({ tag, lines: [text.slice(value, end)], line });
  }

  statementEnd(): void {
    this.mark = this.out.length;
    this.endStatement();
    this.mark = -1;
  }

  envelope(messageType: string | undefined): void {
    this.mark = this.out.length;
    this.endStatement();
    if (messageType) this.messageTypes.add(messageType);
    if (messageType === "942") this.isMt942 = true;
    this.mark = -1;
  }

  private readField(field: SwiftField): void {
    if (!STATEMENT_TAGS.has(field.tag)) return;
    this.fieldsSeen++;
    if (field.tag === "86" && (this.pending || this.holding)) {
      (this.pending ??= this.unhold()).information.push(field);
      return;
    }
    this.flushTransaction();
    if (field.tag === "20" && this.statement) this.endStatement();
    const statement = (this.statement ??= this.openStatement(field.line));
    // An entry's line is read when the entry is complete; no trimmed copy of it here.
    if (field.tag === "61") {
      this.pending = { statementLine: field, information: [] };
      return;
    }
    const text = (field.lines[0] ?? "").trim();
    if (MT942_TAGS.has(field.tag)) {
      statement.interimReport = true;
      this.isMt942 = true;
    }
    switch (field.tag) {
      case "20":
        statement.reference = text;
        return;
      case "25":
        statement.account = text;
        return;
      case "28":
      case "28C":
        statement.statementNumber = text;
        return;
      case "34F":
        // The floor limit is the first place an MT942 names its currency.
        statement.currency ??= /^[A-Z]{3}/.exec(text)?.[0];
        return;
      case "90D":
      case "90C":
        this.controlTotal(statement, field, text);
        return;
      case "86":
        // Information after the closing balance describes the statement, not a transaction.
        return;
      default:
        if (field.tag in BALANCE_TAGS) this.balance(statement, field, text);
    }
  }

  private endStatement(): void {
    this.flushTransaction();
    const statement = this.statement;
    if (!statement) return;
    this.announce(statement);
    if (!statement.closing && !statement.interimReport && !this.messageTypes.has("942")) {
      this.issue({
        severity: "warning",
        code: "missing_closing_balance",
        message: "Expected a closing balance (:62F: or :62M:) before the statement ends, found none; the statement may be incomplete",
        line: statement.line,
        field: "62F",
      });
    }
    this.checkBalances(statement);
    this.checkControlTotals(statement);
    this.statement = undefined;
  }

  private openStatement(line: number): OpenStatement {
    this.statementCount++;
    return {
      line,
      announced: false,
      interimReport: false,
      entriesTotal: new DecimalTotal(),
      entriesComplete: true,
      debits: { count: 0, total: new DecimalTotal() },
      credits: { count: 0, total: new DecimalTotal() },
      controlTotals: [],
    };
  }

  /** The statement event goes out once its account is known, before its first balance or transaction. */
  private announce(statement: OpenStatement): void {
    if (statement.announced) return;
    statement.announced = true;
    const { id, bankId, currency } = splitAccount(statement.account);
    if (!statement.account) {
      this.issue({
        severity: "warning",
        code: "missing_account",
        message: `Expected an account identification (:25:) in the statement, found none; the account is recorded as "${UNKNOWN_ACCOUNT}"`,
        line: statement.line,
        field: "25",
      });
    }
    statement.currency ??= currency;
    const info: StatementInfo = {
      account: { id, ...(bankId ? { bankId } : {}), ...(statement.currency ? { currency: statement.currency } : {}) },
      ...(statement.statementNumber || statement.reference ? { statementId: statement.statementNumber ?? statement.reference } : {}),
      line: statement.line,
    };
    this.out.push({ type: "statement", statement: info });
  }

  private balance(statement: OpenStatement, field: SwiftField, text: string): void {
    const parsed = parseBalanceField(text);
    const type = BALANCE_TAGS[field.tag]!;
    if (!parsed) {
      this.issue({
        severity: "error",
        code: "invalid_balance",
        message: `Expected a balance as C/D mark, YYMMDD date, currency and amount (e.g. "C110522EUR3236,28") in field :${field.tag}:, found "${text}"`,
        line: field.line,
        field: field.tag,
      });
      if (type === "opening") statement.entriesComplete = false;
      return;
    }
    statement.currency ??= parsed.currency;
    this.announce(statement);
    if (parsed.date === null) {
      this.issue({
        severity: "error",
        code: "invalid_date",
        message: `Expected a balance date as YYMMDD in field :${field.tag}:, found "${parsed.dateText}"; the balance is kept without a date`,
        line: field.line,
        field: field.tag,
      });
    }
    const amount = this.scaled(parsed.unsignedAmount, parsed.currency, field, parsed.negative);
    const balance: Balance = {
      type,
      sourceCode: `:${field.tag}:`,
      ...(parsed.date ? { date: parsed.date } : {}),
      amount,
      currency: parsed.currency,
      line: field.line,
    };
    if (type === "opening" && !statement.opening) statement.opening = { amount, currency: parsed.currency };
    if (type === "closing") statement.closing = { amount, currency: parsed.currency, line: field.line };
    this.out.push({ type: "balance", balance });
  }

  private controlTotal(statement: OpenStatement, field: SwiftField, text: string): void {
    const total = parseControlTotal(text);
    if (!total) {
      this.issue({
        severity: "error",
        code: "invalid_control_total",
        message: `Expected a number of entries, currency and amount (e.g. "3EUR120,50") in field :${field.tag}:, found "${text}"`,
        line: field.line,
        field: field.tag,
      });
      return;
    }
    statement.currency ??= total.currency;
    statement.controlTotals.push({ tag: field.tag, line: field.line, total });
  }

  private flushTransaction(): void {
    const statement = this.statement;
    // A pending entry of the held shape read the general way (e.g. a line cut by a chunk's end) is held too.
    const holding = this.holding || (this.pending !== undefined && this.quick && holdPending(this.pending, this.held));
    this.holding = false;
    if (!statement || (!holding && !this.pending)) {
      this.pending = undefined;
      return;
    }
    this.announce(statement);
    const read = QUICK_AMOUNT;
    const quick = holding ? quickTransaction(this.held, statement.currency, read) : undefined;
    if (quick) {
      this.pending = undefined;
      this.transactionCount++;
      statement.entriesTotal.addUnits(read.n, read.digits, read.scale, read.negative);
      const side = read.negative ? statement.debits : statement.credits;
      side.count++;
      side.total.addUnits(read.n, read.digits, read.scale, false);
      this.out.push({ type: "transaction", transaction: quick });
      return;
    }
    const pending = this.pending ?? this.unhold();
    this.pending = undefined;
    const { transaction, issues, rejected } = statementTransaction(pending, statement.currency);
    for (const issue of issues) this.issue(issue);
    if (!transaction) {
      statement.entriesComplete = false;
      if (rejected) this.out.push({ type: "rejected", rejected });
      return;
    }
    this.transactionCount++;
    statement.entriesTotal.add(transaction.amount);
    const negative = transaction.amount.startsWith("-");
    const side = negative ? statement.debits : statement.credits;
    side.count++;
    side.total.add(negative ? transaction.amount.slice(1) : transaction.amount);
    this.out.push({ type: "transaction", transaction });
  }

  /** The held entry as the general way holds it. */
  private unhold(): PendingTransaction {
    const held = this.held;
    this.holding = false;
    const information: SwiftField[] = [];
    if (held.info !== undefined) information.push({ tag: "86", lines: [held.info.slice(held.infoFrom, held.infoTo)], line: held.infoLine });
    return { statementLine: { tag: "61", lines: [held.text.slice(held.from, held.to)], line: held.line }, information };
  }

  private scaled(unsigned: string, currency: string | undefined, field: SwiftField, negative: boolean): string {
    const { amount, issues } = signedAmount(unsigned, currency, negative, field);
    for (const issue of issues) this.issue(issue);
    return amount;
  }

  private checkBalances(statement: OpenStatement): void {
    const { opening, closing } = statement;
    if (!opening || !closing || !statement.entriesComplete || opening.currency !== closing.currency) return;
    const entriesTotal = statement.entriesTotal.value;
    const expected = addDecimals(opening.amount, entriesTotal);
    if (compareDecimals(expected, closing.amount) === 0) return;
    this.issue({
      severity: "warning",
      code: "balance_mismatch",
      message: `Expected the closing balance to equal opening ${opening.amount} plus entries ${entriesTotal} = ${expected}, found ${closing.amount}`,
      line: closing.line,
      field: "62F",
    });
  }

  private checkControlTotals(statement: OpenStatement): void {
    for (const { tag, line, total } of statement.controlTotals) {
      const side = tag === "90D" ? statement.debits : statement.credits;
      const sideTotal = side.total.value;
      const same = side.count === total.count && compareDecimals(sideTotal, total.unsignedAmount) === 0;
      if (same || !statement.entriesComplete) continue;
      const message = `Expected :${tag}: to match the ${tag === "90D" ? "debit" : "credit"} entries, found ${total.count} entries totalling ${total.unsignedAmount} in the trailer but ${side.count} entries totalling ${sideTotal} in the statement`;
      if (this.integrity) throw new FormatError("control_total_mismatch", message, line);
      this.issue({ severity: "warning", code: "control_total_mismatch", message, line, field: tag });
    }
  }

  private issue(issue: ParseIssue): void {
    this.out.push({ type: "issue", issue });
  }
}

/** ":25:" is "BLZ/account", "BIC/account", an IBAN, or an IBAN followed by its currency. */
function splitAccount(text: string | undefined): { id: string; bankId?: string; currency?: string } {
  if (!text) return { id: UNKNOWN_ACCOUNT };
  const withBank = /^([A-Z0-9]{4,11})\/(\S.*)$/.exec(text);
  if (withBank) return { id: withBank[2]!.trim(), bankId: withBank[1]! };
  const withCurrency = /^([A-Z]{2}\d{2}[A-Z0-9]{8,30}\d)([A-Z]{3})$/.exec(text);
  if (withCurrency) return { id: withCurrency[1]!, currency: withCurrency[2]! };
  return { id: text };
}
