// The plan of an import that holds a collection's contents page (index.md, as the Markdown export
// writes it): the collection is planned with its title, subtitle, language, credits, introduction
// and its stories in the page's order (not the order of the files), and the preview says so.
import { describe, expect, it } from "vitest";
import type { Block, Book, BookStory } from "../export/book.ts";
import { indexMarkdown, storyMarkdown } from "../export/markdown.ts";
import { importText } from "./blocks.ts";
import { planImport, type ImportFile } from "./plan.ts";

const text = (t: string) =>
  ({ type: "text", text: t, strong: false, em: false, link: null }) as const;
const para = (t: string): Block => ({ type: "paragraph", content: [text(t)] });

const story = (slug: string, title: string): BookStory => ({
  id: slug,
  slug,
  title,
  status: "ready",
  themes: [],
  contributors: [],
  createdAt: 0,
  updatedAt: 0,
  blocks: [para(`The body of ${title}.`)],
});

// Listed in an order that is neither the files' (alphabetical) nor their reverse.
const stories = [
  story("b-tide", "The tide"),
  story("c-fire", "The fire"),
  story("a-walk", "A walk"),
];

const book: Book = {
  title: "Harvest of the Shore",
  subtitle: "Stories from a retreat",
  language: "ga",
  identifier: "urn:uuid:0f8c2d3e-1111-4222-8333-444455556666",
  date: "2026-12-07",
  modified: "2026-12-07T10:00:00Z",
  contributors: [
    { name: "Aoife Ní Bhriain", role: "editor" },
    { name: "Brian", role: "illustrator" },
  ],
  introduction: [
    { type: "heading", level: 1, content: [text("Why we gathered")] },
    para("We came to listen to each other."),
  ],
  stories,
};

const files = (withIndex = true): ImportFile[] => [
  ...(withIndex
    ? [
        {
          source: "h.zip!/harvest/index.md",
          path: "/t/h.zip!/harvest/index.md",
          text: indexMarkdown(book),
          plainText: false,
        },
      ]
    : []),
  ...[...stories]
    .sort((a, b) => a.slug.localeCompare(b.slug))
    .map((s) => ({
      source: `h.zip!/harvest/${s.slug}.md`,
      path: `/t/h.zip!/harvest/${s.slug}.md`,
      text: storyMarkdown(s),
      plainText: false,
    })),
];

describe("planning an import with a collection's contents page", () => {
  it("plans the collection: title, subtitle, language, credits, introduction, stories in order", () => {
    const plan = planImport(files(), {});
    expect(plan.stories.map((s) => s.story.title)).toEqual(["A walk", "The tide", "The fire"]);
    expect(plan.collections).toHaveLength(1);
    const [c] = plan.collections;
    expect(c!.index.title).toBe("Harvest of the Shore");
    expect(c!.index.subtitle).toBe("Stories from a retreat");
    expect(c!.index.language).toBe("ga");
    expect(c!.index.credits).toEqual([
      { name: "Aoife Ní Bhriain", role: "editor" },
      { name: "Brian", role: "illustrator" },
    ]);
    expect(importText(c!.index.introduction)).toBe(
      "Why we gathered\nWe came to listen to each other.",
    );
    expect(c!.storyPaths).toEqual([
      "/t/h.zip!/harvest/b-tide.md",
      "/t/h.zip!/harvest/c-fire.md",
      "/t/h.zip!/harvest/a-walk.md",
    ]);
    expect(plan.notes).toEqual([
      'h.zip!/harvest/index.md: the collection "Harvest of the Shore" with its introduction, 2 credits and 3 stories in order will be made.',
    ]);
    expect(plan.notes.join(" ")).not.toMatch(/not imported/);
  });

  it("makes the collection of the picked stories only, and says which are left out", () => {
    const plan = planImport(
      files(),
      {},
      new Set(["h.zip!/harvest/c-fire.md", "h.zip!/harvest/a-walk.md"]),
    );
    expect(plan.collections[0]!.storyPaths).toEqual([
      "/t/h.zip!/harvest/c-fire.md",
      "/t/h.zip!/harvest/a-walk.md",
    ]);
    expect(plan.notes[0]).toMatch(
      /2 stories in order will be made\. 1 story its contents page lists is not in this import/,
    );
  });

  it("makes no collection when none of its stories is imported, and says so", () => {
    const plan = planImport(files(), {}, new Set(["nothing"]));
    expect(plan.collections).toEqual([]);
    expect(plan.notes[0]).toMatch(/is not made, because none of the stories/);
  });

  it("plans no collection for a folder of stories without a contents page", () => {
    const plan = planImport(files(false), {});
    expect(plan.collections).toEqual([]);
    expect(plan.notes).toEqual([]);
  });
});
