import { describe, expect, it } from "vitest";
import { camtFormat } from "./index";
import { bytes, parsed, rejected, run, sample } from "./test-support";
import { MAX_DEPTH } from "./xml";

const valid = sample("camt053", "genkgo-camt__camt053.v2.minimal.xml");
const validText = new TextDecoder().decode(valid);

describe("safe XML", () => {
  it.each([
    ["internal entity bomb", '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n<!ENTITY lol2 "&lol;&lol;&lol;&lol;">\n]>\n<Document>&lol2;</Document>', 2],
    ["external entity", '<?xml version="1.0"?>\n\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Document>&xxe;</Document>', 3],
    ["lower-case doctype", "<?xml version='1.0'?><!doctype x><Document/>", 1],
    ["bare entity declaration", "<Document>\n<!ENTITY x 'y'></Document>", 2],
  ])("%s → xml_doctype_forbidden with its line", async (_name, xml, line) => {
    const error = await rejected(camtFormat, bytes(xml));
    expect([error.code, error.line]).toEqual(["xml_doctype_forbidden", line]);
  });

  it("a DOCTYPE split across chunks of any size is still refused", async () => {
    const input = bytes('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "b">]>\n<Document/>');
    for (const size of [1, 2, 3, 5, 8, 9, 10, 13]) {
      const outcome = await run(camtFormat, input, size);
      expect(outcome.ok ? "parsed" : `${outcome.error.code}@${outcome.error.line}`).toBe("xml_doctype_forbidden@2");
    }
  });

  it(`nesting deeper than ${MAX_DEPTH} elements is refused at the offending line`, async () => {
    const deep = "<Document>\n" + "<a>\n".repeat(MAX_DEPTH) + "</a>".repeat(MAX_DEPTH) + "</Document>";
    const error = await rejected(camtFormat, bytes(deep));
    expect([error.code, error.line]).toEqual(["xml_too_deep", MAX_DEPTH + 1]);
    const inside = validText.replace("<AddtlStmtInf>", "<Nest>".repeat(40) + "</Nest>".repeat(40) + "<AddtlStmtInf>");
    await expect(parsed(camtFormat, bytes(inside))).resolves.toBeDefined();
  });

  it("past 10,000 distinct element paths the parser still reads every field (paths beyond the bound are not kept)", async () => {
    const distinct = Array.from({ length: 10_050 }, (_, i) => `<X${i}>v</X${i}>`).join("");
    const xml = validText.replace("<Bal>", `<Extra>${distinct}</Extra><Bal>`).replace("<Sts>BOOK</Sts>", `<Sts>BOOK</Sts><Extra>${distinct.slice(0, distinct.indexOf("<X100>"))}</Extra>`);
    const plain = await parsed(camtFormat, valid);
    const crowded = await parsed(camtFormat, bytes(xml));
    expect(crowded.statements.map((s) => s.transactions.map(({ raw: _raw, ...t }) => t))).toEqual(plain.statements.map((s) => s.transactions.map(({ raw: _raw, ...t }) => t)));
    expect(crowded.statements[0]!.account).toEqual(plain.statements[0]!.account);
    expect(crowded.statements[0]!.balances).toEqual(plain.statements[0]!.balances);
  });

  it("a text run over a megabyte is refused rather than buffered", async () => {
    const error = await rejected(camtFormat, bytes(validText.replace("Additional Information", "x".repeat(1_100_000))));
    expect(error.code).toBe("xml_text_too_long");
  });

  it.each([
    ["truncated", validText.slice(0, validText.indexOf("<Ntry>") + 30), "xml_truncated", 91],
    ["mismatched tag", validText.replace("</MsgId>", "</MsgID>"), "xml_malformed", 5],
    ["undefined entity", validText.replace("COMPANY BVBA", "&nbsp;"), "xml_malformed", 8],
    ["empty", "", "xml_malformed", 1],
    ["MT940 text", ":20:X\n:25:1\n", "xml_malformed", 1],
  ])("%s → %s", async (_name, xml, code, line) => {
    const error = await rejected(camtFormat, bytes(xml));
    expect([error.code, error.line]).toEqual([code, line]);
  });

  it("escaped entities and CDATA are read as text", async () => {
    const xml = validText.replace("<Sts>BOOK</Sts>", "<Sts>BOOK</Sts><AcctSvcrRef>A&amp;B<![CDATA[<1>]]></AcctSvcrRef>");
    const { statements } = await parsed(camtFormat, bytes(xml));
    expect(statements[0]!.transactions[0]!.externalId).toBe("A&B<1>");
  });

  it("reads UTF-16 with BOM and Latin-1 declared files", async () => {
    const withName = validText.replace("NAME NAME", "Jos\u00e9 M\u00fcller");
    const utf16 = new Uint8Array([0xff, 0xfe, ...new Uint8Array(Buffer.from(withName, "utf16le"))]);
    const a = await parsed(camtFormat, utf16);
    expect(a.meta?.encoding).toBe("utf-16le");
    expect(a.statements[0]!.transactions[0]!.counterpartyName).toBe("Jos\u00e9 M\u00fcller");
    const latin = Uint8Array.from([...withName.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')].map((c) => c.charCodeAt(0)));
    const b = await parsed(camtFormat, latin);
    expect(b.meta?.encoding).toBe("windows-1252");
    expect(b.statements[0]!.transactions[0]!.counterpartyName).toBe("Jos\u00e9 M\u00fcller");
  });
});
