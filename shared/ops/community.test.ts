import * as Automerge from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { communityKind, type CommunityIndex, type IndexEntry } from "../schema/community.ts";
import {
  addEntry,
  entryContributors,
  filterEntries,
  type ListedEntry,
  addTheme,
  initCommunity,
  listEntries,
  removeTheme,
  renameCommunity,
  renameTheme,
  setPurpose,
  sortedThemes,
  updateEntry,
} from "./community.ts";
import type { OpContext } from "./context.ts";

/** A clock the test moves by hand, and ids from a counter. */
const fixedContext = (start = 1_000) => {
  let time = start;
  let next = 0;
  const ctx: OpContext = { now: () => time, newId: () => `id-${++next}` };
  return { ctx, setTime: (t: number) => (time = t) };
};

type Doc = Automerge.Doc<CommunityIndex>;

const newCommunity = (
  ctx: OpContext,
  args: { name?: string; purpose?: string; themes?: readonly string[] } = {},
): Doc =>
  Automerge.change(Automerge.init<CommunityIndex>(), (d) =>
    initCommunity(
      d,
      {
        name: args.name ?? "Cois Farraige",
        purpose: args.purpose ?? "Stories of the shore",
        ...(args.themes ? { themes: args.themes } : {}),
      },
      ctx,
    ),
  );

const valid = (doc: Doc): CommunityIndex => {
  const read = communityKind.read(doc);
  if (read.state !== "ok") throw new Error(`index does not validate: ${JSON.stringify(read)}`);
  expect(read.problems).toEqual([]);
  return read.doc;
};

const entry = (overrides: Partial<IndexEntry> = {}): IndexEntry => ({
  kind: "story",
  title: "Untitled",
  createdAt: 1,
  updatedAt: 1,
  ...overrides,
});

describe("initCommunity", () => {
  it("starts with the five default themes, in order, and validates", () => {
    const { ctx } = fixedContext(1_234);
    const doc = newCommunity(ctx);
    const index = valid(doc);
    expect(index.name).toBe("Cois Farraige");
    expect(index.purpose).toBe("Stories of the shore");
    expect(index.createdAt).toBe(1_234);
    expect(index.entries).toEqual({});
    expect(sortedThemes(index).map((t) => t.label.toLowerCase())).toEqual([
      "dignity",
      "nature",
      "connection",
      "fairness",
      "participation",
    ]);
    // Theme ids come from the context, so a test (or a replay) is repeatable.
    expect(sortedThemes(index).map((t) => t.id)).toEqual(["id-1", "id-2", "id-3", "id-4", "id-5"]);
  });

  it("uses the given themes instead of the defaults", () => {
    const { ctx } = fixedContext();
    const index = valid(newCommunity(ctx, { themes: ["Water", "Land"] }));
    expect(sortedThemes(index).map((t) => t.label)).toEqual(["Water", "Land"]);
  });

  it("uses the defaults when given an empty list", () => {
    const { ctx } = fixedContext();
    expect(sortedThemes(valid(newCommunity(ctx, { themes: [] })))).toHaveLength(5);
  });
});

describe("community operations", () => {
  it("renames the community and sets its purpose", () => {
    const { ctx } = fixedContext();
    let doc = newCommunity(ctx);
    doc = Automerge.change(doc, (d) => renameCommunity(d, "Cois Abhann"));
    doc = Automerge.change(doc, (d) => setPurpose(d, "Stories of the river"));
    const index = valid(doc);
    expect(index.name).toBe("Cois Abhann");
    expect(index.purpose).toBe("Stories of the river");
  });

  it("adds a theme at the end, renames it, and removes it", () => {
    const { ctx } = fixedContext();
    let doc = newCommunity(ctx, { themes: ["Water", "Land"] });
    let added = "";
    doc = Automerge.change(doc, (d) => {
      added = addTheme(d, "Sky", ctx);
    });
    expect(added).toBe("id-3");
    expect(sortedThemes(valid(doc)).map((t) => t.label)).toEqual(["Water", "Land", "Sky"]);

    doc = Automerge.change(doc, (d) => renameTheme(d, added, "Air"));
    expect(sortedThemes(valid(doc))).toEqual([
      { id: "id-1", label: "Water" },
      { id: "id-2", label: "Land" },
      { id: "id-3", label: "Air" },
    ]);

    doc = Automerge.change(doc, (d) => removeTheme(d, "id-1"));
    expect(sortedThemes(valid(doc)).map((t) => t.label)).toEqual(["Land", "Air"]);
  });

  it("adds a theme to a community with no themes at order 0", () => {
    const { ctx } = fixedContext();
    let doc = newCommunity(ctx, { themes: ["Only"] });
    doc = Automerge.change(doc, (d) => removeTheme(d, "id-1"));
    doc = Automerge.change(doc, (d) => void addTheme(d, "First", ctx));
    expect(Object.values(valid(doc).themes)).toEqual([{ label: "First", order: 0 }]);
  });

  it("ignores renaming a theme that is not there", () => {
    const { ctx } = fixedContext();
    const doc = newCommunity(ctx);
    const after = Automerge.change(doc, (d) => renameTheme(d, "missing", "Ghost"));
    expect(valid(after).themes).toEqual(valid(doc).themes);
  });

  it("sorts themes by order, then label, then id", () => {
    const themes: CommunityIndex["themes"] = {
      c: { label: "Beta", order: 1 },
      b: { label: "Alpha", order: 1 },
      a: { label: "Alpha", order: 1 },
      z: { label: "Zeta", order: 0 },
    };
    expect(sortedThemes({ themes }).map((t) => t.id)).toEqual(["z", "a", "b", "c"]);
  });

  it("keeps two themes added at once on two peers (both survive the merge)", () => {
    const a = fixedContext();
    const base = newCommunity(a.ctx, { themes: ["Water"] });
    const b: OpContext = { now: () => 5, newId: () => "from-b" };
    const onA = Automerge.change(
      Automerge.clone(base, { actor: "aa".repeat(16) }),
      (d) => void addTheme(d, "Land", a.ctx),
    );
    const onB = Automerge.change(
      Automerge.clone(base, { actor: "bb".repeat(16) }),
      (d) => void addTheme(d, "Sky", b),
    );
    const merged = Automerge.merge(Automerge.clone(onA), onB);
    const labels = sortedThemes(valid(merged)).map((t) => t.label);
    expect(labels).toHaveLength(3);
    expect(new Set(labels)).toEqual(new Set(["Water", "Land", "Sky"]));
    // Both take order 1; the tie is broken by label, the same way on every peer.
    expect(labels).toEqual(
      sortedThemes(valid(Automerge.merge(Automerge.clone(onB), onA))).map((t) => t.label),
    );
  });
});

describe("entries", () => {
  it("adds entries and lists one kind, newest change first", () => {
    const { ctx } = fixedContext();
    let doc = newCommunity(ctx);
    doc = Automerge.change(doc, (d) => {
      addEntry(d, "s1", entry({ title: "Old", updatedAt: 10 }));
      addEntry(d, "s2", entry({ title: "New", updatedAt: 30 }));
      addEntry(d, "s3", entry({ title: "Middle", updatedAt: 20 }));
      addEntry(d, "l1", entry({ kind: "log", title: "A log", updatedAt: 99 }));
    });
    const index = valid(doc);
    expect(listEntries(index, "story").map((e) => e.id)).toEqual(["s2", "s3", "s1"]);
    expect(listEntries(index, "log")).toEqual([
      { kind: "log", title: "A log", createdAt: 1, updatedAt: 99, id: "l1" },
    ]);
    expect(listEntries(index, "map")).toEqual([]);
  });

  it("breaks ties by title, then by id, whatever order they were added in", () => {
    const tied = {
      e3: entry({ title: "Same", updatedAt: 5 }),
      e1: entry({ title: "Same", updatedAt: 5 }),
      e2: entry({ title: "Earlier title", updatedAt: 5 }),
    };
    const forward = listEntries({ entries: tied }, "story").map((e) => e.id);
    const reversed = listEntries(
      { entries: Object.fromEntries(Object.entries(tied).reverse()) },
      "story",
    ).map((e) => e.id);
    expect(forward).toEqual(["e2", "e1", "e3"]);
    expect(reversed).toEqual(forward);
  });

  it("updates an entry's title and status and stamps it with the context's time", () => {
    const { ctx, setTime } = fixedContext();
    let doc = newCommunity(ctx);
    doc = Automerge.change(doc, (d) =>
      addEntry(d, "s1", entry({ title: "Draft one", status: "seed", updatedAt: 10 })),
    );
    setTime(50);
    doc = Automerge.change(doc, (d) =>
      updateEntry(d, "s1", { title: "Final", status: "ready" }, ctx),
    );
    expect(valid(doc).entries.s1).toEqual({
      kind: "story",
      title: "Final",
      status: "ready",
      createdAt: 1,
      updatedAt: 50,
    });
  });

  it("moves an updated entry to the top of the list", () => {
    const { ctx, setTime } = fixedContext();
    let doc = newCommunity(ctx);
    doc = Automerge.change(doc, (d) => {
      addEntry(d, "s1", entry({ title: "One", updatedAt: 10 }));
      addEntry(d, "s2", entry({ title: "Two", updatedAt: 20 }));
    });
    setTime(30);
    doc = Automerge.change(doc, (d) => updateEntry(d, "s1", { status: "draft" }, ctx));
    expect(listEntries(valid(doc), "story").map((e) => e.id)).toEqual(["s1", "s2"]);
  });

  it("ignores an update of an entry that is not there", () => {
    const { ctx } = fixedContext();
    const doc = newCommunity(ctx);
    const after = Automerge.change(doc, (d) => updateEntry(d, "missing", { title: "Ghost" }, ctx));
    expect(valid(after).entries).toEqual({});
  });

  it("converges when two peers rename the same entry at once", () => {
    const { ctx } = fixedContext();
    const base = Automerge.change(newCommunity(ctx), (d) =>
      addEntry(d, "s1", entry({ title: "Walk" })),
    );
    const clockA: OpContext = { ...ctx, now: () => 100 };
    const clockB: OpContext = { ...ctx, now: () => 200 };
    let onA = Automerge.change(Automerge.clone(base, { actor: "aa".repeat(16) }), (d) =>
      updateEntry(d, "s1", { title: "Walk in the park" }, clockA),
    );
    let onB = Automerge.change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) =>
      updateEntry(d, "s1", { title: "Long Walk" }, clockB),
    );
    const fromA = Automerge.save(onA);
    const fromB = Automerge.save(onB);
    onA = Automerge.merge(onA, Automerge.load<CommunityIndex>(fromB));
    onB = Automerge.merge(onB, Automerge.load<CommunityIndex>(fromA));
    expect(Automerge.toJS(onA)).toEqual(Automerge.toJS(onB));
    const merged = valid(onA).entries.s1;
    // The index copies the story's title, which is set whole: one of the two wins here, and the
    // story document keeps both as a visible conflict.
    expect(["Long Walk", "Walk in the park"]).toContain(merged?.title);
    expect([100, 200]).toContain(merged?.updatedAt);
  });

  it("keeps entries added at once on two peers", () => {
    const { ctx } = fixedContext();
    const base = newCommunity(ctx);
    const onA = Automerge.change(Automerge.clone(base, { actor: "aa".repeat(16) }), (d) =>
      addEntry(d, "a", entry({ title: "From A" })),
    );
    const onB = Automerge.change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) =>
      addEntry(d, "b", entry({ title: "From B" })),
    );
    const merged = Automerge.merge(Automerge.clone(onA), onB);
    expect(Object.keys(valid(merged).entries).sort()).toEqual(["a", "b"]);
  });
});

describe("filterEntries and entryContributors", () => {
  const e = (id: string, over: Partial<IndexEntry>): ListedEntry => ({ ...entry(over), id });
  const list = [
    e("a", {
      title: "Bog walk",
      status: "draft",
      createdAt: 1,
      updatedAt: 30,
      themes: { nature: true },
      contributors: { k1: "Aoife" },
    }),
    e("b", {
      title: "Allotment",
      status: "ready",
      createdAt: 3,
      updatedAt: 10,
      themes: { nature: true, fairness: true },
      contributors: { k2: "Brian" },
    }),
    e("c", {
      title: "Circle",
      status: "draft",
      createdAt: 2,
      updatedAt: 20,
      contributors: { k1: "Aoife", k2: "Brian" },
    }),
    e("d", { title: "Dawn", createdAt: 4, updatedAt: 5 }),
  ];
  it("filters by status (no status counts as seed), theme and contributor", () => {
    expect(filterEntries(list, { status: "draft" }).map((x) => x.id)).toEqual(["a", "c"]);
    expect(filterEntries(list, { status: "seed" }).map((x) => x.id)).toEqual(["d"]);
    expect(filterEntries(list, { theme: "nature" }).map((x) => x.id)).toEqual(["a", "b"]);
    expect(filterEntries(list, { contributor: "k2", status: "draft" }).map((x) => x.id)).toEqual([
      "c",
    ]);
    expect(filterEntries(list, { theme: "missing" })).toEqual([]);
  });
  it("sorts by updated (default), created and title", () => {
    expect(filterEntries(list, {}).map((x) => x.id)).toEqual(["a", "c", "b", "d"]);
    expect(filterEntries(list, { sort: "created" }).map((x) => x.id)).toEqual(["d", "b", "c", "a"]);
    expect(filterEntries(list, { sort: "title" }).map((x) => x.id)).toEqual(["b", "a", "c", "d"]);
  });
  it("lists every contributor once, by name", () => {
    expect(entryContributors(list)).toEqual([
      { key: "k1", name: "Aoife" },
      { key: "k2", name: "Brian" },
    ]);
  });
  it("updates theme and contributor sets in an entry key by key", () => {
    const { ctx } = fixedContext();
    let doc = Automerge.change(newCommunity(ctx), (d) => addEntry(d, "s1", entry({})));
    doc = Automerge.change(doc, (d) =>
      updateEntry(d, "s1", { themes: ["nature", "dignity"], contributors: { k1: "Aoife" } }, ctx),
    );
    doc = Automerge.change(doc, (d) =>
      updateEntry(d, "s1", { themes: ["dignity"], contributors: { k2: "Brian" } }, ctx),
    );
    expect(valid(doc).entries.s1).toMatchObject({
      themes: { dignity: true },
      contributors: { k1: "Aoife", k2: "Brian" },
    });
  });
});
