import * as Automerge from "@automerge/automerge";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { storyKind, type Story } from "../schema/story.ts";
import { addComment } from "./comments.ts";
import type { OpContext } from "./context.ts";
import { initStory, renameStory, setStatus, setSummary, setThemes } from "./story.ts";
import {
  diffIsEmpty,
  listVersions,
  restoreVersion,
  saveVersion,
  versionDiff,
  versionView,
  type DiffBlock,
} from "./versions.ts";

type Doc = Automerge.Doc<Story>;
const BODY = ["body"];
const P = { type: "paragraph", parents: [], attrs: {} };

const counterContext = (
  start = 1_000,
  prefix = "v",
): OpContext & { setTime: (t: number) => void } => {
  let time = start;
  let next = 0;
  return { now: () => time, newId: () => `${prefix}-${++next}`, setTime: (t) => (time = t) };
};

const aoife = { deviceKey: "dev-aoife", name: "Aoife" };
const bram = { deviceKey: "dev-bram", name: "Bram" };

const valid = (doc: Doc): Story => {
  const read = storyKind.read(doc);
  if (read.state !== "ok") throw new Error(`story does not validate: ${JSON.stringify(read)}`);
  return read.doc;
};

/** A story whose body is the given blocks: [type, text] each. */
const storyWithBlocks = (blocks: [string, string][], ctx: OpContext, actor = "aa"): Doc =>
  Automerge.change(Automerge.init<Story>({ actor: actor.repeat(16) }), (d) => {
    initStory(d, { communityId: "c", title: "Low tide" }, ctx);
    let at = 0;
    for (const [type, text] of blocks) {
      Automerge.splitBlock(d, BODY, at, { ...P, type });
      Automerge.splice(d, BODY, at + 1, 0, text);
      at += 1 + text.length;
    }
  });

const peer = (doc: Doc, actor: string) =>
  Automerge.merge(Automerge.init<Story>({ actor: actor.repeat(16) }), doc);
const mergeAll = (...docs: Doc[]) =>
  docs.map((d) => docs.reduce((acc, other) => Automerge.merge(acc, other), Automerge.clone(d)));
const at = (doc: Doc, find: string, offset = 0) => {
  const i = doc.body.indexOf(find);
  if (i < 0) throw new Error(`"${find}" not in body`);
  return i + offset;
};
const save = (doc: Doc, name: string, ctx: OpContext, author = aoife) => {
  const heads = Automerge.getHeads(doc);
  let id = "";
  const next = Automerge.change(doc, (d) => {
    const saved = saveVersion(d, { name, heads, author }, ctx);
    if (!saved.ok) throw new Error(saved.error.message);
    id = saved.value;
  });
  return { doc: next, id, heads };
};

describe("saveVersion and listVersions", () => {
  it("names the heads taken before the change that records the version", () => {
    const ctx = counterContext(7_000);
    const doc = storyWithBlocks([["paragraph", "Hello"]], ctx);
    const saved = save(doc, "  Day 2   evening ", ctx);
    const version = valid(saved.doc).versions[saved.id]!;
    expect(version).toEqual({
      name: "Day 2 evening",
      heads: Automerge.getHeads(doc),
      at: 7_000,
      by: "dev-aoife",
      byName: "Aoife",
    });
    expect(Automerge.getHeads(saved.doc)).not.toEqual(version.heads);
    expect(versionView(saved.doc, version.heads)!.versions).toEqual({});
  });

  it("refuses an empty or too long name and heads that are not hashes, without a change", () => {
    const ctx = counterContext();
    const doc = storyWithBlocks([["paragraph", "Hello"]], ctx);
    const heads = Automerge.getHeads(doc);
    for (const args of [
      { name: "  ", heads },
      { name: "x".repeat(81), heads },
      { name: "ok", heads: [] },
      { name: "ok", heads: ["zz"] },
    ]) {
      let message = "";
      const after = Automerge.change(doc, (d) => {
        const r = saveVersion(d, { ...args, author: aoife }, ctx);
        if (!r.ok) message = r.error.message;
      });
      expect(message).not.toBe("");
      expect(Automerge.getHeads(after)).toEqual(heads);
    }
    expect(save(doc, "x".repeat(80), ctx).id).toBe("v-1");
  });

  it("merges versions saved on two peers at once, newest first", () => {
    const ctx = counterContext();
    const base = storyWithBlocks([["paragraph", "Hello"]], ctx);
    const a = save(peer(base, "aa"), "Morning", counterContext(100, "a"));
    const b = save(peer(base, "bb"), "Evening", counterContext(200, "b"), bram);
    const [onA, onB] = mergeAll(a.doc, b.doc);
    const listed = listVersions(valid(onA!));
    expect(listed.map((v) => [v.id, v.name, v.byName])).toEqual([
      ["b-1", "Evening", "Bram"],
      ["a-1", "Morning", "Aoife"],
    ]);
    expect(listVersions(valid(onB!))).toEqual(listed);
    // Both versions point at the same history, so both can be viewed from either peer.
    expect(versionView(onB!, listed[1]!.heads)!.body).toBe(base.body);
  });

  it("versionView gives null for heads this document does not have", () => {
    const ctx = counterContext();
    const doc = storyWithBlocks([["paragraph", "Hello"]], ctx);
    expect(versionView(doc, ["ab".repeat(32)])).toBeNull();
    expect(versionView(doc, ["not a hash"])).toBeNull();
  });
});

describe("restoreVersion", () => {
  it("on one peer: gives back the saved title, summary, status, themes and body spans, as a new change", () => {
    const ctx = counterContext();
    let doc = storyWithBlocks(
      [
        ["paragraph", "The river rose at dawn."],
        ["paragraph", "We met by the bridge."],
      ],
      ctx,
    );
    doc = Automerge.change(doc, (d) => {
      Automerge.mark(d, BODY, { start: 5, end: 10, expand: "both" }, "strong", true);
      setThemes(d, ["t-nature"], ctx);
      setStatus(d, "draft", ctx);
    });
    const saved = save(doc, "Before the storm", ctx);
    const savedSpans = Automerge.spans(doc, BODY);
    doc = Automerge.change(saved.doc, (d) => {
      renameStory(d, "High tide", ctx);
      setSummary(d, "A new summary", ctx);
      setStatus(d, "ready", ctx);
      setThemes(d, ["t-dignity"], ctx);
      Automerge.splice(d, BODY, 1, 4, "A");
      Automerge.updateBlock(d, BODY, 0, { type: "heading", parents: [], attrs: { level: 1 } });
      Automerge.unmark(d, BODY, { start: 0, end: 10, expand: "both" }, "strong");
      Automerge.joinBlock(d, BODY, d.body.indexOf("\uFFFC", 1));
    });
    const beforeRestore = Automerge.clone(doc);
    ctx.setTime(9_999);
    doc = Automerge.change(doc, (d) => restoreVersion(d, versionView(doc, saved.heads)!, ctx));
    const story = valid(doc);
    expect(story).toMatchObject({
      title: "Low tide",
      summary: "",
      status: "draft",
      themes: { "t-nature": true },
      updatedAt: 9_999,
    });
    expect(Automerge.spans(doc, BODY)).toEqual(savedSpans);
    // History is kept: the edits undone by the restore are still there to view.
    expect(Automerge.getAllChanges(doc).length).toBe(
      Automerge.getAllChanges(beforeRestore).length + 1,
    );
    expect(versionView(doc, Automerge.getHeads(beforeRestore))!.title).toBe("High tide");
    expect(diffIsEmpty(versionDiff(versionView(doc, saved.heads)!, doc))).toBe(true);
  });

  it("on three peers: C restores while B keeps editing; all end identical with the saved version plus B's concurrent edits", () => {
    const ctx = counterContext();
    let a = storyWithBlocks(
      [
        ["paragraph", "The river rose at dawn."],
        ["paragraph", "We met by the bridge."],
      ],
      ctx,
      "aa",
    );
    a = Automerge.change(a, (d) => {
      Automerge.mark(d, BODY, { start: 5, end: 10, expand: "both" }, "strong", true);
      setThemes(d, ["t-nature"], ctx);
      setSummary(d, "How the town met", ctx);
    });
    let b = peer(a, "bb");
    let c = peer(a, "cc");

    // A saves the version; everyone gets it.
    const saved = save(a, "Day 2 evening", ctx);
    a = saved.doc;
    const savedSpans = Automerge.spans(a, BODY);
    const savedStory = valid(a);
    [a, b, c] = mergeAll(a, b, c) as [Doc, Doc, Doc];

    // A and B edit every restorable field and the body; B also comments. Everyone syncs.
    a = Automerge.change(a, (d) => {
      renameStory(d, "High tide", ctx);
      setStatus(d, "ready", ctx);
      setThemes(d, ["t-dignity"], ctx);
      Automerge.splice(d, BODY, at(d, "rose"), 0, "quietly ");
      Automerge.updateBlock(d, BODY, 0, { type: "heading", parents: [], attrs: { level: 1 } });
      Automerge.mark(
        d,
        BODY,
        { start: at(d, "dawn"), end: at(d, "dawn", 4), expand: "both" },
        "em",
        true,
      );
      Automerge.splitBlock(d, BODY, d.body.length, P);
      Automerge.splice(d, BODY, d.body.length, 0, "A third paragraph.");
    });
    b = Automerge.change(b, (d) => {
      Automerge.splice(d, BODY, at(d, "met"), 3, "gathered");
      addComment(
        d,
        {
          start: at(d, "bridge"),
          end: at(d, "bridge", 6),
          body: "Which one?",
          author: bram,
        },
        counterContext(1, "c"),
      );
    });
    [a, b, c] = mergeAll(a, b, c) as [Doc, Doc, Doc];
    const commentsBefore = valid(c).comments;
    expect(c.body).toBe(
      "\uFFFCThe river quietly rose at dawn.\uFFFCWe gathered by the bridge.\uFFFCA third paragraph.",
    );

    // C restores; at the same moment B inserts a word into text the version also has.
    c = Automerge.change(c, (d) => restoreVersion(d, versionView(c, saved.heads)!, ctx));
    b = Automerge.change(b, (d) => Automerge.splice(d, BODY, at(d, "bridge"), 0, "stone "));
    [a, b, c] = mergeAll(a, b, c) as [Doc, Doc, Doc];

    // Identical everywhere.
    expect(Automerge.getHeads(b)).toEqual(Automerge.getHeads(a));
    expect(Automerge.getHeads(c)).toEqual(Automerge.getHeads(a));
    expect(Automerge.toJS(b)).toEqual(Automerge.toJS(a));
    expect(Automerge.toJS(c)).toEqual(Automerge.toJS(a));
    for (const doc of [a, b, c]) {
      const story = valid(doc);
      // The fields the restore writes are exactly the saved ones (nobody changed them concurrently).
      expect(story.title).toBe(savedStory.title);
      expect(story.summary).toBe(savedStory.summary);
      expect(story.status).toBe(savedStory.status);
      expect(story.themes).toEqual(savedStory.themes);
      // The body is the saved spans (blocks, marks and all) with exactly one difference: B's
      // concurrent "stone " before "bridge". A's and B's earlier edits are all undone.
      const expected = savedSpans.map((s) =>
        s.type === "text" && s.value === "We met by the bridge."
          ? { ...s, value: "We met by the stone bridge." }
          : s,
      );
      expect(Automerge.spans(doc, BODY)).toEqual(expected);
      // The restore left comments (B's comment, still anchored on "bridge") and versions alone.
      expect(story.comments).toEqual(commentsBefore);
      expect(Object.keys(story.versions)).toEqual([saved.id]);
    }
  });
});

/** The body as "¶type|text" blocks, for checking that a diff rebuilds both sides. */
const flat = (doc: Doc) =>
  Automerge.spans(doc, BODY)
    .map((s, i) =>
      s.type === "block"
        ? `¶${s.value.type as string}|`
        : i === 0
          ? `¶paragraph|${s.value}`
          : s.value,
    )
    .join("");
/** One side of a diff, read as versionDiff documents it. */
const rebuild = (blocks: readonly DiffBlock[], skip: "added" | "removed") =>
  blocks
    .map(
      (b) =>
        (b.kind === skip ? "" : "¶|") +
        b.parts
          .filter((p) => p.kind !== skip)
          .map((p) => p.text)
          .join(""),
    )
    .join("");
const withoutTypes = (s: string) => s.replace(/¶[^|]*\|/g, "¶|");

describe("versionDiff", () => {
  it("marks inserted and deleted words, block by block, in order", () => {
    const ctx = counterContext();
    const old = storyWithBlocks(
      [
        ["heading", "Low tide"],
        ["paragraph", "The river rose at dawn."],
        ["paragraph", "Gone paragraph."],
        ["paragraph", "We met by the bridge."],
      ],
      ctx,
    );
    const now = Automerge.change(Automerge.clone(old), (d) => {
      Automerge.splice(d, BODY, at(d, "river"), 0, "wide ");
      Automerge.splice(d, BODY, at(d, "dawn"), 4, "noon");
      Automerge.splice(d, BODY, at(d, "Gone") - 1, "Gone paragraph.".length + 1);
      Automerge.splice(d, BODY, at(d, "by the"), 3);
      Automerge.splitBlock(d, BODY, d.body.length, P);
      Automerge.splice(d, BODY, d.body.length, 0, "New end.");
    });
    expect(versionDiff(old, now)).toEqual([
      { type: "heading", parents: [], kind: "same", parts: [{ text: "Low tide", kind: "same" }] },
      {
        type: "paragraph",
        parents: [],
        kind: "same",
        parts: [
          { text: "The ", kind: "same" },
          { text: "wide ", kind: "added" },
          { text: "river rose at ", kind: "same" },
          { text: "dawn", kind: "removed" },
          { text: "noon", kind: "added" },
          { text: ".", kind: "same" },
        ],
      },
      {
        type: "paragraph",
        parents: [],
        kind: "removed",
        parts: [{ text: "Gone paragraph.", kind: "removed" }],
      },
      {
        type: "paragraph",
        parents: [],
        kind: "same",
        parts: [
          { text: "We met ", kind: "same" },
          { text: "by ", kind: "removed" },
          { text: "the bridge.", kind: "same" },
        ],
      },
      {
        type: "paragraph",
        parents: [],
        kind: "added",
        parts: [{ text: "New end.", kind: "added" }],
      },
    ]);
    expect(diffIsEmpty(versionDiff(old, old))).toBe(true);
  });

  it("property: the same and removed parts rebuild the old body, the same and added parts the new", () => {
    const block = fc.tuple(
      fc.constantFrom("paragraph", "heading"),
      fc
        .array(fc.constantFrom("tide", "river", " ", ".", "é", "we", "met"), { maxLength: 8 })
        .map((w) => w.join("")),
    );
    const ctx = counterContext();
    fc.assert(
      fc.property(fc.array(block, { maxLength: 5 }), fc.array(block, { maxLength: 5 }), (x, y) => {
        const oldDoc = storyWithBlocks(x, ctx);
        const newDoc = storyWithBlocks(y, ctx);
        const blocks = versionDiff(oldDoc, newDoc);
        expect(rebuild(blocks, "added")).toBe(withoutTypes(flat(oldDoc)));
        expect(rebuild(blocks, "removed")).toBe(withoutTypes(flat(newDoc)));
        // Blocks that are in the new body carry its type, in its order.
        const newTypes = y.map(([type]) => type);
        expect(blocks.filter((b) => b.kind !== "removed").map((b) => b.type)).toEqual(newTypes);
      }),
      { numRuns: 200 },
    );
  });
});

describe("versionDiff with line breaks", () => {
  it("reads an inline line break as text in its paragraph, not as a new block", () => {
    const ctx = counterContext();
    const old = storyWithBlocks([["paragraph", "one two"]], ctx);
    const now = Automerge.change(Automerge.clone(old), (d) => {
      Automerge.splice(d, BODY, at(d, " two"), 1);
      Automerge.splitBlock(d, BODY, at(d, "two"), {
        type: "hard-break",
        parents: [],
        attrs: {},
        isEmbed: true,
      });
    });
    expect(versionDiff(old, now)).toEqual([
      {
        type: "paragraph",
        parents: [],
        kind: "same",
        parts: [
          { text: "one", kind: "same" },
          { text: " ", kind: "removed" },
          { text: "\n", kind: "added" },
          { text: "two", kind: "same" },
        ],
      },
    ]);
  });
});
