import * as Automerge from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { storyKind, type Story } from "../schema/story.ts";
import type { OpContext } from "./context.ts";
import { initStory, renameStory } from "./story.ts";

const fixedContext = (start: number) => {
  let time = start;
  let next = 0;
  const ctx: OpContext = { now: () => time, newId: () => `id-${++next}` };
  return { ctx, setTime: (t: number) => (time = t) };
};

const valid = (doc: Automerge.Doc<Story>): Story => {
  const read = storyKind.read(doc);
  if (read.state !== "ok") throw new Error(`story does not validate: ${JSON.stringify(read)}`);
  return read.doc;
};

const newStory = (ctx: OpContext, title = "The first tide") =>
  Automerge.change(Automerge.init<Story>(), (d) =>
    initStory(d, { communityId: "community-1", title }, ctx),
  );

describe("initStory", () => {
  it("creates a seed story that validates, created and updated now", () => {
    const { ctx } = fixedContext(4_200);
    const story = valid(newStory(ctx));
    expect(story).toEqual({
      schema: "meitheal/story",
      version: 1,
      communityId: "community-1",
      title: "The first tide",
      summary: "",
      status: "seed",
      themes: [],
      body: "",
      createdAt: 4_200,
      updatedAt: 4_200,
    });
  });
});

describe("renameStory", () => {
  it("changes the title and moves updatedAt, leaving createdAt", () => {
    const { ctx, setTime } = fixedContext(100);
    let doc = newStory(ctx);
    setTime(250);
    doc = Automerge.change(doc, (d) => renameStory(d, "The turning tide", ctx));
    const story = valid(doc);
    expect(story.title).toBe("The turning tide");
    expect(story.updatedAt).toBe(250);
    expect(story.createdAt).toBe(100);
  });

  it("does nothing, not even a change, when the title is the same", () => {
    const { ctx, setTime } = fixedContext(100);
    const doc = newStory(ctx);
    setTime(999);
    const after = Automerge.change(doc, (d) => renameStory(d, "The first tide", ctx));
    expect(valid(after).updatedAt).toBe(100);
    expect(Automerge.getHeads(after)).toEqual(Automerge.getHeads(doc));
  });

  it("merges two peers renaming at once into one title both converge on", () => {
    const { ctx } = fixedContext(100);
    const base = newStory(ctx, "Tide");
    const onA = Automerge.change(Automerge.clone(base, { actor: "aa".repeat(16) }), (d) =>
      renameStory(d, "Tide turning", { ...ctx, now: () => 300 }),
    );
    const onB = Automerge.change(Automerge.clone(base, { actor: "bb".repeat(16) }), (d) =>
      renameStory(d, "High Tide", { ...ctx, now: () => 200 }),
    );
    const ab = Automerge.merge(Automerge.clone(onA), onB);
    const ba = Automerge.merge(Automerge.clone(onB), onA);
    expect(Automerge.toJS(ab)).toEqual(Automerge.toJS(ba));
    expect(valid(ab).title).toBe("High Tide turning");
  });
});
