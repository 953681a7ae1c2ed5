/** camt.053.001.02 statements with opening/closing balances consistent with their entries. */
import { dayOf, isoDay, money, PAYEES, Random, SizedWriter, type GeneratedFile } from "./common";

const PER_STATEMENT = 500;

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function balanceXml(code: string, cents: number, date: string): string {
  return `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${money(Math.abs(cents))}</Amt><CdtDbtInd>${cents < 0 ? "DBIT" : "CRDT"}</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>\n`;
}

export function generateCamt053(path: string, targetBytes: number, seed: number): GeneratedFile {
  const random = new Random(seed);
  const out = new SizedWriter(path, targetBytes);
  out.write(`<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n<BkToCstmrStmt>\n`);
  out.write(`<GrpHdr><MsgId>BENCH-${seed}</MsgId><CreDtTm>2025-10-31T12:00:00</CreDtTm></GrpHdr>\n`);
  let records = 0;
  let statement = 0;
  let balance = 1_000_000;
  while (out.wantsMore) {
    statement++;
    const date = isoDay(dayOf(statement));
    const entries: string[] = [];
    const opening = balance;
    for (let i = 0; i < PER_STATEMENT; i++) {
      const amount = random.next() < 0.3 ? random.cents() : -random.cents(100_000);
      balance += amount;
      const ref = random.digits(10);
      entries.push(
        `<Ntry><Amt Ccy="EUR">${money(Math.abs(amount))}</Amt><CdtDbtInd>${amount < 0 ? "DBIT" : "CRDT"}</CdtDbtInd><Sts>BOOK</Sts>` +
          `<BookgDt><Dt>${date}</Dt></BookgDt><ValDt><Dt>${date}</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef>` +
          `<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>` +
          `<NtryDtls><TxDtls><Refs><EndToEndId>E2E${ref}</EndToEndId></Refs><RltdPties><${amount < 0 ? "Cdtr" : "Dbtr"}><Nm>${escapeXml(random.pick(PAYEES))}</Nm></${amount < 0 ? "Cdtr" : "Dbtr"}></RltdPties>` +
          `<RmtInf><Ustrd>Invoice ${random.digits(6)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n`,
      );
      records++;
    }
    out.write(`<Stmt><Id>STMT-${statement}</Id><ElctrncSeqNb>${statement}</ElctrncSeqNb><CreDtTm>${date}T23:59:00</CreDtTm>`);
    out.write(`<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>\n`);
    out.write(balanceXml("OPBD", opening, date) + balanceXml("CLBD", balance, date));
    for (const entry of entries) out.write(entry);
    out.write(`</Stmt>\n`);
  }
  out.write(`</BkToCstmrStmt>\n</Document>\n`);
  return { path, bytes: out.close(), records };
}
