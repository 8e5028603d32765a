import { describe, expect, it } from "vitest";
import { ENGLISH_LABELS, type Block, type Book, type Inline } from "./book.ts";
import { blocksMarkup, buildHtml, creditLines, escapeXml, inlineMarkup } from "./html.ts";

const t = (text: string, over: Partial<Extract<Inline, { type: "text" }>> = {}): Inline => ({
  type: "text",
  text,
  strong: false,
  em: false,
  link: null,
  ...over,
});
const style = { xml: false, headingShift: 2, storyHref: (slug: string) => `#story-${slug}` };

const book = (over: Partial<Book> = {}): Book => ({
  title: "Harvest",
  subtitle: "June",
  language: "ga",
  identifier: "urn:uuid:00000000-0000-4000-8000-000000000000",
  date: "2025-06-01",
  modified: "2025-06-01T12:00:00Z",
  contributors: [
    { name: "Aoife", role: "editor" },
    { name: "Brían", role: "editor" },
    { name: "Dara", role: "illustrator" },
  ],
  introduction: [],
  stories: [
    {
      id: "s1",
      slug: "the-tide",
      title: "The tide",
      status: "ready",
      themes: ["Nature"],
      contributors: ["Aoife"],
      createdAt: 0,
      updatedAt: 0,
      blocks: [{ type: "paragraph", content: [t("In.")] }],
    },
  ],
  ...over,
});

describe("HTML markup", () => {
  it("keeps inline code, link titles, rules, code blocks and a list's start number", () => {
    const link = { type: "external", href: "https://bog.ie/", title: 'Móin "Alúine"' } as const;
    const blocks: Block[] = [
      { type: "paragraph", content: [t("run "), t("a < b", { code: true, strong: true })] },
      { type: "paragraph", content: [t("the bog", { link })] },
      { type: "rule" },
      { type: "code", text: "if (x)\n    y();" },
      {
        type: "list",
        ordered: true,
        start: 3,
        items: [[{ type: "paragraph", content: [t("c")] }]],
      },
    ];
    expect(blocksMarkup(blocks, { ...style, xml: true })).toBe(
      [
        "<p>run <strong><code>a &lt; b</code></strong></p>",
        '<p><a href="https://bog.ie/" title="Móin &quot;Alúine&quot;" rel="noopener noreferrer">the bog</a></p>',
        "<hr/>",
        "<pre><code>if (x)\n    y();</code></pre>",
        '<ol start="3">\n<li><p>c</p></li>\n</ol>',
      ].join("\n"),
    );
  });

  it("escapes the five characters markup cares about", () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
    );
  });

  it("nests marks inside one link across runs, and breaks lines", () => {
    const link = { type: "external", href: "https://x.org/?a=1&b=2" } as const;
    expect(
      inlineMarkup(
        [
          t("a ", { link }),
          t("b", { link, strong: true, em: true }),
          { type: "break" },
          t("to", { link: { type: "story", slug: "s" } }),
        ],
        style,
      ),
    ).toBe(
      '<a href="https://x.org/?a=1&amp;b=2" rel="noopener noreferrer">a <strong><em>b</em></strong></a><br><a href="#story-s">to</a>',
    );
    expect(inlineMarkup([t("x"), { type: "break" }, t("y")], { ...style, xml: true })).toBe(
      "x<br/>y",
    );
  });

  it("shifts headings under the book's and story's own, and nests quotes and lists", () => {
    const blocks: Block[] = [
      { type: "heading", level: 1, content: [t("H")] },
      {
        type: "quote",
        blocks: [
          { type: "list", ordered: true, items: [[{ type: "paragraph", content: [t("i")] }]] },
        ],
      },
    ];
    expect(blocksMarkup(blocks, style)).toBe(
      "<h3>H</h3>\n<blockquote>\n<ol>\n<li><p>i</p></li>\n</ol>\n</blockquote>",
    );
  });

  it("groups credits by role", () => {
    expect(creditLines(book(), ENGLISH_LABELS)).toEqual([
      "Edited by Aoife, Brían",
      "Illustrated by Dara",
    ]);
  });
});

describe("buildHtml", () => {
  it("is one document in the book's language with title page, contents and stories", () => {
    const progress: number[] = [];
    const html = buildHtml(book(), { onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([1]);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="ga" class="page-a4">')).toBe(true);
    expect(html).toContain("<title>Harvest</title>");
    expect(html).toContain('<p class="subtitle">June</p>');
    expect(html).toContain('<li><a href="#story-the-tide">The tide</a></li>');
    expect(html).toContain('<article class="story" id="story-the-tide"');
    expect(html).toContain("<span>Written by Aoife</span><span>Themes: Nature</span>");
    // No introduction, no entry for it.
    expect(html).not.toContain("#introduction");
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
  });

  it("uses the labels it is given", () => {
    const html = buildHtml(book({ introduction: [{ type: "paragraph", content: [t("x")] }] }), {
      labels: { ...ENGLISH_LABELS, contents: "Clár", introduction: "Réamhrá" },
    });
    expect(html).toContain('<h2 id="toc-title">Clár</h2>');
    expect(html).toContain('<li><a href="#introduction">Réamhrá</a></li>');
  });
});
