import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { Block, Book, BookStory, Inline } from "./book.ts";
import {
  blocksMarkdown,
  buildMarkdownZip,
  escapeMarkdown,
  indexMarkdown,
  storyMarkdown,
  yamlString,
} from "./markdown.ts";

const t = (text: string, over: Partial<Extract<Inline, { type: "text" }>> = {}): Inline => ({
  type: "text",
  text,
  strong: false,
  em: false,
  link: null,
  ...over,
});
const p = (...content: Inline[]): Block => ({ type: "paragraph", content });

const story = (over: Partial<BookStory> = {}): BookStory => ({
  id: "s1",
  slug: "the-tide",
  title: "The tide",
  status: "ready",
  themes: ["Nature"],
  contributors: ["Aoife"],
  createdAt: Date.UTC(2025, 4, 1),
  updatedAt: Date.UTC(2025, 5, 1, 12),
  blocks: [p(t("It came in."))],
  ...over,
});

const book = (over: Partial<Book> = {}): Book => ({
  title: "Harvest",
  subtitle: "",
  language: "en",
  identifier: "urn:uuid:00000000-0000-4000-8000-000000000000",
  date: "2025-06-01",
  modified: "2025-06-01T12:00:00Z",
  contributors: [{ name: "Aoife", role: "editor" }],
  introduction: [p(t("Why."))],
  stories: [story(), story({ id: "s2", slug: "the-fire", title: "The fire" })],
  ...over,
});

describe("YAML front matter", () => {
  it.each([
    "plain",
    "key: value",
    "---\n---",
    '"quoted" and \\ backslash',
    "# not a comment",
    "- not a list",
    "tab\there",
    "line\u2028separator",
    "{ flow: map }",
    "@at `tick` *star* &anchor !tag %percent",
  ])("yamlString(%j) is one line that reads back as the same string", (text) => {
    const out = yamlString(text);
    expect(out).not.toContain("\n");
    expect(out.startsWith('"') && out.endsWith('"')).toBe(true);
    expect(JSON.parse(out)).toBe(text);
  });

  it("writes a story's title, status, themes, writers and dates", () => {
    expect(storyMarkdown(story({ themes: [], contributors: ["A: b", 'C "d"'] }))).toBe(
      [
        "---",
        'title: "The tide"',
        'status: "ready"',
        "themes: []",
        "contributors:",
        '  - "A: b"',
        '  - "C \\"d\\""',
        'created: "2025-05-01T00:00:00.000Z"',
        'updated: "2025-06-01T12:00:00.000Z"',
        "---",
        "",
        "It came in.",
        "",
      ].join("\n"),
    );
  });
});

describe("Markdown text", () => {
  it("keeps inline code, link titles, rules, code blocks and a list's start number", () => {
    const link = { type: "external", href: "https://bog.ie/", title: 'Móin "Alúine"' } as const;
    expect(
      blocksMarkdown([
        p(t("run "), t("npm  test", { code: true }), t(" and "), t("`x`", { code: true })),
        p(t("the bog", { link })),
        { type: "rule" },
        { type: "code", text: "if (x)\n    y();\n```" },
        { type: "list", ordered: true, start: 3, items: [[p(t("c"))], [p(t("d"))]] },
      ]),
    ).toBe(
      [
        "run `npm  test` and `` `x` ``",
        '[the bog](https://bog.ie/ "Móin \\"Alúine\\"")',
        "***",
        "````\nif (x)\n    y();\n```\n````",
        "3. c\n4. d",
      ].join("\n\n"),
    );
  });

  it.each([
    [
      "*a* _b_ `c` [d](e) <f> {g} $h$ ^i^ ~j~ |k| #l \\m",
      false,
      "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<f\\> \\{g\\} \\$h\\$ \\^i\\^ \\~j\\~ \\|k\\| \\#l \\\\m",
    ],
    ["&amp; & &#38; AT&T", false, "\\&amp; & &\\#38; AT&T"],
    ["@cite and ana@example.org", false, "\\@cite and ana@example.org"],
    ["1. first", true, "1\\. first"],
    ["2025) year", true, "2025\\) year"],
    ["a. letter", true, "a\\. letter"],
    ["iv. roman", true, "iv\\. roman"],
    ["(b) paren", true, "\\(b) paren"],
    ["- dash", true, "\\- dash"],
    ["+ plus", true, "\\+ plus"],
    ["> quote", true, "\\> quote"],
    ["=== setext", true, "\\=== setext"],
    [": definition", true, "\\: definition"],
    ["    code", true, "code"],
    ["- dash mid-line", false, "- dash mid-line"],
    ["B. Russell wrote", true, "B\\. Russell wrote"],
  ])("escapeMarkdown(%j, %s) is %j", (text, atLineStart, out) => {
    expect(escapeMarkdown(text, atLineStart)).toBe(out);
  });

  it("nests marks, moves spaces outside them and shares delimiters between runs", () => {
    expect(
      blocksMarkdown([
        p(
          t("a ", { strong: true }),
          t("b", { strong: true, em: true }),
          t(" c "),
          t("d", { em: true }),
          t("e", { strong: true }),
        ),
      ]),
    ).toBe("**a *b*** c *d*__e__");
  });

  it("writes emphasis that a reader takes for emphasis next to punctuation", () => {
    // "*cúig.*níos" and "*`x`*y" are not emphasis in CommonMark: the closing * stands between
    // punctuation and a letter. The letter is written as a character reference instead.
    expect(blocksMarkdown([p(t("cúig.", { em: true }), t("níos"))])).toBe("*cúig.*&#110;íos");
    expect(blocksMarkdown([p(t("x", { em: true, code: true }), t("y"))])).toBe("*`x`*&#121;");
    expect(blocksMarkdown([p(t("a", { em: true }), t("b", { strong: true, code: true }))])).toBe(
      "*a*__`b`__",
    );
    // Between two letters a * may open or close; "***a*b*c***" pairs them wrongly.
    expect(
      blocksMarkdown([
        p(
          t("a", { strong: true, em: true }),
          t("b", { strong: true }),
          t("c", { strong: true, em: true }),
        ),
      ]),
    ).toBe("***a*&#98;*c***");
    // "!" before a link would make it an image.
    expect(blocksMarkdown([p(t("Féach!"), t("seo", { link: { type: "story", slug: "s" } }))])).toBe(
      "Féach\\![seo](./s.md)",
    );
  });

  it("writes links to stories as relative links and web links as they are", () => {
    expect(
      blocksMarkdown([
        p(
          t("next", { link: { type: "story", slug: "the-fire" } }),
          t(" and "),
          t("web", { strong: true, link: { type: "external", href: "https://x.org/a_(b)" } }),
        ),
      ]),
    ).toBe("[next](./the-fire.md) and [**web**](https://x.org/a_%28b%29)");
  });

  it("writes line breaks, headings, quotes and lists so that they nest", () => {
    const out = blocksMarkdown([
      { type: "heading", level: 3, content: [t("Head"), { type: "break" }, t("ing")] },
      p(t("one"), { type: "break" }, t("- two")),
      { type: "quote", blocks: [p(t("q1")), p(t("q2"))] },
      {
        type: "list",
        ordered: true,
        items: [[p(t("a"))], [p(t("b"), { type: "break" }, t("c")), p(t("d"))]],
      },
      { type: "list", ordered: false, items: [[p(t("x"))], [p(t("y"))]] },
    ]);
    expect(out).toBe(
      [
        "### Head ing",
        "",
        "one\\",
        "\\- two",
        "",
        "> q1",
        ">",
        "> q2",
        "",
        "1. a",
        "",
        "2. b\\",
        "   c",
        "",
        "   d",
        "",
        "- x",
        "- y",
      ].join("\n"),
    );
  });
});

describe("buildMarkdownZip", () => {
  it("holds an index and one file per story in one folder, the same bytes every time", () => {
    const progress: string[] = [];
    const bytes = buildMarkdownZip(book(), { onProgress: (d, n) => progress.push(`${d}/${n}`) });
    expect(progress).toEqual(["1/2", "2/2"]);
    const files = unzipSync(bytes);
    expect(Object.keys(files)).toEqual([
      "harvest/index.md",
      "harvest/the-tide.md",
      "harvest/the-fire.md",
    ]);
    expect(buildMarkdownZip(book())).toEqual(bytes);
    const index = strFromU8(files["harvest/index.md"]!);
    expect(index).toBe(indexMarkdown(book()));
    expect(index).toContain(
      "Why.\n\n## Contents\n\n1. [The tide](./the-tide.md)\n2. [The fire](./the-fire.md)\n",
    );
    expect(index).toContain('credits:\n  - name: "Aoife"\n    role: "editor"');
  });

  it("never names its folder as Windows refuses", () => {
    const files = unzipSync(buildMarkdownZip(book({ title: "CON", stories: [] })));
    expect(Object.keys(files)).toEqual(["con-2/index.md"]);
  });

  it("an empty book still has an index and reports it is done", () => {
    const progress: string[] = [];
    const files = unzipSync(
      buildMarkdownZip(book({ stories: [], introduction: [] }), {
        onProgress: (d, n) => progress.push(`${d}/${n}`),
      }),
    );
    expect(Object.keys(files)).toEqual(["harvest/index.md"]);
    expect(progress).toEqual(["0/0"]);
  });
});
