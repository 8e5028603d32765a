import { describe, expect, it } from "vitest";
import { findTerms, highlightParts } from "./highlight.ts";

const marked = (text: string, terms: string[]) =>
  highlightParts(text, terms)
    .map((p) => (p.hit ? `[${p.text}]` : p.text))
    .join("");

describe("highlightParts", () => {
  it("marks every occurrence of each term, ignoring case", () => {
    expect(marked("Seeds and seedlings: SEED swaps", ["seed"])).toBe(
      "[Seed]s and [seed]lings: [SEED] swaps",
    );
  });

  it("marks accented words found by unaccented terms, and the reverse", () => {
    expect(marked("An céad lá, Dé Luain", ["cead", "de"])).toBe("An [céad] lá, [Dé] Luain");
    expect(marked("cafe", ["café"])).toBe("[cafe]");
    // Decomposed accents (e + combining acute) stay whole inside the mark.
    expect(marked("cafe\u0301 au lait", ["cafe"])).toBe("[cafe\u0301] au lait");
  });

  it("prefers the longest term where two start at the same place, without overlaps", () => {
    expect(marked("gardening gardens", ["garden", "gardening"])).toBe("[gardening] [garden]s");
    expect(findTerms("aaaa", ["aa"])).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
    ]);
  });

  it("keeps the text whole: the parts join back to it", () => {
    const text = "Ünïcödé — “quotes” and emoji 🌱 seed";
    const parts = highlightParts(text, ["seed", "quotes", "🌱"]);
    expect(parts.map((p) => p.text).join("")).toBe(text);
    expect(parts.filter((p) => p.hit).map((p) => p.text)).toEqual(["quotes", "🌱", "seed"]);
  });

  it("marks nothing for no terms, blank terms or no match", () => {
    expect(highlightParts("plain text", [])).toEqual([{ text: "plain text", hit: false }]);
    expect(highlightParts("plain text", ["  ", ""])).toEqual([{ text: "plain text", hit: false }]);
    expect(highlightParts("plain text", ["zebra"])).toEqual([{ text: "plain text", hit: false }]);
    expect(highlightParts("", ["x"])).toEqual([]);
  });
});
