import fc from "fast-check";
import { describe, expect, it } from "vitest";
import "../../test/helpers/fastCheckSeed.ts";
import { foldTerm, foldText, SNIPPET_LENGTH, snippet, wordStart } from "./snippet.ts";

describe("foldTerm", () => {
  it("lowers case and drops accents, so people can type without fadas", () => {
    expect(foldTerm("Fáilte")).toBe("failte");
    expect(foldTerm("CAFÉ")).toBe("cafe");
    expect(foldTerm("Ta\u0301")).toBe("ta");
    expect(foldTerm("\u0301")).toBeNull();
    expect(foldTerm("")).toBeNull();
  });
});

describe("foldText", () => {
  it("keeps the length, so positions in it are positions in the text", () => {
    expect(foldText("Bríd AND Zoë")).toBe("brid and zoe");
    // A letter typed as two code points would shorten the folded text: lower case only then.
    expect(foldText("Ta\u0301 Mé")).toBe("ta\u0301 mé");
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        expect(foldText(text)).toHaveLength(text.length);
      }),
    );
  });
});

describe("wordStart", () => {
  it("finds a term only where a word starts", () => {
    expect(wordStart("kindergarden garden", "garden")).toBe(13);
    expect(wordStart("garden", "garden")).toBe(0);
    expect(wordStart("(garden)", "gard")).toBe(1);
    expect(wordStart("kindergarden", "garden")).toBe(-1);
    expect(wordStart("anything", "")).toBe(-1);
  });
});

describe("snippet", () => {
  const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
  const text = words.join(" ");

  it("is the start of a short text, whole, on one line", () => {
    expect(snippet("We met\n\nby the   well", ["well"])).toBe("We met by the well");
  });

  it("shows the first match with some of what comes before it, cut between words", () => {
    const out = snippet(text, ["w100"]);
    expect(out.startsWith("…w")).toBe(true);
    expect(out.endsWith("…")).toBe(true);
    expect(out).toContain("w100");
    expect(out.indexOf("w100")).toBeGreaterThan(20);
    expect(out.length).toBeLessThanOrEqual(SNIPPET_LENGTH + 2);
    // No word is cut in half at either end.
    for (const part of out.replace(/…/g, "").split(" ")) expect(words).toContain(part);
  });

  it("takes the earliest of several terms, accents and case aside", () => {
    const out = snippet(`${text} Fáilte ${text} garden`, ["garden", "failte"]);
    expect(out).toContain("Fáilte");
    expect(out).not.toContain("garden");
  });

  it("ends at the end of the text when the match is near it", () => {
    const out = snippet(`${text} harbour`, ["harbour"]);
    expect(out.endsWith("harbour")).toBe(true);
    expect(out.startsWith("…")).toBe(true);
  });

  it("starts at the beginning when no term is in the text (the match was in the title)", () => {
    expect(snippet(text, ["nowhere"]).startsWith("w0 w1")).toBe(true);
  });

  it("always holds a matched term that is in the text, and stays short", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("tide", "harbour", "nets", "a", "mended", "dawn", "\n"), {
          maxLength: 300,
        }),
        fc.constantFrom("harbour", "mended", "dawn"),
        (parts, term) => {
          const body = parts.join(" ");
          const out = snippet(body, [term]);
          expect(out.length).toBeLessThanOrEqual(SNIPPET_LENGTH + 2);
          if (wordStart(body, term) !== -1) expect(out).toContain(term);
        },
      ),
    );
  });
});
