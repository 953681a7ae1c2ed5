import { describe, expect, it } from "vitest";
import { csvLine, neutraliseCell } from "./csv";

describe("CSV cells", () => {
  it.each([
    ["=1+1", "'=1+1"],
    ["+44 20", "'+44 20"],
    ["-cmd", "'-cmd"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", "'\rx"],
    ["-120000", "-120000"],
    ["-20.50", "-20.50"],
    ["plain", "plain"],
    ["", ""],
  ])("neutralises %j as %j", (input, output) => {
    expect(neutraliseCell(input)).toBe(output);
  });

  it("quotes commas, quotes and line breaks", () => {
    expect(csvLine(["a,b", 'say "hi"', "two\nlines", null, "-5"])).toBe('"a,b","say ""hi""","two\nlines",,-5\r\n');
  });
});
