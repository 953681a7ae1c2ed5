/** BAI2 files: one group of many accounts, each with its details and correct 49/98/99 counts and control totals. */
import { dayOf, Random, SizedWriter, yymmdd, type GeneratedFile } from "./common";

const PER_ACCOUNT = 1000;
const CREDIT_CODES = ["165", "195", "175", "301"];
const DEBIT_CODES = ["475", "495", "455", "699"];

export function generateBai2(path: string, targetBytes: number, seed: number): GeneratedFile {
  const random = new Random(seed);
  const out = new SizedWriter(path, targetBytes);
  const date = yymmdd(dayOf(303));
  out.write(`01,BENCHBANK,CUSTOMER,${date},1200,1,80,,2/\n`);
  out.write(`02,CUSTOMER,BENCHBANK,1,${date},2400,USD,2/\n`);
  let groupTotal = 0n;
  let groupRecords = 2; // 02 and 98
  let accounts = 0;
  let records = 0;
  while (out.wantsMore) {
    accounts++;
    const opening = BigInt(random.cents(10_000_000));
    const closing = BigInt(random.cents(10_000_000));
    out.write(`03,${100000000 + accounts},USD,010,${opening},,,015,${closing},,/\n`);
    let accountTotal = opening + closing;
    let accountRecords = 2; // 03 and 49
    for (let i = 0; i < PER_ACCOUNT; i++) {
      const credit = random.next() < 0.3;
      const amount = BigInt(random.cents(credit ? 500_000 : 100_000));
      const code = random.pick(credit ? CREDIT_CODES : DEBIT_CODES);
      out.write(`16,${code},${amount},Z,B${random.digits(9)},C${random.digits(7)},PAYMENT INVOICE ${random.digits(6)}/\n`);
      accountTotal += amount;
      accountRecords++;
      if (i % 10 === 0) {
        out.write(`88,ADDITIONAL TEXT FOR ${random.digits(8)}, WITH A COMMA/\n`);
        accountRecords++;
      }
      records++;
    }
    out.write(`49,${accountTotal},${accountRecords}/\n`);
    groupTotal += accountTotal;
    groupRecords += accountRecords;
  }
  out.write(`98,${groupTotal},${accounts},${groupRecords}/\n`);
  out.write(`99,${groupTotal},1,${groupRecords + 2}/\n`);
  return { path, bytes: out.close(), records };
}
