import * as Automerge from "@automerge/automerge";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { communityKind, type CommunityIndex } from "../schema/community.ts";
import { logVolumeKind, type LogVolume } from "../schema/logVolume.ts";
import type { LogEntry } from "../schema/log.ts";
import { initCommunity } from "./community.ts";
import type { OpContext } from "./context.ts";
import { addLogEntry, liveEntriesIn, setEntryDate } from "./log.ts";
import {
  coverQuarter,
  initLogVolume,
  isSettledDate,
  listVolume,
  logVolumes,
  pendingQuarter,
  quarterOf,
  volumeForDate,
  type VolumeInfo,
} from "./logVolumes.ts";

const fixed = (): OpContext => {
  let next = 0;
  return { now: () => 1000, newId: () => `id${++next}` };
};

const newIndex = (ctx: OpContext) =>
  Automerge.change(Automerge.init<CommunityIndex>(), (d) =>
    initCommunity(d, { name: "Hub", purpose: "" }, ctx),
  );

describe("quarterOf", () => {
  it.each([
    ["2024-01-01", "2024-Q1"],
    ["2024-03-31", "2024-Q1"],
    ["2024-04-01", "2024-Q2"],
    ["2024-09-30", "2024-Q3"],
    ["2024-10-01", "2024-Q4"],
    ["1999-12-31", "1999-Q4"],
  ])("puts %s in %s", (day, quarter) => expect(quarterOf(day)).toBe(quarter));

  it("orders quarters as days are ordered", () => {
    expect(quarterOf("2023-12-31") < quarterOf("2024-01-01")).toBe(true);
    expect(quarterOf("2024-06-30") < quarterOf("2024-07-01")).toBe(true);
  });
});

describe("volumes in the index", () => {
  it("lists a volume that validates, and finds it for its quarter only", () => {
    const ctx = fixed();
    let index = newIndex(ctx);
    index = Automerge.change(index, (d) =>
      listVolume(d, "vol-a", { logId: "log-1", quarter: "2024-Q3" }, ctx),
    );
    const read = communityKind.read(index);
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(read.problems).toEqual([]);
    const volumes = logVolumes(read.doc, "log-1");
    expect(volumes).toEqual([{ id: "vol-a", periods: ["2024-Q3"] }]);
    expect(volumeForDate(volumes, "2024-08-15")).toBe("vol-a");
    expect(volumeForDate(volumes, "2024-10-01")).toBeNull();
    expect(logVolumes(read.doc, "log-2")).toEqual([]);
  });

  it("orders volumes newest quarter first, then by id", () => {
    const ctx = fixed();
    const index = Automerge.change(newIndex(ctx), (d) => {
      listVolume(d, "v-old", { logId: "L", quarter: "2019-Q1" }, ctx);
      listVolume(d, "v-new-b", { logId: "L", quarter: "2025-Q2" }, ctx);
      listVolume(d, "v-new-a", { logId: "L", quarter: "2025-Q2" }, ctx);
      listVolume(d, "v-mid", { logId: "L", quarter: "2022-Q4" }, ctx);
      coverQuarter(d, "v-old", "2023-Q1");
    });
    expect(logVolumes(index, "L").map((v) => v.id)).toEqual([
      "v-new-a",
      "v-new-b",
      "v-old",
      "v-mid",
    ]);
    expect(logVolumes(index, "L").find((v) => v.id === "v-old")!.periods).toEqual([
      "2023-Q1",
      "2019-Q1",
    ]);
  });

  it("makes two laptops that each made a volume for one quarter write into the same one", () => {
    const ctx = fixed();
    const base = newIndex(ctx);
    const a = Automerge.change(Automerge.clone(base, { actor: "aa".repeat(16) }), (d) =>
      listVolume(d, "vol-zz", { logId: "L", quarter: "2024-Q1" }, ctx),
    );
    const b = Automerge.change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) =>
      listVolume(d, "vol-aa", { logId: "L", quarter: "2024-Q1" }, ctx),
    );
    expect(volumeForDate(logVolumes(a, "L"), "2024-02-02")).toBe("vol-zz");
    const merged = Automerge.merge(a, b);
    expect(volumeForDate(logVolumes(merged, "L"), "2024-02-02")).toBe("vol-aa");
    expect(logVolumes(merged, "L")).toHaveLength(2);
  });

  it("keeps every quarter two laptops added to one volume at once", () => {
    const ctx = fixed();
    const base = Automerge.change(newIndex(ctx), (d) =>
      listVolume(d, "v", { logId: "L", quarter: "2024-Q1" }, ctx),
    );
    const a = Automerge.change(Automerge.clone(base, { actor: "aa".repeat(16) }), (d) =>
      coverQuarter(d, "v", "2024-Q3"),
    );
    const b = Automerge.change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) =>
      coverQuarter(d, "v", "2021-Q2"),
    );
    expect(logVolumes(Automerge.merge(a, b), "L")[0]!.periods).toEqual([
      "2024-Q3",
      "2024-Q1",
      "2021-Q2",
    ]);
  });

  it("leaves the index unchanged when the quarter is already covered or the id is not a volume", () => {
    const ctx = fixed();
    const index = Automerge.change(newIndex(ctx), (d) =>
      listVolume(d, "v", { logId: "L", quarter: "2024-Q1" }, ctx),
    );
    const same = Automerge.change(index, (d) => {
      coverQuarter(d, "v", "2024-Q1");
      coverQuarter(d, "missing", "2024-Q2");
    });
    expect(Automerge.getHeads(same)).toEqual(Automerge.getHeads(index));
  });

  it("calls a volume entry without its log or quarters a problem, and keeps the rest", () => {
    const ctx = fixed();
    const index = Automerge.change(newIndex(ctx), (d) => {
      listVolume(d, "good", { logId: "L", quarter: "2024-Q1" }, ctx);
      listVolume(d, "no-log", { logId: "L", quarter: "2024-Q1" }, ctx);
      delete (d.entries["no-log"] as { log?: string }).log;
      listVolume(d, "bad-quarter", { logId: "L", quarter: "2024-Q1" }, ctx);
      d.entries["bad-quarter"]!.periods!["2024-Q5"] = true;
    });
    const read = communityKind.read(index);
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(Object.keys(read.doc.entries)).toEqual(["good"]);
    expect(read.problems).toHaveLength(2);
  });
});

describe("a volume document", () => {
  it("validates as made, with its entries", () => {
    const ctx = fixed();
    const doc = Automerge.change(Automerge.init<LogVolume>(), (d) => {
      initLogVolume(d, { communityId: "C", logId: "L" }, ctx);
      addLogEntry(d, { date: "2024-01-02", kind: "gathering", by: "k", byName: "Aoife" }, ctx);
    });
    const read = logVolumeKind.read(doc);
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(read.problems).toEqual([]);
    expect(read.doc.logId).toBe("L");
    expect(Object.keys(read.doc.entries)).toHaveLength(1);
  });

  it("keeps the good entries of a volume with one malformed entry, and names the bad one", () => {
    const ctx = fixed();
    const doc = Automerge.change(Automerge.init<LogVolume>(), (d) => {
      initLogVolume(d, { communityId: "C", logId: "L" }, ctx);
      addLogEntry(d, { date: "2024-01-02", kind: "gathering", by: "k", byName: "A" }, ctx);
      const bad = addLogEntry(
        d,
        { date: "2024-01-03", kind: "gathering", by: "k", byName: "A" },
        ctx,
      );
      (d.entries[bad] as unknown as Record<string, unknown>).date = 42;
    });
    const read = logVolumeKind.read(doc);
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(Object.keys(read.doc.entries)).toHaveLength(1);
    expect(read.problems).toEqual([expect.stringMatching(/^entry id\d+: date/)]);
  });

  it.each([
    ["no logId", { logId: undefined }],
    ["entries a list", { entries: [] }],
    ["another schema", { schema: "meitheal/log" }],
  ])("calls a volume with %s damaged", (_name, over) => {
    const doc = {
      schema: "meitheal/log-volume",
      version: 1,
      communityId: "C",
      logId: "L",
      createdAt: 1,
      updatedAt: 1,
      entries: {},
      ...over,
    };
    expect(logVolumeKind.read(doc).state).toBe("damaged");
  });

  it("calls a volume from a newer Meitheal newer, not damaged", () => {
    expect(logVolumeKind.read({ schema: "meitheal/log-volume", version: 9 }).state).toBe("newer");
  });
});

// ---- The promise a progressive timeline rests on ----

const QUARTERS = ["2021-Q4", "2022-Q1", "2022-Q2", "2023-Q3", "2024-Q1"];
const dayIn = (quarter: string, day: number) => {
  const month = (Number(quarter.slice(-1)) - 1) * 3 + 1 + (day % 3);
  return `${quarter.slice(0, 4)}-${String(month).padStart(2, "0")}-${String(1 + (day % 28)).padStart(2, "0")}`;
};

const entryOn = (date: string, createdAt: number): LogEntry => ({
  date,
  kind: "gathering",
  happened: "",
  tried: "",
  learned: "",
  next: "",
  participants: {},
  themes: {},
  links: {},
  createdAt,
  updatedAt: createdAt,
  by: "k",
  byName: "A",
  deletedAt: null,
});

describe("pendingQuarter: drawing a timeline while volumes arrive", () => {
  it("is null once every volume is read, and the newest quarter of an unread one before", () => {
    const volumes: VolumeInfo[] = [
      { id: "a", periods: ["2024-Q1"] },
      { id: "b", periods: ["2023-Q3", "2021-Q4"] },
    ];
    expect(pendingQuarter(volumes, () => true)).toBeNull();
    expect(pendingQuarter(volumes, (id) => id === "a")).toBe("2023-Q3");
    expect(pendingQuarter(volumes, (id) => id === "b")).toBe("2024-Q1");
    expect(isSettledDate("2024-01-05", "2023-Q3")).toBe(true);
    expect(isSettledDate("2023-08-05", "2023-Q3")).toBe(false);
    expect(isSettledDate("1990-01-01", null)).toBe(true);
  });

  it("draws exactly the top of the final timeline, whichever volumes have been read", () => {
    // Volumes hold entries of quarters they list (an entry's date moved later adds a quarter);
    // with any subset read, the settled entries of the read volumes are the full timeline's
    // entries down to the pending quarter, in the same order: nothing is ever inserted above.
    const volume = fc.record({
      periods: fc.uniqueArray(fc.constantFrom(...QUARTERS), { minLength: 1, maxLength: 3 }),
      entries: fc.array(fc.tuple(fc.nat(30), fc.nat(5)), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(
        fc.array(volume, { minLength: 1, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        (specs, readFlags) => {
          let created = 0;
          const holders = specs.map((spec, i) => {
            const entries: Record<string, LogEntry> = {};
            for (const [day, which] of spec.entries) {
              const quarter = spec.periods[which % spec.periods.length]!;
              entries[`e${i}-${created}`] = entryOn(dayIn(quarter, day), created++);
            }
            return { id: `v${i}`, entries, periods: [...spec.periods].sort().reverse() };
          });
          const volumes = logVolumes(
            {
              entries: Object.fromEntries(
                holders.map((h) => [
                  h.id,
                  {
                    kind: "log-volume" as const,
                    title: "",
                    createdAt: 0,
                    updatedAt: 0,
                    log: "L",
                    periods: Object.fromEntries(h.periods.map((p) => [p, true as const])),
                  },
                ]),
              ),
            },
            "L",
          );
          const read = new Set(holders.filter((_, i) => readFlags[i]).map((h) => h.id));
          const pending = pendingQuarter(volumes, (id) => read.has(id));
          const full = liveEntriesIn(holders).filter((e) => isSettledDate(e.date, pending));
          const partial = liveEntriesIn(holders.filter((h) => read.has(h.id))).filter((e) =>
            isSettledDate(e.date, pending),
          );
          expect(partial.map((e) => e.id)).toEqual(full.map((e) => e.id));
        },
      ),
    );
  });

  it("leaves an entry in its volume when its date moves, the volume covering the new quarter", () => {
    const ctx = fixed();
    let index = Automerge.change(newIndex(ctx), (d) =>
      listVolume(d, "v", { logId: "L", quarter: "2024-Q1" }, ctx),
    );
    let vol = Automerge.change(Automerge.init<LogVolume>(), (d) => {
      initLogVolume(d, { communityId: "C", logId: "L" }, ctx);
      addLogEntry(d, { date: "2024-01-02", kind: "gathering", by: "k", byName: "A" }, ctx);
    });
    const id = Object.keys(vol.entries)[0]!;
    vol = Automerge.change(vol, (d) => setEntryDate(d, id, "2025-11-30", ctx));
    index = Automerge.change(index, (d) => coverQuarter(d, "v", quarterOf("2025-11-30")));
    const volumes = logVolumes(index, "L");
    expect(volumes[0]!.periods).toEqual(["2025-Q4", "2024-Q1"]);
    expect(pendingQuarter(volumes, () => false)).toBe("2025-Q4");
    expect(vol.entries[id]!.date).toBe("2025-11-30");
  });
});

describe("liveEntriesIn reusing the last order", () => {
  it("gives the order a fresh sort gives, whatever changed since the last list", () => {
    const edit = fc.record({
      holder: fc.nat(2),
      entry: fc.nat(7),
      change: fc.constantFrom("text", "date", "delete", "restore", "add"),
      day: fc.nat(60),
    });
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 6 }), fc.nat(1000), (edits, seed) => {
        let created = seed;
        const holders = [0, 1, 2].map((h) => {
          const entries: Record<string, LogEntry> = {};
          for (let i = 0; i < 6; i++)
            entries[`h${h}e${i}`] = entryOn(
              dayIn(QUARTERS[(h + i) % 5]!, i * 7 + h),
              created++ % 4,
            );
          return { id: `v${h}`, entries };
        });
        const before = liveEntriesIn(holders);
        // Each change makes new records and entry objects, as reading a changed volume does.
        const after = holders.map((h) => ({ id: h.id, entries: { ...h.entries } }));
        for (const e of edits) {
          const holder = after[e.holder]!;
          const id = `h${e.holder}e${e.entry}`;
          const old = holder.entries[id];
          if (e.change === "add" || !old) {
            holder.entries[id] = entryOn(dayIn(QUARTERS[e.day % 5]!, e.day), created++ % 4);
            continue;
          }
          holder.entries[id] =
            e.change === "text"
              ? { ...old, happened: `${old.happened}!` }
              : e.change === "date"
                ? { ...old, date: dayIn(QUARTERS[e.day % 5]!, e.day) }
                : { ...old, deletedAt: e.change === "delete" ? 5 : null };
        }
        const reused = liveEntriesIn(after, before);
        const fresh = liveEntriesIn(after);
        expect(reused.map((x) => x.id)).toEqual(fresh.map((x) => x.id));
        expect(reused).toEqual(fresh);
      }),
    );
  });

  it("keeps the listed object of an entry nobody changed", () => {
    const holders = [
      { id: "v", entries: { a: entryOn("2024-01-01", 1), b: entryOn("2024-02-01", 2) } },
    ];
    const first = liveEntriesIn(holders);
    const typed = [
      {
        id: "v",
        entries: { ...holders[0]!.entries, b: { ...holders[0]!.entries.b, learned: "x" } },
      },
    ];
    const second = liveEntriesIn(typed, first);
    expect(second.map((e) => e.id)).toEqual(["b", "a"]);
    expect(second[1]).toBe(first[1]);
    expect(second[0]).not.toBe(first[0]);
    expect(second[0]!.learned).toBe("x");
  });
});
