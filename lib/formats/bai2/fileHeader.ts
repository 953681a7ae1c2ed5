/** Record 01, the file header: who sent the file to whom, when, and in which BAI version. */
import { ok, optional, readCount, readDate, readIdentifier, readTime, writeDate, writeOptional, writeTime, fail, type FieldResult } from "./fields";
import { writeRecord } from "./continuation";

export interface FileHeader {
  senderId: string;
  receiverId: string;
  creationDate: string;
  creationTime?: string;
  fileId?: string;
  physicalRecordLength?: number;
  blockSize?: number;
  versionNumber: string;
}

/** Version 2 is BAI2; version 3 (BTRS) keeps the same record layout. */
export const SUPPORTED_VERSIONS: readonly string[] = ["2", "3"];

export function parseFileHeader(fields: readonly string[]): FieldResult<FileHeader> {
  const f = (i: number): string => fields[i] ?? "";
  const sender = readIdentifier(f(0), "sender identification");
  if (!sender.ok) return sender;
  const receiver = readIdentifier(f(1), "receiver identification");
  if (!receiver.ok) return receiver;
  const date = readDate(f(2), "file creation date");
  if (!date.ok) return date;
  if (date.value === undefined) return fail("missing_field", "file creation date", `Expected a date as YYMMDD in field "file creation date", found nothing`);
  const time = readTime(f(3), "file creation time");
  if (!time.ok) return time;
  const recordLength = readCount(f(5), "physical record length");
  if (!recordLength.ok) return recordLength;
  const blockSize = readCount(f(6), "block size");
  if (!blockSize.ok) return blockSize;
  const version = f(7);
  if (!SUPPORTED_VERSIONS.includes(version)) {
    return fail("unsupported_version", "version number", `Expected BAI version number 2 (or 3 for BTRS) in field "version number", found ${JSON.stringify(version)}`);
  }
  const header: FileHeader = { senderId: sender.value, receiverId: receiver.value, creationDate: date.value, versionNumber: version };
  if (time.value !== undefined) header.creationTime = time.value;
  const fileId = optional(f(4));
  if (fileId !== undefined) header.fileId = fileId;
  if (recordLength.value !== undefined) header.physicalRecordLength = recordLength.value;
  if (blockSize.value !== undefined) header.blockSize = blockSize.value;
  return ok(header);
}

export function formatFileHeader(h: FileHeader): string {
  return writeRecord("01", [
    h.senderId, h.receiverId, writeDate(h.creationDate), writeTime(h.creationTime), h.fileId ?? "",
    writeOptional(h.physicalRecordLength), writeOptional(h.blockSize), h.versionNumber,
  ]);
}
