import * as Automerge from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineKind, type Migration } from "./kind.ts";

// A kind made up for the test, with two real migrations:
//   v1 { title, tags: "a, b" }  →  v2 { name, tags: "a, b" }  →  v3 { name, tags: { a: true, b: true } }
// The v2 → v3 step builds a map keyed by tag, so two peers running it concurrently merge to the same
// set instead of a list with every tag twice.
const SCHEMA = "test/note";

const noteValidator = z.object({
  schema: z.literal(SCHEMA),
  version: z.literal(3),
  name: z.string(),
  tags: z.record(z.string(), z.literal(true)),
});
type Note = z.infer<typeof noteValidator>;

const migrations: Migration[] = [
  {
    from: 1,
    describe: "title is now name",
    up(doc) {
      if (typeof doc.title === "string" && doc.name === undefined) doc.name = doc.title;
      delete doc.title;
    },
  },
  {
    from: 2,
    describe: "tags are a set",
    up(doc) {
      const list =
        typeof doc.tags === "string"
          ? doc.tags
              .split(",")
              .map((t) => t.trim())
              .filter((t) => t !== "")
          : [];
      const set: Record<string, true> = {};
      for (const tag of list) set[tag] = true;
      doc.tags = set;
    },
  },
];

const noteKind = defineKind<Note>({
  schema: SCHEMA,
  version: 3,
  validator: noteValidator,
  migrations,
});

type Raw = Record<string, unknown>;
const v1 = (): Raw => ({
  schema: SCHEMA,
  version: 1,
  title: "Walk to the well",
  tags: "water, commons, water",
});
const v3 = (): Raw => ({
  schema: SCHEMA,
  version: 3,
  name: "Walk to the well",
  tags: { water: true, commons: true },
});

const migrateDoc = (doc: Automerge.Doc<Raw>): { doc: Automerge.Doc<Raw>; ran: string[] } => {
  let ran: string[] = [];
  const next = Automerge.change(doc, (d) => {
    ran = noteKind.migrate(d);
  });
  return { doc: next, ran };
};

describe("defineKind read()", () => {
  it("accepts a valid current document", () => {
    const read = noteKind.read(v3());
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(read.doc.name).toBe("Walk to the well");
    expect(read.problems).toEqual([]);
  });

  it("says an older document needs migration, from its version", () => {
    expect(noteKind.read(v1())).toEqual({ state: "needs-migration", from: 1 });
    expect(noteKind.read({ ...v1(), version: 2 })).toEqual({ state: "needs-migration", from: 2 });
  });

  it("says a document from a newer app is newer, without validating it", () => {
    expect(noteKind.read({ schema: SCHEMA, version: 4, whatever: [1, 2] })).toEqual({
      state: "newer",
      version: 4,
    });
  });

  it("calls a document with the wrong schema tag damaged and names the tag", () => {
    const read = noteKind.read({ ...v3(), schema: "meitheal/story" });
    expect(read.state).toBe("damaged");
    if (read.state !== "damaged") return;
    expect(read.problems.join(" ")).toContain("meitheal/story");
    expect(read.problems.join(" ")).toContain(SCHEMA);
  });

  it("calls a missing schema tag damaged", () => {
    const { schema: _schema, ...rest } = v3();
    const read = noteKind.read(rest);
    expect(read.state).toBe("damaged");
    if (read.state === "damaged") expect(read.problems[0]).toContain("none");
  });

  it.each([1.5, "3", 0, -1, Number.NaN, Infinity, null, undefined])(
    "calls version %s damaged",
    (version) => {
      const read = noteKind.read({ ...v3(), version });
      expect(read.state).toBe("damaged");
      if (read.state === "damaged") expect(read.problems.join(" ")).toMatch(/version/);
    },
  );

  it("calls a current document with a missing or wrong field damaged and names the field", () => {
    const { name: _name, ...missing } = v3();
    const read = noteKind.read(missing);
    expect(read.state).toBe("damaged");
    if (read.state === "damaged")
      expect(read.problems.some((p) => p.startsWith("name:"))).toBe(true);

    const wrong = noteKind.read({ ...v3(), tags: { water: "yes" } });
    expect(wrong.state).toBe("damaged");
    if (wrong.state === "damaged")
      expect(wrong.problems.some((p) => p.startsWith("tags.water:"))).toBe(true);
  });

  it.each([null, undefined, 42, "meitheal/note", true])(
    "calls a non-object (%s) damaged",
    (raw) => {
      expect(noteKind.read(raw).state).toBe("damaged");
    },
  );

  it("never mutates what it reads", () => {
    const raw = v1();
    const before = JSON.stringify(raw);
    noteKind.read(raw);
    expect(JSON.stringify(raw)).toBe(before);
  });

  it("does not throw on a schema tag that JSON cannot print", () => {
    expect(noteKind.read({ schema: 10n, version: 3 }).state).toBe("damaged");
  });
});

describe("defineKind migrate() on an Automerge document", () => {
  it("brings version 1 to version 3, step by step, to a document that validates", () => {
    const { doc, ran } = migrateDoc(Automerge.from(v1()));
    expect(ran).toEqual(["title is now name", "tags are a set"]);
    const read = noteKind.read(doc);
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(read.doc).toEqual({
      schema: SCHEMA,
      version: 3,
      name: "Walk to the well",
      tags: { water: true, commons: true },
    });
    expect("title" in doc).toBe(false);
  });

  it("runs only the steps still needed", () => {
    const { doc, ran } = migrateDoc(
      Automerge.from({ schema: SCHEMA, version: 2, name: "Kept", tags: "a" }),
    );
    expect(ran).toEqual(["tags are a set"]);
    expect(noteKind.read(doc).state).toBe("ok");
    expect(doc.name).toBe("Kept");
  });

  it("is idempotent: a second run changes nothing, not even the history", () => {
    const first = migrateDoc(Automerge.from(v1())).doc;
    const second = migrateDoc(first);
    expect(second.ran).toEqual([]);
    expect(Automerge.getHeads(second.doc)).toEqual(Automerge.getHeads(first));
    expect(Automerge.toJS(second.doc)).toEqual(Automerge.toJS(first));
  });

  it("is deterministic: two peers migrating the same document at once merge to a valid document", () => {
    const base = Automerge.from(v1());
    const onA = migrateDoc(Automerge.clone(base, { actor: "aa".repeat(16) })).doc;
    const onB = migrateDoc(Automerge.clone(base, { actor: "bb".repeat(16) })).doc;
    const ab = Automerge.merge(Automerge.clone(onA), onB);
    const ba = Automerge.merge(Automerge.clone(onB), onA);
    expect(Automerge.toJS(ab)).toEqual(Automerge.toJS(ba));
    const read = noteKind.read(ab);
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(read.doc).toEqual({
      schema: SCHEMA,
      version: 3,
      name: "Walk to the well",
      tags: { water: true, commons: true },
    });
    // And the merged document needs nothing more.
    expect(migrateDoc(ab).ran).toEqual([]);
  });

  it("keeps a peer's edit made concurrently with another peer's migration", () => {
    const base = Automerge.from(v1());
    const migrated = migrateDoc(Automerge.clone(base, { actor: "aa".repeat(16) })).doc;
    const edited = Automerge.change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) => {
      d.extra = "kept";
    });
    const merged = Automerge.merge(Automerge.clone(migrated), edited);
    expect(merged.extra).toBe("kept");
    expect(noteKind.read(merged).state).toBe("ok");
  });

  it("leaves a newer or version-less document alone", () => {
    for (const raw of [
      { schema: SCHEMA, version: 7, name: "x" },
      { schema: SCHEMA, name: "x" },
      { schema: SCHEMA, version: 1.5 },
    ]) {
      const doc = Automerge.from<Raw>(raw);
      const { doc: after, ran } = migrateDoc(doc);
      expect(ran).toEqual([]);
      expect(Automerge.getHeads(after)).toEqual(Automerge.getHeads(doc));
    }
  });
});

describe("defineKind()", () => {
  it("throws when a migration step is missing, naming the version", () => {
    const first = migrations[0];
    if (!first) throw new Error("test setup: no first migration");
    expect(() =>
      defineKind<Note>({
        schema: SCHEMA,
        version: 3,
        validator: noteValidator,
        migrations: [first],
      }),
    ).toThrow(/no migration from version 2/);
    expect(() =>
      defineKind<Note>({ schema: SCHEMA, version: 2, validator: noteValidator, migrations: [] }),
    ).toThrow(/no migration from version 1/);
  });

  it("needs no migration for version 1", () => {
    expect(() =>
      defineKind<Note>({ schema: SCHEMA, version: 1, validator: noteValidator, migrations: [] }),
    ).not.toThrow();
  });
});
