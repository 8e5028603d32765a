import * as Automerge from "@automerge/automerge";
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import { describe, expect, it } from "vitest";
import { spansToPlainText } from "../richtext/text.ts";
import { collectionKind, type Collection } from "../schema/collection.ts";
import {
  addCredit,
  addStory,
  initCollection,
  moveStory,
  orderedCredits,
  orderedStories,
  removeCredit,
  removeStory,
  renameCollection,
  setIntroduction,
  setLanguage,
  setSubtitle,
  updateCredit,
} from "./collection.ts";
import type { OpContext } from "./context.ts";

const fixedContext = (start = 1_000) => {
  let time = start;
  let next = 0;
  const ctx: OpContext = { now: () => time, newId: () => `id${++next}` };
  return { ctx, setTime: (t: number) => (time = t) };
};

const newId = (): string => parseAutomergeUrl(generateAutomergeUrl()).documentId;
const [A, B, C, D] = [newId(), newId(), newId(), newId()] as [string, string, string, string];

/** The collection as the app reads it; fails the test if an operation left anything invalid. */
const valid = (doc: Automerge.Doc<Collection>): Collection => {
  const read = collectionKind.read(doc);
  if (read.state !== "ok") throw new Error(`collection does not validate: ${JSON.stringify(read)}`);
  expect(read.problems).toEqual([]);
  return read.doc;
};

const newCollection = (ctx: OpContext, actor?: string) =>
  Automerge.change(Automerge.init<Collection>(actor ? { actor } : undefined), (d) =>
    initCollection(d, { communityId: "community-1", title: "Harvest 2025" }, ctx),
  );

const change = (doc: Automerge.Doc<Collection>, fn: (d: Collection) => void) =>
  Automerge.change(doc, fn);

const withStories = (ctx: OpContext, ids: readonly string[]) =>
  change(newCollection(ctx), (d) => {
    for (const id of ids) addStory(d, id, ctx);
  });

/** Two peers with their own actors, starting from one shared document. */
const forked = (doc: Automerge.Doc<Collection>) => [
  Automerge.clone(doc, { actor: "aa".repeat(16) }),
  Automerge.clone(doc, { actor: "bb".repeat(16) }),
];

describe("initCollection", () => {
  it("writes a collection that reads as ok, empty, in English", () => {
    const { ctx } = fixedContext(42);
    const doc = newCollection(ctx);
    expect(valid(doc)).toEqual({
      schema: "meitheal/collection",
      version: 1,
      communityId: "community-1",
      title: "Harvest 2025",
      subtitle: "",
      introduction: "",
      stories: [],
      credits: {},
      language: "en",
      cover: null,
      createdAt: 42,
      updatedAt: 42,
    });
  });

  it("keeps a given subtitle and language, and refuses a language that is not a tag", () => {
    const { ctx } = fixedContext();
    const make = (language: string) =>
      valid(
        Automerge.change(Automerge.init<Collection>(), (d) =>
          initCollection(d, { communityId: "c", title: "T", subtitle: "S", language }, ctx),
        ),
      );
    expect(make("ga-IE")).toMatchObject({ subtitle: "S", language: "ga-IE" });
    expect(make("not a language").language).toBe("en");
  });
});

describe("title, subtitle, language", () => {
  it("sets each whole and moves updatedAt only on a real change", () => {
    const { ctx, setTime } = fixedContext(1);
    let doc = newCollection(ctx);
    setTime(5);
    doc = change(doc, (d) => renameCollection(d, "Harvest", ctx));
    doc = change(doc, (d) => setSubtitle(d, "Stories from the shore", ctx));
    expect(valid(doc)).toMatchObject({
      title: "Harvest",
      subtitle: "Stories from the shore",
      updatedAt: 5,
    });
    setTime(9);
    doc = change(doc, (d) => renameCollection(d, "Harvest", ctx));
    doc = change(doc, (d) => setSubtitle(d, "Stories from the shore", ctx));
    expect(valid(doc).updatedAt).toBe(5);
  });

  it("sets a language tag and refuses anything else", () => {
    const { ctx } = fixedContext();
    let results: boolean[] = [];
    const doc = change(newCollection(ctx), (d) => {
      results = [
        setLanguage(d, "ga", ctx),
        setLanguage(d, "en US", ctx),
        setLanguage(d, "<script>", ctx),
      ];
    });
    expect(results).toEqual([true, false, false]);
    expect(valid(doc).language).toBe("ga");
  });
});

describe("setIntroduction", () => {
  it("writes rich text the editor reads: block markers and marks", () => {
    const { ctx } = fixedContext();
    const doc = change(newCollection(ctx), (d) =>
      setIntroduction(
        d,
        [
          { type: "heading", level: 2, text: "Why these stories" },
          { type: "paragraph", text: "We met by the sea.", marks: { em: true } },
        ],
        ctx,
      ),
    );
    const spans = Automerge.spans(doc, ["introduction"]);
    expect(spansToPlainText(spans)).toBe("Why these stories\nWe met by the sea.");
    expect(spans.some((s) => s.type === "text" && s.marks?.em === true)).toBe(true);
    valid(doc);
  });
});

describe("stories: add, remove, move", () => {
  it("adds at the end or at a shown position, never twice, never a non-id", () => {
    const { ctx } = fixedContext();
    let results: boolean[] = [];
    const doc = change(newCollection(ctx), (d) => {
      results = [
        addStory(d, A, ctx),
        addStory(d, B, ctx),
        addStory(d, C, ctx, 1),
        addStory(d, D, ctx, 0),
        addStory(d, A, ctx),
        addStory(d, "not-an-id", ctx),
      ];
    });
    expect(results).toEqual([true, true, true, true, false, false]);
    expect(orderedStories(valid(doc))).toEqual([D, A, C, B]);
  });

  it("removes a story, and says so when it was not there", () => {
    const { ctx } = fixedContext();
    let results: boolean[] = [];
    const doc = change(withStories(ctx, [A, B, C]), (d) => {
      results = [removeStory(d, B, ctx), removeStory(d, B, ctx)];
    });
    expect(results).toEqual([true, false]);
    expect(orderedStories(valid(doc))).toEqual([A, C]);
  });

  it.each([
    [0, 2, [B, C, A, D]],
    [0, 3, [B, C, D, A]],
    [3, 0, [D, A, B, C]],
    [1, 2, [A, C, B, D]],
    [2, 1, [A, C, B, D]],
    [1, 99, [A, C, D, B]],
    [2, -5, [C, A, B, D]],
  ])("moves the story shown at %i to %i", (from, to, expected) => {
    const { ctx } = fixedContext();
    const doc = change(withStories(ctx, [A, B, C, D]), (d) => {
      expect(moveStory(d, from, to, ctx)).toBe(true);
    });
    expect(orderedStories(valid(doc))).toEqual(expected);
  });

  it("does nothing for a move to the same place or from nowhere", () => {
    const { ctx, setTime } = fixedContext(1);
    const before = withStories(ctx, [A, B]);
    setTime(50);
    const after = change(before, (d) => {
      expect(moveStory(d, 1, 1, ctx)).toBe(false);
      expect(moveStory(d, 5, 0, ctx)).toBe(false);
      expect(moveStory(d, 1, 7, ctx)).toBe(false); // clamped to where it already is
    });
    expect(valid(after)).toEqual(valid(before));
  });
});

describe("orderedStories", () => {
  it("shows each story once, at its first occurrence, and skips what is not an id", () => {
    expect(orderedStories({ stories: [A, B, A, 7, "junk", C, B, null] })).toEqual([A, B, C]);
  });
});

describe("concurrent changes merge", () => {
  it("the same story added on two laptops is shown once", () => {
    const { ctx } = fixedContext();
    const [left, right] = forked(withStories(ctx, [A]));
    const merged = Automerge.merge(
      change(left!, (d) => addStory(d, B, ctx)),
      change(right!, (d) => addStory(d, B, ctx)),
    );
    expect(merged.stories).toEqual([A, B, B]);
    expect(orderedStories(valid(merged))).toEqual([A, B]);
  });

  it("different stories added on two laptops both stay", () => {
    const { ctx } = fixedContext();
    const [left, right] = forked(withStories(ctx, [A]));
    const merged = Automerge.merge(
      change(left!, (d) => addStory(d, B, ctx)),
      change(right!, (d) => addStory(d, C, ctx)),
    );
    expect(new Set(orderedStories(valid(merged)))).toEqual(new Set([A, B, C]));
    expect(orderedStories(merged)).toHaveLength(3);
  });

  it("one story moved to two places at once is shown once, and the next move cleans up", () => {
    const { ctx } = fixedContext();
    const [left, right] = forked(withStories(ctx, [A, B, C, D]));
    const movedLeft = change(left!, (d) => moveStory(d, 0, 3, ctx));
    const movedRight = change(right!, (d) => moveStory(d, 0, 1, ctx));
    const merged = Automerge.merge(Automerge.clone(movedLeft), movedRight);
    expect(merged.stories).toHaveLength(5);
    const shown = orderedStories(valid(merged));
    expect(shown).toHaveLength(4);
    expect(new Set(shown)).toEqual(new Set([A, B, C, D]));
    // Both peers agree on what they show.
    expect(orderedStories(Automerge.merge(Automerge.clone(movedRight), movedLeft))).toEqual(shown);
    const tidy = change(merged, (d) => moveStory(d, shown.indexOf(A), 0, ctx));
    expect(tidy.stories).toEqual([A, ...shown.filter((id) => id !== A)]);
  });

  it("a reorder on one laptop and an add on another both survive", () => {
    const { ctx } = fixedContext();
    const [left, right] = forked(withStories(ctx, [A, B, C]));
    const merged = Automerge.merge(
      change(left!, (d) => moveStory(d, 2, 0, ctx)),
      change(right!, (d) => addStory(d, D, ctx)),
    );
    expect(orderedStories(valid(merged))).toEqual([C, A, B, D]);
  });

  it("a story removed on one laptop and a different one moved on another", () => {
    const { ctx } = fixedContext();
    const [left, right] = forked(withStories(ctx, [A, B, C]));
    const merged = Automerge.merge(
      change(left!, (d) => removeStory(d, B, ctx)),
      change(right!, (d) => moveStory(d, 2, 0, ctx)),
    );
    expect(orderedStories(valid(merged))).toEqual([C, A]);
  });

  it("a removal cleans every copy left by concurrent adds", () => {
    const { ctx } = fixedContext();
    const [left, right] = forked(withStories(ctx, [A]));
    const merged = Automerge.merge(
      change(left!, (d) => addStory(d, B, ctx)),
      change(right!, (d) => addStory(d, B, ctx)),
    );
    const removed = change(merged, (d) => removeStory(d, B, ctx));
    expect(removed.stories).toEqual([A]);
  });
});

describe("credits", () => {
  it("adds, updates and removes credits, listed editors first then in the order added", () => {
    const { ctx, setTime } = fixedContext(10);
    const ids: string[] = [];
    let doc = change(newCollection(ctx), (d) => {
      ids.push(addCredit(d, { name: "Brían", role: "contributor" }, ctx));
      setTime(11);
      ids.push(addCredit(d, { name: "Aoife", role: "editor" }, ctx));
      setTime(12);
      ids.push(addCredit(d, { name: "Cathal", role: "contributor" }, ctx));
      ids.push(addCredit(d, { name: "  ", role: "author" }, ctx));
    });
    expect(orderedCredits(valid(doc)).map((c) => c.name)).toEqual(["Aoife", "Brían", "Cathal"]);
    setTime(20);
    doc = change(doc, (d) => {
      expect(updateCredit(d, ids[2]!, { role: "editor", name: "Cathal Ó" }, ctx)).toBe(true);
      expect(removeCredit(d, ids[0]!, ctx)).toBe(true);
      expect(removeCredit(d, ids[0]!, ctx)).toBe(false);
      expect(updateCredit(d, "gone", { name: "x" }, ctx)).toBe(false);
    });
    const read = valid(doc);
    expect(orderedCredits(read).map((c) => [c.name, c.role])).toEqual([
      ["Aoife", "editor"],
      ["Cathal Ó", "editor"],
    ]);
    expect(read.updatedAt).toBe(20);
  });

  it("credits added at once on two laptops both stay", () => {
    const { ctx } = fixedContext();
    const [left, right] = forked(newCollection(ctx));
    const merged = Automerge.merge(
      change(left!, (d) => addCredit(d, { name: "Aoife", role: "editor" }, fixedContext().ctx)),
      change(right!, (d) => {
        const other: OpContext = { now: () => 1_000, newId: () => "other-1" };
        addCredit(d, { name: "Brían", role: "editor" }, other);
      }),
    );
    expect(orderedCredits(valid(merged)).map((c) => c.name)).toEqual(["Aoife", "Brían"]);
  });

  it("a role from a newer Meitheal is listed as contributor, not dropped", () => {
    expect(
      orderedCredits({ credits: { x: { name: "Dara", role: "narrator", addedAt: 1 } } }),
    ).toEqual([{ id: "x", name: "Dara", role: "contributor", addedAt: 1 }]);
  });
});
