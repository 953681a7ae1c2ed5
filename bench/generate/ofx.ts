/** An OFX 1.02 (SGML) file: many bank statements (STMTTRNRS) of unclosed-leaf transactions. */
import { compactDay, dayOf, money, PAYEES, Random, SizedWriter, type GeneratedFile } from "./common";

const PER_STATEMENT = 5000;

export function generateOfx(path: string, targetBytes: number, seed: number): GeneratedFile {
  const random = new Random(seed);
  const out = new SizedWriter(path, targetBytes);
  out.write("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n");
  out.write("<OFX>\n<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20251031120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\n<BANKMSGSRSV1>\n");
  let records = 0;
  let statement = 0;
  while (out.wantsMore) {
    statement++;
    out.write(`<STMTTRNRS><TRNUID>${statement}<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>121000248<ACCTID>${1000 + statement}<ACCTTYPE>CHECKING</BANKACCTFROM>\n`);
    out.write(`<BANKTRANLIST><DTSTART>20250101<DTEND>20261231\n`);
    let balance = 0;
    for (let i = 0; i < PER_STATEMENT && out.wantsMore; i++) {
      const amount = random.next() < 0.3 ? random.cents() : -random.cents(100_000);
      balance += amount;
      const day = compactDay(dayOf(Math.floor(records / 50)));
      out.write(
        `<STMTTRN>\n<TRNTYPE>${amount < 0 ? "DEBIT" : "CREDIT"}\n<DTPOSTED>${day}120000.000[-5:EST]\n<TRNAMT>${money(amount)}\n<FITID>${statement}-${i}-${random.digits(6)}\n<NAME>${random.pick(PAYEES).replace("&", "&amp;")}\n<MEMO>Invoice ${random.digits(5)}\n</STMTTRN>\n`,
      );
      records++;
    }
    out.write(`</BANKTRANLIST>\n<LEDGERBAL><BALAMT>${money(balance)}<DTASOF>20251031</LEDGERBAL>\n</STMTRS></STMTTRNRS>\n`);
  }
  out.write("</BANKMSGSRSV1>\n</OFX>\n");
  return { path, bytes: out.close(), records };
}
