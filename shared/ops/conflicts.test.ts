import * as Automerge from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import type { CommunityIndex } from "../schema/community.ts";
import type { Log } from "../schema/log.ts";
import type { InquiryMap } from "../schema/map.ts";
import type { Story } from "../schema/story.ts";
import { addEntry, initCommunity, updateEntry } from "./community.ts";
import {
  fieldConflicts,
  indexEntryConflicts,
  logEntryConflicts,
  mapNodeConflicts,
  valueConflicts,
} from "./conflicts.ts";
import type { OpContext } from "./context.ts";
import { addLogEntry, initLog, setEntryDate, setEntryKind, setEntryText } from "./log.ts";
import { addNode, initMap, moveNode, setNodeKind, setQuestionStatus } from "./map.ts";
import { chooseValue, initStory, renameStory, setStatus, touchContributor } from "./story.ts";

const ctx: OpContext = { now: () => 1_000, newId: () => "x" };
const A = "aa".repeat(16);
const B = "bb".repeat(16);

const base = () =>
  Automerge.change(Automerge.init<Story>({ actor: "cc".repeat(16) }), (d) =>
    initStory(d, { communityId: "c", title: "Tide" }, ctx),
  );
const as = (doc: Automerge.Doc<Story>, actor: string, name: string, fn: (d: Story) => void) =>
  Automerge.change(Automerge.clone(doc, { actor }), (d) => {
    touchContributor(d, { deviceKey: `dev-${name}`, name, colour: "#1f6f5c", actorId: actor }, ctx);
    fn(d);
  });

describe("fieldConflicts", () => {
  it("is empty when one person set the field", () => {
    const doc = as(base(), A, "Aoife", (d) => renameStory(d, "High tide", ctx));
    expect(fieldConflicts(doc, "title")).toEqual([]);
  });

  it("lists both titles set at once, who proposed each, and which is shown", () => {
    const start = base();
    const a = as(start, A, "Aoife", (d) => renameStory(d, "High tide", ctx));
    const b = as(start, B, "Brian", (d) => renameStory(d, "Turning tide", ctx));
    const merged = Automerge.merge(Automerge.clone(a), b);
    const proposed = fieldConflicts(merged, "title");
    expect(proposed).toHaveLength(2);
    expect(proposed.map((p) => [p.value, p.name]).sort()).toEqual([
      ["High tide", "Aoife"],
      ["Turning tide", "Brian"],
    ]);
    expect(proposed.filter((p) => p.shown).map((p) => p.value)).toEqual([merged.title]);
    // Picking one is a new set that supersedes both: the conflict is gone everywhere.
    const picked = Automerge.change(merged, (d) =>
      chooseValue(d, "title", merged.title, { ...ctx, now: () => 2_000 }),
    );
    expect(fieldConflicts(picked, "title")).toEqual([]);
    expect(picked.title).toBe(merged.title);
  });

  it("shows conflicting statuses too, and treats the same value twice as agreement", () => {
    const start = base();
    const a = as(start, A, "Aoife", (d) => setStatus(d, "ready", ctx));
    const b = as(start, B, "Brian", (d) => setStatus(d, "draft", ctx));
    expect(
      fieldConflicts(Automerge.merge(Automerge.clone(a), b), "status")
        .map((p) => p.value)
        .sort(),
    ).toEqual(["draft", "ready"]);
    const same = as(start, B, "Brian", (d) => setStatus(d, "ready", ctx));
    expect(fieldConflicts(Automerge.merge(Automerge.clone(a), same), "status")).toEqual([]);
  });
});

describe("conflicts of a list entry, a log entry and a map node", () => {
  const forkTwo = <T>(start: Automerge.Doc<T>, a: (d: T) => void, b: (d: T) => void) =>
    Automerge.merge(
      Automerge.change(Automerge.clone(start, { actor: A }), a),
      Automerge.change(Automerge.clone(start, { actor: B }), b),
    );

  it("reads a title two devices changed apart from the community index alone, and settles it", () => {
    const start = Automerge.change(
      Automerge.init<CommunityIndex>({ actor: "cc".repeat(16) }),
      (d) => {
        initCommunity(d, { name: "Quay", purpose: "" }, ctx);
        addEntry(d, "s1", {
          kind: "story",
          title: "Tide",
          status: "seed",
          createdAt: 1,
          updatedAt: 1,
        });
      },
    );
    expect(indexEntryConflicts(start.entries["s1"])).toEqual([]);
    const merged = forkTwo(
      start,
      (d) => updateEntry(d, "s1", { title: "High tide" }, ctx),
      (d) => updateEntry(d, "s1", { title: "Turning tide" }, ctx),
    );
    expect(indexEntryConflicts(merged.entries["s1"])).toEqual(["title"]);
    // Settled with the title shown now: written again all the same, so the conflict is gone.
    const settled = Automerge.change(merged, (d) =>
      updateEntry(d, "s1", { title: merged.entries["s1"]!.title }, ctx),
    );
    expect(indexEntryConflicts(settled.entries["s1"])).toEqual([]);
  });

  it("reads a log entry's date and kind set apart, not its co-edited text", () => {
    const start = Automerge.change(Automerge.init<Log>({ actor: "cc".repeat(16) }), (d) => {
      initLog(d, { communityId: "c", title: "Garden", description: "" }, ctx);
      addLogEntry(d, { date: "2026-05-01", kind: "gathering", by: "dev-x", byName: "Aoife" }, ctx);
    });
    const merged = forkTwo(
      start,
      (d) => {
        setEntryDate(d, "x", "2026-05-02", ctx);
        setEntryText(d, "x", "happened", "We dug beds.", ctx);
      },
      (d) => {
        setEntryDate(d, "x", "2026-05-03", ctx);
        setEntryKind(d, "x", "experiment", ctx);
        setEntryText(d, "x", "happened", "Rain.", ctx);
      },
    );
    const entry = merged.entries["x"]!;
    expect(logEntryConflicts(entry)).toEqual(["date"]);
    expect(
      valueConflicts(entry, "date", isText)
        .map((p) => p.value)
        .sort(),
    ).toEqual(["2026-05-02", "2026-05-03"]);
    const settled = Automerge.change(merged, (d) => setEntryDate(d, "x", entry.date, ctx));
    expect(logEntryConflicts(settled.entries["x"])).toEqual([]);
  });

  it("reads a map node's kind and status set apart, not its position", () => {
    const start = Automerge.change(Automerge.init<InquiryMap>({ actor: "cc".repeat(16) }), (d) => {
      initMap(d, { communityId: "c", title: "Tools" }, ctx);
      addNode(
        d,
        { kind: "question", text: "Who mends?", at: { x: 0, y: 0 }, by: "dev-x", byName: "A" },
        ctx,
      );
    });
    const merged = forkTwo(
      start,
      (d) => {
        setNodeKind(d, "x", "insight", ctx);
        moveNode(d, "x", { x: 100, y: 0 }, ctx);
      },
      (d) => {
        setNodeKind(d, "x", "practice", ctx);
        setQuestionStatus(d, "x", "exploring", ctx);
        moveNode(d, "x", { x: 0, y: 100 }, ctx);
      },
    );
    expect(mapNodeConflicts(merged.nodes["x"])).toEqual(["kind"]);
    const settled = Automerge.change(merged, (d) =>
      setNodeKind(d, "x", merged.nodes["x"]!.kind, ctx),
    );
    expect(mapNodeConflicts(settled.nodes["x"])).toEqual([]);
  });

  it("leaves out a hidden value of the wrong type, and anything that is not Automerge's", () => {
    expect(valueConflicts({ title: "plain" }, "title", isText)).toEqual([]);
    expect(indexEntryConflicts(undefined)).toEqual([]);
  });
});

const isText = (v: unknown): v is string => typeof v === "string";
