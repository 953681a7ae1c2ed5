/**
 * Exports of the filtered ledger, streamed: rows are read in keyset batches (each batch its own
 * short RLS transaction, so a long download holds no connection) and written as they come.
 */
import type { JwtClaims } from "@/lib/auth/claims";
import { withUser } from "@/lib/db/with-user";
import { cursorOf, listTransactions, type LedgerFilter, type LedgerRow } from "@/lib/db/queries/transactions";
import { csvLine } from "./csv";
import { ParquetStreamWriter } from "./parquet";

export const EXPORT_BATCH = 5000;

/** The export's columns, in order; the same for CSV and Parquet. */
export const EXPORT_COLUMNS = [
  ["booking_date", (r: LedgerRow) => r.bookingDate],
  ["value_date", (r: LedgerRow) => r.valueDate],
  ["amount", (r: LedgerRow) => r.amount],
  ["currency", (r: LedgerRow) => r.currency],
  ["description", (r: LedgerRow) => r.description],
  ["counterparty", (r: LedgerRow) => r.counterparty],
  ["account", (r: LedgerRow) => r.accountName],
  ["source", (r: LedgerRow) => r.source],
  ["external_id", (r: LedgerRow) => r.externalId],
  ["import_id", (r: LedgerRow) => r.importId],
  ["id", (r: LedgerRow) => r.id],
] as const satisfies readonly (readonly [string, (r: LedgerRow) => string | null])[];

export async function* ledgerBatches(
  claims: JwtClaims,
  tenantId: string,
  filter: LedgerFilter,
  batch = EXPORT_BATCH,
): AsyncGenerator<LedgerRow[]> {
  let after: string | undefined;
  for (;;) {
    const rows = await withUser(claims, (db) => listTransactions(db, { tenantId, filter, after, limit: batch }));
    if (rows.length > 0) yield rows;
    const last = rows[rows.length - 1];
    if (rows.length < batch || !last) return;
    after = cursorOf(last);
  }
}

function streamOf(chunks: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

export function ledgerCsvStream(batches: AsyncIterable<LedgerRow[]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  async function* chunks(): AsyncGenerator<Uint8Array> {
    // A byte-order mark so spreadsheet programs read the file as UTF-8.
    yield encoder.encode(`\uFEFF${csvLine(EXPORT_COLUMNS.map(([name]) => name))}`);
    for await (const rows of batches) {
      let text = "";
      for (const row of rows) text += csvLine(EXPORT_COLUMNS.map(([, get]) => get(row)));
      yield encoder.encode(text);
    }
  }
  return streamOf(chunks());
}

export function ledgerParquetStream(batches: AsyncIterable<LedgerRow[]>): ReadableStream<Uint8Array> {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const writer = new ParquetStreamWriter(EXPORT_COLUMNS.map(([name]) => name));
    for await (const rows of batches) {
      const columns = EXPORT_COLUMNS.map(([, get]) => rows.map(get));
      const bytes = await writer.writeRowGroup(columns);
      if (bytes.length > 0) yield bytes;
    }
    yield await writer.finish();
  }
  return streamOf(chunks());
}
