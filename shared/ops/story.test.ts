import * as Automerge from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { storyKind, type Story } from "../schema/story.ts";
import type { OpContext } from "./context.ts";
import {
  initStory,
  renameStory,
  setStatus,
  setSummary,
  setThemes,
  touchContributor,
} from "./story.ts";

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
      version: 3,
      communityId: "community-1",
      title: "The first tide",
      summary: "",
      status: "seed",
      themes: {},
      body: "",
      template: "blank",
      createdAt: 4_200,
      updatedAt: 4_200,
      contributors: {},
      actors: {},
      comments: {},
      versions: {},
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

  it("keeps both titles when two peers rename at once: a visible conflict, not a blend", () => {
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
    expect(["Tide turning", "High Tide"]).toContain(valid(ab).title);
    const conflicts = Object.values(Automerge.getConflicts(ab, "title") ?? {}).map(String);
    expect(conflicts.sort()).toEqual(["High Tide", "Tide turning"]);
  });
});

describe("summary, status, themes, contributors", () => {
  it("sets summary and status whole and moves updatedAt", () => {
    const { ctx, setTime } = fixedContext(100);
    let doc = newStory(ctx);
    setTime(500);
    doc = Automerge.change(doc, (d) => {
      setSummary(d, "How a river brought a town together", ctx);
      setStatus(d, "draft", ctx);
    });
    expect(valid(doc)).toMatchObject({
      summary: "How a river brought a town together",
      status: "draft",
      updatedAt: 500,
    });
  });

  it("keeps themes as a set: concurrent adds of the same theme give one entry", () => {
    const { ctx } = fixedContext(100);
    const base = newStory(ctx);
    const a = Automerge.change(Automerge.clone(base), (d) =>
      setThemes(d, ["t-nature", "t-dignity"], ctx),
    );
    const b = Automerge.change(Automerge.clone(base), (d) => setThemes(d, ["t-nature"], ctx));
    const merged = Automerge.merge(a, b);
    expect(Object.keys(valid(merged).themes).sort()).toEqual(["t-dignity", "t-nature"]);
    const removed = Automerge.change(merged, (d) => setThemes(d, ["t-dignity"], ctx));
    expect(Object.keys(valid(removed).themes)).toEqual(["t-dignity"]);
  });

  it("records contributors and which actor is which device, without a change when nothing is new", () => {
    const { ctx, setTime } = fixedContext(1_000);
    let doc = newStory(ctx);
    const author = {
      deviceKey: "dev-a",
      name: "Aoife",
      colour: "#1f6f5c",
      actorId: Automerge.getActorId(doc),
    };
    doc = Automerge.change(doc, (d) => touchContributor(d, author, ctx));
    expect(valid(doc).contributors["dev-a"]).toEqual({
      name: "Aoife",
      colour: "#1f6f5c",
      firstAt: 1_000,
      lastAt: 1_000,
    });
    expect(valid(doc).actors[author.actorId]).toBe("dev-a");
    setTime(1_010);
    const same = Automerge.change(doc, (d) => touchContributor(d, author, ctx));
    expect(Automerge.getHeads(same)).toEqual(Automerge.getHeads(doc));
    setTime(200_000);
    const later = Automerge.change(doc, (d) =>
      touchContributor(d, { ...author, name: "Aoife Ní Bhriain" }, ctx),
    );
    expect(valid(later).contributors["dev-a"]).toEqual({
      name: "Aoife Ní Bhriain",
      colour: "#1f6f5c",
      firstAt: 1_000,
      lastAt: 200_000,
    });
  });
});

describe("story migration 1 → 2", () => {
  it("turns the theme list into a set and adds the new maps; running it twice changes nothing", () => {
    const v1 = Automerge.change(Automerge.init<Record<string, unknown>>(), (d) => {
      Object.assign(d, {
        schema: "meitheal/story",
        version: 1,
        communityId: "c",
        title: "Old",
        summary: "",
        status: "draft",
        themes: ["t1", "t2", "t1"],
        body: "hello",
        createdAt: 1,
        updatedAt: 2,
      });
    });
    expect(storyKind.read(v1)).toEqual({ state: "needs-migration", from: 1 });
    const v2 = Automerge.change(v1, (d) => void storyKind.migrate(d));
    const story = valid(v2 as unknown as Automerge.Doc<Story>);
    expect(story.themes).toEqual({ t1: true, t2: true });
    expect(story).toMatchObject({
      version: 3,
      body: "hello",
      template: "blank",
      contributors: {},
      comments: {},
      versions: {},
    });
    const again = Automerge.change(v2, (d) => void storyKind.migrate(d));
    expect(Automerge.getHeads(again)).toEqual(Automerge.getHeads(v2));
  });
});
