/**
 * A Safaricom M-Pesa full statement CSV (the shape of ../shared/samples/mpesa): a preamble, then rows
 * newest first with Receipt No., Completion Time (YYYY-MM-DD HH:MM:SS), Details, Transaction Status,
 * Paid In, Withdrawn (negative) and Balance, amounts with thousands separators and quoted when they
 * carry a comma. Pay bill, withdrawal and transfer rows are followed by their charge row (same receipt).
 * Balances are consistent (each row's balance is the older row's plus its amount), so the parser's
 * running-balance check finds nothing; every row is a transaction.
 */
import { pad, Random, SizedWriter, type GeneratedFile } from "./common";

const AGENTS = ["MAMA NJERI SHOP", "QUICKMART AGENT", "KAMAU STORES", "UMOJA MPESA POINT"];
const MERCHANTS = ["NAIVAS SUPERMARKET", "JAVA HOUSE", "CARREFOUR TRM", "TOTAL ENERGIES KAREN", "CHANDARANA"];
const PEOPLE = ["JOHN KAMAU", "ALI HASSAN", "MARY ATIENO", "PETER OTIENO", "GRACE WANJIRU", "FAITH CHEBET"];
const RECEIPT_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

/** Whole shillings (the statement writes .00) → "1,514.00"; quoted when it holds a comma. */
function shillings(amount: number): string {
  const text = `${Math.abs(amount).toLocaleString("en-US")}.00`;
  const signed = amount < 0 ? `-${text}` : text;
  return signed.includes(",") ? `"${signed}"` : signed;
}

function receipt(random: Random): string {
  let out = "T";
  for (let i = 0; i < 9; i++) out += RECEIPT_CHARS[random.int(0, RECEIPT_CHARS.length - 1)];
  return out;
}

export function generateMpesa(path: string, targetBytes: number, seed: number): GeneratedFile {
  const random = new Random(seed);
  const out = new SizedWriter(path, targetBytes);
  out.write(
    "M-PESA FULL STATEMENT\nCustomer Name:,JANE WANJIKU MWANGI\nMobile Number:,0722000111\nStatement Period:,01 Jan 2025 - 31 Dec 2026\nRequest Date:,01 Jan 2027\n\n" +
      "Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn,Balance\n",
  );
  // Newest first: start at the end of the period and walk back in time; `balance` is the balance after
  // the row being written, and the next (older) row's balance is this one minus this row's amount.
  let time = Date.UTC(2026, 11, 31, 23, 0, 0);
  let balance = 250_000;
  let records = 0;
  const row = (id: string, when: string, details: string, amount: number) => {
    out.write(`${id},${when},${details},Completed,${amount > 0 ? shillings(amount) : ""},${amount < 0 ? shillings(amount) : ""},${shillings(balance)}\n`);
    balance -= amount;
    records++;
  };
  while (out.wantsMore) {
    time -= random.int(60, 2 * 3600) * 1000;
    // Two years of rows, again and again for big files (dates stay plausible; order is only read from the first rows).
    if (time < Date.UTC(2025, 0, 1)) time = Date.UTC(2026, 11, 31, 23, 0, 0);
    const d = new Date(time);
    const when = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    const id = receipt(random);
    // Walking back, money out raises the older balance and money in lowers it: keep it in a sane range.
    const moneyIn = balance > 400_000 || (balance > 20_000 && random.next() < 0.3);
    if (moneyIn) {
      const kind = random.int(0, 3);
      const amount = random.int(100, 20_000);
      if (kind === 0) row(id, when, `Deposit of Funds at Agent Till ${random.int(10000, 99999)} - ${random.pick(AGENTS)}`, amount);
      else if (kind === 1) row(id, when, `Funds received from 07${random.int(10, 29)}***${random.digits(3)} - ${random.pick(PEOPLE)}`, amount);
      else if (kind === 2) row(id, when, `Business Payment from 600100 - ACME LTD via API. Original conversation ID is AG_${random.digits(7)}`, amount);
      else row(id, when, "M-Shwari Withdraw", amount);
      continue;
    }
    const kind = random.int(0, 4);
    const amount = -random.int(20, 9_000);
    if (kind === 0) {
      row(id, when, `Pay Bill Online to 888880 - KPLC PREPAID Acc. ${random.digits(7)}`, amount);
      row(id, when, "Pay Bill Charge", -23);
    } else if (kind === 1) {
      row(id, when, `Customer Withdrawal At Agent Till ${random.int(10000, 99999)} - ${random.pick(AGENTS)}`, amount);
      row(id, when, "Withdrawal Charge", -29);
    } else if (kind === 2) {
      row(id, when, `Customer Transfer to 07${random.int(10, 29)}***${random.digits(3)} - ${random.pick(PEOPLE)}`, amount);
      row(id, when, "Customer Transfer of Funds Charge", -13);
    } else if (kind === 3) row(id, when, `Merchant Payment Online to ${random.int(5_100_000, 5_199_999)} - ${random.pick(MERCHANTS)}`, amount);
    else row(id, when, "Airtime Purchase", -random.int(10, 500));
  }
  return { path, bytes: out.close(), records };
}
