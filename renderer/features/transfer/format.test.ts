import { describe, expect, it } from "vitest";
import {
  defaultPath,
  fileStem,
  formatWhen,
  isoDay,
  parsePaths,
  percent,
  withExtension,
} from "./format.ts";

describe("fileStem and defaultPath", () => {
  it("keeps a plain title and puts it in the home folder", () => {
    expect(defaultPath("Voices of the bog", "epub", "collection")).toBe("~/Voices of the bog.epub");
  });
  it("drops separators and characters file systems refuse", () => {
    expect(fileStem('Day 2: what/why? "us" <3 | a\\b', "x")).toBe("Day 2 what why us 3 a b");
    expect(fileStem("line\nbreak\ttab", "x")).toBe("line break tab");
  });
  it("never starts with a dot, never is empty, never is very long", () => {
    expect(fileStem("..hidden", "x")).toBe("hidden");
    expect(fileStem(" / ", "collection")).toBe("collection");
    expect(fileStem("a".repeat(200), "x")).toHaveLength(80);
  });
});

describe("withExtension", () => {
  it("swaps one of our extensions for another", () => {
    expect(withExtension("~/Book.zip", "epub")).toBe("~/Book.epub");
    expect(withExtension("/media/usb/Book.HTML", "pdf")).toBe("/media/usb/Book.pdf");
  });
  it("leaves a path with another extension alone", () => {
    expect(withExtension("~/Book.txt", "epub")).toBe("~/Book.txt");
    expect(withExtension("~/Book", "epub")).toBe("~/Book");
  });
});

describe("parsePaths", () => {
  it("reads one path a line, trimmed, each once, no blanks", () => {
    expect(parsePaths("  ~/a.md\n\r\n~/notes/\r\n~/a.md\n   \n/x/y.zip ")).toEqual([
      "~/a.md",
      "~/notes/",
      "/x/y.zip",
    ]);
    expect(parsePaths("")).toEqual([]);
  });
});

describe("percent", () => {
  it("is a whole percentage, clamped, and null while the total is unknown", () => {
    expect(percent({ done: 1, total: 3 })).toBe(33);
    expect(percent({ done: 5, total: 4 })).toBe(100);
    expect(percent({ done: -1, total: 4 })).toBe(0);
    expect(percent({ done: 0, total: 0 })).toBeNull();
    expect(percent(null)).toBeNull();
  });
});

describe("isoDay", () => {
  it("is the local day", () => {
    expect(isoDay(new Date(2025, 2, 4, 23, 59))).toBe("2025-03-04");
  });
});

describe("formatWhen", () => {
  it("gives the day and the time, and nothing for an unreadable time", () => {
    expect(formatWhen("2026-03-03T10:42:00Z", "en-IE")).toMatch(/2026/);
    expect(formatWhen("not a time")).toBe("");
  });
});
