import * as Automerge from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import {
  collectionDoc,
  newDocId,
  storyDoc,
  THEMES,
  type FixtureStory,
} from "../../test/export/fixtures.ts";
import { ErrorCode } from "../result.ts";
import {
  blocksToText,
  bookFromDocs,
  bookIdentifier,
  cleanText,
  cleanTitle,
  slugify,
  uniqueSlugs,
  type Block,
  type BookOptions,
} from "./book.ts";

/** A collection of the given stories (in that order) and the book read from it. */
function make(specs: FixtureStory[], options?: BookOptions, collectionId = newDocId()) {
  const ids = specs.map(() => newDocId());
  const stories = new Map<string, Automerge.Doc<unknown>>();
  specs.forEach((spec, i) => stories.set(ids[i]!, storyDoc(spec)));
  const collection = collectionDoc({ title: "Harvest", stories: ids });
  return { ids, stories, collection, collectionId, options };
}

function read(made: ReturnType<typeof make>) {
  const result = bookFromDocs(
    { id: made.collectionId, doc: made.collection },
    made.stories,
    THEMES,
    made.options,
  );
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const paragraph = (block: Block | undefined) => {
  if (block?.type !== "paragraph") throw new Error(`not a paragraph: ${JSON.stringify(block)}`);
  return block.content;
};

describe("bookFromDocs: which stories, in what order", () => {
  it("takes ready and published stories in the collection's order, and names the rest", () => {
    const made = make([
      { title: "One", status: "published" },
      { title: "Two", status: "draft" },
      { title: "Three", status: "ready" },
      { title: "Four", status: "seed" },
    ]);
    const { book, warnings } = read(made);
    expect(book.stories.map((s) => s.title)).toEqual(["One", "Three"]);
    expect(warnings).toEqual([
      { type: "excluded", storyId: made.ids[1], title: "Two", status: "draft" },
      { type: "excluded", storyId: made.ids[3], title: "Four", status: "seed" },
    ]);
  });

  it("takes every status the person chooses", () => {
    const made = make(
      [
        { title: "One", status: "seed" },
        { title: "Two", status: "draft" },
      ],
      { includeStatuses: ["seed", "draft", "ready", "published"] },
    );
    expect(read(made).book.stories.map((s) => s.status)).toEqual(["seed", "draft"]);
  });

  it("names a missing, a damaged and a newer story and leaves them out", () => {
    const made = make([{ title: "Kept" }, { title: "Gone" }, { title: "Bad" }, { title: "New" }]);
    made.stories.delete(made.ids[1]!);
    made.stories.set(made.ids[2]!, Automerge.from({ schema: "meitheal/story", version: 2 }));
    made.stories.set(
      made.ids[3]!,
      Automerge.change(made.stories.get(made.ids[3]!)!, (d) => {
        (d as { version: number }).version = 99;
      }),
    );
    const { book, warnings } = read(made);
    expect(book.stories.map((s) => s.title)).toEqual(["Kept"]);
    expect(warnings.map((w) => [w.type, "storyId" in w ? w.storyId : null])).toEqual([
      ["missing", made.ids[1]],
      ["damaged", made.ids[2]],
      ["newer", made.ids[3]],
    ]);
  });

  it("reads a story of an older version from a migrated copy, leaving the original alone", () => {
    const made = make([{ title: "Old", status: "ready" }]);
    const old = Automerge.change(made.stories.get(made.ids[0]!)!, (d) => {
      const doc = d as Record<string, unknown>;
      doc.version = 1;
      doc.themes = ["t2"];
    });
    made.stories.set(made.ids[0]!, old);
    const { book } = read(made);
    expect(book.stories[0]).toMatchObject({ title: "Old", themes: ["Nature"] });
    expect((old as { version: number }).version).toBe(1);
  });

  it("fails with a readable message when the collection itself cannot be read", () => {
    const damaged = bookFromDocs(
      { id: newDocId(), doc: Automerge.from({ title: 1 }) },
      new Map(),
      {},
    );
    expect(damaged).toMatchObject({ ok: false, error: { code: ErrorCode.Damaged } });
    const newer = bookFromDocs(
      { id: newDocId(), doc: Automerge.from({ schema: "meitheal/collection", version: 7 }) },
      new Map(),
      {},
    );
    expect(newer).toMatchObject({ ok: false, error: { code: ErrorCode.NewerVersion } });
  });
});

describe("bookFromDocs: what a story says", () => {
  it("gives themes as labels in the community's order, and writers in the order they joined", () => {
    const { book } = read(
      make([
        { title: "T", themes: ["t3", "gone", "t1"], contributors: ["Aoife", "Brían", "Aoife"] },
      ]),
    );
    expect(book.stories[0]).toMatchObject({
      themes: ["Dignity", "Connection"],
      contributors: ["Aoife", "Brían"],
    });
  });

  it("reads headings, marks, line breaks, quotes and both kinds of list", () => {
    const { book } = read(
      make([
        {
          title: "T",
          body: [
            { type: "heading", level: 2, text: "Heading" },
            {
              type: "rich",
              runs: [
                { text: "plain " },
                { text: "bold", strong: true },
                { text: " both", strong: true, em: true },
                { break: true },
                { text: "next line" },
              ],
            },
            { type: "paragraph", text: "" },
            { type: "quote", text: "Quoted" },
            { type: "bullet", text: "a" },
            { type: "bullet", text: "b" },
            { type: "ordered", text: "one" },
          ],
        },
      ]),
    );
    const blocks = book.stories[0]!.blocks;
    expect(blocks.map((b) => b.type)).toEqual(["heading", "paragraph", "quote", "list", "list"]);
    expect(blocks[0]).toEqual({
      type: "heading",
      level: 2,
      content: [{ type: "text", text: "Heading", strong: false, em: false, link: null }],
    });
    expect(paragraph(blocks[1])).toEqual([
      { type: "text", text: "plain ", strong: false, em: false, link: null },
      { type: "text", text: "bold", strong: true, em: false, link: null },
      { type: "text", text: " both", strong: true, em: true, link: null },
      { type: "break" },
      { type: "text", text: "next line", strong: false, em: false, link: null },
    ]);
    expect(blocks[3]).toMatchObject({ type: "list", ordered: false });
    expect(blocks[4]).toMatchObject({ type: "list", ordered: true });
    expect(blocksToText(blocks)).toBe("Heading\nplain bold both\nnext line\nQuoted\na\nb\none");
  });

  it("links a story in the book by its slug; a story outside it or an unsafe link is text", () => {
    const made = make([{ title: "First" }, { title: "Second" }]);
    const outside = newDocId();
    made.stories.set(
      made.ids[0]!,
      storyDoc({
        title: "First",
        body: [
          {
            type: "rich",
            runs: [
              { text: "to second", story: made.ids[1] },
              { text: " outside", story: outside },
              { text: " unsafe", href: "javascript:alert(1)" },
              { text: " web", href: "https://example.org/a b" },
            ],
          },
        ],
      }),
    );
    const content = paragraph(read(made).book.stories[0]!.blocks[0]);
    expect(content).toEqual([
      {
        type: "text",
        text: "to second",
        strong: false,
        em: false,
        link: { type: "story", slug: "second" },
      },
      { type: "text", text: " outside unsafe", strong: false, em: false, link: null },
      {
        type: "text",
        text: " web",
        strong: false,
        em: false,
        link: { type: "external", href: "https://example.org/a%20b" },
      },
    ]);
  });

  it("a link to a story left out of the book becomes text", () => {
    const made = make([{ title: "First" }, { title: "Draft", status: "draft" }]);
    made.stories.set(
      made.ids[0]!,
      storyDoc({
        title: "First",
        body: [{ type: "rich", runs: [{ text: "x", story: made.ids[1] }] }],
      }),
    );
    expect(paragraph(read(made).book.stories[0]!.blocks[0])[0]).toMatchObject({ link: null });
  });
});

describe("bookFromDocs: the book's metadata", () => {
  it("carries title, language, credits, the latest change and a stable identifier", () => {
    const id = newDocId();
    const ids = [newDocId()];
    const stories = new Map([
      [ids[0]!, storyDoc({ title: "S", updatedAt: Date.UTC(2025, 6, 2, 10, 11, 12, 345) })],
    ]);
    const collection = collectionDoc({
      title: "  Harvest\n2025 ",
      subtitle: "Sub",
      language: "ga",
      introduction: [{ type: "paragraph", text: "Fáilte." }],
      credits: [
        { name: "Dara", role: "illustrator" },
        { name: "Aoife", role: "editor" },
      ],
      stories: ids,
      updatedAt: Date.UTC(2025, 5, 1),
    });
    const result = bookFromDocs({ id, doc: collection }, stories, THEMES);
    if (!result.ok) throw new Error(result.error.message);
    const { book } = result.value;
    expect(book).toMatchObject({
      title: "Harvest 2025",
      subtitle: "Sub",
      language: "ga",
      date: "2025-07-02",
      modified: "2025-07-02T10:11:12Z",
      contributors: [
        { name: "Aoife", role: "editor" },
        { name: "Dara", role: "illustrator" },
      ],
    });
    expect(blocksToText(book.introduction)).toBe("Fáilte.");
    expect(book.identifier).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(book.identifier).toBe(bookIdentifier(id));
    expect(bookIdentifier(newDocId())).not.toBe(book.identifier);
  });

  it("makes an identifier even from an id that is not a document id", () => {
    expect(bookIdentifier("not a doc id")).toBe(bookIdentifier("not a doc id"));
    expect(bookIdentifier("not a doc id")).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(bookIdentifier("other")).not.toBe(bookIdentifier("not a doc id"));
  });

  it("names an untitled book and story", () => {
    const made = make([{ title: " \u0007 " }], { untitled: "Gan teideal" });
    made.collection = Automerge.change(made.collection, (d) => {
      d.title = "";
    });
    const { book } = read(made);
    expect(book.title).toBe("Gan teideal");
    expect(book.stories[0]!.title).toBe("Gan teideal");
  });
});

describe("text and slugs", () => {
  it("cleanText drops what no format can carry and keeps everything else", () => {
    expect(cleanText("a\u0000b\u0007c\u001bd\u007fe\u0085f\uFFFEg\uFFFCh\uD800i")).toBe(
      "abcdefghi",
    );
    expect(cleanText("tab\tline\r\nold mac\rend 😀 fáilte")).toBe(
      "tab\tline\nold mac\nend 😀 fáilte",
    );
    expect(cleanTitle("  two\n lines\t here ")).toBe("two lines here");
  });

  it.each([
    ["The First Tide", "the-first-tide"],
    ["Fáilte roimh chách!", "failte-roimh-chach"],
    ["<script>alert(1)</script>", "script-alert-1-script"],
    ["東京の物語", "story"],
    ["", "story"],
    ["../../etc/passwd", "etc-passwd"],
    ["a".repeat(200), "a".repeat(60)],
    [`${"word ".repeat(30)}`, "word-word-word-word-word-word-word-word-word-word-word-word"],
  ])("slugify(%j) is %j", (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  it("uniqueSlugs never repeats and never uses a reserved or Windows device name", () => {
    expect(uniqueSlugs(["Same", "same", "SAME!", "index", "CON", "Nav", "Same 2"])).toEqual([
      "same",
      "same-2",
      "same-3",
      "index-2",
      "con-2",
      "nav-2",
      "same-2-2",
    ]);
  });
});
