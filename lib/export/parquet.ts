/**
 * Parquet written incrementally with hyparquet-writer (pure JS, no native code): one row group per
 * batch, the bytes handed out after each group so a large export never sits in memory whole.
 * Every column is an optional UTF-8 string: amounts stay the exact decimal strings of the ledger
 * (their scale varies per currency and source, so a fixed-scale DECIMAL would have to round).
 */
import { ByteWriter, ParquetWriter, type SchemaElement } from "hyparquet-writer";

export class ParquetStreamWriter {
  private readonly bytes = new ByteWriter();
  private readonly writer: ParquetWriter;

  constructor(private readonly names: readonly string[]) {
    const schema: SchemaElement[] = [
      { name: "root", num_children: names.length },
      ...names.map((name): SchemaElement => ({ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" })),
    ];
    this.writer = new ParquetWriter({ writer: this.bytes, schema, createdBy: "inflow" });
  }

  /** Writes one row group (columns in the constructor's order) and returns the bytes written so far. */
  async writeRowGroup(columns: readonly (readonly (string | null)[])[]): Promise<Uint8Array> {
    const rows = columns[0]?.length ?? 0;
    if (rows === 0) return this.drain();
    await this.writer.write({
      columnData: this.names.map((name, i) => ({ name, data: [...(columns[i] ?? [])] })),
      rowGroupSize: rows,
    });
    return this.drain();
  }

  /** Writes the footer and returns the last bytes. */
  async finish(): Promise<Uint8Array> {
    await this.writer.finish();
    return this.drain();
  }

  private drain(): Uint8Array {
    // ByteWriter keeps `offset` (the file position, used in the footer) apart from `index` (the buffer
    // position): taking the buffered bytes and rewinding `index` is what its own file writer does.
    const writer = this.bytes;
    const out = new Uint8Array(writer.buffer, 0, writer.index).slice();
    writer.index = 0;
    return out;
  }
}
