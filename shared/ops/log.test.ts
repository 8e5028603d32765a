import * as Automerge from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { logKind, type Log } from "../schema/log.ts";
import type { OpContext } from "./context.ts";
import {
  addEntryLink,
  addLogEntry,
  addParticipant,
  deleteLogEntry,
  filterLogEntries,
  initLog,
  liveEntries,
  logParticipants,
  participantKey,
  removeEntryLink,
  removeParticipant,
  renameLog,
  restoreLogEntry,
  setEntryDate,
  setEntryKind,
  setEntryText,
  setEntryThemes,
  setLogDescription,
  timelineRows,
  type ListedLogEntry,
  type NewEntry,
} from "./log.ts";

const fixedContext = (start = 1_000) => {
  let time = start;
  let next = 0;
  const ctx: OpContext = { now: () => time, newId: () => `id${++next}` };
  return { ctx, setTime: (t: number) => (time = t) };
};

const KEY_A = "a".repeat(64);
const KEY_B = "b".repeat(64);

/** The log as the app reads it; fails the test if an operation left anything invalid. */
const valid = (doc: Automerge.Doc<Log>): Log => {
  const read = logKind.read(doc);
  if (read.state !== "ok") throw new Error(`log does not validate: ${JSON.stringify(read)}`);
  expect(read.problems).toEqual([]);
  return read.doc;
};

const newLog = (ctx: OpContext) =>
  Automerge.change(Automerge.init<Log>(), (d) =>
    initLog(d, { communityId: "community-1", title: "Thursday circle" }, ctx),
  );

const entryArgs = (over: Partial<NewEntry> = {}): NewEntry => ({
  date: "2025-06-01",
  kind: "gathering",
  by: KEY_A,
  byName: "Aoife",
  ...over,
});

/** A log with one entry; returns the document and the entry's id. */
const withEntry = (ctx: OpContext, over: Partial<NewEntry> = {}) => {
  let id = "";
  const doc = Automerge.change(newLog(ctx), (d) => {
    id = addLogEntry(d, entryArgs(over), ctx);
  });
  return { doc, id };
};

const change = (doc: Automerge.Doc<Log>, fn: (d: Log) => void) => Automerge.change(doc, fn);

describe("initLog", () => {
  it("writes a log that reads as ok with no entries", () => {
    const { ctx } = fixedContext(42);
    expect(valid(newLog(ctx))).toEqual({
      schema: "meitheal/log",
      version: 1,
      communityId: "community-1",
      title: "Thursday circle",
      description: "",
      createdAt: 42,
      updatedAt: 42,
      entries: {},
    });
  });

  it("keeps a description given at the start", () => {
    const { ctx } = fixedContext();
    const doc = Automerge.change(Automerge.init<Log>(), (d) =>
      initLog(d, { communityId: "c", title: "t", description: "Why we meet" }, ctx),
    );
    expect(valid(doc).description).toBe("Why we meet");
  });
});

describe("renameLog and setLogDescription", () => {
  it("renames and moves updatedAt; the same title makes no change at all", () => {
    const { ctx, setTime } = fixedContext(100);
    const doc = newLog(ctx);
    setTime(200);
    const renamed = change(doc, (d) => renameLog(d, "Friday circle", ctx));
    expect(valid(renamed)).toMatchObject({
      title: "Friday circle",
      updatedAt: 200,
      createdAt: 100,
    });
    const same = change(renamed, (d) => renameLog(d, "Friday circle", ctx));
    expect(Automerge.getHeads(same)).toEqual(Automerge.getHeads(renamed));
  });

  it("edits the description as text: two people's edits both stay", () => {
    const { ctx, setTime } = fixedContext(100);
    const base = change(newLog(ctx), (d) => setLogDescription(d, "We meet weekly.", ctx));
    setTime(300);
    const a = change(Automerge.clone(base, { actor: "aa".repeat(16) }), (d) =>
      setLogDescription(d, "Often, we meet weekly.", ctx),
    );
    const b = change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) =>
      setLogDescription(d, "We meet weekly, by the river.", ctx),
    );
    const merged = valid(Automerge.merge(a, b));
    expect(merged.description).toBe("Often, we meet weekly, by the river.");
    expect(merged.updatedAt).toBe(300);
    const same = change(base, (d) => setLogDescription(d, "We meet weekly.", ctx));
    expect(Automerge.getHeads(same)).toEqual(Automerge.getHeads(base));
  });
});

describe("addLogEntry", () => {
  it("adds a full entry under a new id, with participants, themes and empty text fields", () => {
    const { ctx } = fixedContext(500);
    const { doc, id } = withEntry(ctx, {
      // The entry's id is made first (id1), then one per participant.
      participants: [{ name: "Aoife", member: KEY_A }, { name: "Visitor" }],
      themes: ["water", "care"],
      happened: "We walked.",
    });
    const log = valid(doc);
    expect(log.updatedAt).toBe(500);
    expect(log.entries[id]).toEqual({
      date: "2025-06-01",
      kind: "gathering",
      happened: "We walked.",
      tried: "",
      learned: "",
      next: "",
      participants: {
        id2: { name: "Aoife", member: KEY_A },
        id3: { name: "Visitor" },
      },
      themes: { water: true, care: true },
      links: {},
      createdAt: 500,
      updatedAt: 500,
      by: KEY_A,
      byName: "Aoife",
      deletedAt: null,
    });
  });

  it("writes a guest with no member key at all (Automerge refuses undefined)", () => {
    const { ctx } = fixedContext();
    const { doc, id } = withEntry(ctx, { participants: [{ name: "Guest", member: undefined }] });
    expect(Object.values(valid(doc).entries[id]!.participants)[0]).toStrictEqual({
      name: "Guest",
    });
  });

  it("keeps both entries written at the same moment on two laptops", () => {
    const { ctx } = fixedContext();
    const base = newLog(ctx);
    let n = 0;
    const other: OpContext = { now: () => 1_000, newId: () => `other${++n}` };
    const a = change(Automerge.clone(base, { actor: "aa".repeat(16) }), (d) => {
      addLogEntry(d, entryArgs({ happened: "from A" }), ctx);
    });
    const b = change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) => {
      addLogEntry(d, entryArgs({ happened: "from B" }), other);
    });
    const merged = valid(Automerge.merge(a, b));
    expect(
      Object.values(merged.entries)
        .map((e) => e.happened)
        .sort(),
    ).toEqual(["from A", "from B"]);
  });
});

describe("setEntryText", () => {
  it("sets a field and touches the entry and the log", () => {
    const { ctx, setTime } = fixedContext(100);
    const { doc, id } = withEntry(ctx);
    setTime(250);
    const edited = change(doc, (d) => setEntryText(d, id, "learned", "Go slowly.", ctx));
    const log = valid(edited);
    expect(log.entries[id]).toMatchObject({
      learned: "Go slowly.",
      updatedAt: 250,
      createdAt: 100,
    });
    expect(log.updatedAt).toBe(250);
  });

  it("makes no change for the same text or a missing entry", () => {
    const { ctx } = fixedContext();
    const { doc, id } = withEntry(ctx, { happened: "x" });
    const same = change(doc, (d) => {
      setEntryText(d, id, "happened", "x", ctx);
      setEntryText(d, "nope", "happened", "y", ctx);
    });
    expect(Automerge.getHeads(same)).toEqual(Automerge.getHeads(doc));
  });

  it("merges concurrent edits of one field as text: both writers' words stay", () => {
    const { ctx } = fixedContext();
    const { doc: base, id } = withEntry(ctx, { happened: "We met at the hall." });
    const a = change(Automerge.clone(base, { actor: "aa".repeat(16) }), (d) =>
      setEntryText(d, id, "happened", "Twelve of us met at the hall.", ctx),
    );
    const b = change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) =>
      setEntryText(d, id, "happened", "We met at the hall and sang.", ctx),
    );
    const merged = valid(Automerge.merge(a, b));
    expect(merged.entries[id]?.happened).toBe("Twelve of us met at the hall and sang.");
    expect(valid(Automerge.merge(b, a)).entries[id]?.happened).toBe(
      "Twelve of us met at the hall and sang.",
    );
  });

  it("edits different fields of one entry at once without either being lost", () => {
    const { ctx } = fixedContext();
    const { doc: base, id } = withEntry(ctx);
    const a = change(Automerge.clone(base, { actor: "aa".repeat(16) }), (d) =>
      setEntryText(d, id, "tried", "A circle", ctx),
    );
    const b = change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) =>
      setEntryText(d, id, "next", "Again", ctx),
    );
    expect(valid(Automerge.merge(a, b)).entries[id]).toMatchObject({
      tried: "A circle",
      next: "Again",
    });
  });
});

describe("setEntryDate and setEntryKind", () => {
  it("set the value whole and touch the entry; the same value or a missing entry is no change", () => {
    const { ctx, setTime } = fixedContext(100);
    const { doc, id } = withEntry(ctx);
    setTime(200);
    const edited = change(doc, (d) => {
      setEntryDate(d, id, "2025-07-04", ctx);
      setEntryKind(d, id, "decision", ctx);
    });
    expect(valid(edited).entries[id]).toMatchObject({
      date: "2025-07-04",
      kind: "decision",
      updatedAt: 200,
    });
    const same = change(edited, (d) => {
      setEntryDate(d, id, "2025-07-04", ctx);
      setEntryKind(d, id, "decision", ctx);
      setEntryDate(d, "nope", "2025-01-01", ctx);
      setEntryKind(d, "nope", "reflection", ctx);
    });
    expect(Automerge.getHeads(same)).toEqual(Automerge.getHeads(edited));
  });
});

describe("addParticipant and removeParticipant", () => {
  it("adds a member once, by device key, whatever name they go by", () => {
    const { ctx } = fixedContext();
    const { doc, id } = withEntry(ctx);
    let first: string | null = null;
    let again: string | null = null;
    const edited = change(doc, (d) => {
      first = addParticipant(d, id, { name: "Aoife", member: KEY_A }, ctx);
      again = addParticipant(d, id, { name: "Aoife N.", member: KEY_A }, ctx);
    });
    expect(first).not.toBeNull();
    expect(again).toBe(first);
    expect(Object.values(valid(edited).entries[id]!.participants)).toEqual([
      { name: "Aoife", member: KEY_A },
    ]);
  });

  it("adds a guest once by name, ignoring case and spaces; a member of that name is someone else", () => {
    const { ctx } = fixedContext();
    const { doc, id } = withEntry(ctx);
    const ids: (string | null)[] = [];
    const edited = change(doc, (d) => {
      ids.push(addParticipant(d, id, { name: "Seán" }, ctx));
      ids.push(addParticipant(d, id, { name: "  seán " }, ctx));
      ids.push(addParticipant(d, id, { name: "Seán", member: KEY_B }, ctx));
    });
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(Object.values(valid(edited).entries[id]!.participants)).toEqual([
      { name: "Seán" },
      { name: "Seán", member: KEY_B },
    ]);
  });

  it("returns null and changes nothing for a missing entry", () => {
    const { ctx } = fixedContext();
    const { doc } = withEntry(ctx);
    let got: string | null = "x";
    const same = change(doc, (d) => {
      got = addParticipant(d, "nope", { name: "X" }, ctx);
    });
    expect(got).toBeNull();
    expect(Automerge.getHeads(same)).toEqual(Automerge.getHeads(doc));
  });

  it("keeps two participants added at once on two laptops", () => {
    const { ctx } = fixedContext();
    const { doc: base, id } = withEntry(ctx);
    let n = 0;
    const other: OpContext = { now: () => 5, newId: () => `b${++n}` };
    const a = change(Automerge.clone(base, { actor: "aa".repeat(16) }), (d) => {
      addParticipant(d, id, { name: "Aoife", member: KEY_A }, ctx);
    });
    const b = change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) => {
      addParticipant(d, id, { name: "Visitor" }, other);
    });
    expect(Object.keys(valid(Automerge.merge(a, b)).entries[id]!.participants)).toHaveLength(2);
  });

  it("removes a participant and touches the entry; removing again is no change", () => {
    const { ctx, setTime } = fixedContext(10);
    const { doc, id } = withEntry(ctx, { participants: [{ name: "Guest" }] });
    const pid = Object.keys(valid(doc).entries[id]!.participants)[0]!;
    setTime(20);
    const removed = change(doc, (d) => removeParticipant(d, id, pid, ctx));
    expect(valid(removed).entries[id]).toMatchObject({ participants: {}, updatedAt: 20 });
    const again = change(removed, (d) => {
      removeParticipant(d, id, pid, ctx);
      removeParticipant(d, "nope", pid, ctx);
    });
    expect(Automerge.getHeads(again)).toEqual(Automerge.getHeads(removed));
  });
});

describe("setEntryThemes", () => {
  it("makes the set exactly the themes given, touching only when it changed", () => {
    const { ctx, setTime } = fixedContext(10);
    const { doc, id } = withEntry(ctx, { themes: ["water", "care"] });
    setTime(20);
    const edited = change(doc, (d) => setEntryThemes(d, id, ["care", "soil", "soil"], ctx));
    expect(valid(edited).entries[id]).toMatchObject({
      themes: { care: true, soil: true },
      updatedAt: 20,
    });
    const same = change(edited, (d) => {
      setEntryThemes(d, id, ["soil", "care"], ctx);
      setEntryThemes(d, "nope", ["x"], ctx);
    });
    expect(Automerge.getHeads(same)).toEqual(Automerge.getHeads(edited));
    const none = change(edited, (d) => setEntryThemes(d, id, [], ctx));
    expect(valid(none).entries[id]?.themes).toEqual({});
  });
});

describe("addEntryLink and removeEntryLink", () => {
  it("add a link once, remove it; repeats and missing entries are no change", () => {
    const { ctx, setTime } = fixedContext(10);
    const { doc, id } = withEntry(ctx);
    const ref = "story/2sbfoHcRkXHtrKrXbwd47BJDsbv3";
    setTime(20);
    const linked = change(doc, (d) => addEntryLink(d, id, ref, ctx));
    expect(valid(linked).entries[id]).toMatchObject({ links: { [ref]: true }, updatedAt: 20 });
    const again = change(linked, (d) => {
      addEntryLink(d, id, ref, ctx);
      addEntryLink(d, "nope", ref, ctx);
      removeEntryLink(d, "nope", ref, ctx);
      removeEntryLink(d, id, "story/other", ctx);
    });
    expect(Automerge.getHeads(again)).toEqual(Automerge.getHeads(linked));
    const unlinked = change(linked, (d) => removeEntryLink(d, id, ref, ctx));
    expect(valid(unlinked).entries[id]?.links).toEqual({});
  });
});

describe("deleteLogEntry and restoreLogEntry", () => {
  it("marks an entry deleted (it leaves the views) and brings it back whole", () => {
    const { ctx, setTime } = fixedContext(10);
    const { doc, id } = withEntry(ctx, { happened: "kept", participants: [{ name: "G" }] });
    const before = valid(doc).entries[id];
    setTime(20);
    const deleted = change(doc, (d) => deleteLogEntry(d, id, ctx));
    const log = valid(deleted);
    expect(log.entries[id]?.deletedAt).toBe(20);
    expect(log.updatedAt).toBe(20);
    expect(liveEntries(log)).toEqual([]);
    const twice = change(deleted, (d) => deleteLogEntry(d, id, ctx));
    expect(Automerge.getHeads(twice)).toEqual(Automerge.getHeads(deleted));
    setTime(30);
    const restored = change(deleted, (d) => restoreLogEntry(d, id, ctx));
    expect(valid(restored).entries[id]).toEqual(before);
    expect(valid(restored).updatedAt).toBe(30);
    expect(liveEntries(valid(restored)).map((e) => e.id)).toEqual([id]);
    const again = change(restored, (d) => {
      restoreLogEntry(d, id, ctx);
      restoreLogEntry(d, "nope", ctx);
      deleteLogEntry(d, "nope", ctx);
    });
    expect(Automerge.getHeads(again)).toEqual(Automerge.getHeads(restored));
  });

  it("keeps an edit made on another laptop while the entry was deleted", () => {
    const { ctx } = fixedContext();
    const { doc: base, id } = withEntry(ctx, { happened: "one" });
    const a = change(Automerge.clone(base, { actor: "aa".repeat(16) }), (d) =>
      deleteLogEntry(d, id, ctx),
    );
    const b = change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) =>
      setEntryText(d, id, "happened", "one and two", ctx),
    );
    const merged = Automerge.merge(a, b);
    const restored = valid(change(merged, (d) => restoreLogEntry(d, id, ctx)));
    expect(restored.entries[id]?.happened).toBe("one and two");
  });
});

// ---- Views ----

let seq = 0;
const listed = (over: Partial<ListedLogEntry>): ListedLogEntry => ({
  id: `x${++seq}`,
  date: "2025-01-01",
  kind: "gathering",
  happened: "",
  tried: "",
  learned: "",
  next: "",
  participants: {},
  themes: {},
  links: {},
  createdAt: 0,
  updatedAt: 0,
  by: KEY_A,
  byName: "A",
  deletedAt: null,
  ...over,
});

const asLog = (list: ListedLogEntry[]): Pick<Log, "entries"> => ({
  entries: Object.fromEntries(list.map(({ id, ...e }) => [id, e])),
});

describe("liveEntries", () => {
  it("orders by date (newest first), then by when written (newest first), then by id", () => {
    const entries = [
      listed({ id: "c", date: "2025-03-01", createdAt: 5 }),
      listed({ id: "b", date: "2025-03-01", createdAt: 5 }),
      listed({ id: "a", date: "2025-01-15", createdAt: 9 }),
      listed({ id: "d", date: "2025-03-01", createdAt: 7 }),
      listed({ id: "e", date: "2024-12-31", createdAt: 1 }),
      listed({ id: "f", date: "2025-04-01", createdAt: 1 }),
    ];
    expect(liveEntries(asLog(entries)).map((e) => e.id)).toEqual(["f", "d", "b", "c", "a", "e"]);
    // Any insertion order gives the same timeline.
    expect(liveEntries(asLog([...entries].reverse())).map((e) => e.id)).toEqual([
      "f",
      "d",
      "b",
      "c",
      "a",
      "e",
    ]);
  });

  it("leaves out deleted entries and carries each entry's id", () => {
    const out = liveEntries(
      asLog([listed({ id: "gone", deletedAt: 3 }), listed({ id: "here", happened: "x" })]),
    );
    expect(out).toEqual([expect.objectContaining({ id: "here", happened: "x" })]);
  });
});

describe("timelineRows", () => {
  it("puts a month heading with its count before each month's entries", () => {
    const entries = liveEntries(
      asLog([
        listed({ id: "a", date: "2025-03-20" }),
        listed({ id: "b", date: "2025-03-02" }),
        listed({ id: "c", date: "2025-01-31" }),
        listed({ id: "d", date: "2024-03-05" }),
      ]),
    );
    expect(
      timelineRows(entries).map((r) => (r.type === "month" ? `${r.month}:${r.count}` : r.entry.id)),
    ).toEqual(["2025-03:2", "a", "b", "2025-01:1", "c", "2024-03:1", "d"]);
  });

  it("is empty for no entries", () => {
    expect(timelineRows([])).toEqual([]);
  });
});

describe("participantKey", () => {
  it("names members by device key and guests by their trimmed, lower-cased name", () => {
    expect(participantKey({ name: "Aoife", member: KEY_A })).toBe(`m:${KEY_A}`);
    expect(participantKey({ name: "  Seán Ó " })).toBe("g:seán ó");
    expect(participantKey({ name: "Seán Ó" })).toBe(participantKey({ name: "seán ó" }));
  });
});

describe("filterLogEntries", () => {
  const entries = [
    listed({
      id: "g1",
      kind: "gathering",
      date: "2025-02-01",
      themes: { water: true },
      participants: { p: { name: "Aoife", member: KEY_A } },
    }),
    listed({
      id: "e1",
      kind: "experiment",
      date: "2025-02-15",
      themes: { soil: true },
      participants: { p: { name: "Visitor" } },
    }),
    listed({
      id: "r1",
      kind: "reflection",
      date: "2025-03-01",
      themes: { water: true, soil: true },
      participants: { p: { name: "Bríd", member: KEY_B }, q: { name: "visitor " } },
    }),
  ];
  const ids = (f: Parameters<typeof filterLogEntries>[1]) =>
    filterLogEntries(entries, f).map((e) => e.id);

  it("keeps everything with no filter", () => {
    expect(ids({})).toEqual(["g1", "e1", "r1"]);
  });
  it("filters by kind", () => {
    expect(ids({ kind: "experiment" })).toEqual(["e1"]);
    expect(ids({ kind: "decision" })).toEqual([]);
  });
  it("filters by theme", () => {
    expect(ids({ theme: "water" })).toEqual(["g1", "r1"]);
    expect(ids({ theme: "fire" })).toEqual([]);
  });
  it("filters by a member or a guest", () => {
    expect(ids({ participant: `m:${KEY_A}` })).toEqual(["g1"]);
    expect(ids({ participant: "g:visitor" })).toEqual(["e1", "r1"]);
    expect(ids({ participant: "g:aoife" })).toEqual([]);
  });
  it("filters by days, both ends inclusive", () => {
    expect(ids({ from: "2025-02-15" })).toEqual(["e1", "r1"]);
    expect(ids({ to: "2025-02-15" })).toEqual(["g1", "e1"]);
    expect(ids({ from: "2025-02-01", to: "2025-02-01" })).toEqual(["g1"]);
    expect(ids({ from: "2025-03-02" })).toEqual([]);
  });
  it("combines filters (all must hold)", () => {
    expect(ids({ theme: "soil", participant: "g:visitor", from: "2025-02-20" })).toEqual(["r1"]);
    expect(ids({ kind: "gathering", theme: "soil" })).toEqual([]);
  });
});

describe("logParticipants", () => {
  it("lists each member and guest once, sorted by name", () => {
    const list = logParticipants([
      listed({ participants: { a: { name: "Bríd", member: KEY_B }, b: { name: "visitor" } } }),
      listed({ participants: { a: { name: "Aoife", member: KEY_A }, b: { name: " Visitor" } } }),
      listed({ participants: { a: { name: "Bríd", member: KEY_B } } }),
    ]);
    expect(list).toEqual([
      { key: `m:${KEY_A}`, name: "Aoife", guest: false },
      { key: `m:${KEY_B}`, name: "Bríd", guest: false },
      { key: "g:visitor", name: "Visitor", guest: true },
    ]);
  });

  it("is empty when nobody took part", () => {
    expect(logParticipants([listed({})])).toEqual([]);
  });
});
