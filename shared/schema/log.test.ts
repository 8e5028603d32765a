import * as Automerge from "@automerge/automerge";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addLogEntry, initLog } from "../ops/log.ts";
import type { OpContext } from "../ops/context.ts";
import { LOG_SCHEMA, LOG_VERSION, entryValidator, logKind, type Log } from "./log.ts";

const entry = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  date: "2025-06-01",
  kind: "gathering",
  happened: "We met by the river.",
  tried: "",
  learned: "",
  next: "",
  participants: { p1: { name: "Aoife", member: "a".repeat(64) }, p2: { name: "Guest" } },
  themes: { water: true },
  links: { "story/2sbfoHcRkXHtrKrXbwd47BJDsbv3": true },
  createdAt: 10,
  updatedAt: 20,
  by: "a".repeat(64),
  byName: "Aoife",
  deletedAt: null,
  ...over,
});

const validLog = (entries: Record<string, unknown> = { e1: entry(), e2: entry() }) => ({
  schema: LOG_SCHEMA,
  version: LOG_VERSION,
  communityId: "2sbfoHcRkXHtrKrXbwd47BJDsbv3",
  title: "Thursday circle",
  description: "",
  createdAt: 1,
  updatedAt: 2,
  entries,
});

const STATES = ["ok", "damaged", "newer", "needs-migration"];

describe("logKind.read: the header", () => {
  it("reads a good log as ok, every entry kept, no problems", () => {
    const read = logKind.read(validLog());
    expect(read).toEqual({ state: "ok", doc: validLog(), problems: [] });
  });

  it.each([
    ["title a number", { title: 5 }],
    ["entries an array", { entries: [entry()] }],
    ["entries missing", { entries: undefined }],
    ["communityId null", { communityId: null }],
    ["createdAt negative", { createdAt: -1 }],
    ["updatedAt NaN", { updatedAt: Number.NaN }],
    ["description a bigint", { description: 5n }],
  ])("calls a log with %s damaged", (_name, over) => {
    const read = logKind.read({ ...validLog(), ...over });
    expect(read.state).toBe("damaged");
  });

  it.each([
    ["another kind's schema", { schema: "meitheal/map" }],
    ["no schema", { schema: undefined }],
    ["a version of 0", { version: 0 }],
    ["a fractional version", { version: 1.5 }],
    ["a version as text", { version: "1" }],
  ])("calls a log with %s damaged", (_name, over) => {
    expect(logKind.read({ ...validLog(), ...over }).state).toBe("damaged");
  });

  it("reports a log from a newer app as newer, not damaged", () => {
    expect(logKind.read({ ...validLog(), version: LOG_VERSION + 1 })).toEqual({
      state: "newer",
      version: LOG_VERSION + 1,
    });
  });

  it.each([null, undefined, 0, "meitheal/log", [validLog()], 5n])(
    "calls a non-object (%s) damaged",
    (raw) => {
      expect(logKind.read(raw).state).toBe("damaged");
    },
  );
});

describe("logKind.read: one malformed entry", () => {
  const deep = (depth: number): unknown => {
    let v: unknown = "bottom";
    for (let i = 0; i < depth; i++) v = { v };
    return v;
  };

  it.each([
    ["kind banana", { kind: "banana" }],
    ["date yesterday", { date: "yesterday" }],
    ["date with a month 13", { date: "2025-13-01" }],
    ["deletedAt no", { deletedAt: "no" }],
    ["participants an array", { participants: [{ name: "x" }] }],
    ["a participant without a name", { participants: { p: { member: "k" } } }],
    ["a theme set to false", { themes: { water: false } }],
    ["createdAt a bigint", { createdAt: 10n }],
    ["updatedAt NaN", { updatedAt: Number.NaN }],
    ["updatedAt Infinity", { updatedAt: Number.POSITIVE_INFINITY }],
    ["happened a deep nest", { happened: deep(2_000) }],
    ["links deeply nested", { links: deep(500) }],
    ["by missing", { by: undefined }],
  ])("leaves out an entry with %s, names it, keeps the rest", (_name, over) => {
    const read = logKind.read(validLog({ good: entry(), bad: entry(over), also: entry() }));
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(Object.keys(read.doc.entries).sort()).toEqual(["also", "good"]);
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatch(/^entry bad: /);
  });

  it.each([null, "an entry", 7, [], 5n])("leaves out an entry that is %s", (value) => {
    const read = logKind.read(validLog({ good: entry(), bad: value }));
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(Object.keys(read.doc.entries)).toEqual(["good"]);
    expect(read.problems).toEqual([expect.stringMatching(/^entry bad: /)]);
  });

  it("keeps a guest (no member key) and drops unknown extra fields of an entry", () => {
    const read = logKind.read(validLog({ e: entry({ extra: "from a newer peer" }) }));
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(read.doc.entries.e?.participants.p2).toEqual({ name: "Guest" });
    expect(read.doc.entries.e).not.toHaveProperty("extra");
  });
});

describe("logKind.read never throws", () => {
  it("on any value at all", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true, withSet: true }),
          fc.jsonValue(),
        ),
        (raw) => {
          expect(STATES).toContain(logKind.read(raw).state);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("on any value wrapped in a good header's entries", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ maxLength: 5 }),
          fc.anything({ withBigInt: true, withNullPrototype: true }),
        ),
        (entries) => {
          const read = logKind.read(validLog(entries));
          expect(read.state).toBe("ok");
          if (read.state !== "ok") return;
          const good = Object.keys(entries).filter(
            (id) => entryValidator.safeParse(entries[id]).success,
          );
          expect(Object.keys(read.doc.entries).sort()).toEqual(good.sort());
          expect(read.problems).toHaveLength(Object.keys(entries).length - good.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("on a good log with one value anywhere replaced by anything", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        fc.anything({ withBigInt: true, withNullPrototype: true }),
        (path, value) => {
          // A fresh document each run: the reader remembers items by object, as Automerge's are
          // never changed in place.
          const doc = validLog({ e1: entry(), e2: entry({ kind: "decision" }) });
          const written = setAtPath(doc, path, value);
          const read = logKind.read(doc);
          expect(STATES).toContain(read.state);
          if (read.state === "ok") {
            for (const e of Object.values(read.doc.entries))
              expect(entryValidator.safeParse(e).success).toBe(true);
            // Only the entry written to can be missing (or all, if `entries` itself was replaced).
            const lost = ["e1", "e2"].filter((id) => !(id in read.doc.entries));
            if (written.length === 1 && written[0] === "entries") return;
            expect(lost.length).toBeLessThanOrEqual(1);
            if (lost.length === 1)
              expect(written).toEqual(["entries", lost[0], ...written.slice(2)]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** Walks `path` (indexes into each object's keys) and writes `value` there; returns the keys used. */
function setAtPath(root: Record<string, unknown>, path: readonly number[], value: unknown) {
  let at: Record<string, unknown> = root;
  const keys: string[] = [];
  for (const [i, step] of path.entries()) {
    const names = Object.keys(at);
    if (names.length === 0) break;
    const key = names[step % names.length]!;
    keys.push(key);
    const next = at[key];
    if (i === path.length - 1 || typeof next !== "object" || next === null) {
      at[key] = value;
      return keys;
    }
    at = next as Record<string, unknown>;
  }
  return keys;
}

describe("logKind.read on Automerge documents: the per-entry memory is never stale", () => {
  let n = 0;
  const ctx: OpContext = { now: () => 1_000, newId: () => `e${++n}` };
  const make = () => {
    let doc = Automerge.change(Automerge.init<Log>(), (d) =>
      initLog(d, { communityId: "c", title: "Circle" }, ctx),
    );
    let a = "";
    let b = "";
    doc = Automerge.change(doc, (d) => {
      a = addLogEntry(d, { date: "2025-01-01", kind: "gathering", by: "k", byName: "K" }, ctx);
      b = addLogEntry(d, { date: "2025-01-02", kind: "decision", by: "k", byName: "K" }, ctx);
    });
    return { doc, a, b };
  };
  const okDoc = (raw: unknown) => {
    const read = logKind.read(raw);
    if (read.state !== "ok") throw new Error(JSON.stringify(read));
    return read;
  };

  it("re-validates an entry edited to something bad, and again once mended", () => {
    const { doc, a, b } = make();
    expect(okDoc(doc).problems).toEqual([]);
    const broken = Automerge.change(doc, (d) => {
      (d.entries[a] as Record<string, unknown>).kind = "banana";
    });
    const read = okDoc(broken);
    expect(Object.keys(read.doc.entries)).toEqual([b]);
    expect(read.problems).toEqual([expect.stringMatching(new RegExp(`^entry ${a}: kind`))]);
    // The earlier snapshot still reads as it was.
    expect(Object.keys(okDoc(doc).doc.entries).sort()).toEqual([a, b].sort());
    const mended = Automerge.change(broken, (d) => {
      d.entries[a]!.kind = "reflection";
    });
    expect(okDoc(mended).doc.entries[a]?.kind).toBe("reflection");
    expect(okDoc(mended).problems).toEqual([]);
  });

  it("shows an edit to a good entry, and a change merged from another peer", () => {
    const { doc, a } = make();
    okDoc(doc);
    const edited = Automerge.change(doc, (d) => {
      d.entries[a]!.date = "2025-02-03";
    });
    expect(okDoc(edited).doc.entries[a]?.date).toBe("2025-02-03");
    const other = Automerge.change(Automerge.clone(doc, { actor: "bb".repeat(16) }), (d) => {
      Automerge.updateText(d, ["entries", a, "learned"], "slow down");
    });
    expect(okDoc(Automerge.merge(edited, other)).doc.entries[a]).toMatchObject({
      date: "2025-02-03",
      learned: "slow down",
    });
  });

  it("reads what a change has written so far when read inside that change", () => {
    const { doc, a } = make();
    Automerge.change(doc, (d) => {
      expect(okDoc(d).problems).toEqual([]);
      (d.entries[a] as Record<string, unknown>).kind = "banana";
      const read = okDoc(d);
      expect(read.doc.entries[a]).toBeUndefined();
      expect(read.problems).toHaveLength(1);
      d.entries[a]!.kind = "experiment";
      expect(okDoc(d).doc.entries[a]?.kind).toBe("experiment");
    });
  });
});
