/**
 * Record 88, the continuation: it carries on the fields of the record before it. For a 16 whose
 * text has begun, each 88 adds one more line of text (kept "\n"-separated, joined with spaces when
 * shown); for any other record its fields simply follow the previous ones, so a type code at the end
 * of an 03 can find its amount at the start of the next 88.
 */
import { fundsExtraFieldCount } from "./funds";
import type { PhysicalRecord, RecordCode } from "./scanner";

/** The text field's index in a 16's fields, or undefined while the funds fields are still incomplete. */
export function detailTextIndex(fields: readonly string[]): number | undefined {
  if (fields.length < 3) return undefined;
  const extra = fundsExtraFieldCount(fields, 2);
  return extra === undefined ? undefined : 3 + extra + 2;
}

export interface LogicalRecord {
  code: Exclude<RecordCode, "88">;
  fields: string[];
  line: number;
  /** The physical records as written: the head record then its 88s. */
  raws: string[];
}

/** Takes over the physical record's fields array (continuations are appended to it): no copy per record. */
export function startLogical(record: PhysicalRecord & { code: Exclude<RecordCode, "88"> }): LogicalRecord {
  return { code: record.code, fields: record.fields, line: record.line, raws: [record.raw] };
}

/** Whether the next field of a physical record being read is free text running to the end of the record. */
export function isTextField(current: LogicalRecord | undefined, code: RecordCode, fieldsSoFar: readonly string[]): boolean {
  // Asked before every field of a 16 and its 88s. The text field is never before index 5 (type code,
  // amount, funds type, then the two references), so earlier fields need no funds lookup, and an 88
  // reads the 16's fields in place instead of concatenating them per field.
  if (code === "16") {
    if (fieldsSoFar.length < MIN_TEXT_INDEX) return false;
    const textIndex = detailTextIndex(fieldsSoFar);
    return textIndex !== undefined && fieldsSoFar.length >= textIndex;
  }
  if (code !== "88" || current?.code !== "16") return false;
  const length = current.fields.length + fieldsSoFar.length;
  if (length < MIN_TEXT_INDEX) return false;
  const all = current.fields.length >= 4 ? current.fields : current.fields.concat(fieldsSoFar);
  const textIndex = detailTextIndex(all);
  return textIndex !== undefined && length >= textIndex;
}

/** 3 + no funds extras + 2 references: the smallest index a 16's text field can have. */
const MIN_TEXT_INDEX = 5;

export function continueLogical(current: LogicalRecord, continuation: PhysicalRecord): void {
  current.fields.push(...continuation.fields);
  current.raws.push(continuation.raw);
  if (current.code !== "16") return;
  const textIndex = detailTextIndex(current.fields);
  if (textIndex !== undefined && current.fields.length > textIndex + 1) {
    const text = current.fields.splice(textIndex).join("\n");
    current.fields.push(text);
  }
}

/**
 * Writes a record's fields as one physical record, or as the record and 88s when a maximum length
 * is given, breaking only between fields. Text lines after the first become their own 88s.
 */
export function writeRecord(code: Exclude<RecordCode, "88">, fields: readonly string[], maxLength = Infinity, textLines: readonly string[] = []): string {
  const records: string[][] = [[]];
  let length = 3;
  for (const field of fields) {
    const current = records[records.length - 1]!;
    if (current.length > 0 && length + field.length + 2 > maxLength) {
      records.push([field]);
      length = 3 + field.length;
    } else {
      current.push(field);
      length += field.length + 1;
    }
  }
  const [firstText, ...moreText] = textLines;
  const last = records[records.length - 1]!;
  if (firstText !== undefined) last.push(firstText);
  const lines = records.map((r, i) => `${i === 0 ? code : "88"},${r.join(",")}/`);
  for (const text of moreText) lines.push(`88,${text}/`);
  return lines.join("\n");
}
