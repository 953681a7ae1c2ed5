/** A bank CSV export: Date, Description, Reference, Amount, Balance (ISO dates, dot decimals, some quoted fields). */
import { dayOf, isoDay, money, PAYEES, Random, SizedWriter, type GeneratedFile } from "./common";

export function generateCsv(path: string, targetBytes: number, seed: number): GeneratedFile {
  const random = new Random(seed);
  const out = new SizedWriter(path, targetBytes);
  out.write("Date,Description,Reference,Amount,Balance\n");
  let balance = 1_000_000;
  let records = 0;
  while (out.wantsMore) {
    const amount = random.next() < 0.3 ? random.cents() : -random.cents(100_000);
    balance += amount;
    const payee = random.pick(PAYEES);
    const description = random.next() < 0.2 ? `"${payee}, invoice ${random.digits(5)}"` : payee;
    out.write(`${isoDay(dayOf(Math.floor(records / 50)))},${description},REF${random.digits(8)},${money(amount)},${money(balance)}\n`);
    records++;
  }
  return { path, bytes: out.close(), records };
}
