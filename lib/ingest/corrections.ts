/**
 * Correcting one field of a staged row. The value is validated at once with the parsers' rules (a real
 * calendar day written YYYY-MM-DD, an exact decimal, an ISO currency code); the record as first parsed is
 * kept in `original`; the issues about that field go; and once the record satisfies its kind's canonical
 * schema the row stops being an error and gets its exact-duplicate basis, so classification can place it.
 */
import type { Db } from "@/lib/db/pool";
import { writeAudit } from "@/lib/db/queries/audit";
import { getImport } from "@/lib/db/queries/pipeline";
import { lockStagedRow, updateCorrectedRow, type RowIssue, type StagedRowForCorrection } from "@/lib/db/queries/staged-rows";
import { parseIsoDate } from "@/lib/formats/shared/dates";
import type { JsonValue } from "@/lib/formats/types";
import { normalizeDecimal } from "@/lib/money/decimal";
import { appointment, glBalance, salesLine, transaction } from "@/lib/schemas/canonical";
import { AppError, notFound } from "@/lib/http/errors";
import { classifyImport } from "./classify";
import { salesLineDedupBasis, transactionDedupBasis, type DedupBasis } from "./dedup-key";
import { lockImportForReview } from "./review";

export type RowKind = StagedRowForCorrection["kind"];
type FieldType = "date" | "amount" | "currency" | "text" | "boolean" | "timestamp";

interface FieldSpec {
  label: string;
  type: FieldType;
  required: boolean;
  /** Column-mapping keys of the tabular parsers (profile.parser.columnMapping) that fill this field. */
  mappingKeys?: string[];
  /** Source names (OFX tags…) that parsers put in an issue's `field` for this field. */
  sourceNames?: string[];
}

/** The fields a reviewer may correct, per kind of row. */
export const CORRECTABLE: Record<RowKind, Record<string, FieldSpec>> = {
  transaction: {
    bookingDate: { label: "Booking date", type: "date", required: true, mappingKeys: ["date"], sourceNames: ["DTPOSTED"] },
    valueDate: { label: "Value date", type: "date", required: false, mappingKeys: ["valueDate"], sourceNames: ["DTAVAIL", "DTUSER"] },
    amount: { label: "Amount", type: "amount", required: true, mappingKeys: ["amount", "debit", "credit"], sourceNames: ["TRNAMT"] },
    currency: { label: "Currency", type: "currency", required: false, mappingKeys: ["currency"], sourceNames: ["CURRENCY", "CURDEF"] },
    description: { label: "Description", type: "text", required: false, mappingKeys: ["description"], sourceNames: ["MEMO"] },
    counterpartyName: { label: "Counterparty", type: "text", required: false, mappingKeys: ["counterparty"], sourceNames: ["NAME", "PAYEE"] },
    counterpartyAccount: { label: "Counterparty account", type: "text", required: false, mappingKeys: ["counterpartyAccount"] },
  },
  sales_line: {
    date: { label: "Date", type: "date", required: true, mappingKeys: ["date"] },
    item: { label: "Item", type: "text", required: true, mappingKeys: ["item"] },
    quantity: { label: "Quantity", type: "amount", required: true, mappingKeys: ["quantity"] },
    unitPrice: { label: "Unit price", type: "amount", required: true, mappingKeys: ["unitPrice", "price"] },
    total: { label: "Total", type: "amount", required: true, mappingKeys: ["total"] },
    paymentMethod: { label: "Payment method", type: "text", required: false, mappingKeys: ["paymentMethod"] },
  },
  gl_balance: {
    balance: { label: "Balance", type: "amount", required: true, mappingKeys: ["balance"] },
    accountName: { label: "Account name", type: "text", required: true, mappingKeys: ["accountName"] },
    entity: { label: "Entity", type: "text", required: true, mappingKeys: ["entity"] },
    period: { label: "Period", type: "text", required: true, mappingKeys: ["period"] },
    accountCode: { label: "Account code", type: "text", required: true, mappingKeys: ["accountCode"] },
  },
  appointment: {
    createdAt: { label: "Created at", type: "timestamp", required: false, mappingKeys: ["createdAt"] },
    updatedAt: { label: "Updated at", type: "timestamp", required: false, mappingKeys: ["updatedAt"] },
    isSale: { label: "Is sale", type: "boolean", required: false, mappingKeys: ["isSale"] },
    saleAmount: { label: "Sale amount", type: "amount", required: false, mappingKeys: ["saleAmount"] },
    customerName: { label: "Customer name", type: "text", required: false, mappingKeys: ["customerName"] },
    salesRepEmail: { label: "Sales rep email", type: "text", required: false, mappingKeys: ["salesRepEmail"] },
  },
};

const KIND_LABEL: Record<RowKind, string> = { transaction: "a transaction", sales_line: "a sales line", gl_balance: "a trial-balance line", appointment: "an appointment" };

export type CorrectionValue = string | boolean | null;

/**
 * "1,234.56", "-1,234.56", "+12.5" and "1234.56" are all the exact decimal they look like. A comma is
 * read as a thousands separator only in groups of three, so "12,5" is refused rather than guessed.
 */
export function parseAmountInput(text: string): string | null {
  const trimmed = text.trim().replace(/^\+/, "");
  const grouped = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(trimmed) ? trimmed.replace(/,/g, "") : trimmed;
  return normalizeDecimal(grouped);
}

let isoCurrencies: ReadonlySet<string> | undefined;
function isIsoCurrency(code: string): boolean {
  isoCurrencies ??= new Set(Intl.supportedValuesOf("currency"));
  return isoCurrencies.has(code);
}

const shown = (value: CorrectionValue) => (value === null || value === "" ? "nothing" : String(value));

/** The stored form of a valid value (undefined clears an optional field), or what was expected. */
function validate(spec: FieldSpec, value: CorrectionValue): { ok: true; value: JsonValue | undefined } | { ok: false; expected: string } {
  if (value === null || (typeof value === "string" && value.trim() === "")) {
    return spec.required ? { ok: false, expected: "a value" } : { ok: true, value: undefined };
  }
  if (spec.type === "boolean") {
    if (typeof value === "boolean") return { ok: true, value };
    const word = value.trim().toLowerCase();
    if (["true", "yes", "1"].includes(word)) return { ok: true, value: true };
    if (["false", "no", "0"].includes(word)) return { ok: true, value: false };
    return { ok: false, expected: "true or false" };
  }
  if (typeof value !== "string") return { ok: false, expected: "text" };
  const text = value.trim();
  switch (spec.type) {
    case "date":
      return /^\d{4}-\d{2}-\d{2}$/.test(text) && parseIsoDate(text) === text
        ? { ok: true, value: text }
        : { ok: false, expected: "a date as YYYY-MM-DD that exists" };
    case "timestamp":
      return /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) && parseIsoDate(text) !== null && !Number.isNaN(Date.parse(text))
        ? { ok: true, value: text }
        : { ok: false, expected: "a date or time as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ that exists" };
    case "amount": {
      const amount = parseAmountInput(text);
      return amount === null ? { ok: false, expected: "an amount such as -1234.50 or 1,234.56" } : { ok: true, value: amount };
    }
    case "currency": {
      const code = text.toUpperCase();
      return /^[A-Z]{3}$/.test(code) && isIsoCurrency(code) ? { ok: true, value: code } : { ok: false, expected: "a three-letter ISO currency code such as USD" };
    }
    case "text":
      return { ok: true, value: text };
  }
}

/**
 * Which correctable fields an issue is about. Parsers name the field as the source does (a CSV header,
 * an OFX tag), so the name is looked up in the import's column mapping and the known source names;
 * failing that, the issue's code says what kind of value was wrong.
 */
export function fieldsOfIssue(kind: RowKind, issue: Pick<RowIssue, "code" | "field">, columnMapping: Record<string, string>): string[] {
  const specs = CORRECTABLE[kind];
  const named = issue.field ?? "";
  if (Object.hasOwn(specs, named)) return [named];
  const mappingKeys = Object.entries(columnMapping)
    .filter(([, header]) => header === named)
    .map(([key]) => key);
  const byName = Object.entries(specs)
    .filter(([, spec]) => (named !== "" && spec.sourceNames?.includes(named.toUpperCase())) || spec.mappingKeys?.some((k) => mappingKeys.includes(k)))
    .map(([field]) => field);
  if (byName.length > 0) return byName;
  if (mappingKeys.length > 0) return []; // a mapped column that is not a correctable field (e.g. a running balance)
  const code = issue.code.toLowerCase();
  const ofType = (...types: FieldType[]) => Object.entries(specs).filter(([, s]) => types.includes(s.type)).map(([f]) => f);
  if (code.includes("balance")) return kind === "gl_balance" ? ["balance"] : [];
  if (code.includes("currency")) return ofType("currency");
  if (code.includes("boolean")) return ofType("boolean");
  if (code.includes("quantity")) return Object.hasOwn(specs, "quantity") ? ["quantity"] : [];
  if (code.includes("date") || code.includes("time")) {
    const dates = ofType("date", "timestamp");
    // A transaction's unnamed date problem is its booking date unless the source field says "value".
    if (kind === "transaction") return [/value|avail/i.test(named) ? "valueDate" : "bookingDate"];
    return dates;
  }
  if (code.includes("amount") || code.includes("total") || code.includes("price")) return ofType("amount");
  return [];
}

const CANONICAL_KEYS: Record<RowKind, readonly string[]> = {
  transaction: Object.keys(transaction.shape),
  sales_line: Object.keys(salesLine.shape),
  gl_balance: Object.keys(glBalance.shape),
  appointment: Object.keys(appointment.shape),
};

const SCHEMAS = { transaction, sales_line: salesLine, gl_balance: glBalance, appointment } as const;

/**
 * The canonical record a (possibly rejected) row's values make, if they make one. A rejected row holds
 * its cells under canonical names where the column was mapped and under the source's names otherwise;
 * those others go where the parsers put unmapped cells (a transaction's `details`, an appointment's
 * `fields`), as a parsed row of the same file would have them.
 */
export function canonicalRecord(
  kind: RowKind,
  values: Record<string, JsonValue>,
  context: { fallbackCurrency: string | null; columnMapping: Record<string, string> },
): { ok: true; record: Record<string, JsonValue> } | { ok: false } {
  const keys = CANONICAL_KEYS[kind];
  const out: Record<string, JsonValue> = {};
  const extras: Record<string, string> = {};
  const base = kind === "transaction" ? values.details : kind === "appointment" ? values.fields : undefined;
  if (base && typeof base === "object" && !Array.isArray(base)) {
    for (const [k, v] of Object.entries(base)) if (typeof v === "string") extras[k] = v;
  }
  for (const [key, value] of Object.entries(values)) {
    if (key === "details" || key === "fields") continue;
    if (keys.includes(key)) {
      // An empty optional cell is an absent value, as the parsers would have left it.
      if (value === "" && key !== "description" && !CORRECTABLE[kind][key]?.required) continue;
      out[key] = value;
    } else if (kind === "transaction" && (key === "debit" || key === "credit")) {
      // The split amount columns are superseded by a corrected amount.
      if (typeof values.amount !== "string" || normalizeDecimal(values.amount) === null) out[key] = value;
    } else if (typeof value === "string" && value !== "") {
      const balanceColumn = context.columnMapping.balance;
      if (kind === "transaction" && key === balanceColumn && parseAmountInput(value) !== null) extras.balance = parseAmountInput(value)!;
      else extras[key] = value;
    }
  }
  if (kind === "transaction") {
    out.description ??= "";
    if (out.currency === undefined && context.fallbackCurrency) out.currency = context.fallbackCurrency;
    if (Object.keys(extras).length > 0) out.details = extras;
  }
  if (kind === "appointment") out.fields = extras;
  if (kind !== "transaction") out.kind = kind;
  const parsed = SCHEMAS[kind].safeParse(out);
  return parsed.success ? { ok: true, record: out } : { ok: false };
}

export interface CorrectionInput {
  tenantId: string;
  importId: string;
  rowNo: number;
  field: string;
  value: CorrectionValue;
}

export interface CorrectionResult {
  rowNo: number;
  line: number;
  field: string;
  before: JsonValue | null;
  after: JsonValue | null;
  /** Whether the row's record is now complete and valid (it no longer blocks commit). */
  valid: boolean;
}

/** Applies one correction in the caller's transaction; a refused value changes nothing. */
export async function correctStagedRow(db: Db, input: CorrectionInput): Promise<CorrectionResult> {
  const { tenantId, importId, rowNo, field } = input;
  await lockImportForReview(db, { tenantId, importId });
  const row = await lockStagedRow(db, { tenantId, importId, rowNo });
  if (!row) throw notFound(`Row ${rowNo} of this import`);
  const specs = CORRECTABLE[row.kind];
  const spec = Object.hasOwn(specs, field) ? specs[field] : undefined;
  if (!spec) {
    const allowed = Object.values(specs).map((s) => s.label.toLowerCase()).join(", ");
    throw new AppError(422, "not_correctable", `Line ${row.line}: "${field}" cannot be corrected on ${KIND_LABEL[row.kind]}; the fields that can are ${allowed}.`);
  }
  const checked = validate(spec, input.value);
  if (!checked.ok) {
    throw new AppError(422, "invalid_value", `Line ${row.line}, ${spec.label}: expected ${checked.expected}, found ${shown(input.value)}`);
  }

  const imp = await getImport(db, { tenantId, importId });
  const parserFacts = imp?.profile?.parser;
  const mapping = parserFacts && typeof parserFacts === "object" && !Array.isArray(parserFacts) ? parserFacts.columnMapping : undefined;
  const columnMapping: Record<string, string> = {};
  if (mapping && typeof mapping === "object" && !Array.isArray(mapping)) {
    for (const [k, v] of Object.entries(mapping)) if (typeof v === "string") columnMapping[k] = v;
  }

  const before = row.record[field] ?? null;
  const values: Record<string, JsonValue> = { ...row.record };
  if (checked.value === undefined) delete values[field];
  else values[field] = checked.value;

  const issues = row.issues.filter((issue) => !fieldsOfIssue(row.kind, issue, columnMapping).includes(field));
  const canonical = canonicalRecord(row.kind, values, { fallbackCurrency: row.fallbackCurrency, columnMapping });
  const record = canonical.ok ? canonical.record : values;
  // An error the reviewer has not addressed (another field's) still blocks the row, even if the values
  // happen to make a valid record; it is gone once that field is corrected too.
  const hasError = !canonical.ok || issues.some((i) => i.severity === "error");

  let basis: DedupBasis = { dedupKey: null, fingerprint: null };
  if (canonical.ok && row.kind === "transaction") {
    basis = transactionDedupBasis(imp?.format ?? "csv", row.externalAccount ?? "", transaction.parse(record));
  } else if (canonical.ok && row.kind === "sales_line") {
    basis = salesLineDedupBasis(salesLine.parse(record));
  }

  await updateCorrectedRow(db, {
    tenantId,
    importId,
    rowNo,
    record,
    original: row.original ?? row.record,
    issues,
    hasError,
    hasWarning: issues.some((i) => i.severity === "warning"),
    ...basis,
  });
  const after = checked.value ?? null;
  await writeAudit(db, {
    tenantId,
    action: "import.correct",
    entity: "import",
    entityId: importId,
    before: { [field]: before },
    after: { [field]: after },
    details: { rowNo, line: row.line, field, valid: canonical.ok, issuesRemoved: row.issues.length - issues.length },
  });
  await classifyImport(db, { tenantId, importId });
  return { rowNo, line: row.line, field, before, after, valid: !hasError };
}
