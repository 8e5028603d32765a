import * as Automerge from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import type { Story } from "../schema/story.ts";
import type { OpContext } from "./context.ts";
import { fieldConflicts } from "./conflicts.ts";
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
