/** SWIFT MT940 statements without envelopes: :20: … :62F: and "-", balances consistent with the entries. */
import { dayOf, money, PAYEES, Random, SizedWriter, yymmdd, type GeneratedFile } from "./common";

const PER_STATEMENT = 500;

const swiftAmount = (cents: number) => money(Math.abs(cents), ",");
const mark = (cents: number) => (cents < 0 ? "D" : "C");

export function generateMt940(path: string, targetBytes: number, seed: number): GeneratedFile {
  const random = new Random(seed);
  const out = new SizedWriter(path, targetBytes);
  let records = 0;
  let statement = 0;
  let balance = 1_000_000;
  while (out.wantsMore) {
    statement++;
    const day = dayOf(statement);
    const date = yymmdd(day);
    out.write(`:20:STMT${String(statement).padStart(8, "0")}\r\n:25:NL91ABNA0417164300\r\n:28C:${statement % 99999}/1\r\n:60F:${mark(balance)}${date}EUR${swiftAmount(balance)}\r\n`);
    for (let i = 0; i < PER_STATEMENT; i++) {
      const amount = random.next() < 0.3 ? random.cents() : -random.cents(100_000);
      balance += amount;
      out.write(`:61:${date}${date.slice(2)}${mark(amount)}${swiftAmount(amount)}NTRFREF${random.digits(8)}//B${random.digits(10)}\r\n`);
      out.write(`:86:/TRTP/SEPA OVERBOEKING/NAME/${random.pick(PAYEES)}/REMI/Invoice ${random.digits(6)}\r\n`);
      records++;
    }
    out.write(`:62F:${mark(balance)}${date}EUR${swiftAmount(balance)}\r\n-\r\n`);
  }
  return { path, bytes: out.close(), records };
}
