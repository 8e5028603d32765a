import { describe, expect, it } from "vitest";
import {
  headingLevel,
  hrefFromInput,
  hrefFromMarkValue,
  linkMarkValue,
  sanitizeHref,
  storySchema,
  storySchemaAdapter,
} from "./schema.ts";

describe("sanitizeHref", () => {
  it.each([
    ["https://example.org/a?b=c#d", "https://example.org/a?b=c#d"],
    ["http://example.org", "http://example.org/"],
    ["  https://example.org/x  ", "https://example.org/x"],
    ["mailto:ana@example.org", "mailto:ana@example.org"],
    ["HTTPS://EXAMPLE.ORG/", "https://example.org/"],
  ])("keeps %j", (raw, safe) => {
    expect(sanitizeHref(raw)).toBe(safe);
  });

  it.each([
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "/relative/path",
    "//evil.example/x",
    "https://",
    "",
    "x".repeat(3000),
  ])("refuses %j", (raw) => {
    expect(sanitizeHref(raw)).toBeNull();
  });

  it("refuses what is not a string", () => {
    expect(sanitizeHref(undefined)).toBeNull();
    expect(sanitizeHref({ href: "https://example.org" })).toBeNull();
  });
});

describe("sanitizeHref and internal links", () => {
  const DOC = "ULfvzSdMs2gjWUQwaS5tqGCkV24";

  it.each([`meitheal:story/${DOC}`, `meitheal:entry/${DOC}/e1`, `meitheal:node/${DOC}/node_2-b`])(
    "keeps the internal link %j as it is",
    (raw) => {
      expect(sanitizeHref(raw)).toBe(raw);
      expect(sanitizeHref(`  ${raw} `)).toBe(raw);
    },
  );

  it.each([
    "meitheal:",
    "meitheal:story",
    `meitheal:story/${DOC}/extra`,
    "meitheal:story/not-a-document-id",
    `meitheal:entry/${DOC}`,
    `meitheal:entry/${DOC}/bad id`,
    `meitheal:node/${DOC}/<script>`,
    `meitheal:map/${DOC}`,
    `meitheal:story/${DOC}?x=javascript:alert(1)`,
    `meitheal:story/${DOC}#frag`,
    `meitheal://story/${DOC}`,
    `MEITHEAL:story/${DOC}`,
    `meitheal:story/${DOC}\njavascript:alert(1)`,
  ])("refuses the malformed internal link %j", (raw) => {
    expect(sanitizeHref(raw)).toBeNull();
  });

  it("still refuses every scheme it refused, and other apps' schemes", () => {
    for (const raw of ["javascript:alert(1)", "data:text/html,x", "file:///x", "meithealx:story/a"])
      expect(sanitizeHref(raw)).toBeNull();
  });

  it("reads a stored internal link back and renders it as a link", () => {
    const href = `meitheal:story/${DOC}`;
    expect(hrefFromMarkValue(linkMarkValue(href))).toBe(href);
    expect(hrefFromInput(href)).toBe(href);
    const link = storySchema.marks.link!;
    expect(link.spec.toDOM!(link.create({ href }), true)).toEqual([
      "a",
      { href, rel: "noopener noreferrer nofollow" },
      0,
    ]);
  });
});

describe("hrefFromInput", () => {
  it("accepts addresses as people type them", () => {
    expect(hrefFromInput("example.org")).toBe("https://example.org/");
    expect(hrefFromInput("www.example.org/page")).toBe("https://www.example.org/page");
    expect(hrefFromInput("ana@example.org")).toBe("mailto:ana@example.org");
    expect(hrefFromInput("https://example.org/x")).toBe("https://example.org/x");
  });

  it("refuses words and dangerous schemes", () => {
    expect(hrefFromInput("hello")).toBeNull();
    expect(hrefFromInput("javascript:alert(1)")).toBeNull();
    expect(hrefFromInput("   ")).toBeNull();
  });
});

describe("link mark values", () => {
  it("round-trip as JSON", () => {
    expect(hrefFromMarkValue(linkMarkValue("https://example.org/"))).toBe("https://example.org/");
  });

  it("read an unsafe or unreadable value written by a peer as a link to nowhere", () => {
    expect(hrefFromMarkValue(JSON.stringify({ href: "javascript:alert(1)" }))).toBe("");
    expect(hrefFromMarkValue("{not json")).toBe("");
    expect(hrefFromMarkValue(true)).toBe("");
    expect(hrefFromMarkValue(JSON.stringify({ title: "x" }))).toBe("");
  });

  it("read a bare URL from an editor that did not encode its marks", () => {
    expect(hrefFromMarkValue("https://example.org/")).toBe("https://example.org/");
  });

  it("render only a safe href", () => {
    const link = storySchema.marks.link!;
    const toDOM = link.spec.toDOM!;
    expect(toDOM(link.create({ href: "https://example.org/" }), true)).toEqual([
      "a",
      { href: "https://example.org/", rel: "noopener noreferrer nofollow" },
      0,
    ]);
    expect(toDOM(link.create({ href: "javascript:alert(1)" }), true)).toEqual([
      "a",
      { "data-link": "broken" },
      0,
    ]);
  });
});

describe("the schema", () => {
  it("has the blocks and marks a story uses, and the adapter's unknown block", () => {
    for (const name of [
      "paragraph",
      "heading",
      "blockquote",
      "bullet_list",
      "ordered_list",
      "list_item",
      "hard_break",
      "unknownBlock",
    ])
      expect(storySchema.nodes[name]).toBeDefined();
    for (const name of ["strong", "em", "link"]) expect(storySchema.marks[name]).toBeDefined();
    expect(storySchemaAdapter.unknownBlock.name).toBe("unknownBlock");
  });

  it("shows headings at levels 1 to 3 only, whatever a peer wrote", () => {
    expect([0, 1, 2, 3, 4, 7, "2", "x", null].map(headingLevel)).toEqual([
      1, 1, 2, 3, 3, 3, 2, 1, 1,
    ]);
    const heading = storySchema.nodes.heading!;
    expect(heading.spec.toDOM!(heading.create({ level: 6 }))).toEqual(["h3", 0]);
  });
});
