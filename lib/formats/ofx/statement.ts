/**
 * OFX element events → canonical events: one statement per STMTRS / CCSTMTRS, its transactions
 * (STMTTRN) and balances (LEDGERBAL, AVAILBAL). Holds one statement header and one transaction at a
 * time. Bad values become issues on their record; nothing is guessed.
 */
import type { Balance, ParseIssue, Transaction } from "@/lib/schemas/canonical";
import { FormatError, type JsonValue, type ParseEvent } from "../types";
import { QUICK_LEAVES, type OfxLeafRun, type OfxQuickBlock, type OfxQuickSink } from "./tokenizer";
import type { OfxNode } from "./tree";
import { OFX_AMOUNT_SHAPE, OFX_DATE_SHAPE, parseOfxAmount, parseOfxDateTime } from "./values";

const MAX_RAW_CHARS = 64 * 1024;
const MAX_HEADER_LINES = 64;
/** Distinct fields kept per transaction; real ones have about a dozen. */
const MAX_TRANSACTION_FIELDS = 256;

/**
 * Elements that hold text by the OFX spec. A tag right after one of them (`<MEMO><script>…`) makes it
 * read as an aggregate with markup inside, whose text is never read as a value: that is said, not dropped
 * in silence. (A literal "<" in OFX text is written "&lt;", which is read back as "<".)
 */
const TEXT_ELEMENTS = new Set(["NAME", "MEMO", "EXTDNAME", "PAYEEID", "CHECKNUM", "REFNUM", "FITID", "SRVRTID", "TRNTYPE", "TRNAMT", "DTPOSTED", "DTUSER", "DTAVAIL", "ACCTID", "BANKID", "BRANCHID", "CURDEF", "BALAMT", "DTASOF", "MESSAGE"]);

interface StatementState {
  line: number;
  creditCard: boolean;
  emitted: boolean;
  currency?: string;
  accountId?: string;
  bankId?: string;
  accountType?: string;
  from?: string;
  to?: string;
}

/** The transaction fields finishTransaction and rejectedFields read, each with its own slot. */
const KNOWN_FIELDS = [
  "FITID", "DTPOSTED", "TRNAMT", "DTUSER", "DTAVAIL", "NAME", "PAYEE.NAME", "MEMO", "EXTDNAME", "SIC", "PAYEEID", "SRVRTID",
  "CORRECTFITID", "CORRECTACTION", "ORIGCURRENCY.CURSYM", "ORIGCURRENCY.CURRATE", "CURRENCY.CURRATE", "CURRENCY.CURSYM",
  "BANKACCTTO.ACCTID", "CCACCTTO.ACCTID", "REFNUM", "CHECKNUM", "TRNTYPE",
] as const;
type KnownField = (typeof KNOWN_FIELDS)[number];
const SLOT = new Map<string, number>(KNOWN_FIELDS.map((key, index) => [key, index]));
/** A known field's slot: finishTransaction reads fields by slot (a Map lookup per field read showed in profiles). */
const slotOf = (key: KnownField): number => KNOWN_FIELDS.indexOf(key);
const FITID = slotOf("FITID");
const DTPOSTED = slotOf("DTPOSTED");
const TRNAMT = slotOf("TRNAMT");
const DTUSER = slotOf("DTUSER");
const DTAVAIL = slotOf("DTAVAIL");
const NAME = slotOf("NAME");
const PAYEE_NAME = slotOf("PAYEE.NAME");
const MEMO = slotOf("MEMO");
const EXTDNAME = slotOf("EXTDNAME");
const CURRENCY_CURSYM = slotOf("CURRENCY.CURSYM");
const BANKACCTTO_ACCTID = slotOf("BANKACCTTO.ACCTID");
const CCACCTTO_ACCTID = slotOf("CCACCTTO.ACCTID");
const REFNUM = slotOf("REFNUM");
const CHECKNUM = slotOf("CHECKNUM");
const TRNTYPE = slotOf("TRNTYPE");

/**
 * A transaction's fields by key, first value kept, in the order first seen, at most
 * MAX_TRANSACTION_FIELDS of them: what a Map per transaction did, with the known keys in an array of
 * slots (a fresh Map per transaction, grown field by field, showed in profiles) and a Map only for
 * other keys.
 */
class TransactionFields {
  private readonly known: (string | undefined)[] = new Array<string | undefined>(KNOWN_FIELDS.length).fill(undefined);
  private readonly keys: string[] = [];
  private other: Map<string, string> | null = null;

  get size(): number {
    return this.keys.length;
  }

  /** Keeps the value unless the key already has one or the transaction is full. */
  add(key: string, value: string): void {
    if (this.keys.length >= MAX_TRANSACTION_FIELDS) return;
    const slot = SLOT.get(key);
    if (slot !== undefined) {
      if (this.known[slot] !== undefined) return;
      this.known[slot] = value;
    } else {
      if (this.other === null) this.other = new Map();
      else if (this.other.has(key)) return;
      this.other.set(key, value);
    }
    this.keys.push(key);
  }

  get(key: string): string | undefined {
    const slot = SLOT.get(key);
    return slot !== undefined ? this.known[slot] : (this.other?.get(key) ?? undefined);
  }

  /** The value of the known field in `slot` (see slotOf). */
  at(slot: number): string | undefined {
    return this.known[slot];
  }

  *[Symbol.iterator](): Generator<[string, string]> {
    for (const key of this.keys) yield [key, this.get(key)!];
  }
}

/** A transaction being read: its fields and its raw text. */
class TransactionState implements OfxLeafRun {
  readonly fields = new TransactionFields();
  /** The raw pieces (tags and leaves as written) concatenated: joining an array of them per transaction showed in profiles. */
  raw: string;
  rawLength: number;
  readonly firstPiece: string;
  lastPiece: string;

  constructor(
    readonly line: number,
    startTag: string,
  ) {
    this.raw = this.firstPiece = this.lastPiece = startTag;
    this.rawLength = startTag.length;
  }

  /** Appends a piece of the raw text, up to MAX_RAW_CHARS. */
  appendRaw(raw: string): void {
    if (raw === "" || this.rawLength >= MAX_RAW_CHARS) return;
    this.raw += raw;
    this.rawLength += raw.length;
    this.lastPiece = raw;
  }

  /** A leaf directly inside the STMTTRN, taken as leafNode takes it then (see OfxStatementReader.leafRun). */
  add(name: string, value: string, raw: string): void {
    this.appendRaw(raw);
    this.fields.add(name, value);
  }
}

/** Whether a raw text starting with `first` and ending with `last` (its first and last pieces) may have white space to trim. */
function mayNeedTrim(first: string, last: string): boolean {
  const a = first.charCodeAt(0);
  const b = last.charCodeAt(last.length - 1);
  return !(a > 32 && a < 127 && b > 32 && b < 127);
}

interface BalanceState {
  line: number;
  sourceCode: "LEDGERBAL" | "AVAILBAL";
  amount?: string;
  asOf?: string;
}


function issue(severity: ParseIssue["severity"], code: string, message: string, line: number, field?: string): ParseEvent {
  return { type: "issue", issue: field ? { severity, code, message, line, field } : { severity, code, message, line } };
}

/** A known field's text, undefined when absent or empty. */
function textAt(fields: TransactionFields, slot: number): string | undefined {
  const value = fields.at(slot);
  return value === undefined || value === "" ? undefined : value;
}

/** Details taken from optional fields as written, after memo, userDate and postedAt, in this order: their keys and their fields' slots. */
const DETAIL_KEYS = ["extendedName", "sic", "payeeId", "serverTransactionId", "correctsFitId", "correctAction", "originalCurrency", "originalCurrencyRate", "currencyRate"] as const;
const DETAIL_SLOTS = (["EXTDNAME", "SIC", "PAYEEID", "SRVRTID", "CORRECTFITID", "CORRECTACTION", "ORIGCURRENCY.CURSYM", "ORIGCURRENCY.CURRATE", "CURRENCY.CURRATE"] as const).map(slotOf);

/** An optional date field: its date, or undefined (with a warning when it was written but unreadable). */
function optionalDate(fields: TransactionFields, slot: number, fitid: string | undefined, line: number, warnings: ParseEvent[]): string | undefined {
  const text = fields.at(slot);
  if (text === undefined || text === "") return undefined;
  const parsed = parseOfxDateTime(text);
  if (!parsed) {
    const field = KNOWN_FIELDS[slot]!;
    warnings.push(issue("warning", "ofx_invalid_date", `Expected a date as ${OFX_DATE_SHAPE} in <${field}> of ${whichTransaction(fitid)}, found ${quoted(text)}; it was left out`, line, field));
  }
  return parsed?.date;
}

/** How messages name a transaction; built only for a message (a string per transaction showed in profiles). */
function whichTransaction(fitid: string | undefined): string {
  return fitid ? `the transaction with FITID ${fitid}` : "the transaction";
}

function quoted(value: string): string {
  return value === "" ? "nothing (empty)" : JSON.stringify(value.length > 60 ? value.slice(0, 60) + "…" : value);
}

/** A leaf's slot in OfxQuickBlock.values. */
const quickSlot = (name: (typeof QUICK_LEAVES)[number]): number => QUICK_LEAVES.indexOf(name);
const QUICK_TRNTYPE = quickSlot("TRNTYPE");
const QUICK_DTPOSTED = quickSlot("DTPOSTED");
const QUICK_TRNAMT = quickSlot("TRNAMT");
const QUICK_FITID = quickSlot("FITID");
const QUICK_NAME = quickSlot("NAME");
const QUICK_MEMO = quickSlot("MEMO");

export class OfxStatementReader implements OfxQuickSink {
  /** Events produced and not yet taken by the caller (plain arrays: generators per element cost too much). */
  readonly out: ParseEvent[] = [];
  readonly header: Record<string, string> = {};
  private root: "before" | "inside" | "after" = "before";
  private readonly path: string[] = [];
  private statement: StatementState | null = null;
  private transaction: TransactionState | null = null;
  private balance: BalanceState | null = null;
  private status: { line: number; code?: string; message?: string } | null = null;
  private headerLines = 0;
  private warnedAfterEnd = false;
  statements = 0;
  transactions = 0;
  /** "sgml": OFXHEADER:100 lines; "xml": an <?OFX ?> instruction; "none": neither. */
  syntax: "sgml" | "xml" | "none" = "none";

  /** The element event for a leaf, without a node object (the tokenizer's whole-leaf path calls this). */
  leafNode(name: string, value: string, line: number, raw: string): void {
    if (this.root === "after") {
      this.warnAfterEnd(line);
      return;
    }
    if (this.root === "before") this.rootMissing(name, line);
    this.markupInText(name, line);
    this.appendRaw(raw);
    this.leaf(name, value, line);
  }

  /** The element event for an aggregate's start, without a node object (the tokenizer's plain-tag path calls this). */
  startNode(name: string, line: number, raw: string): void {
    if (this.root === "after") {
      this.warnAfterEnd(line);
      return;
    }
    this.markupInText(name, line);
    this.start(name, line, raw);
  }

  /** The element event for an element's end, without a node object (the tokenizer's plain-tag path calls this). */
  endNode(name: string, raw: string): void {
    if (this.root === "after") return;
    this.appendRaw(raw);
    this.end(name);
  }

  /**
   * What takes the leaves of the element just opened in one pass (see OfxLeafSink.leafRun): the open
   * transaction when they are its own fields, that is when the innermost open element is STMTTRN inside
   * <OFX>. For such a leaf leafNode warns of nothing (STMTTRN holds no text), appends its raw text and
   * adds the field under its name, which is what TransactionState.add does; nothing in it changes this.
   */
  leafRun(): OfxLeafRun | null {
    return this.root === "inside" && this.transaction !== null && this.path[this.path.length - 1] === "STMTTRN" ? this.transaction : null;
  }

  /**
   * A usual transaction block read whole by the tokenizer (see OfxTokenizer.quickBlock): the events
   * startNode, leafNode for each leaf and endNode would have put out, when they are the statement (if
   * not out yet) and a transaction with no issue. That is: the block opens a transaction (inside
   * <OFX>, in a statement, not in another transaction; not in a text element, where the open tag is
   * warned of), and its date, amount and FITID are there and readable. The transaction is built as
   * finishTransaction builds it from those fields (the others are absent), with the same keys in the
   * same order, without the transaction state, the field slots and the general checks. False: nothing
   * done, and the block goes the general way.
   */
  quickTransaction(block: OfxQuickBlock, line: number): boolean {
    const statement = this.statement;
    if (this.root !== "inside" || statement === null || this.transaction !== null) return false;
    const parent = this.path[this.path.length - 1];
    if (parent !== undefined && TEXT_ELEMENTS.has(parent)) return false;
    const values = block.values;
    const postedText = values[QUICK_DTPOSTED];
    const amountText = values[QUICK_TRNAMT];
    const fitid = values[QUICK_FITID];
    if (postedText === undefined || amountText === undefined || fitid === undefined) return false;
    const posted = parseOfxDateTime(postedText);
    const amount = parseOfxAmount(amountText);
    if (posted === null || amount === null) return false;

    this.emitStatement();
    const name = values[QUICK_NAME];
    const memo = values[QUICK_MEMO];
    const trntype = values[QUICK_TRNTYPE];
    const transaction = { bookingDate: posted.date } as Transaction;
    transaction.amount = amount;
    if (statement.currency) transaction.currency = statement.currency;
    transaction.externalId = fitid;
    if (trntype !== undefined) transaction.typeCode = trntype;
    transaction.description = memo ?? name ?? "";
    if (name !== undefined) transaction.counterpartyName = name;
    if (memo !== undefined || posted.timestamp !== undefined) {
      const details: Record<string, string> = {};
      if (memo !== undefined) details.memo = memo;
      if (posted.timestamp !== undefined) details.postedAt = posted.timestamp;
      transaction.details = details;
    }
    transaction.raw = block.raw;
    transaction.line = line;
    this.transactions++;
    this.out.push({ type: "transaction", transaction });
    return true;
  }

  handle(node: OfxNode): void {
    switch (node.kind) {
      case "leaf":
        this.leafNode(node.name, node.value, node.line, node.raw);
        return;
      case "start":
        this.startNode(node.name, node.line, node.raw);
        return;
      case "end":
        this.endNode(node.name, node.raw);
        return;
    }
    if (this.root === "after") {
      if (node.kind !== "unmatched_close") this.warnAfterEnd(node.line);
      return;
    }
    switch (node.kind) {
      case "text":
        if (this.root === "before") this.readHeader(node.text, node.line);
        else this.out.push(issue("warning", "ofx_unexpected_text", `Expected a tag, found text ${quoted(node.text.trim())} outside any element; it was ignored`, node.line));
        return;
      case "instruction":
        this.readInstruction(node.body);
        return;
      case "unmatched_close":
        this.out.push(issue("warning", "ofx_unmatched_close_tag", `Found </${node.name}> with no open <${node.name}>; it was ignored`, node.line));
        return;
    }
  }

  /** The first thing after </OFX> is said once; the rest is ignored. */
  private warnAfterEnd(line: number): void {
    if (this.warnedAfterEnd) return;
    this.warnedAfterEnd = true;
    this.out.push(issue("warning", "ofx_content_after_end", "Expected nothing after </OFX>, found more content; it was ignored", line));
  }

  /** Called after the last node: a file without <OFX> is not OFX. */
  finish(): void {
    if (this.root === "before") throw new FormatError("ofx_missing_root", "Expected an <OFX> element, found none", 1);
  }

  private rootMissing(name: string, line: number): never {
    throw new FormatError("ofx_missing_root", `Expected <OFX> as the first element, found <${name}>`, line);
  }

  private readHeader(text: string, firstLine: number): void {
    const lines = text.split(/\r\n|\r|\n/);
    lines.forEach((content, index) => {
      const trimmed = content.trim();
      if (trimmed === "") return;
      const match = /^([A-Za-z][A-Za-z0-9_.-]*)\s*:\s*(.*)$/.exec(trimmed);
      if (!match || ++this.headerLines > MAX_HEADER_LINES) {
        throw new FormatError("ofx_bad_header", `Expected OFX header lines such as "OFXHEADER:100" before <OFX>, found ${quoted(trimmed)}`, firstLine + index);
      }
      this.header[match[1]!.toUpperCase()] = match[2]!.trim();
      if (match[1]!.toUpperCase() === "OFXHEADER") this.syntax = "sgml";
    });
  }

  private readInstruction(body: string): void {
    if (!/^OFX\s/i.test(body)) return;
    this.syntax = "xml";
    for (const [, key, value] of body.matchAll(/([A-Za-z]+)\s*=\s*"([^"]*)"/g)) {
      if (key && value !== undefined && Object.keys(this.header).length < MAX_HEADER_LINES) this.header[key.toUpperCase()] = value;
    }
  }

  private markupInText(name: string, line: number): void {
    const parent = this.path[this.path.length - 1];
    if (parent === undefined || !TEXT_ELEMENTS.has(parent)) return;
    this.out.push(
      issue("warning", "ofx_markup_in_text", `Expected text in <${parent}>, found the tag <${name}> inside it; markup is not read as text, so its content was ignored (a "<" in text is written "&lt;")`, line, parent),
    );
  }

  private appendRaw(raw: string): void {
    this.transaction?.appendRaw(raw);
  }

  private start(name: string, line: number, raw: string): void {
    if (this.root === "before") {
      if (name !== "OFX") this.rootMissing(name, line);
      this.root = "inside";
    }
    this.path.push(name);
    this.appendRaw(raw);
    switch (name) {
      case "STMTRS":
      case "CCSTMTRS":
        if (!this.statement) this.statement = { line, creditCard: name === "CCSTMTRS", emitted: false };
        return;
      case "STMTTRN":
        if (!this.statement || this.transaction) return;
        this.emitStatement();
        this.transaction = new TransactionState(line, raw);
        return;
      case "LEDGERBAL":
      case "AVAILBAL":
        if (!this.statement || this.transaction) return;
        this.emitStatement();
        this.balance = { line, sourceCode: name };
        return;
      case "STATUS":
        this.status = { line };
        return;
      case "INVSTMTRS":
        this.out.push(issue("warning", "ofx_investment_skipped", "Found an investment statement (<INVSTMTRS>); only bank and credit-card statements are imported, so it was skipped", line));
        return;
    }
  }

  private leaf(name: string, value: string, line: number): void {
    const parent = this.path[this.path.length - 1];
    if (parent === "STATUS" && this.status) {
      if (name === "CODE") this.status.code = value;
      if (name === "MESSAGE") this.status.message = value;
      return;
    }
    if (this.transaction) {
      const key = parent === "STMTTRN" ? name : `${parent}.${name}`;
      this.transaction.fields.add(key, value);
      return;
    }
    if (this.balance) {
      if (parent !== this.balance.sourceCode) return;
      if (name === "BALAMT") this.balance.amount = value;
      if (name === "DTASOF") this.balance.asOf = value;
      return;
    }
    const statement = this.statement;
    if (!statement) return;
    if (parent === "BANKACCTFROM" || parent === "CCACCTFROM") {
      if (name === "ACCTID") statement.accountId = value;
      else if (name === "BANKID") statement.bankId = value;
      else if (name === "ACCTTYPE") statement.accountType = value;
    } else if ((parent === "STMTRS" || parent === "CCSTMTRS") && name === "CURDEF") {
      if (/^[A-Za-z]{3}$/.test(value)) statement.currency = value.toUpperCase();
      else this.out.push(issue("warning", "ofx_invalid_currency", `Expected a three-letter currency code in <CURDEF>, found ${quoted(value)}`, line, "CURDEF"));
    } else if (parent === "BANKTRANLIST" && (name === "DTSTART" || name === "DTEND")) {
      const parsed = parseOfxDateTime(value);
      if (!parsed) {
        this.out.push(issue("warning", "ofx_invalid_date", `Expected a date as ${OFX_DATE_SHAPE} in <${name}>, found ${quoted(value)}`, line, name));
      } else if (name === "DTSTART") statement.from = parsed.date;
      else statement.to = parsed.date;
    }
  }

  private end(name: string): void {
    this.path.pop();
    switch (name) {
      case "STMTTRN":
        if (this.transaction) this.finishTransaction(this.transaction);
        this.transaction = null;
        return;
      case "LEDGERBAL":
      case "AVAILBAL":
        if (this.balance && !this.transaction) this.finishBalance(this.balance);
        this.balance = null;
        return;
      case "STMTRS":
      case "CCSTMTRS":
        if (this.statement && !this.path.includes("STMTRS") && !this.path.includes("CCSTMTRS")) {
          this.emitStatement();
          this.statement = null;
        }
        return;
      case "OFX":
        if (!this.path.includes("OFX")) this.root = "after";
        return;
      case "STATUS":
        // The bank reports a failed request (e.g. 2000 "general error") in STATUS: the file may lack data.
        if (this.status?.code && this.status.code !== "0") {
          const scope = this.path.includes("SONRS") ? "sign-on" : "statement request";
          const said = this.status.message ? ` ("${this.status.message}")` : "";
          this.out.push(issue("warning", "ofx_status_error", `Expected status code 0 for the ${scope}, found ${this.status.code}${said}; the bank reported a problem`, this.status.line, "CODE"));
        }
        this.status = null;
        return;
    }
  }

  private emitStatement(): void {
    const statement = this.statement;
    if (!statement || statement.emitted) return;
    if (!statement.accountId) {
      const where = statement.creditCard ? "<CCACCTFROM>" : "<BANKACCTFROM>";
      throw new FormatError("ofx_missing_account", `Expected <ACCTID> inside ${where} of the statement that starts on line ${statement.line}, found none`, statement.line);
    }
    statement.emitted = true;
    this.statements++;
    const kind = statement.creditCard ? "CREDITCARD" : statement.accountType || undefined;
    this.out.push({
      type: "statement",
      statement: {
        account: {
          id: statement.accountId,
          ...(statement.bankId ? { bankId: statement.bankId } : {}),
          ...(statement.currency ? { currency: statement.currency } : {}),
          ...(kind ? { kind } : {}),
        },
        ...(statement.from ? { from: statement.from } : {}),
        ...(statement.to ? { to: statement.to } : {}),
        line: statement.line,
      },
    });
  }

  private finishTransaction(record: TransactionState): void {
    const fields = record.fields;
    const fitid = fields.at(FITID);
    const errors: ParseEvent[] = [];
    const warnings: ParseEvent[] = [];

    const postedText = fields.at(DTPOSTED);
    const posted = postedText === undefined ? null : parseOfxDateTime(postedText);
    if (postedText === undefined) {
      errors.push(issue("error", "ofx_missing_date", `Expected <DTPOSTED> with the posting date in ${whichTransaction(fitid)}, found none`, record.line, "DTPOSTED"));
    } else if (!posted) {
      errors.push(issue("error", "ofx_invalid_date", `Expected a date as ${OFX_DATE_SHAPE} in <DTPOSTED> of ${whichTransaction(fitid)}, found ${quoted(postedText)}`, record.line, "DTPOSTED"));
    }
    const amountText = fields.at(TRNAMT);
    const amount = amountText === undefined ? null : parseOfxAmount(amountText);
    if (amountText === undefined) {
      errors.push(issue("error", "ofx_missing_amount", `Expected <TRNAMT> with the amount in ${whichTransaction(fitid)}, found none`, record.line, "TRNAMT"));
    } else if (amount === null) {
      errors.push(issue("error", "ofx_invalid_amount", `Expected ${OFX_AMOUNT_SHAPE} in <TRNAMT> of ${whichTransaction(fitid)}, found ${quoted(amountText)}`, record.line, "TRNAMT"));
    }
    // Functions and plain assignments rather than closures and spreads per transaction (they showed in
    // profiles); the object gets the same fields in the same order as before.
    const userDate = optionalDate(fields, DTUSER, fitid, record.line, warnings);
    const availableDate = optionalDate(fields, DTAVAIL, fitid, record.line, warnings);
    if (!fitid) warnings.push(issue("warning", "ofx_missing_fitid", "Expected <FITID>, the bank's unique id of the transaction, found none", record.line, "FITID"));

    for (const warning of warnings) this.out.push(warning);
    if (errors.length > 0 || !posted || amount === null) {
      for (const error of errors) this.out.push(error);
      this.out.push({ type: "rejected", rejected: { kind: "transaction", line: record.line, raw: this.rawOf(record), fields: this.rejectedFields(fields, posted?.date, amount) } });
      return;
    }

    const name = textAt(fields, NAME) ?? textAt(fields, PAYEE_NAME);
    const memo = textAt(fields, MEMO);
    const details: Record<string, string> = {};
    let hasDetails = false;
    if (memo !== undefined) details.memo = memo;
    if (userDate !== undefined) details.userDate = userDate;
    if (posted.timestamp !== undefined) details.postedAt = posted.timestamp;
    hasDetails = memo !== undefined || userDate !== undefined || posted.timestamp !== undefined;
    for (let i = 0; i < DETAIL_SLOTS.length; i++) {
      const value = textAt(fields, DETAIL_SLOTS[i]!);
      if (value !== undefined) {
        details[DETAIL_KEYS[i]!] = value;
        hasDetails = true;
      }
    }
    const currencyText = textAt(fields, CURRENCY_CURSYM);
    const currency = currencyText && /^[A-Za-z]{3}$/.test(currencyText) ? currencyText.toUpperCase() : this.statement?.currency;
    const counterpartyAccount = textAt(fields, BANKACCTTO_ACCTID) ?? textAt(fields, CCACCTTO_ACCTID);

    const transaction = { bookingDate: posted.date } as Transaction;
    if (availableDate) transaction.valueDate = availableDate;
    transaction.amount = amount;
    if (currency) transaction.currency = currency;
    if (fitid) transaction.externalId = fitid;
    const refnum = textAt(fields, REFNUM);
    if (refnum) transaction.bankReference = refnum;
    const checknum = textAt(fields, CHECKNUM);
    if (checknum) transaction.customerReference = checknum;
    const trntype = textAt(fields, TRNTYPE);
    if (trntype) transaction.typeCode = trntype;
    transaction.description = memo ?? name ?? textAt(fields, EXTDNAME) ?? "";
    if (name) transaction.counterpartyName = name;
    if (counterpartyAccount) transaction.counterpartyAccount = counterpartyAccount;
    if (hasDetails) transaction.details = details;
    transaction.raw = this.rawText(record);
    transaction.line = record.line;
    this.transactions++;
    this.out.push({ type: "transaction", transaction });
  }

  /** The pieces of the STMTTRN block joined and trimmed (pieces are tags and trimmed leaves, so trimming is rarely needed). */
  private rawText(record: TransactionState): string {
    if (record.raw === "") return "";
    return mayNeedTrim(record.firstPiece, record.lastPiece) ? record.raw.trim() : record.raw;
  }

  /** The STMTTRN block as written; if none was kept, its fields as SGML leaves. */
  private rawOf(record: TransactionState): string {
    const raw = this.rawText(record);
    if (raw !== "") return raw;
    return ["<STMTTRN>", ...[...record.fields].map(([key, value]) => `<${key}>${value}`), "</STMTTRN>"].join("\n");
  }

  /**
   * A dropped transaction's values for correction: canonical names for the elements that map to one
   * (the text as written where it failed, "" where it was missing), every other element by its OFX name.
   */
  private rejectedFields(fields: TransactionFields, postedDate: string | undefined, amount: string | null): Record<string, string> {
    const out: Record<string, string> = {};
    const canonical: Record<string, string> = {
      DTAVAIL: "valueDate",
      "CURRENCY.CURSYM": "currency",
      FITID: "externalId",
      REFNUM: "bankReference",
      CHECKNUM: "customerReference",
      TRNTYPE: "typeCode",
      NAME: "counterpartyName",
      "BANKACCTTO.ACCTID": "counterpartyAccount",
      "CCACCTTO.ACCTID": "counterpartyAccount",
    };
    for (const [key, value] of fields) {
      if (key === "DTPOSTED" || key === "TRNAMT" || key === "MEMO") continue;
      const name = canonical[key] ?? key;
      if (!Object.hasOwn(out, name)) out[name] = value;
    }
    out.bookingDate = postedDate ?? fields.get("DTPOSTED") ?? "";
    out.amount = amount ?? fields.get("TRNAMT") ?? "";
    out.description = fields.get("MEMO") || fields.get("NAME") || fields.get("PAYEE.NAME") || fields.get("EXTDNAME") || "";
    if (!out.currency && this.statement?.currency) out.currency = this.statement.currency;
    return out;
  }

  private finishBalance(record: BalanceState): void {
    const element = `<BALAMT> of <${record.sourceCode}>`;
    if (record.amount === undefined) {
      this.out.push(issue("error", "ofx_missing_amount", `Expected ${element} with the balance, found none`, record.line, "BALAMT"));
      return;
    }
    const amount = parseOfxAmount(record.amount);
    if (amount === null) {
      this.out.push(issue("error", "ofx_invalid_amount", `Expected ${OFX_AMOUNT_SHAPE} in ${element}, found ${quoted(record.amount.trim())}`, record.line, "BALAMT"));
      return;
    }
    const asOf = record.asOf === undefined ? null : parseOfxDateTime(record.asOf);
    if (record.asOf !== undefined && !asOf) {
      this.out.push(issue("warning", "ofx_invalid_date", `Expected a date as ${OFX_DATE_SHAPE} in <DTASOF> of <${record.sourceCode}>, found ${quoted(record.asOf)}; the balance has no date`, record.line, "DTASOF"));
    }
    const currency = this.statement?.currency;
    const balance: Balance = {
      type: record.sourceCode === "LEDGERBAL" ? "closing" : "closing_available",
      sourceCode: record.sourceCode,
      ...(asOf ? { date: asOf.date } : {}),
      amount,
      ...(currency ? { currency } : {}),
      line: record.line,
    };
    this.out.push({ type: "balance", balance });
  }

  extra(leafStyle: "closed" | "unclosed" | "mixed" | "none"): Record<string, JsonValue> {
    return {
      headerStyle: this.syntax,
      leafStyle,
      header: { ...this.header },
      ...(this.header.VERSION ? { version: this.header.VERSION } : {}),
      statements: this.statements,
      transactions: this.transactions,
    };
  }
}
