import type { Node as PmNode } from "prosemirror-model";
import { describe, expect, it } from "vitest";
import { storySchemaAdapter } from "../richtext/schema.ts";
import { readBody } from "../richtext/body.ts";
import { importText, type ImportBlock } from "./blocks.ts";
import { parseStory, storyDates } from "./markdown.ts";
import { joinPath } from "./paths.ts";
import { importDoc, importSpans } from "./spans.ts";

/** A document as JSON without the adapter's bookkeeping (which blocks have markers). */
const plain = (node: PmNode): string =>
  JSON.stringify(node.toJSON(), (key, value: unknown) =>
    key === "isAmgBlock" || key === "unknownAttrs" ? undefined : value,
  );

const parse = (text: string, path = "/in/story.md") => parseStory(text, { path });

describe("parseStory", () => {
  it("takes the title from front matter, else the opening heading, else the file name", () => {
    expect(parse("---\ntitle: From YAML\n---\n# Heading\n\nText").title).toBe("From YAML");
    const heading = parse("# The Heading\n\nText");
    expect(heading.title).toBe("The Heading");
    // The heading that became the title is not also the body's first line.
    expect(importText(heading.blocks)).toBe("Text");
    expect(parse("Just text", "/in/my_first-story.md").title).toBe("my first story");
    expect(parse("", "/in/.md").title).toBe("Untitled");
  });

  it("reads status and themes, and says what it could not use", () => {
    const s = parse('---\nstatus: Draft\nthemes: "Nature, dignity, nature"\n---\nx');
    expect(s.status).toBe("draft");
    expect(s.themes).toEqual(["Nature", "dignity"]);
    const odd = parse("---\nstatus: [1, 2]\nthemes: {a: 1}\n---\nx");
    expect(odd.status).toBe("seed");
    expect(odd.warnings.join(" ")).toMatch(/status .* is not one Meitheal knows/);
    const broken = parse("---\ntitle: [unclosed\n---\n# Real title\n");
    expect(broken.title).toBe("Real title");
    expect(broken.warnings[0]).toContain("not valid YAML");
  });

  it("does not take a thematic break and a heading for front matter", () => {
    const s = parse("---\nSome prose\n---\n\nMore");
    expect(s.title).toBe("Some prose");
  });

  it("survives a YAML alias bomb", () => {
    const bomb = [
      "---",
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
      "f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
      "---",
      "# Title",
    ].join("\n");
    const s = parse(bomb);
    expect(s.title).toBe("Title");
    expect(s.warnings[0]).toContain("front matter could not be read");
  });

  it("keeps only safe links, and resolves relative ones from the file's folder", () => {
    const s = parse(
      "[a](javascript:alert(1)) [b](data:text/html,x) [c](mailto:a@b.org) [d](../x/y%20z.md#top) [e](#here)",
      "/in/sub/story.md",
    );
    const links = (s.blocks[0] as Extract<ImportBlock, { type: "paragraph" }>).content.flatMap(
      (i) => (i.type === "text" && i.link ? [[i.text, i.link]] : []),
    );
    expect(links).toEqual([
      ["c", { type: "href", href: "mailto:a@b.org", title: null }],
      ["d", { type: "file", path: "/in/x/y z.md", title: null }],
    ]);
    expect(s.warnings.filter((w) => w.includes("kept as plain text"))).toHaveLength(2);
    expect(joinPath("/a/b", "../../../c")).toBe("/c");
  });

  it("keeps what a story cannot hold as text, and says so", () => {
    const s = parse(
      "---\ntitle: Kept\n---\n##### Deep\n\n```js\nlet a = 1;\nlet b;\n```\n\n![a heron](heron.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<div>raw <b>html</b></div>\n\n- [x] done\n",
    );
    expect(importText(s.blocks)).toBe(
      "Deep\nlet a = 1;\nlet b;\na heron\na | b\n1 | 2\nraw html\n[x] done",
    );
    expect(s.blocks[0]).toMatchObject({ type: "heading", level: 3 });
    expect(s.blocks[1]).toEqual({ type: "code", text: "let a = 1;\nlet b;" });
    expect(s.warnings).toEqual([
      expect.stringContaining("Headings deeper than level 3"),
      expect.stringContaining('The language of a code block ("js") was left out'),
      expect.stringContaining("Images were left out"),
      expect.stringContaining("Tables were kept as plain text"),
      "HTML tags were left out and the text inside them kept (<div>, <b>): a story holds no HTML.",
    ]);
  });

  it("keeps text in angle brackets that is not HTML, and names the HTML it leaves out", () => {
    const s = parse("Say <word> and <Aoife>, not <span>this</span>.\n\n<word>\n");
    expect(importText(s.blocks)).toBe("Say <word> and <Aoife>, not this.\n<word>");
    expect(s.warnings).toEqual([
      "HTML tags were left out and the text inside them kept (<span>): a story holds no HTML.",
    ]);
    expect(parse("a <!-- note --> b").warnings).toEqual([
      expect.stringContaining("HTML comments (<!-- … -->) were left out"),
    ]);
  });

  it("keeps inline code, rules, link titles, list start numbers and code indentation", () => {
    const s = parse(
      'Run `npm  test` now.\n\n---\n\n[the bog](https://bog.ie/ "Móin Alúine")\n\n3. three\n4. four\n\n```\nif (x)\n    indented();\n\n  two\n```\n',
    );
    expect(s.warnings).toEqual([]);
    const doc = importDoc(s.blocks, () => null);
    expect(doc.toString()).toBe(
      'doc(paragraph("Run ", code("npm  test"), " now."), horizontal_rule, paragraph(link("the bog")), ordered_list(list_item(paragraph("three")), list_item(paragraph("four"))), code_block("if (x)\\n    indented();\\n\\n  two"))',
    );
    expect(doc.child(2).firstChild?.marks[0]?.attrs).toMatchObject({
      href: "https://bog.ie/",
      title: "Móin Alúine",
    });
    expect(doc.child(3).attrs.order).toBe(3);
    // And they are stored so: the spans read back as the same document.
    const stored = readBody(
      storySchemaAdapter,
      importSpans(s.blocks, () => null),
    ).doc;
    expect(plain(stored)).toEqual(plain(doc));
  });

  it("keeps the created and updated dates of the front matter", () => {
    const now = Date.UTC(2026, 0, 1);
    const s = parseStory(
      '---\ncreated: "2024-05-01T10:00:00.000Z"\nupdated: 2024-06-02T11:30:00Z\n---\nx',
      { path: "/a.md", now },
    );
    expect([s.createdAt, s.updatedAt]).toEqual([
      Date.UTC(2024, 4, 1, 10),
      Date.UTC(2024, 5, 2, 11, 30),
    ]);
    const odd = parseStory("---\ncreated: soon\nupdated: 2030-01-01\n---\nx", {
      path: "/a.md",
      now,
    });
    expect([odd.createdAt, odd.updatedAt]).toEqual([null, null]);
    expect(odd.warnings).toHaveLength(2);
    expect(storyDates({ createdAt: null, updatedAt: null }, now)).toEqual({
      createdAt: now,
      updatedAt: now,
    });
    expect(storyDates({ createdAt: 5_000, updatedAt: 1_000 }, now)).toEqual({
      createdAt: 5_000,
      updatedAt: 5_000,
    });
  });

  it("reads plain text as paragraphs with their line breaks", () => {
    const s = parseStory("one *two*\nthree\n\nfour", { path: "/t.txt", plainText: true });
    expect(s.blocks).toEqual([
      {
        type: "paragraph",
        content: [
          { type: "text", text: "one *two*", strong: false, em: false, code: false, link: null },
          { type: "break" },
          { type: "text", text: "three", strong: false, em: false, code: false, link: null },
        ],
      },
      {
        type: "paragraph",
        content: [
          { type: "text", text: "four", strong: false, em: false, code: false, link: null },
        ],
      },
    ]);
  });

  it("flattens absurd nesting instead of running out of stack", () => {
    const s = parse(`${">".repeat(20_000)} deep\n\n${"- ".repeat(2_000)}item`);
    expect(importText(s.blocks)).toBe("deep\nitem");
    expect(s.warnings).toEqual([expect.stringContaining("nested very deeply were flattened")]);
    // And the spans are readable as written.
    const spans = importSpans(s.blocks, () => null);
    expect(readBody(storySchemaAdapter, spans).repairs).toEqual([]);
  });

  it("gives list items a first paragraph, as the editor needs", () => {
    const s = parse("- > quoted in an item\n- ## heading item\n-\n");
    expect(importDoc(s.blocks, () => null).toString()).toBe(
      'doc(bullet_list(list_item(paragraph, blockquote(paragraph("quoted in an item"))), list_item(paragraph("heading item")), list_item(paragraph)))',
    );
  });
});
