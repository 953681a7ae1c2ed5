/**
 * The BAI2 file structure as a state machine over logical records: 01 (02 (03 16* 49)* 98)* 99.
 * It emits canonical events as records complete and checks every trailer's counts and control
 * total against what was read, unless the caller turns integrity checks off.
 */
import type { ParseIssue, Transaction } from "@/lib/schemas/canonical";
import { FormatError, type JsonValue, type ParseEvent, type ParseOptions } from "../types";
import { parseAccountIdentifier } from "./accountIdentifier";
import { parseAccountTrailer } from "./accountTrailer";
import { balancesOf, rejectedDetailFields, transactionOf, type AccountContext } from "./canonical";
import type { LogicalRecord } from "./continuation";
import { DEFAULT_CURRENCY, minorUnits } from "./currencies";
import { END_OF_DAY, readAmount, type FieldProblem, type FieldResult } from "./fields";
import { parseFileHeader, type FileHeader } from "./fileHeader";
import { parseFileTrailer } from "./fileTrailer";
import { parseGroupHeader, type GroupHeader } from "./groupHeader";
import { parseGroupTrailer } from "./groupTrailer";
import type { LogicalItem } from "./logical";
import { minorUnitsText, movementClass, ScannedDetail, twoPlaceText, typeCodeText } from "./scannedDetail";
import { parseTransactionDetail, type TransactionDetail } from "./transactionDetail";

/** Group summaries kept for the meta event; beyond this only the count grows. */
const MAX_GROUPS_IN_META = 100;

interface FileState {
  header: FileHeader;
  records: number;
  groups: number;
  groupTotals: bigint;
}

interface GroupState {
  header: GroupHeader;
  /** Undefined only in a BTRS file whose group header states none. */
  currency: string | undefined;
  records: number;
  accounts: number;
  accountTotals: bigint;
}

interface AccountState {
  id: string;
  context: AccountContext;
  records: number;
  /** With `units`: the sum of the 03 and 16 amounts. */
  total: bigint;
  /** Quick 16 amounts summed as an exact Number, moved into `total` before it could lose precision. */
  units: number;
  /** Line of an amount that could not be read, which makes the control total unverifiable. */
  unreadableAmountLine?: number;
}

const NAMES: Record<LogicalRecord["code"], string> = {
  "01": "01 file header",
  "02": "02 group header",
  "03": "03 account identifier",
  "16": "16 transaction detail",
  "49": "49 account trailer",
  "98": "98 group trailer",
  "99": "99 file trailer",
};

function fieldOrFail<T>(result: FieldResult<T>, line: number, record: string): T {
  if (!result.ok) throw new FormatError(result.problem.code, `${result.problem.message} (${record})`, line);
  return result.value;
}

function issueFrom(problem: FieldProblem, line: number, severity: ParseIssue["severity"] = "error"): ParseEvent {
  return { type: "issue", issue: { severity, code: problem.code, message: problem.message, line, field: problem.field } };
}

/** A dropped 16 record with what it held (a function, not a closure per record: see transactionDetail). */
function rejectedDetail(rec: LogicalRecord, raw: string, context: AccountContext, detail?: TransactionDetail): ParseEvent {
  return { type: "rejected", rejected: { kind: "transaction", line: rec.line, raw, fields: rejectedDetailFields(rec.fields, detail, context) } };
}

function issue(code: string, message: string, line: number, severity: ParseIssue["severity"] = "error"): ParseEvent {
  return { type: "issue", issue: { severity, code, message, line } };
}

export class Bai2Reader {
  private file: FileState | undefined;
  private group: GroupState | undefined;
  private account: AccountState | undefined;
  private finished = false;
  private readonly integrity: boolean;
  private readonly groupsForMeta: JsonValue[] = [];
  private accounts = 0;
  private transactions = 0;
  private balances = 0;

  constructor(options: ParseOptions | undefined) {
    this.integrity = options?.integrity !== false;
  }

  /** Reads one item, adding its events to `out` (no array per record). */
  accept(item: LogicalItem, out: ParseEvent[]): void {
    if (item instanceof ScannedDetail) return this.detail(item, out);
    const events = this.item(item);
    for (let i = 0; i < events.length; i++) out.push(events[i]!);
  }

  private item(item: Exclude<LogicalItem, ScannedDetail>): ParseEvent[] {
    if (item.kind === "logical") return this.record(item.record);
    const line = item.kind === "unrecognized" ? item.line : item.record.line;
    const found = item.kind === "unrecognized" ? item.text : item.record.raw;
    if (!this.file) throw new FormatError("not_bai2", `Expected a BAI2 file starting with a 01 file header, found ${JSON.stringify(found.slice(0, 40))}`, line);
    if (this.finished) throw new FormatError("data_after_file_trailer", `Expected nothing after the 99 file trailer, found ${JSON.stringify(found.slice(0, 40))}`, line);
    const what = item.kind === "unrecognized" ? "a record starting with 01, 02, 03, 16, 49, 88, 98 or 99" : "an 88 to follow the record it continues";
    return [issue("unrecognized_record", `Expected ${what}, found ${JSON.stringify(found.slice(0, 40))}`, line)];
  }

  /** Ends the file: a missing trailer means the file was cut short. */
  finish(lastLine: number): void {
    if (!this.file) throw new FormatError("not_bai2", "Expected a BAI2 file starting with a 01 file header, found no records", 1);
    if (!this.finished) {
      const open = this.account ? "its 49 account trailer" : this.group ? "its 98 group trailer" : "its 99 file trailer";
      throw new FormatError("truncated_file", `Expected the file to end with ${open} and a 99 file trailer, found the end of the file`, lastLine);
    }
  }

  metaExtra(): Record<string, JsonValue> {
    const h = this.file?.header;
    const extra: Record<string, JsonValue> = {
      integrity: this.integrity ? "verified" : "skipped",
      groupCount: this.file?.groups ?? 0,
      accountCount: this.accounts,
      recordCount: this.file?.records ?? 0,
      transactionCount: this.transactions,
      balanceCount: this.balances,
      fileControlTotal: String(this.file?.groupTotals ?? 0n),
      groups: this.groupsForMeta,
    };
    if (h) {
      Object.assign(extra, { senderId: h.senderId, receiverId: h.receiverId, fileCreationDate: h.creationDate, version: h.versionNumber });
      if (h.creationTime) extra.fileCreationTime = h.creationTime;
      if (h.fileId) extra.fileId = h.fileId;
      if (h.physicalRecordLength !== undefined) extra.physicalRecordLength = h.physicalRecordLength;
      if (h.blockSize !== undefined) extra.blockSize = h.blockSize;
    }
    return extra;
  }

  private record(rec: LogicalRecord): ParseEvent[] {
    if (this.finished) throw new FormatError("data_after_file_trailer", `Expected nothing after the 99 file trailer, found a ${NAMES[rec.code]}`, rec.line);
    if (!this.file && rec.code !== "01") {
      throw new FormatError("not_bai2", `Expected a BAI2 file starting with a 01 file header, found a ${NAMES[rec.code]}`, rec.line);
    }
    switch (rec.code) {
      case "01":
        return this.fileHeader(rec);
      case "02":
        return this.groupHeader(rec);
      case "03":
        return this.accountIdentifier(rec);
      case "16":
        return this.transactionDetail(rec);
      case "49":
        return this.accountTrailer(rec);
      case "98":
        return this.groupTrailer(rec);
      case "99":
        return this.fileTrailer(rec);
    }
  }

  private unexpected(rec: LogicalRecord, expected: string): never {
    throw new FormatError("unexpected_record", `Expected ${expected}, found a ${NAMES[rec.code]}`, rec.line);
  }

  private count(rec: LogicalRecord): void {
    this.countRecords(rec.raws.length);
  }

  private countRecords(n: number): void {
    if (this.file) this.file.records += n;
    if (this.group) this.group.records += n;
    if (this.account) this.account.records += n;
  }

  private fileHeader(rec: LogicalRecord): ParseEvent[] {
    if (this.file) this.unexpected(rec, "only one 01 file header per file");
    const header = fieldOrFail(parseFileHeader(rec.fields), rec.line, NAMES["01"]);
    this.file = { header, records: 0, groups: 0, groupTotals: 0n };
    this.count(rec);
    return [];
  }

  private groupHeader(rec: LogicalRecord): ParseEvent[] {
    if (this.account) this.unexpected(rec, "a 49 account trailer before the next group");
    if (this.group) this.unexpected(rec, "a 98 group trailer before the next group");
    const header = fieldOrFail(parseGroupHeader(rec.fields), rec.line, NAMES["02"]);
    // BAI2 defaults a blank group currency to USD; BTRS (version 3) drops that default and leaves
    // the currency to each account.
    const currency = header.currency ?? (this.file?.header.versionNumber === "3" ? undefined : DEFAULT_CURRENCY);
    this.group = { header, currency, records: 0, accounts: 0, accountTotals: 0n };
    this.count(rec);
    if (this.groupsForMeta.length < MAX_GROUPS_IN_META) {
      const summary: Record<string, JsonValue> = { asOfDate: header.asOfDate, line: rec.line };
      if (currency) summary.currency = currency;
      if (header.originatorId) summary.originatorId = header.originatorId;
      if (header.ultimateReceiverId) summary.ultimateReceiverId = header.ultimateReceiverId;
      if (header.asOfTime) summary.asOfTime = header.asOfTime;
      if (header.asOfTime === END_OF_DAY) summary.asOfEndOfDay = true;
      if (header.groupStatus) summary.groupStatus = header.groupStatus;
      if (header.asOfDateModifier) summary.asOfDateModifier = header.asOfDateModifier;
      this.groupsForMeta.push(summary);
    }
    return [];
  }

  private accountIdentifier(rec: LogicalRecord): ParseEvent[] {
    const group = this.group;
    if (!group) this.unexpected(rec, "a 02 group header before any account");
    if (this.account) this.unexpected(rec, "a 49 account trailer before the next account");
    const { account, problem } = parseAccountIdentifier(rec.fields);
    if (!account) throw new FormatError(problem?.code ?? "invalid_record", `${problem?.message ?? "Unreadable account identifier"} (${NAMES["03"]})`, rec.line);
    const currency = account.currency ?? group.currency;
    if (!currency) {
      throw new FormatError("missing_currency", `Expected a currency code on account ${account.accountNumber} (a BTRS group header states none), found a blank`, rec.line);
    }
    const context: AccountContext = { currency, scale: minorUnits(currency), asOfDate: group.header.asOfDate };
    this.account = { id: account.accountNumber, context, records: 0, total: 0n, units: 0 };
    this.count(rec);
    this.accounts++;
    for (const item of account.summaries) this.account.total += item.amount ?? 0n;
    const events: ParseEvent[] = [];
    const statementAccount = { id: account.accountNumber, currency, ...(group.header.originatorId ? { bankId: group.header.originatorId } : {}) };
    events.push({ type: "statement", statement: { account: statementAccount, from: context.asOfDate, to: context.asOfDate, line: rec.line } });
    if (problem) {
      this.account.unreadableAmountLine = rec.line;
      events.push(issueFrom(problem, rec.line));
    }
    for (const balance of balancesOf(account, context, rec.line)) {
      events.push({ type: "balance", balance });
      this.balances++;
    }
    return events;
  }

  private transactionDetail(rec: LogicalRecord): ParseEvent[] {
    const account = this.account;
    if (!account) this.unexpected(rec, "a 03 account identifier before any 16 transaction detail");
    this.count(rec);
    const parsed = parseTransactionDetail(rec.fields);
    // The amount parsed once: a parsed detail carries it; only a failed one is read again here.
    const written = parsed.ok ? ({ ok: true, value: parsed.value.amount } as const) : readAmount(rec.fields[1] ?? "", "amount");
    if (written.ok) account.total += written.value ?? 0n;
    else account.unreadableAmountLine ??= rec.line;
    const raw = rec.raws.length === 1 ? rec.raws[0]! : rec.raws.join("\n");
    if (!parsed.ok) return [issueFrom(parsed.problem, rec.line), rejectedDetail(rec, raw, account.context)];
    const outcome = transactionOf(parsed.value, account.context, raw, rec.line);
    if ("problem" in outcome) return [issueFrom(outcome.problem, rec.line), rejectedDetail(rec, raw, account.context, parsed.value)];
    this.transactions++;
    const events: ParseEvent[] = [{ type: "transaction", transaction: outcome.transaction }];
    if (outcome.warning) events.push(issueFrom(outcome.warning, rec.line, "warning"));
    return events;
  }

  /**
   * A 16 read by the scanner alone: the same checks, counts, total and transaction as
   * `transactionDetail` gives a record of that shape, built straight from the scanned values. A
   * detail outside an account or with a type code that fixes no direction goes that general way.
   */
  private detail(d: ScannedDetail, out: ParseEvent[]): void {
    const account = this.account;
    const typeCodeClass = movementClass(d.typeCode);
    if (!account || typeCodeClass === undefined) {
      const events = this.record(d.toLogical());
      for (let i = 0; i < events.length; i++) out.push(events[i]!);
      return;
    }
    this.countRecords(d.records);
    account.units += d.units;
    // Below 2^53 every sum is exact; each amount is below 10^15, so move before 2^53 - 10^15.
    if (account.units > 2 ** 52) {
      account.total += BigInt(account.units);
      account.units = 0;
    }
    this.transactions++;
    const { asOfDate, currency } = account.context;
    const negative = typeCodeClass.charCodeAt(0) === 100; // d(ebit)
    const scale = account.context.scale;
    const amount = scale === 2 ? twoPlaceText(d.hundreds, d.units, negative) : minorUnitsText(d.units, scale, negative);
    const typeCode = typeCodeText(d.typeCode);
    const details: Record<string, string> = d.funds === "" ? { typeCodeClass } : { typeCodeClass, fundsType: d.funds };
    const { description, raw, line, bankReference, customerReference } = d;
    // Each combination of references as one literal, keys in transactionOf's order: an object
    // built whole, rather than grown by assignments (a new hidden class and property store each).
    let transaction: Transaction;
    if (bankReference !== "" && customerReference !== "") {
      transaction = { bookingDate: asOfDate, amount, currency, typeCode, description, details, raw, line, bankReference, externalId: bankReference, customerReference };
    } else if (bankReference !== "") {
      transaction = { bookingDate: asOfDate, amount, currency, typeCode, description, details, raw, line, bankReference, externalId: bankReference };
    } else if (customerReference !== "") {
      transaction = { bookingDate: asOfDate, amount, currency, typeCode, description, details, raw, line, customerReference };
    } else {
      transaction = { bookingDate: asOfDate, amount, currency, typeCode, description, details, raw, line };
    }
    out.push({ type: "transaction", transaction });
  }

  private accountTrailer(rec: LogicalRecord): ParseEvent[] {
    const account = this.account;
    const group = this.group;
    if (!account || !group) this.unexpected(rec, "a 03 account identifier before its 49 account trailer");
    this.count(rec);
    account.total += BigInt(account.units);
    account.units = 0;
    const trailer = fieldOrFail(parseAccountTrailer(rec.fields), rec.line, NAMES["49"]);
    const events: ParseEvent[] = [];
    if (this.integrity) {
      this.checkCount(events, rec.line, `account ${account.id}`, "record_count_mismatch", "records", trailer.recordCount, account.records);
      if (account.unreadableAmountLine !== undefined) {
        events.push(issue("control_total_unverified", `Expected to verify the control total of account ${account.id}, found an unreadable amount on line ${account.unreadableAmountLine}`, rec.line, "warning"));
      } else if (trailer.controlTotal !== account.total) {
        throw new FormatError("control_total_mismatch", `Expected the 49 control total of account ${account.id} to equal the sum of its 03 and 16 amounts, ${account.total}, found ${trailer.controlTotal}`, rec.line);
      }
    }
    group.accounts++;
    group.accountTotals += trailer.controlTotal;
    this.account = undefined;
    return events;
  }

  private groupTrailer(rec: LogicalRecord): ParseEvent[] {
    const group = this.group;
    const file = this.file;
    if (this.account) this.unexpected(rec, "a 49 account trailer before the 98 group trailer");
    if (!group || !file) this.unexpected(rec, "a 02 group header before its 98 group trailer");
    this.count(rec);
    const trailer = fieldOrFail(parseGroupTrailer(rec.fields), rec.line, NAMES["98"]);
    const events: ParseEvent[] = [];
    if (this.integrity) {
      this.checkCount(events, rec.line, "the group", "account_count_mismatch", "accounts", trailer.accountCount, group.accounts);
      this.checkCount(events, rec.line, "the group", "record_count_mismatch", "records", trailer.recordCount, group.records);
      if (trailer.controlTotal !== group.accountTotals) {
        throw new FormatError("control_total_mismatch", `Expected the 98 group control total to equal the sum of its 49 account control totals, ${group.accountTotals}, found ${trailer.controlTotal}`, rec.line);
      }
    }
    file.groups++;
    file.groupTotals += trailer.controlTotal;
    this.group = undefined;
    return events;
  }

  private fileTrailer(rec: LogicalRecord): ParseEvent[] {
    const file = this.file;
    if (this.account) this.unexpected(rec, "a 49 account trailer before the 99 file trailer");
    if (this.group) this.unexpected(rec, "a 98 group trailer before the 99 file trailer");
    if (!file) this.unexpected(rec, "a 01 file header first");
    this.count(rec);
    const trailer = fieldOrFail(parseFileTrailer(rec.fields), rec.line, NAMES["99"]);
    const events: ParseEvent[] = [];
    if (this.integrity) {
      this.checkCount(events, rec.line, "the file", "group_count_mismatch", "groups", trailer.groupCount, file.groups);
      this.checkCount(events, rec.line, "the file", "record_count_mismatch", "records", trailer.recordCount, file.records);
      if (trailer.controlTotal !== file.groupTotals) {
        throw new FormatError("control_total_mismatch", `Expected the 99 file control total to equal the sum of its 98 group control totals, ${file.groupTotals}, found ${trailer.controlTotal}`, rec.line);
      }
    }
    this.finished = true;
    return events;
  }

  /** A stated count must match; a blank one cannot be checked and says so. */
  private checkCount(events: ParseEvent[], line: number, owner: string, code: string, noun: string, stated: number | undefined, counted: number): void {
    if (stated === undefined) {
      events.push(issue("count_missing", `Expected the trailer to state the number of ${noun} of ${owner}, found a blank`, line, "warning"));
    } else if (stated !== counted) {
      throw new FormatError(code, `Expected ${stated} ${noun} in ${owner} as its trailer states, found ${counted}`, line);
    }
  }
}
