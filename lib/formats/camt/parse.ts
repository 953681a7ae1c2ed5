/**
 * camt.053 (statement) and camt.052 (account report) parser, streamed through the project's own XML
 * tokenizer (tokenizer.ts; saxes is kept only as the tests' reference). Only the current
 * statement header, balance or entry is held in memory; everything else has already been yielded.
 */
import type { FormatName, ParseIssue, StatementInfo, TextEncoding } from "@/lib/schemas/canonical";
import { FormatError, type ByteSource, type ParseEvent, type ParseOptions } from "../types";
import { flattenBatches } from "../shared/batches";
import { decodeText, peekBytes, sniffEncoding } from "../shared/text";
import { parseIsoDate } from "../shared/dates";
import { NO_ATTRIBUTES, pieces } from "./xml";
import { MAX_RUN, XmlTokenizer, type QuickReader, type XmlSink } from "./tokenizer";
import type { PathNode } from "./path-node";
import { Scope } from "./scope";
import { EntryFields } from "./entry-fields";
import { interpretBalance } from "./balance";
import { entryTransactions, usualTransaction, type EntryContext } from "./entry";
import { StatementTotals } from "./totals";
import { ENTRY_CLOSE, ENTRY_OPEN, readCanonicalEntry } from "./quick";

const MESSAGES: Readonly<Record<string, { format: FormatName; statement: string }>> = {
  BkToCstmrStmt: { format: "camt053", statement: "Stmt" },
  BkToCstmrAcctRpt: { format: "camt052", statement: "Rpt" },
};
const UNSUPPORTED_MESSAGES: Readonly<Record<string, string>> = {
  BkToCstmrDbtCdtNtfctn: "camt.054 (debit/credit notification)",
};

export function parseCamt(source: ByteSource, options: ParseOptions = {}): AsyncGenerator<ParseEvent, void, undefined> {
  return flattenBatches(camtBatches(source, options));
}

/**
 * The events, one array per batch of XML events (see flattenBatches: no async step per event). A
 * failure hands on the events drained before it, as the one-event-at-a-time generator did.
 */
export async function* camtBatches(source: ByteSource, options: ParseOptions): AsyncGenerator<ParseEvent[], void, undefined> {
  const { head, source: replay } = await peekBytes(source);
  const encoding = options.encoding ?? xmlEncoding(head);
  const builder = new CamtBuilder(options.integrity !== false);
  // The builder reads elements as the tokenizer finds them (no event objects). A builder failure is
  // raised once the piece is read, so an XML error later in the same piece still comes first, as it
  // did when each piece was tokenised whole before the builder saw its events.
  const tokenizer = new XmlTokenizer(builder, builder);
  builder.lines = tokenizer;
  let endsWithNewline = false;
  for await (const piece of pieces(decodeText(replay, encoding))) {
    endsWithNewline = isNewline(piece.charCodeAt(piece.length - 1));
    const before = tokenizer.elements;
    tokenizer.write(piece);
    builder.raise();
    if (tokenizer.elements !== before) yield builder.drain();
  }
  const before = tokenizer.elements;
  const lastLine = tokenizer.end();
  builder.raise();
  if (tokenizer.elements !== before) yield builder.drain();
  // A final newline ends the last line rather than starting another one.
  const lines = { count: Math.max(1, endsWithNewline ? lastLine - 1 : lastLine) };
  builder.finish();
  const last = builder.drain();
  last.push({
    type: "meta",
    meta: {
      format: builder.format,
      encoding,
      lines: lines.count,
      extra: {
        version: builder.version ?? null,
        messageId: builder.messageId ?? null,
        statements: builder.statementCount,
        entries: builder.entryCount,
        transactions: builder.transactionCount,
      },
    },
  });
  yield last;
}

/**
 * After this many entries in a row that the quick reader gave up on, it is not asked again until
 * the next statement. In a file whose entries all differ from the usual form only near their end
 * (a comment before every </Ntry>) each entry is otherwise read twice: asking throughout took about
 * 1.2x the CPU of asking with this limit (the bench's 10 MB file so changed, 6 alternating pairs).
 */
const QUICK_MISSES = 32;

/** The <Ntry> node below the statement's, once the tokenizer has interned it (for the first entry). */
function entryNode(statement: PathNode): PathNode | undefined {
  const kids = statement.kids;
  if (kids === undefined) return undefined;
  for (let i = 0; i < kids.length; i++) if (kids[i]!.qname === "Ntry") return kids[i];
  return undefined;
}

/**
 * Where the first "</Ntry>" at or after `lt` starts (`<Ntry>` stands at lt), else -1. Found through
 * "Ntry>": a search for "</Ntry>" stops at every "<" of the entry (its first character, the commonest
 * in the file), while "N" is rare; 4x faster on the bench file's entries in a micro-benchmark.
 */
function entryClose(s: string, lt: number): number {
  for (let at = s.indexOf(ENTRY_NAME_END, lt + 2); at >= 0; at = s.indexOf(ENTRY_NAME_END, at + ENTRY_NAME_END.length)) {
    if (s.charCodeAt(at - 1) === 47 /* / */ && s.charCodeAt(at - 2) === 60 /* < */) return at - 2;
  }
  return -1;
}

/** The end of ENTRY_CLOSE after its "</". */
const ENTRY_NAME_END = ENTRY_CLOSE.slice(2);

function isNewline(code: number): boolean {
  return code === 10 || code === 13;
}

/** BOMs and UTF-8 validity decide, except that an XML declaration naming a Latin encoding is believed. */
function xmlEncoding(head: Uint8Array): TextEncoding {
  const sniffed = sniffEncoding(head);
  if (sniffed !== "utf-8") return sniffed;
  const declaration = /^<\?xml[^>]*encoding=["']([^"']+)["']/i.exec(new TextDecoder("latin1").decode(head.subarray(0, 200)));
  const declared = declaration?.[1]?.toLowerCase();
  return declared && /^(iso-8859-1|iso-8859-15|latin-?1|windows-1252|cp1252)$/.test(declared) ? "windows-1252" : sniffed;
}

interface OpenStatement {
  scope: Scope;
  announced: boolean;
  totals: StatementTotals;
  currency?: string;
}

class CamtBuilder implements XmlSink, QuickReader {
  format: FormatName = "camt053";
  version: string | undefined;
  messageId: string | undefined;
  statementCount = 0;
  entryCount = 0;
  transactionCount = 0;

  /** Lines of the positions the tokenizer hands on (only asked where a line is kept). */
  lines!: { lineAt(at: number): number };
  /** What the builder threw while the tokenizer read the current piece, raised after it. */
  private failed = false;
  private failure: unknown;
  private queue: ParseEvent[] = [];
  private messageDepth = 0;
  private messageLine = 1;
  private messageClosed = false;
  private statementElement = "Stmt";
  private group: Scope | undefined;
  private statement: OpenStatement | undefined;
  private balance: Scope | undefined;
  private entry: EntryFields | undefined;
  private detail: EntryFields | undefined;
  private readonly details: EntryFields[] = [];
  /** Reused: one for the open entry, one per detail of it (see EntryFields.reset). */
  private readonly entryFields = new EntryFields();
  private readonly detailPool: EntryFields[] = [];

  /**
   * The depth of the open statement once it is announced (its entries may then be read by
   * quickRead), else -1: also while anything else is open, before the statement's header is read,
   * after QUICK_MISSES entries in a row it gave up on, and after a failure.
   */
  quickDepth = -1;
  quickElements = 0;
  /** Entries in a row the quick reader gave up on (see QUICK_MISSES). */
  private quickMisses = 0;

  constructor(private readonly integrity: boolean) {}

  drain(): ParseEvent[] {
    const events = this.queue;
    this.queue = [];
    return events;
  }

  raise(): void {
    if (this.failed) throw this.failure;
  }

  open(node: PathNode, depth: number, uri: string, attributes: Readonly<Record<string, string>>, at: number): void {
    if (this.failed) return;
    try {
      this.opened(node, depth, uri, attributes, at);
    } catch (error) {
      this.fail(error);
    }
  }

  close(node: PathNode, depth: number, text: string): void {
    if (this.failed) return;
    try {
      this.closed(node, depth, text);
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * A whole <Ntry> in its usual form (quick.ts), with exactly the effects of its elements read one
   * by one: the statement is announced, nothing else is open, and the entry ends before `limit`
   * (an entry cut by the end of the piece is read by the tokenizer). -1 leaves it to the tokenizer.
   */
  quickRead(s: string, lt: number, limit: number, parent: PathNode): number {
    if (!s.startsWith(ENTRY_OPEN, lt) || s.charCodeAt(lt + ENTRY_OPEN.length) !== 60 /* < */) return -1;
    const close = entryClose(s, lt);
    const stop = close + ENTRY_CLOSE.length;
    if (close < 0 || stop > limit || stop - lt > MAX_RUN) return -1;
    const ntry = entryNode(parent);
    if (ntry === undefined) return -1;
    const elements = readCanonicalEntry(s, lt, stop, ntry, this.quickDepth + 1, this.entryFields, this.details, this.detailPool, this.lines);
    if (elements < 0) {
      this.details.length = 0;
      if (++this.quickMisses === QUICK_MISSES) this.quickDepth = -1;
      return -1;
    }
    this.quickMisses = 0;
    this.quickElements = 2 * elements;
    try {
      this.finishEntry(this.entryFields);
    } catch (error) {
      this.fail(error);
    }
    return stop;
  }

  private fail(error: unknown): void {
    this.failed = true;
    this.failure = error;
    this.quickDepth = -1;
  }

  finish(): void {
    if (this.messageDepth === 0 || !this.messageClosed) {
      throw new FormatError("not_camt", "Expected a camt.053 <BkToCstmrStmt> or camt.052 <BkToCstmrAcctRpt> message, found none", this.messageLine);
    }
  }

  private opened(node: PathNode, depth: number, uri: string, attributes: Readonly<Record<string, string>>, at: number): void {
    if (this.messageDepth === 0) {
      this.findMessage(node, depth, uri, at);
      return;
    }
    if (depth <= this.messageDepth) return;
    const name = node.local;
    if (depth === this.messageDepth + 1) {
      if (name === "GrpHdr") this.group = new Scope(depth, this.lines.lineAt(at), "the group header");
      if (name === this.statementElement) {
        this.statementCount++;
        this.statement = { scope: new Scope(depth, this.lines.lineAt(at), "the statement header"), announced: false, totals: new StatementTotals() };
      }
      return;
    }
    const statement = this.statement;
    if (statement && depth === statement.scope.depth + 1) {
      if (name === "TxsSummry") statement.totals.summaryLine = this.lines.lineAt(at);
      if (name === "Bal" || name === "Ntry") {
        this.announce(statement);
        if (name === "Bal") this.balance = new Scope(depth, this.lines.lineAt(at), "a balance");
        else this.entry = this.entryFields.reset(depth, this.lines.lineAt(at), "an entry");
      }
    }
    const entry = this.entry;
    if (entry) {
      if (!this.detail && name === "TxDtls" && node.parent!.local === "NtryDtls") {
        entry.markDetail();
        this.detail = (this.detailPool[this.details.length] ??= new EntryFields()).reset(depth, this.lines.lineAt(at), "a transaction detail");
      }
      if (attributes === NO_ATTRIBUTES) entry.append(node.openTag);
      else entry.writeOpen(name, attributes);
    }
    if (attributes === NO_ATTRIBUTES) return;
    const scope = this.innermost();
    const ccy = attributes.Ccy;
    if (scope && ccy !== undefined && depth > scope.depth) scope.leaf(node, "@Ccy", ccy);
  }

  private findMessage(node: PathNode, depth: number, uri: string, at: number): void {
    const name = node.local;
    const version = /camt\.05\d\.001\.\d+/.exec(uri)?.[0];
    if (version) this.version = version;
    const message = MESSAGES[name];
    if (message) {
      this.messageDepth = depth;
      this.messageLine = this.lines.lineAt(at);
      this.format = message.format;
      this.statementElement = message.statement;
      return;
    }
    const unsupported = UNSUPPORTED_MESSAGES[name];
    if (unsupported) throw new FormatError("camt_unsupported_message", `Expected a camt.053 or camt.052 message, found ${unsupported}`, this.lines.lineAt(at));
    if (!(depth === 1 && name === "Document")) {
      throw new FormatError("not_camt", `Expected <Document> holding <BkToCstmrStmt> or <BkToCstmrAcctRpt>, found <${name}>`, this.lines.lineAt(at));
    }
  }

  private closed(node: PathNode, depth: number, text: string): void {
    const scope = this.innermost();
    const trimmed = text === "" ? text : text.trim();
    if (scope && depth > scope.depth && trimmed !== "") scope.leaf(node, "", trimmed);
    if (this.entry) {
      this.entry.writeText(trimmed);
      this.entry.append(node.closeTag);
    }
    if (this.detail && depth === this.detail.depth) {
      this.details.push(this.detail);
      this.detail = undefined;
    } else if (this.entry && depth === this.entry.depth) {
      this.finishEntry(this.entry);
    } else if (this.balance && depth === this.balance.depth) {
      this.finishBalance(this.balance);
    } else if (this.statement && depth === this.statement.scope.depth) {
      this.announce(this.statement);
      this.statement.totals.check(this.statement.scope, this.integrity).forEach((issue) => this.issue(issue));
      this.statement = undefined;
      this.quickDepth = -1;
    } else if (this.group && depth === this.group.depth) {
      this.messageId = this.group.first("MsgId")?.trim() || undefined;
      this.group = undefined;
    } else if (this.messageDepth > 0 && depth === this.messageDepth) {
      this.messageClosed = true;
      if (this.statementCount === 0) {
        throw new FormatError("camt_no_statement", `Expected at least one <${this.statementElement}> in the message, found only a group header`, this.messageLine);
      }
    }
  }

  private innermost(): Scope | EntryFields | undefined {
    return this.detail ?? this.entry ?? this.balance ?? this.statement?.scope ?? this.group;
  }

  private announce(statement: OpenStatement): void {
    if (statement.announced) return;
    statement.announced = true;
    const scope = statement.scope;
    const id = scope.first("Acct/Id/IBAN", "Acct/Id/Othr/Id", "Acct/Id/Prtry/Id")?.trim();
    if (!id) {
      throw new FormatError("camt_missing_account", `Expected the ${this.statementElement === "Stmt" ? "statement" : "report"} to identify its account in Acct/Id, found none`, scope.line);
    }
    const currency = scope.first("Acct/Ccy")?.trim();
    statement.currency = currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined;
    const bankId = scope.first("Acct/Svcr/FinInstnId/BIC", "Acct/Svcr/FinInstnId/BICFI", "Acct/Svcr/FinInstnId/ClrSysMmbId/MmbId")?.trim();
    const kind = scope.first("Acct/Tp/Cd", "Acct/Tp/Prtry")?.trim();
    const name = scope.first("Acct/Nm", "Acct/Ownr/Nm", "Acct/Ownr/Pty/Nm")?.trim();
    const statementId = scope.first("Id")?.trim();
    const from = this.periodDate(scope, "FrToDt/FrDtTm");
    const to = this.periodDate(scope, "FrToDt/ToDtTm");
    const info: StatementInfo = {
      account: {
        id,
        ...(bankId ? { bankId } : {}),
        ...(statement.currency ? { currency: statement.currency } : {}),
        ...(kind ? { kind } : {}),
        ...(name ? { name } : {}),
      },
      ...(statementId ? { statementId } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      line: scope.line,
    };
    this.queue.push({ type: "statement", statement: info });
    this.quickDepth = scope.depth;
    this.quickMisses = 0;
  }

  private periodDate(scope: Scope, path: string): string | undefined {
    const text = scope.first(path);
    if (text === undefined) return undefined;
    const date = parseIsoDate(text);
    if (date === null) {
      this.issue({ severity: "warning", code: "invalid_date", message: `Expected a date-time in ${path}, found "${text.trim()}"; the period is left out`, line: scope.line, field: path });
    }
    return date ?? undefined;
  }

  private finishBalance(scope: Scope): void {
    this.balance = undefined;
    const { balance, issues } = interpretBalance(scope, this.statement?.currency);
    issues.forEach((issue) => this.issue(issue));
    if (!balance) return;
    this.statement?.totals.addBalance(balance);
    this.queue.push({ type: "balance", balance });
  }

  private finishEntry(scope: EntryFields): void {
    const details = this.details;
    this.entry = undefined;
    this.entryCount++;
    this.statement?.totals.addEntry(scope);
    const context: EntryContext = {};
    if (this.statement?.currency) context.accountCurrency = this.statement.currency;
    if (this.messageId) context.messageId = this.messageId;
    const usual = details.length <= 1 ? usualTransaction(scope, details[0], context) : undefined;
    if (usual !== undefined) {
      details.length = 0;
      this.transactionCount++;
      this.queue.push({ type: "transaction", transaction: usual });
      return;
    }
    const { transactions, issues, rejected } = entryTransactions(scope, details, context);
    details.length = 0;
    for (const issue of issues) this.issue(issue);
    if (rejected) this.queue.push({ type: "rejected", rejected });
    for (const transaction of transactions) {
      this.transactionCount++;
      this.queue.push({ type: "transaction", transaction });
    }
  }

  private issue(issue: ParseIssue): void {
    this.queue.push({ type: "issue", issue });
  }
}
