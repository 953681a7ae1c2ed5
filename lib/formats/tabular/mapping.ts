/**
 * Header synonyms → canonical bank-table fields, in English, German, French, Spanish, Dutch and the
 * M-Pesa statement's own words. A mapping supplied by the user wins over the synonyms.
 */
import type { CsvColumnMapping } from "../types";

export const BANK_FIELDS = [
  "date",
  "valueDate",
  "amount",
  "debit",
  "credit",
  "description",
  "currency",
  "reference",
  "counterparty",
  "counterpartyAccount",
  "balance",
  "type",
] as const;
export type BankField = (typeof BANK_FIELDS)[number];

/** Normalised synonyms; earlier fields win ties, and an exact header match beats a contained one. */
const SYNONYMS: Record<BankField, string[]> = {
  date: [
    "date", "posting date", "booking date", "transaction date", "trans date", "txn date", "post date", "entry date",
    "buchungstag", "buchungsdatum", "datum", "fecha", "fecha operacion", "fecha de operacion", "date operation",
    "date de l operation", "date d operation", "boekdatum", "completion time", "transaction time", "date completed",
  ],
  valueDate: ["value date", "valuta", "valutadatum", "wertstellung", "date de valeur", "date valeur", "fecha valor", "fecha de valor", "rentedatum"],
  amount: ["amount", "betrag", "importe", "montant", "bedrag", "umsatz", "transaction amount", "amount eur", "amount usd", "value", "sum", "total"],
  debit: [
    "debit", "debits", "debit amount", "soll", "withdrawal", "withdrawals", "withdrawn", "withdrawn or paid out", "paid out",
    "money out", "out", "cargo", "cargos", "debe", "debit eur", "ausgang", "af",
  ],
  credit: ["credit", "credits", "credit amount", "haben", "deposit", "deposits", "paid in", "money in", "in", "abono", "abonos", "haber", "eingang", "bij"],
  description: [
    "description", "details", "transaction details", "verwendungszweck", "buchungstext", "memo", "narrative", "narration",
    "item", "particulars", "concepto", "libelle", "omschrijving", "beschreibung", "text", "remarks", "remittance information",
  ],
  currency: ["currency", "wahrung", "waehrung", "moneda", "devise", "ccy", "curr", "valuta code", "munt"],
  reference: [
    "reference", "ref", "ref no", "reference number", "transaction id", "transaction reference", "id", "receipt no", "receipt",
    "referenz", "reference bancaire", "referencia", "kundenreferenz", "bank reference", "check number", "cheque number", "fitid",
  ],
  counterparty: [
    "payee", "payer", "beneficiary", "counterparty", "counter party", "empfanger", "auftraggeber", "empfanger auftraggeber",
    "auftraggeber empfanger", "zahlungsempfanger", "begunstigter", "name", "merchant", "beneficiaire", "beneficiario", "naam tegenpartij",
  ],
  counterpartyAccount: ["counterparty account", "iban", "kontonummer", "account number", "counterparty iban", "tegenrekening", "iban begunstigter"],
  balance: ["balance", "running balance", "saldo", "solde", "kontostand", "available balance", "ledger balance"],
  type: ["type", "transaction type", "buchungsart", "umsatzart", "tipo", "code", "type code"],
};

/** Lowercase, accents folded, punctuation to spaces: "Empfänger/Auftraggeber" → "empfanger auftraggeber". */
export function normalizeHeader(text: string): string {
  return text
    .replace(/^\ufeff/, "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/ß/g, "ss")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

export type ColumnIndexMapping = Partial<Record<BankField, number>>;

function containsWords(header: string, synonym: string): boolean {
  return ` ${header} `.includes(` ${synonym} `);
}

/** Auto-maps headers: exact synonym matches first, then headers containing a synonym as whole words. */
export function autoMapColumns(headers: readonly string[]): ColumnIndexMapping {
  const normalized = headers.map(normalizeHeader);
  const mapping: ColumnIndexMapping = {};
  const used = new Set<number>();
  const assign = (field: BankField, index: number): void => {
    if (mapping[field] !== undefined || used.has(index)) return;
    mapping[field] = index;
    used.add(index);
  };
  for (const field of BANK_FIELDS) {
    const index = normalized.findIndex((h, i) => !used.has(i) && SYNONYMS[field].includes(h));
    if (index >= 0) assign(field, index);
  }
  // Longer synonyms first so "withdrawn or paid out" is not taken by a shorter, vaguer field.
  const contained = BANK_FIELDS.flatMap((field) => SYNONYMS[field].filter((s) => s.length >= 3).map((synonym) => ({ field, synonym })));
  contained.sort((a, b) => b.synonym.length - a.synonym.length);
  for (const { field, synonym } of contained) {
    if (mapping[field] !== undefined) continue;
    const index = normalized.findIndex((h, i) => !used.has(i) && containsWords(h, synonym));
    if (index >= 0) assign(field, index);
  }
  // "Valuta" alone is the only date in some exports: then it is the booking date.
  if (mapping.date === undefined && mapping.valueDate !== undefined) {
    mapping.date = mapping.valueDate;
    delete mapping.valueDate;
  }
  // A lone "Amount" beside Debit/Credit is usually a running figure; keep debit/credit as the source of sign.
  return mapping;
}

export type MappingResult = { ok: true; mapping: ColumnIndexMapping } | { ok: false; missing: string[] };

/**
 * Resolves a user-supplied mapping (field → header text, or 0-based index as a string) against the headers.
 * Unknown field names and headers that are not in the file are reported, never ignored.
 */
export function resolveMapping(supplied: CsvColumnMapping, headers: readonly string[]): MappingResult {
  const mapping: ColumnIndexMapping = {};
  const missing: string[] = [];
  const normalized = headers.map(normalizeHeader);
  for (const [field, target] of Object.entries(supplied)) {
    if (!(BANK_FIELDS as readonly string[]).includes(field)) {
      missing.push(`unknown field "${field}"`);
      continue;
    }
    let index = headers.findIndex((h) => h.trim() === target.trim());
    if (index < 0) index = normalized.indexOf(normalizeHeader(target));
    if (index < 0 && /^\d+$/.test(target) && Number(target) < headers.length) index = Number(target);
    if (index < 0) missing.push(`column "${target}" for ${field}`);
    else mapping[field as BankField] = index;
  }
  return missing.length ? { ok: false, missing } : { ok: true, mapping };
}

/** The mapping as field → header text, to report in meta and save for the next file from the same source. */
export function mappingToHeaders(mapping: ColumnIndexMapping, headers: readonly string[]): CsvColumnMapping {
  const out: CsvColumnMapping = {};
  for (const field of BANK_FIELDS) {
    const index = mapping[field];
    if (index !== undefined) out[field] = headers[index] ?? String(index);
  }
  return out;
}
