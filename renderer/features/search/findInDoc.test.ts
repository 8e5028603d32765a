import { describe, expect, it } from "vitest";
import { storySchema } from "../../../shared/richtext/schema.ts";
import { findInDoc, focusTerms } from "./findInDoc.ts";

const s = storySchema;
const p = (...content: Parameters<typeof s.text>[0][]) =>
  s.node(
    "paragraph",
    null,
    content.map((text) => s.text(text)),
  );

describe("findInDoc", () => {
  it("finds the first occurrence of any term, in document order", () => {
    const doc = s.node("doc", null, [
      s.node("heading", { level: 1 }, [s.text("Day one")]),
      p("We planted the Seedlings together."),
      p("seed swap later"),
    ]);
    const range = findInDoc(doc, ["seed", "swap"]);
    expect(range).not.toBeNull();
    expect(doc.textBetween(range!.from, range!.to)).toBe("Seed");
  });

  it("finds a word split across marks, and accented words by their plain spelling", () => {
    const strong = s.marks.strong!.create();
    const doc = s.node("doc", null, [
      s.node("paragraph", null, [s.text("An cé"), s.text("ad lá", [strong])]),
    ]);
    const range = findInDoc(doc, ["cead"]);
    expect(doc.textBetween(range!.from, range!.to)).toBe("céad");
  });

  it("looks inside lists and quotes, and never joins words across a line break", () => {
    const doc = s.node("doc", null, [
      s.node("blockquote", null, [
        s.node("paragraph", null, [s.text("tea"), s.node("hard_break"), s.text("pot")]),
      ]),
      s.node("bullet_list", null, [s.node("list_item", null, [p("a teapot here")])]),
    ]);
    const range = findInDoc(doc, ["teapot"]);
    expect(doc.textBetween(range!.from, range!.to)).toBe("teapot");
    expect(range!.from).toBeGreaterThan(doc.child(0).nodeSize);
  });

  it("gives null when nothing matches or nothing is asked", () => {
    const doc = s.node("doc", null, [p("nothing here")]);
    expect(findInDoc(doc, ["zebra"])).toBeNull();
    expect(findInDoc(doc, [])).toBeNull();
  });
});

describe("focusTerms", () => {
  it("splits the route's focus into words", () => {
    expect(focusTerms("seed  swap")).toEqual(["seed", "swap"]);
    expect(focusTerms(null)).toEqual([]);
    expect(focusTerms("")).toEqual([]);
  });
});
