import { describe, expect, it } from "vitest";
import { addDateEvidence, decideDateOrder, emptyDateEvidence, parseTableDate } from "./dates";

describe("parseTableDate", () => {
  it.each([
    ["2025-10-31", "DMY", "2025-10-31", undefined],
    ["2025-10-31 19:05:00", "DMY", "2025-10-31", "19:05:00"],
    ["2025-06-01T08:00:00.000Z", "MDY", "2025-06-01", "08:00:00.000Z"],
    ["2025/1/2", "MDY", "2025-01-02", undefined],
    ["01.10.2025", "DMY", "2025-10-01", undefined],
    ["10/01/2025", "MDY", "2025-10-01", undefined],
    ["10/01/2025", "DMY", "2025-01-10", undefined],
    ["01/10/2025 14:30:00", "DMY", "2025-10-01", "14:30:00"],
    ["1-2-25", "DMY", "2025-02-01", undefined],
    ["20251031", "DMY", "2025-10-31", undefined],
    ["01 Oct 2025", "MDY", "2025-10-01", undefined],
    ["1-Oct-25", "MDY", "2025-10-01", undefined],
    ["Oct 1, 2025", "DMY", "2025-10-01", undefined],
    ["3. Mär 2024", "MDY", "2024-03-03", undefined],
    ["29/02/2024", "DMY", "2024-02-29", undefined],
  ] as const)("%s (%s) → %s", (text, order, date, time) => {
    expect(parseTableDate(text, order)).toEqual(time ? { ok: true, date, time } : { ok: true, date });
  });

  it.each([
    ["13/10/2025", "MDY"],
    ["10/14/2025", "DMY"],
    ["29/02/2025", "DMY"],
    ["2025-02-30", "YMD"],
    ["31.04.2025", "DMY"],
    ["", "DMY"],
    ["yesterday", "DMY"],
    ["invalid_date", "YMD"],
    ["32 Oct 2025", "DMY"],
  ] as const)("%j (%s) is an error, never a guess", (text, order) => {
    expect(parseTableDate(text, order).ok).toBe(false);
  });
});

describe("decideDateOrder", () => {
  const decide = (values: string[]) => {
    const e = emptyDateEvidence();
    for (const v of values) addDateEvidence(e, v);
    return decideDateOrder(e);
  };
  it("uses any value that only fits one reading, wherever it is in the file", () => {
    expect(decide(["01/02/2025", "03/04/2025", "05/06/2025", "25/06/2025"])).toMatchObject({ order: "DMY", certainty: "evidence" });
    expect(decide(["01/02/2025", "03/04/2025", "12/31/2025"])).toMatchObject({ order: "MDY", certainty: "evidence" });
  });
  it("ISO dates are YMD", () => {
    expect(decide(["2025-01-02", "2025-12-31"])).toMatchObject({ order: "YMD", certainty: "evidence" });
  });
  it("contradicting values are ambiguous and resolved by the narrower span", () => {
    expect(decide(["10/01/2025", "10/02/2025", "13/10/2025", "10/14/2025"])).toMatchObject({ order: "MDY", certainty: "ambiguous" });
  });
  it("no value above 12 is ambiguous", () => {
    expect(decide(["01/02/2025", "01/03/2025"]).certainty).toBe("ambiguous");
  });
  it("no dates at all", () => {
    expect(decide([]).certainty).toBe("none");
  });
});

describe("parseTableDate on YYYY-MM-DD (the character-code fast path)", () => {
  it("accepts exactly the real calendar days, as the general path does", async () => {
    const fc = (await import("fast-check")).default;
    const { isoDateFromParts } = await import("../shared/dates");
    const part = (max: number, width: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, "0"));
    fc.assert(
      fc.property(part(9999, 4), part(19, 2), part(39, 2), (y, m, d) => {
        const text = `${y}-${m}-${d}`;
        const expected = isoDateFromParts(Number(y), Number(m), Number(d));
        const result = parseTableDate(text, "DMY");
        if (expected === null) expect(result.ok).toBe(false);
        else expect(result).toEqual({ ok: true, date: expected });
      }),
      { numRuns: 5000 },
    );
    expect(parseTableDate("2024-02-29", "YMD")).toEqual({ ok: true, date: "2024-02-29" });
    expect(parseTableDate("2100-02-29", "YMD").ok).toBe(false);
  });
});

describe("parseTableDate on YYYY-MM-DD HH:MM:SS (the character-code fast path with a time)", () => {
  it("gives what dateShape reads from the same text, for days real or not and times of any digits", async () => {
    const fc = (await import("fast-check")).default;
    const { dateShape } = await import("./dates");
    const part = (max: number, width: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, "0"));
    // Mostly the fast path's shape, with a separator or a digit sometimes swapped for another character.
    const separator = fc.constantFrom(" ", "T", "t", "\t", "/", ":", "-", "x");
    fc.assert(
      fc.property(part(9999, 4), part(19, 2), part(39, 2), fc.constantFrom(" ", "T", " ", "T", "  ", "_"), part(99, 2), part(99, 2), part(99, 2), separator, separator, (y, m, d, gap, hh, mm, ss, a, b) => {
        for (const text of [`${y}-${m}-${d}${gap}${hh}:${mm}:${ss}`, `${y}-${m}-${d}${gap}${hh}${a}${mm}${b}${ss}`]) {
          const shape = dateShape(text);
          const result = parseTableDate(text, "DMY");
          if (shape?.kind === "fixed" && shape.iso !== null) expect(result).toEqual(shape.time ? { ok: true, date: shape.iso, time: shape.time } : { ok: true, date: shape.iso });
          else expect(result.ok, text).toBe(false);
        }
      }),
      { numRuns: 5000 },
    );
    expect(parseTableDate("2026-12-31 22:57:37", "DMY")).toEqual({ ok: true, date: "2026-12-31", time: "22:57:37" });
    expect(parseTableDate("2026-02-29 10:00:00", "DMY").ok).toBe(false);
  });
});
