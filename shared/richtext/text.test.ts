import * as A from "@automerge/automerge";
import { pmDocFromSpans } from "@automerge/prosemirror";
import { describe, expect, it } from "vitest";
import { encodeBody } from "./body.ts";
import { storySchemaAdapter as adapter } from "./schema.ts";
import { blocksToSpans, spansToPlainText, wordCount, type BodyBlock } from "./text.ts";

const bodyOf = (spans: A.Span[]) =>
  A.spans(
    A.change(A.from({ body: "" }), (d) =>
      A.updateSpans(d, ["body"], spans, adapter.updateSpansConfig()),
    ),
    ["body"],
  );

describe("wordCount", () => {
  it.each([
    ["", 0],
    ["   \n\t ", 0],
    ["— … ! ?", 0],
    ["one", 1],
    ["Tá mé ag obair", 4],
    ["Dia duit, a chara. Conas atá tú?", 7],
    // Fadas typed as a letter and a combining acute accent are still one word.
    ["Ta\u0301 se\u0301 go maith", 4],
    ["ár n-athair, an t-uisce, na hÉireann", 6],
    ["don't stop, mother-in-law’s garden", 4],
    ["2024 was 1st", 3],
    ["naïve café Zoë", 3],
    ["🌱 growth", 1],
    ["東京 Tower", 3],
  ])("%j has %i words", (text, words) => {
    expect(wordCount(text)).toBe(words);
  });

  it("counts a 20,000-word story quickly", () => {
    const text = Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? "fáilte" : "word")).join(
      " ",
    );
    const started = performance.now();
    expect(wordCount(text)).toBe(20_000);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe("spansToPlainText", () => {
  it("puts each block on its own line and a line break where it was typed", () => {
    const spans = bodyOf([
      ...blocksToSpans([
        { type: "heading", level: 1, text: "Title" },
        { type: "paragraph", text: "First" },
      ]),
      {
        type: "block",
        value: { type: new A.ImmutableString("hard-break"), parents: [], attrs: {}, isEmbed: true },
      },
      { type: "text", value: "line" },
      ...blocksToSpans([{ type: "bullet", text: "item" }]),
    ]);
    expect(spansToPlainText(spans)).toBe("Title\nFirst\nline\nitem");
  });

  it("keeps text before the first block, and ignores embeds it does not know", () => {
    const spans = bodyOf([
      { type: "text", value: "loose" },
      {
        type: "block",
        value: { type: new A.ImmutableString("image"), parents: [], attrs: {}, isEmbed: true },
      },
      ...blocksToSpans([{ type: "paragraph", text: "next" }]),
    ]);
    expect(spansToPlainText(spans)).toBe("loose\nnext");
  });

  it("is empty for an empty body", () => {
    expect(spansToPlainText([])).toBe("");
  });
});

describe("blocksToSpans", () => {
  const blocks: BodyBlock[] = [
    { type: "heading", level: 2, text: "The activity" },
    { type: "paragraph", text: "What did you do?", marks: { em: true } },
    { type: "quote", text: "A quote" },
    { type: "bullet", text: "one" },
    { type: "bullet", text: "two" },
    { type: "ordered", text: "first" },
    { type: "paragraph", text: "" },
  ];

  it("reads back as the blocks it was made from", () => {
    const doc = pmDocFromSpans(adapter, bodyOf(blocksToSpans(blocks)));
    expect(doc.toString()).toBe(
      'doc(heading("The activity"), paragraph(em("What did you do?")), blockquote(paragraph("A quote")), ' +
        'bullet_list(list_item(paragraph("one")), list_item(paragraph("two"))), ' +
        'ordered_list(list_item(paragraph("first"))), paragraph)',
    );
    expect(doc.child(0).attrs.level).toBe(2);
  });

  it("is what the editor itself would write, so opening it changes nothing", () => {
    const spans = bodyOf(blocksToSpans(blocks));
    const again = bodyOf(encodeBody(adapter, pmDocFromSpans(adapter, spans)));
    expect(again).toEqual(spans);
  });

  it("works with splice and splitBlock too", () => {
    const doc = A.change(A.from({ body: "" }), (d) => {
      A.splitBlock(d, ["body"], 0, {
        type: new A.ImmutableString("heading"),
        parents: [],
        attrs: { level: 1 },
      });
      A.splice(d, ["body"], 1, 0, "Hi");
    });
    expect(pmDocFromSpans(adapter, A.spans(doc, ["body"])).toString()).toBe('doc(heading("Hi"))');
  });
});
