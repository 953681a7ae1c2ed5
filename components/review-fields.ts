/**
 * What the review table shows of a staged row and which of its fields a person may correct there.
 * The field names are those PATCH /api/imports/:id/rows/:rowNo takes (lib/ingest/corrections.ts,
 * CORRECTABLE); this file repeats only what the browser needs, without the server's modules.
 */
import type { JsonValue } from "@/lib/formats/types";
import type { RowIssue, RowStatus, StagedRowView } from "@/lib/db/queries/staged-rows";

export type Column = "date" | "amount" | "description";
export const EDITABLE_COLUMNS: readonly Column[] = ["date", "amount", "description"];

/** The field behind each scanned column, per kind of row. */
const FIELD_OF: Record<string, Record<Column, string>> = {
  transaction: { date: "bookingDate", amount: "amount", description: "description" },
  sales_line: { date: "date", amount: "total", description: "item" },
  gl_balance: { date: "period", amount: "balance", description: "accountName" },
  appointment: { date: "createdAt", amount: "saleAmount", description: "customerName" },
};

export function fieldOf(kind: string, column: Column): string | null {
  return FIELD_OF[kind]?.[column] ?? null;
}

export const FIELD_LABEL: Record<string, string> = {
  bookingDate: "Booking date",
  valueDate: "Value date",
  amount: "Amount",
  currency: "Currency",
  description: "Description",
  counterpartyName: "Counterparty",
  counterpartyAccount: "Counterparty account",
  bankReference: "Bank reference",
  customerReference: "Customer reference",
  typeCode: "Type code",
  externalId: "Bank's id",
  date: "Date",
  item: "Item",
  quantity: "Quantity",
  unitPrice: "Unit price",
  total: "Total",
  paymentMethod: "Payment method",
  balance: "Balance",
  accountName: "Account name",
  accountCode: "Account code",
  entity: "Entity",
  period: "Period",
  createdAt: "Created at",
  updatedAt: "Updated at",
  isSale: "Is sale",
  saleAmount: "Sale amount",
  customerName: "Customer name",
  salesRepEmail: "Sales rep email",
};

/** Mapping keys of the tabular parsers (profile.parser.columnMapping) → the field they fill. */
const MAPPING_FIELD: Record<string, string> = {
  date: "bookingDate",
  valueDate: "valueDate",
  amount: "amount",
  debit: "amount",
  credit: "amount",
  currency: "currency",
  description: "description",
  counterparty: "counterpartyName",
  counterpartyAccount: "counterpartyAccount",
};

const SOURCE_FIELD: Record<string, string> = { DTPOSTED: "bookingDate", DTAVAIL: "valueDate", DTUSER: "valueDate", TRNAMT: "amount", MEMO: "description", NAME: "counterpartyName", PAYEE: "counterpartyName" };

/**
 * The field an issue is about, as the server decides it (fieldsOfIssue): parsers name the field as the
 * source does (a CSV header, an OFX tag), so the name is looked up in the column mapping; failing that,
 * the issue's code says what kind of value was wrong.
 */
export function issueField(kind: string, issue: Pick<RowIssue, "code" | "field">, columnMapping: Record<string, string>): string | null {
  const named = issue.field ?? "";
  if (named && Object.hasOwn(FIELD_LABEL, named)) return named;
  if (named && SOURCE_FIELD[named.toUpperCase()]) return SOURCE_FIELD[named.toUpperCase()] ?? null;
  const key = Object.entries(columnMapping).find(([, header]) => header === named)?.[0];
  if (key) {
    if (kind === "transaction") return MAPPING_FIELD[key] ?? null;
    return Object.hasOwn(FIELD_LABEL, key) ? key : null;
  }
  const code = issue.code.toLowerCase();
  const fields = FIELD_OF[kind];
  if (!fields) return null;
  if (code.includes("date") || code.includes("time")) return /value|avail/i.test(named) ? "valueDate" : fields.date;
  if (code.includes("amount") || code.includes("total") || code.includes("price")) return fields.amount;
  if (code.includes("currency")) return kind === "transaction" ? "currency" : null;
  return null;
}

export function text(value: JsonValue | undefined): string | null {
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  return null;
}

/** The value shown in a scanned column: the field's value, or for a row that could not be read, its cells. */
export function cellText(row: StagedRowView, column: Column): string {
  const r = row.record;
  const field = fieldOf(row.kind, column);
  const value = field ? text(r[field]) : null;
  if (value !== null) {
    if (column === "amount") {
      const currency = text(r.currency);
      return currency ? `${value} ${currency}` : value;
    }
    return value;
  }
  if (column === "amount") {
    // A bank row with split columns that could not be read keeps its debit and credit cells.
    const debit = text(r.debit);
    const credit = text(r.credit);
    if (debit) return `debit ${debit}`;
    if (credit) return `credit ${credit}`;
  }
  if (column === "description") return text(r.raw) ?? "";
  return "";
}

/** The raw value to start an edit from: the field's own value, without the currency. */
export function editValue(row: StagedRowView, column: Column): string {
  const field = fieldOf(row.kind, column);
  const value = field ? text(row.record[field]) : null;
  if (value !== null) return value;
  if (column === "amount") {
    const debit = text(row.record.debit);
    if (debit) return debit.startsWith("-") || debit.startsWith("(") ? debit : `-${debit}`;
    return text(row.record.credit) ?? "";
  }
  return "";
}

export const STATUS_LABEL: Record<RowStatus, string> = {
  new: "new",
  exact_duplicate: "exact duplicate",
  likely_duplicate: "likely duplicate",
  error: "error",
  unmapped: "unmapped account",
  excluded: "excluded",
};

export const STATUS_STYLE: Record<RowStatus, string> = {
  new: "text-emerald-800",
  exact_duplicate: "text-slate-600",
  likely_duplicate: "text-amber-800",
  error: "text-red-700 font-medium",
  unmapped: "text-red-700",
  excluded: "text-slate-500 line-through",
};

/** Record keys shown in the side panel as their own line, in this order; the rest follow. */
export const HIDDEN_RECORD_KEYS = new Set(["raw", "line", "kind", "details", "fields"]);
