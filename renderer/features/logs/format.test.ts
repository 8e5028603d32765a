// @vitest-environment jsdom
// Days as people read them: the day written is the day shown, in any time zone.
import { describe, expect, it } from "vitest";
import { firstLine, formatDay, formatDayLong, formatMonth, today } from "./format.ts";

describe("log dates", () => {
  it("reads today off this laptop's calendar", () => {
    expect(today(new Date(2025, 0, 5, 23, 59))).toBe("2025-01-05");
    expect(today(new Date(2025, 11, 31, 0, 1))).toBe("2025-12-31");
  });

  it("shows the day written, whatever the time zone", () => {
    document.documentElement.lang = "en-IE";
    expect(formatDay("2025-03-01")).toContain("1");
    expect(formatDay("2025-03-01")).toMatch(/Sat/);
    expect(formatDayLong("2024-12-31")).toMatch(/Tuesday.*31.*December.*2024/);
    expect(formatMonth("2025-05")).toBe("May 2025");
  });

  it("takes the first line with words in it", () => {
    expect(firstLine("\n  \n  We met at the hall \nand more")).toBe("We met at the hall");
    expect(firstLine("")).toBe("");
    expect(firstLine(" \n\t")).toBe("");
  });
});
