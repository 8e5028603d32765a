import { describe, expect, it } from "vitest";
import {
  COLLECTION_SCHEMA,
  COLLECTION_VERSION,
  bookLanguage,
  collectionKind,
  creditRole,
  isLanguageTag,
} from "./collection.ts";

const STORY_1 = "2AHAce1Fb4Bmk1rap6sGpCs4VTaF";

const credit = (over: Record<string, unknown> = {}) => ({
  name: "Aoife",
  role: "editor",
  addedAt: 3,
  ...over,
});

const validCollection = (over: Record<string, unknown> = {}) => ({
  schema: COLLECTION_SCHEMA,
  version: COLLECTION_VERSION,
  communityId: "2sbfoHcRkXHtrKrXbwd47BJDsbv3",
  title: "Harvest",
  subtitle: "",
  introduction: "",
  stories: [STORY_1],
  credits: { c1: credit() },
  language: "en",
  cover: null,
  createdAt: 1,
  updatedAt: 2,
  ...over,
});

describe("collectionKind.read", () => {
  it("reads a good collection as ok, with no problems", () => {
    expect(collectionKind.read(validCollection())).toEqual({
      state: "ok",
      doc: validCollection(),
      problems: [],
    });
  });

  it.each([
    ["title a number", { title: 5 }],
    ["stories a map", { stories: { a: STORY_1 } }],
    ["credits an array", { credits: [credit()] }],
    ["introduction missing", { introduction: undefined }],
    ["language missing", { language: undefined }],
    ["a cover that is not null", { cover: "https://example.org/cover.jpg" }],
    ["createdAt negative", { createdAt: -1 }],
  ])("calls a collection with %s damaged", (_name, over) => {
    expect(collectionKind.read(validCollection(over)).state).toBe("damaged");
  });

  it("says when a collection was written by a newer Meitheal, and refuses other kinds", () => {
    expect(collectionKind.read(validCollection({ version: 9 }))).toEqual({
      state: "newer",
      version: 9,
    });
    expect(collectionKind.read(validCollection({ schema: "meitheal/story" })).state).toBe(
      "damaged",
    );
    expect(collectionKind.read(null).state).toBe("damaged");
  });

  it("leaves out story ids and credits that do not read, names them, keeps the rest", () => {
    const read = collectionKind.read(
      validCollection({
        stories: [STORY_1, 42, "not an id", STORY_1],
        credits: { c1: credit(), c2: credit({ name: 7 }), c3: { role: "editor" } },
      }),
    );
    if (read.state !== "ok") throw new Error(read.state);
    // A duplicate is valid in storage (concurrent adds); the view dedupes (ops/collection.ts).
    expect(read.doc.stories).toEqual([STORY_1, STORY_1]);
    expect(Object.keys(read.doc.credits)).toEqual(["c1"]);
    expect(read.problems).toHaveLength(4);
    expect(read.problems[0]).toMatch(/^story 1:/);
    expect(read.problems.some((p) => p.startsWith("credit c2:"))).toBe(true);
  });
});

describe("language and roles", () => {
  it.each([
    ["en", true],
    ["ga-IE", true],
    ["zh-Hant-TW", true],
    ["", false],
    ["e", false],
    ["en_US", false],
    ["en US", false],
    ['en"><script>', false],
    [`en-${"a".repeat(40)}`, false],
  ])("%j is a language tag: %s", (tag, expected) => {
    expect(isLanguageTag(tag)).toBe(expected);
    expect(bookLanguage(tag)).toBe(expected ? tag : "en");
  });

  it("reads an unknown role as contributor", () => {
    expect(creditRole("editor")).toBe("editor");
    expect(creditRole("narrator")).toBe("contributor");
    expect(creditRole(undefined)).toBe("contributor");
  });
});
