/**
 * The canonical model every format parser produces and the app consumes.
 * Shared by client and server: zod schemas only, no I/O.
 *
 * Money is always an exact decimal string in major units ("-1234.50"), never a JS number.
 * Dates are ISO calendar dates ("2025-10-31"); timestamps are ISO 8601 strings with offset when known.
 */
import { z } from "zod";

/** An exact decimal in major units: optional minus, digits, optional fraction. No exponent, no "+". */
export const decimalString = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, "expected an exact decimal such as -1234.50");

/** An ISO calendar date, YYYY-MM-DD, that exists in the calendar (checked by the parsers). */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD");

/** ISO 4217 alphabetic code. */
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, "expected a three-letter currency code");

export const issueSeverity = z.enum(["error", "warning", "info"]);

/**
 * A problem found while reading a file. `line` is the 1-based physical line where the offending
 * record starts (for XML: the line of the element). Messages say what was expected and what was found.
 */
export const parseIssue = z.object({
  severity: issueSeverity,
  code: z.string(),
  message: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive().optional(),
  field: z.string().optional(),
});
export type ParseIssue = z.infer<typeof parseIssue>;

export const balanceType = z.enum([
  "opening",
  "closing",
  "opening_available",
  "closing_available",
  "interim",
  "interim_available",
  "forward_available",
  "information",
  "expected",
]);
export type BalanceType = z.infer<typeof balanceType>;

export const externalAccount = z.object({
  /** Account number / IBAN / card number as the source writes it. */
  id: z.string().min(1),
  /** Bank identifier (routing number, BIC, BAI2 originator) when the format carries one. */
  bankId: z.string().optional(),
  currency: currencyCode.optional(),
  /** e.g. CHECKING, SAVINGS, CREDITCARD, MPESA, when known. */
  kind: z.string().optional(),
  name: z.string().optional(),
});
export type ExternalAccount = z.infer<typeof externalAccount>;

export const balance = z.object({
  type: balanceType,
  /** Code as written in the source (OPBD, 010, :60F:, LEDGERBAL…). */
  sourceCode: z.string().optional(),
  date: isoDate.optional(),
  amount: decimalString,
  currency: currencyCode.optional(),
  line: z.number().int().positive(),
});
export type Balance = z.infer<typeof balance>;

export const transaction = z.object({
  bookingDate: isoDate,
  valueDate: isoDate.optional(),
  /** Signed: credits positive, debits negative. */
  amount: decimalString,
  currency: currencyCode.optional(),
  /** The source's own unique id where the format guarantees one (FITID, M-Pesa receipt, camt AcctSvcrRef). */
  externalId: z.string().optional(),
  bankReference: z.string().optional(),
  customerReference: z.string().optional(),
  /** Source type code (BAI2 type code, camt bank transaction code, MT940 transaction type, OFX TRNTYPE). */
  typeCode: z.string().optional(),
  description: z.string(),
  counterpartyName: z.string().optional(),
  counterpartyAccount: z.string().optional(),
  /** Free-form extras a format exposes (category, remittance, status, linked receipt…). */
  details: z.record(z.string(), z.string()).optional(),
  /** The record as it appeared in the file (joined continuation lines), for re-mapping later. */
  raw: z.string(),
  line: z.number().int().positive(),
});
export type Transaction = z.infer<typeof transaction>;

export const statementInfo = z.object({
  account: externalAccount,
  /** Statement id / sequence number when the format has one. */
  statementId: z.string().optional(),
  /** Period covered, when stated. */
  from: isoDate.optional(),
  to: isoDate.optional(),
  line: z.number().int().positive(),
});
export type StatementInfo = z.infer<typeof statementInfo>;

/** A whole statement as collected in memory (CLI, tests); the streaming API never builds this. */
export const statement = statementInfo.extend({
  balances: z.array(balance),
  transactions: z.array(transaction),
});
export type Statement = z.infer<typeof statement>;

/** A POS export line. */
export const salesLine = z.object({
  kind: z.literal("sales_line"),
  date: isoDate,
  time: z.string().optional(),
  item: z.string(),
  quantity: decimalString,
  unitPrice: decimalString,
  total: decimalString,
  paymentMethod: z.string().optional(),
  raw: z.string(),
  line: z.number().int().positive(),
});
export type SalesLine = z.infer<typeof salesLine>;

/** A trial-balance line: one GL account's balance for an entity and period. */
export const glBalance = z.object({
  kind: z.literal("gl_balance"),
  entity: z.string(),
  /** Period as written, normalised to YYYY-MM where possible. */
  period: z.string(),
  accountCode: z.string(),
  accountName: z.string(),
  balance: decimalString,
  /** "BS" or "PL" when given. */
  statementType: z.string().optional(),
  status: z.string().optional(),
  raw: z.string(),
  line: z.number().int().positive(),
});
export type GlBalance = z.infer<typeof glBalance>;

/** A SalesPro appointment; `fields` keeps every column with dotted names. Upserted by `id`, newest `updatedAt` wins. */
export const appointment = z.object({
  kind: z.literal("appointment"),
  id: z.string().min(1),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  isSale: z.boolean().optional(),
  saleAmount: decimalString.optional(),
  customerName: z.string().optional(),
  salesRepEmail: z.string().optional(),
  fields: z.record(z.string(), z.string()),
  raw: z.string(),
  line: z.number().int().positive(),
});
export type Appointment = z.infer<typeof appointment>;

export const datasetRecord = z.discriminatedUnion("kind", [salesLine, glBalance, appointment]);
export type DatasetRecord = z.infer<typeof datasetRecord>;

export const formatName = z.enum([
  "bai2",
  "camt053",
  "camt052",
  "mt940",
  "mt942",
  "ofx",
  "qif",
  "csv",
  "xlsx",
  "mpesa",
  "pos",
  "trial_balance",
  "salespro",
]);
export type FormatName = z.infer<typeof formatName>;

export const textEncoding = z.enum(["utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1252"]);
export type TextEncoding = z.infer<typeof textEncoding>;
