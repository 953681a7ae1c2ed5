/**
 * QIF lines → canonical events. A QIF file is sections (`!Type:Bank`, `!Account`…) of records made
 * of one-letter field lines and ended by `^`. Dates do not state their order, so records are held
 * back (at most DATE_WINDOW of them) until the file's own dates show the order; after that they
 * stream. Only bank-like sections become transactions; lists (categories, classes…) are skipped.
 */
import type { ParseIssue, Transaction } from "@/lib/schemas/canonical";
import type { PhysicalLine } from "../shared/text";
import { FormatError, type JsonValue, type ParseEvent, type ParseOptions } from "../types";
import { DATE_SHAPES, parseQifAmount, possibleOrders, readQifDate, resolveQifDate, type QifDateOrder } from "./values";

/** Records held back while the date order is unknown: bounded memory, and enough dates to see the order. */
export const DATE_WINDOW = 500;
const MAX_RECORD_LINES = 1000;

/** Transactional section types → account kind. */
const ACCOUNT_KINDS: Record<string, string> = {
  BANK: "BANK",
  CASH: "CASH",
  CCARD: "CREDITCARD",
  "OTH A": "OTHER_ASSET",
  "OTH L": "OTHER_LIABILITY",
  INVOICE: "INVOICE",
};
const LIST_SECTIONS = new Set(["CAT", "CLASS", "MEMORIZED", "PRICES", "SECURITY", "BILL", "TAG", "PAYEE"]);

interface FieldLine {
  code: string;
  value: string;
  line: number;
}

interface QifRecord {
  fields: FieldLine[];
  line: number;
}

type Section = { kind: "transactions"; type: string } | { kind: "accounts" } | { kind: "skipped"; type: string };

type Queued = { kind: "event"; event: ParseEvent } | { kind: "record"; record: QifRecord };

type Emit = Generator<ParseEvent, void, undefined>;

function issue(severity: ParseIssue["severity"], code: string, message: string, line: number, field?: string): ParseEvent {
  return { type: "issue", issue: field ? { severity, code, message, line, field } : { severity, code, message, line } };
}

function quoted(value: string): string {
  return value === "" ? "nothing (empty)" : JSON.stringify(value.length > 60 ? value.slice(0, 60) + "…" : value);
}

export class QifReader {
  private section: Section | null = null;
  private record: QifRecord | null = null;
  private account: { name?: string; type?: string } = {};
  private order: QifDateOrder | null;
  private orderSource: "option" | "file" | "inferred" | "default" | "not_needed";
  private readonly evidence = { MDY: 0, DMY: 0 };
  private firstAmbiguousLine: number | null = null;
  private queue: Queued[] = [];
  private heldRecords = 0;
  private statements = 0;
  private transactions = 0;
  private skippedRecords = 0;
  private lastLine = 0;
  private readonly sections: string[] = [];

  constructor(private readonly options: ParseOptions) {
    this.order = options.dateOrder ?? null;
    this.orderSource = options.dateOrder ? "option" : "not_needed";
  }

  *line({ text, line }: PhysicalLine): Emit {
    this.lastLine = line;
    const content = text.replace(/^\uFEFF/, "");
    if (content.trim() === "") return;
    if (content.startsWith("!")) {
      yield* this.header(content.trim(), line);
      return;
    }
    if (!this.section) {
      throw new FormatError("qif_missing_header", `Expected a QIF header such as "!Type:Bank", found ${quoted(content.trim())}`, line);
    }
    if (content.startsWith("^")) {
      const record = this.record;
      this.record = null;
      if (record) yield* this.endRecord(record);
      return;
    }
    this.record ??= { fields: [], line };
    if (this.record.fields.length >= MAX_RECORD_LINES) {
      throw new FormatError("qif_record_too_long", `Expected "^" to end the record that starts on line ${this.record.line} within ${MAX_RECORD_LINES} lines, found none`, line);
    }
    this.record.fields.push({ code: content[0] ?? "", value: content.slice(1).trimEnd(), line });
  }

  *finish(): Emit {
    if (this.record) {
      throw new FormatError("qif_truncated", `Expected "^" to end the record that starts on line ${this.record.line}, found the end of the file`, this.lastLine || 1);
    }
    if (!this.section) throw new FormatError("qif_missing_header", 'Expected a QIF header such as "!Type:Bank", found none', 1);
    yield* this.decideOrder();
  }

  extra(): Record<string, JsonValue> {
    return {
      dateOrder: this.order ?? "MDY",
      dateOrderSource: this.orderSource,
      dateOrderEvidence: { MDY: this.evidence.MDY, DMY: this.evidence.DMY },
      sections: [...this.sections],
      statements: this.statements,
      transactions: this.transactions,
      skippedRecords: this.skippedRecords,
    };
  }

  private *header(text: string, line: number): Emit {
    if (this.record) {
      const record = this.record;
      this.record = null;
      yield* this.emit(issue("warning", "qif_unterminated_record", `Expected "^" to end the record that starts on line ${record.line}, found the header ${quoted(text)}`, record.line));
      yield* this.endRecord(record);
    }
    const match = /^!([A-Za-z]+)(?::(.*))?$/.exec(text);
    const keyword = match?.[1]?.toUpperCase();
    const argument = (match?.[2] ?? "").trim();
    if (keyword === "TYPE") {
      const type = argument.toUpperCase().replace(/\s+/g, " ");
      if (this.sections.length < 100) this.sections.push(argument);
      if (ACCOUNT_KINDS[type]) {
        this.section = { kind: "transactions", type: argument };
        this.statements++;
        const kind = ACCOUNT_KINDS[type];
        yield* this.emit({
          type: "statement",
          statement: {
            account: {
              id: this.account.name ?? argument,
              ...(kind ? { kind } : {}),
              ...(this.account.name ? { name: this.account.name } : {}),
              ...(this.options.defaultCurrency ? { currency: this.options.defaultCurrency } : {}),
            },
            line,
          },
        });
        return;
      }
      this.section = { kind: "skipped", type: argument };
      const why = LIST_SECTIONS.has(type) ? "holds no bank transactions" : type === "INVST" ? "holds investment transactions, which are not imported" : "is not a known QIF section";
      yield* this.emit(issue(LIST_SECTIONS.has(type) ? "info" : "warning", "qif_section_skipped", `The section "!Type:${argument}" ${why}; its records were skipped`, line));
      return;
    }
    if (keyword === "ACCOUNT") {
      this.section = { kind: "accounts" };
      return;
    }
    if (keyword === "OPTION" && /^(MDY|DMY|YMD)$/i.test(argument) && !this.options.dateOrder) {
      this.order = argument.toUpperCase() as QifDateOrder;
      this.orderSource = "file";
      yield* this.flush();
      return;
    }
    if (keyword === "OPTION" || keyword === "CLEAR") {
      // Accounts listed between !Option:AutoSwitch and !Clear:AutoSwitch are a directory, not the current account.
      if (/^AUTOSWITCH$/i.test(argument)) this.account = {};
      this.section ??= { kind: "skipped", type: text };
      return;
    }
    if (!this.section) throw new FormatError("qif_missing_header", `Expected a QIF header such as "!Type:Bank", found ${quoted(text)}`, line);
    this.section = { kind: "skipped", type: text };
    yield* this.emit(issue("warning", "qif_unknown_header", `Expected a QIF header such as "!Type:Bank" or "!Account", found ${quoted(text)}; the records after it were skipped`, line));
  }

  private *endRecord(record: QifRecord): Emit {
    const section = this.section;
    if (!section || section.kind === "skipped") {
      this.skippedRecords++;
      return;
    }
    if (section.kind === "accounts") {
      const name = record.fields.find((f) => f.code === "N")?.value.trim();
      const type = record.fields.find((f) => f.code === "T")?.value.trim();
      this.account = { ...(name ? { name } : {}), ...(type ? { type } : {}) };
      return;
    }
    if (this.order) {
      yield* this.emit(...this.toEvents(record));
      return;
    }
    const dateText = record.fields.find((f) => f.code === "D")?.value;
    const parts = dateText === undefined ? null : readQifDate(dateText);
    const orders = parts ? possibleOrders(parts) : "any";
    if (orders !== "any" && orders.length === 1 && orders[0]) this.evidence[orders[0]]++;
    if (orders !== "any" && orders.length === 2) this.firstAmbiguousLine ??= record.line;
    this.queue.push({ kind: "record", record });
    if (++this.heldRecords >= DATE_WINDOW) yield* this.decideOrder();
  }

  /** Events go out in file order: behind held records while the date order is still open. */
  private *emit(...events: ParseEvent[]): Emit {
    if (this.order && this.queue.length === 0) {
      yield* events;
      return;
    }
    for (const event of events) this.queue.push({ kind: "event", event });
  }

  private *decideOrder(): Emit {
    if (!this.order) {
      const { MDY, DMY } = this.evidence;
      if (MDY > 0 || DMY > 0) {
        // Conflicting dates in one file: the order most dates allow wins; the others become issues on their records.
        this.order = DMY > MDY ? "DMY" : "MDY";
        this.orderSource = "inferred";
      } else if (this.firstAmbiguousLine !== null) {
        this.order = "MDY";
        this.orderSource = "default";
        this.queue.unshift({
          kind: "event",
          event: issue(
            "warning",
            "qif_date_order_assumed",
            "Expected at least one date whose day is above 12 to tell month/day from day/month, found none; dates were read as MM/DD/YYYY, the QIF convention (pass a date order to override)",
            this.firstAmbiguousLine,
            "D",
          ),
        });
      } else {
        this.order = "MDY";
      }
    }
    yield* this.flush();
  }

  private *flush(): Emit {
    const queued = this.queue;
    this.queue = [];
    this.heldRecords = 0;
    for (const item of queued) {
      if (item.kind === "event") yield item.event;
      else yield* this.toEvents(item.record);
    }
  }

  private toEvents(record: QifRecord): ParseEvent[] {
    const order = this.order ?? "MDY";
    const field = (code: string) => record.fields.find((f) => f.code === code)?.value.trim();
    const events: ParseEvent[] = [];

    const dateText = field("D");
    let bookingDate: string | null = null;
    if (dateText === undefined || dateText === "") {
      events.push(issue("error", "qif_missing_date", 'Expected a "D" line with the date of the transaction, found none', record.line, "D"));
    } else {
      const parts = readQifDate(dateText);
      bookingDate = parts ? resolveQifDate(parts, order) : null;
      if (!bookingDate) {
        const orders = parts ? possibleOrders(parts) : "any";
        const fitsOther = parts && orders !== "any" && orders.length === 1 && orders[0] !== order;
        events.push(
          fitsOther
            ? issue("error", "qif_date_order_conflict", `Expected a date as ${DATE_SHAPES[order]} (the order of this file's dates), found ${quoted(dateText)}, which only fits ${DATE_SHAPES[orders[0] ?? "DMY"]}`, record.line, "D")
            : issue("error", "qif_invalid_date", `Expected a date as ${DATE_SHAPES[order]}, found ${quoted(dateText)}`, record.line, "D"),
        );
      }
    }

    const amountField = record.fields.find((f) => f.code === "T") ?? record.fields.find((f) => f.code === "U");
    const amount = amountField ? parseQifAmount(amountField.value, this.options.decimalSeparator) : null;
    if (!amountField) {
      events.push(issue("error", "qif_missing_amount", 'Expected a "T" line with the amount of the transaction, found none', record.line, "T"));
    } else if (amount === null) {
      events.push(issue("error", "qif_invalid_amount", `Expected an amount such as -1,234.56 in "${amountField.code}", found ${quoted(amountField.value.trim())}`, record.line, amountField.code));
    }
    if (!bookingDate || amount === null) {
      // Kept for correction in review: the date and amount as written where they failed.
      const fields: Record<string, string> = { bookingDate: bookingDate ?? dateText ?? "", amount: amount ?? amountField?.value.trim() ?? "" };
      if (this.options.defaultCurrency) fields.currency = this.options.defaultCurrency;
      const payee = field("P");
      fields.description = field("M") || payee || "";
      if (payee) fields.counterpartyName = payee;
      const number = field("N");
      if (number) fields.customerReference = number;
      const category = field("L");
      if (category) fields.category = category;
      const cleared = field("C");
      if (cleared) fields.cleared = cleared;
      const raw = record.fields.map((f) => f.code + f.value).join("\n");
      events.push({ type: "rejected", rejected: { kind: "transaction", line: record.line, raw: raw === "" ? "^" : raw, fields } });
      return events;
    }

    const details: Record<string, string> = {};
    const category = field("L");
    if (category) {
      const transfer = /^\[(.*)\](?:\/(.*))?$/.exec(category);
      if (transfer) details.transferAccount = transfer[1] ?? "";
      else details.category = category;
    }
    const cleared = field("C");
    if (cleared) details.cleared = cleared;
    const address = record.fields.filter((f) => f.code === "A" && f.value.trim() !== "").map((f) => f.value.trim());
    if (address.length > 0) details.address = address.join(", ");
    let split = 0;
    for (const f of record.fields) {
      if (f.code === "S") split++;
      const key = f.code === "S" ? "category" : f.code === "E" ? "memo" : f.code === "$" ? "amount" : f.code === "%" ? "percent" : null;
      if (key && split > 0) details[`split${split}.${key}`] = f.value.trim();
    }

    const payee = field("P");
    const memo = field("M");
    const number = field("N");
    const transaction: Transaction = {
      bookingDate,
      amount,
      ...(this.options.defaultCurrency ? { currency: this.options.defaultCurrency } : {}),
      ...(number ? { customerReference: number } : {}),
      description: memo || payee || "",
      ...(payee ? { counterpartyName: payee } : {}),
      ...(Object.keys(details).length > 0 ? { details } : {}),
      raw: record.fields.map((f) => f.code + f.value).join("\n"),
      line: record.line,
    };
    this.transactions++;
    events.push({ type: "transaction", transaction });
    return events;
  }
}
