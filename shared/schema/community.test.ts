import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  COMMUNITY_SCHEMA,
  COMMUNITY_VERSION,
  communityKind,
  indexEntryValidator,
  themeValidator,
} from "./community.ts";

const validIndex = () => ({
  schema: COMMUNITY_SCHEMA,
  version: COMMUNITY_VERSION,
  name: "Cois Farraige",
  purpose: "Stories of the shore",
  createdAt: 1_700_000_000_000,
  themes: {
    t1: { label: "Dignity", order: 0 },
    t2: { label: "Nature", order: 1 },
  },
  entries: {
    s1: { kind: "story", title: "The first tide", status: "draft", createdAt: 10, updatedAt: 20 },
    l1: { kind: "log", title: "Tuesday circle", createdAt: 11, updatedAt: 12 },
  },
});

describe("communityKind.read", () => {
  it("reads a valid index as ok, with everything in it and no problems", () => {
    const read = communityKind.read(validIndex());
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(read.problems).toEqual([]);
    expect(read.doc).toEqual(validIndex());
  });

  it("drops a malformed entry, names it in problems, and keeps the others", () => {
    const raw = validIndex();
    const entries: Record<string, unknown> = {
      ...raw.entries,
      badTitle: { kind: "story", title: 42, createdAt: 1, updatedAt: 1 },
      badKind: { kind: "banana", title: "Fruit", createdAt: 1, updatedAt: 1 },
    };
    const read = communityKind.read({ ...raw, entries });
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(Object.keys(read.doc.entries).sort()).toEqual(["l1", "s1"]);
    expect(read.doc.entries.s1).toEqual(raw.entries.s1);
    expect(read.problems).toHaveLength(2);
    expect(read.problems.find((p) => p.includes("badTitle"))).toMatch(/title/);
    expect(read.problems.find((p) => p.includes("badKind"))).toMatch(/kind/);
    // The community itself is still fully usable.
    expect(read.doc.name).toBe("Cois Farraige");
    expect(Object.keys(read.doc.themes)).toEqual(["t1", "t2"]);
  });

  it("drops a malformed theme the same way", () => {
    const raw = validIndex();
    const read = communityKind.read({
      ...raw,
      themes: { ...raw.themes, t3: { label: "No order" } },
    });
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(Object.keys(read.doc.themes).sort()).toEqual(["t1", "t2"]);
    expect(read.problems).toEqual([expect.stringContaining("theme t3")]);
  });

  it("calls an index with a broken header damaged, naming the field", () => {
    const read = communityKind.read({ ...validIndex(), name: 7 });
    expect(read.state).toBe("damaged");
    if (read.state !== "damaged") return;
    expect(read.problems.some((p) => p.startsWith("name:"))).toBe(true);
  });

  it("calls an index whose entries are not a map damaged", () => {
    expect(communityKind.read({ ...validIndex(), entries: "none" }).state).toBe("damaged");
    expect(communityKind.read({ ...validIndex(), themes: null }).state).toBe("damaged");
  });

  it("says version 99 is newer", () => {
    expect(communityKind.read({ ...validIndex(), version: 99, name: 5 })).toEqual({
      state: "newer",
      version: 99,
    });
  });

  it.each([null, undefined, "meitheal/community", 1, [validIndex()]])(
    "calls a non-object (%j) damaged",
    (raw) => {
      expect(communityKind.read(raw).state).toBe("damaged");
    },
  );

  it("calls a story document damaged, not a community", () => {
    const read = communityKind.read({ ...validIndex(), schema: "meitheal/story" });
    expect(read.state).toBe("damaged");
  });

  it("never throws, whatever it is given", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true }),
        ),
        (raw) => {
          const read = communityKind.read(raw);
          expect(["ok", "damaged", "newer", "needs-migration"]).toContain(read.state);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("keeps exactly the valid entries of an index with a good header and random entries", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__"),
          fc.oneof(
            fc.jsonValue(),
            fc.record({
              kind: fc.constantFrom("story", "log", "map", "collection", "banana"),
              title: fc.oneof(fc.string(), fc.integer()),
              createdAt: fc.oneof(fc.nat(), fc.constant(-1)),
              updatedAt: fc.nat(),
            }),
          ),
        ),
        (entries) => {
          const read = communityKind.read({ ...validIndex(), entries });
          expect(read.state).toBe("ok");
          if (read.state !== "ok") return;
          const valid = Object.keys(entries).filter(
            (id) => indexEntryValidator.safeParse(entries[id]).success,
          );
          expect(Object.keys(read.doc.entries).sort()).toEqual(valid.sort());
          expect(read.problems).toHaveLength(Object.keys(entries).length - valid.length);
          for (const entry of Object.values(read.doc.entries))
            expect(indexEntryValidator.safeParse(entry).success).toBe(true);
          for (const theme of Object.values(read.doc.themes))
            expect(themeValidator.safeParse(theme).success).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
