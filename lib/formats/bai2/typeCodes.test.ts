import { describe, expect, it } from "vitest";
import { balanceTypeFor } from "./balanceCodes";
import { classifyTypeCode, listedTypeCodes, type TypeCodeInfo } from "./typeCodes";

type Expected = Pick<TypeCodeInfo, "category" | "level" | "direction" | "listed">;

const CLASSES: [string, string, Expected][] = [
  ["account status (opening ledger)", "010", { category: "account_status", level: "status", direction: "none", listed: true }],
  ["account status (closing available)", "045", { category: "account_status", level: "status", direction: "none", listed: true }],
  ["account status (one-day float)", "072", { category: "account_status", level: "status", direction: "none", listed: true }],
  ["account status, unlisted in range", "001", { category: "account_status", level: "status", direction: "none", listed: false }],
  ["account status, unlisted in range", "099", { category: "account_status", level: "status", direction: "none", listed: false }],
  ["total credits summary", "100", { category: "credit", level: "summary", direction: "credit", listed: true }],
  ["credit summary", "190", { category: "credit", level: "summary", direction: "credit", listed: true }],
  ["credit detail", "108", { category: "credit", level: "detail", direction: "credit", listed: true }],
  ["credit detail (real-time payment)", "158", { category: "credit", level: "detail", direction: "credit", listed: true }],
  ["debit summary (real-time payments)", "459", { category: "debit", level: "summary", direction: "debit", listed: true }],
  ["credit detail (incoming money transfer)", "195", { category: "credit", level: "detail", direction: "credit", listed: true }],
  ["credit detail (last of range)", "399", { category: "credit", level: "detail", direction: "credit", listed: true }],
  ["credit, unlisted in range", "102", { category: "credit", level: "unspecified", direction: "credit", listed: false }],
  ["total debits summary", "400", { category: "debit", level: "summary", direction: "debit", listed: true }],
  ["debit summary", "490", { category: "debit", level: "summary", direction: "debit", listed: true }],
  ["debit detail", "409", { category: "debit", level: "detail", direction: "debit", listed: true }],
  ["debit detail (ACH debit received)", "451", { category: "debit", level: "detail", direction: "debit", listed: true }],
  ["debit detail (last of range)", "699", { category: "debit", level: "detail", direction: "debit", listed: true }],
  ["debit, unlisted in range", "402", { category: "debit", level: "unspecified", direction: "debit", listed: false }],
  ["loan status", "701", { category: "loan", level: "status", direction: "none", listed: true }],
  ["loan credit summary", "720", { category: "loan", level: "summary", direction: "credit", listed: true }],
  ["loan credit detail", "721", { category: "loan", level: "detail", direction: "credit", listed: true }],
  ["loan debit", "760", { category: "loan", level: "summary", direction: "debit", listed: true }],
  ["loan, unlisted in range", "750", { category: "loan", level: "unspecified", direction: "unknown", listed: false }],
  ["non-monetary information", "890", { category: "non_monetary", level: "detail", direction: "none", listed: true }],
  ["unassigned 8xx", "800", { category: "unassigned", level: "unspecified", direction: "unknown", listed: false }],
  ["customized credit (first)", "900", { category: "customized_credit", level: "unspecified", direction: "credit", listed: false }],
  ["customized credit (last)", "919", { category: "customized_credit", level: "unspecified", direction: "credit", listed: false }],
  ["customized debit (first)", "920", { category: "customized_debit", level: "unspecified", direction: "debit", listed: false }],
  ["customized debit (last)", "999", { category: "customized_debit", level: "unspecified", direction: "debit", listed: false }],
];

describe("classifyTypeCode", () => {
  it.each(CLASSES)("%s: %s", (_name, code, expected) => {
    expect(classifyTypeCode(code)).toEqual({ code, ...expected });
  });

  it.each(["", "0", "10", "1000", "abc", "1O0", "000", " 10"])("rejects %j", (code) => {
    expect(classifyTypeCode(code)).toBeNull();
  });

  it("classifies every code from 001 to 999 without gaps, and the range decides the direction", () => {
    for (let n = 1; n <= 999; n++) {
      const code = String(n).padStart(3, "0");
      const info = classifyTypeCode(code);
      expect(info, code).not.toBeNull();
      if (n <= 99) expect(info?.direction, code).toBe("none");
      else if (n <= 399) expect(info?.direction, code).toBe("credit");
      else if (n <= 699) expect(info?.direction, code).toBe("debit");
      else if (n >= 900 && n <= 919) expect(info?.direction, code).toBe("credit");
      else if (n >= 920) expect(info?.direction, code).toBe("debit");
    }
  });

  it("lists each specification code once, inside the range its class belongs to", () => {
    const listed = listedTypeCodes();
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.length).toBeGreaterThan(350);
    for (const code of listed) expect(classifyTypeCode(code)?.listed, code).toBe(true);
  });
});

describe("balanceTypeFor", () => {
  it.each([
    ["010", "opening"],
    ["015", "closing"],
    ["030", "interim"],
    ["040", "opening_available"],
    ["045", "closing_available"],
    ["060", "interim_available"],
    ["072", "information"],
    ["074", "information"],
    ["050", "information"],
    ["701", "information"],
  ])("%s → %s", (code, type) => {
    expect(balanceTypeFor(code)).toBe(type);
  });
});
