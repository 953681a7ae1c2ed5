/**
 * TEST REFERENCE ONLY: the camt reader as it was at commit 9d2745e (tokenizer → XmlEvent objects →
 * builder with a Map of every leaf per scope), kept unchanged and used only by the differential tests
 * (differential.test.ts): the fused reader must give exactly these events and errors on samples,
 * generated and damaged inputs, in every chunking. Not imported by any production code.
 */
/**
 * camt.053 (statement) and camt.052 (account report) parser, streamed over saxes. Only the current
 * statement header, balance or entry is held in memory; everything else has already been yielded.
 */
import type { FormatName, ParseIssue, StatementInfo, TextEncoding } from "@/lib/schemas/canonical";
import { FormatError, type ByteSource, type ParseEvent, type ParseOptions } from "../../types";
import { flattenBatches } from "../../shared/batches";
import { decodeText, peekBytes, sniffEncoding } from "../../shared/text";
import { parseIsoDate } from "../../shared/dates";
import { NO_ATTRIBUTES, xmlEvents, type XmlEvent } from "./xml";
import { Scope } from "./scope";
import { interpretBalance } from "./balance";
import { entryTransactions, type EntryContext } from "./entry";
import { StatementTotals } from "./totals";

const MESSAGES: Readonly<Record<string, { format: FormatName; statement: string }>> = {
  BkToCstmrStmt: { format: "camt053", statement: "Stmt" },
  BkToCstmrAcctRpt: { format: "camt052", statement: "Rpt" },
};
const UNSUPPORTED_MESSAGES: Readonly<Record<string, string>> = {
  BkToCstmrDbtCdtNtfctn: "camt.054 (debit/credit notification)",
};

export function parseCamtReference(source: ByteSource, options: ParseOptions = {}): AsyncGenerator<ParseEvent, void, undefined> {
  return flattenBatches(camtReferenceBatches(source, options));
}

/**
 * The events, one array per batch of XML events (see flattenBatches: no async step per event). A
 * failure hands on the events drained before it, as the one-event-at-a-time generator did.
 */
export async function* camtReferenceBatches(source: ByteSource, options: ParseOptions): AsyncGenerator<ParseEvent[], void, undefined> {
  const { head, source: replay } = await peekBytes(source);
  const encoding = options.encoding ?? xmlEncoding(head);
  const lines = { count: 1 };
  const builder = new CamtBuilder(options.integrity !== false);
  for await (const batch of xmlEvents(decodeText(replay, encoding), lines)) {
    for (const event of batch) builder.handle(event);
    yield builder.drain();
  }
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

/** BOMs and UTF-8 validity decide, except that an XML declaration naming a Latin encoding is believed. */
function xmlEncoding(head: Uint8Array): TextEncoding {
  const sniffed = sniffEncoding(head);
  if (sniffed !== "utf-8") return sniffed;
  const declaration = /^<\?xml[^>]*encoding=["']([^"']+)["']/i.exec(new TextDecoder("latin1").decode(head.subarray(0, 200)));
  const declared = declaration?.[1]?.toLowerCase();
  return declared && /^(iso-8859-1|iso-8859-15|latin-?1|windows-1252|cp1252)$/.test(declared) ? "windows-1252" : sniffed;
}

const MAX_PATH_NODES = 10_000;

/** An element path (the names from the document element down), with its relative paths once built. */
class PathNode {
  children: Map<string, PathNode> | undefined;
  /** relatives[d]: the path below the ancestor at depth d, "Acct/Id/IBAN"; "@Ccy" ones apart. */
  private readonly relatives: (string | undefined)[] = [];
  private readonly ccyRelatives: (string | undefined)[] = [];

  /** "<Name>" and "</Name>", for the entry's raw text: built once, not per element. */
  readonly openTag: string;
  readonly closeTag: string;

  constructor(
    readonly name: string,
    private readonly parent: PathNode | undefined,
  ) {
    this.openTag = "<" + name + ">";
    this.closeTag = "</" + name + ">";
  }

  /** The names below depth `from` down to this node joined with "/", then `suffix` ("" or "@Ccy"). */
  relative(from: number, suffix: "" | "@Ccy"): string {
    const cache = suffix === "" ? this.relatives : this.ccyRelatives;
    const known = cache[from];
    if (known !== undefined) return known;
    let path = this.name;
    let depth = this.depth() - 1;
    for (let node = this.parent; node && depth > from; node = node.parent, depth--) path = node.name + "/" + path;
    const built = path + suffix;
    // Flattened once here, so every later lookup hashes a flat string.
    cache[from] = built;
    return built;
  }

  private depth(): number {
    let depth = 0;
    for (let node: PathNode | undefined = this; node && node.parent; node = node.parent) depth++;
    return depth;
  }
}

interface OpenStatement {
  scope: Scope;
  announced: boolean;
  totals: StatementTotals;
  currency?: string;
}

class CamtBuilder {
  format: FormatName = "camt053";
  version: string | undefined;
  messageId: string | undefined;
  statementCount = 0;
  entryCount = 0;
  transactionCount = 0;

  private readonly path: string[] = [];
  /**
   * nodes[d]: the open element at depth d as a node of the tree of element paths seen so far, which
   * keeps each relative path string ("RltdPties/Dbtr/Nm") once built. Paths repeat from entry to
   * entry, so a leaf's key is a lookup instead of a string built, flattened and hashed per element
   * (a profile hot spot).
   */
  private readonly nodes: PathNode[] = [];
  private readonly root = new PathNode("", undefined);
  private pathNodes = 0;
  private queue: ParseEvent[] = [];
  private messageDepth = 0;
  private messageLine = 1;
  private messageClosed = false;
  private statementElement = "Stmt";
  private group: Scope | undefined;
  private statement: OpenStatement | undefined;
  private balance: Scope | undefined;
  private entry: Scope | undefined;
  private detail: Scope | undefined;
  private details: Scope[] = [];

  constructor(private readonly integrity: boolean) {}

  drain(): ParseEvent[] {
    const events = this.queue;
    this.queue = [];
    return events;
  }

  handle(event: XmlEvent): void {
    if (event.kind === "open") this.open(event);
    else this.close(event);
  }

  finish(): void {
    if (this.messageDepth === 0 || !this.messageClosed) {
      throw new FormatError("not_camt", "Expected a camt.053 <BkToCstmrStmt> or camt.052 <BkToCstmrAcctRpt> message, found none", this.messageLine);
    }
  }

  private open(event: Extract<XmlEvent, { kind: "open" }>): void {
    // pop() rather than setting .length, which showed in profiles as a runtime call per element.
    while (this.path.length > event.depth - 1) this.path.pop();
    this.path.push(event.name);
    while (this.nodes.length > event.depth - 1) this.nodes.pop();
    this.nodes.push(this.child(event.depth === 1 ? this.root : this.nodes[event.depth - 2]!, event.name));
    if (this.messageDepth === 0) {
      this.findMessage(event);
      return;
    }
    if (event.depth <= this.messageDepth) return;
    if (event.depth === this.messageDepth + 1) {
      if (event.name === "GrpHdr") this.group = new Scope(event.depth, event.line, "the group header");
      if (event.name === this.statementElement) {
        this.statementCount++;
        this.statement = { scope: new Scope(event.depth, event.line, "the statement header"), announced: false, totals: new StatementTotals() };
      }
      return;
    }
    const statement = this.statement;
    if (statement && event.depth === statement.scope.depth + 1 && event.name === "TxsSummry") statement.totals.summaryLine = event.line;
    if (statement && event.depth === statement.scope.depth + 1 && (event.name === "Bal" || event.name === "Ntry")) {
      this.announce(statement);
      if (event.name === "Bal") this.balance = new Scope(event.depth, event.line, "a balance");
      else this.entry = new Scope(event.depth, event.line, "an entry");
    }
    const entry = this.entry;
    if (entry) {
      if (!this.detail && event.name === "TxDtls" && this.path[event.depth - 2] === "NtryDtls") {
        entry.markDetail();
        this.detail = new Scope(event.depth, event.line, "a transaction detail");
      }
      const node = this.nodes[event.depth - 1]!;
      if (event.attributes === NO_ATTRIBUTES) entry.append(node.openTag);
      else entry.writeOpen(event.name, event.attributes);
    }
    const scope = this.innermost();
    const ccy = event.attributes.Ccy;
    if (scope && ccy !== undefined && event.depth > scope.depth) scope.add(this.nodes[event.depth - 1]!.relative(scope.depth, "@Ccy"), ccy);
  }

  private findMessage(event: Extract<XmlEvent, { kind: "open" }>): void {
    const version = /camt\.05\d\.001\.\d+/.exec(event.uri)?.[0];
    if (version) this.version = version;
    const message = MESSAGES[event.name];
    if (message) {
      this.messageDepth = event.depth;
      this.messageLine = event.line;
      this.format = message.format;
      this.statementElement = message.statement;
      return;
    }
    const unsupported = UNSUPPORTED_MESSAGES[event.name];
    if (unsupported) throw new FormatError("camt_unsupported_message", `Expected a camt.053 or camt.052 message, found ${unsupported}`, event.line);
    if (!(event.depth === 1 && event.name === "Document")) {
      throw new FormatError("not_camt", `Expected <Document> holding <BkToCstmrStmt> or <BkToCstmrAcctRpt>, found <${event.name}>`, event.line);
    }
  }

  private close(event: Extract<XmlEvent, { kind: "close" }>): void {
    const scope = this.innermost();
    const text = event.text.trim();
    if (scope && event.depth > scope.depth && text !== "") scope.add(this.nodes[event.depth - 1]!.relative(scope.depth, ""), text);
    if (this.entry) {
      this.entry.writeText(text);
      this.entry.append(this.nodes[event.depth - 1]!.closeTag);
    }
    if (this.detail && event.depth === this.detail.depth) {
      this.details.push(this.detail);
      this.detail = undefined;
    } else if (this.entry && event.depth === this.entry.depth) {
      this.finishEntry(this.entry);
    } else if (this.balance && event.depth === this.balance.depth) {
      this.finishBalance(this.balance);
    } else if (this.statement && event.depth === this.statement.scope.depth) {
      this.announce(this.statement);
      this.statement.totals.check(this.statement.scope, this.integrity).forEach((issue) => this.issue(issue));
      this.statement = undefined;
    } else if (this.group && event.depth === this.group.depth) {
      this.messageId = this.group.first("MsgId")?.trim() || undefined;
      this.group = undefined;
    } else if (this.messageDepth > 0 && event.depth === this.messageDepth) {
      this.messageClosed = true;
      if (this.statementCount === 0) {
        throw new FormatError("camt_no_statement", `Expected at least one <${this.statementElement}> in the message, found only a group header`, this.messageLine);
      }
    }
    while (this.path.length > event.depth - 1) this.path.pop();
    while (this.nodes.length > event.depth - 1) this.nodes.pop();
  }

  private innermost(): Scope | undefined {
    return this.detail ?? this.entry ?? this.balance ?? this.statement?.scope ?? this.group;
  }

  private child(parent: PathNode, name: string): PathNode {
    const known = parent.children?.get(name);
    if (known) return known;
    const node = new PathNode(name, parent);
    // A hostile file could name endless distinct paths: past the bound nodes are not kept.
    if (this.pathNodes < MAX_PATH_NODES) {
      this.pathNodes++;
      (parent.children ??= new Map()).set(name, node);
    }
    return node;
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

  private finishEntry(scope: Scope): void {
    const details = this.details;
    this.entry = undefined;
    this.details = [];
    this.entryCount++;
    this.statement?.totals.addEntry(scope);
    const context: EntryContext = {};
    if (this.statement?.currency) context.accountCurrency = this.statement.currency;
    if (this.messageId) context.messageId = this.messageId;
    const { transactions, issues, rejected } = entryTransactions(scope, details, context);
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
