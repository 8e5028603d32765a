import * as Automerge from "@automerge/automerge";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { storyKind, type Story } from "../schema/story.ts";
import {
  addComment,
  commentAnchors,
  deleteComment,
  editComment,
  reopenComment,
  replyToComment,
  resolveAnchor,
  resolveComment,
  sortedReplies,
} from "./comments.ts";
import type { OpContext } from "./context.ts";
import { initStory } from "./story.ts";

type Doc = Automerge.Doc<Story>;

const counterContext = (start = 1_000): OpContext & { setTime: (t: number) => void } => {
  let time = start;
  let next = 0;
  return { now: () => time, newId: () => `c-${++next}`, setTime: (t) => (time = t) };
};

const aoife = { deviceKey: "dev-aoife", name: "Aoife" };
const bram = { deviceKey: "dev-bram", name: "Bram" };

const storyWithBody = (body: string, ctx: OpContext = counterContext()): Doc =>
  Automerge.change(Automerge.init<Story>({ actor: "00".repeat(16) }), (d) =>
    initStory(d as unknown as Record<string, unknown>, { communityId: "c", title: "T", body }, ctx),
  );

const valid = (doc: Doc): Story => {
  const read = storyKind.read(doc);
  if (read.state !== "ok") throw new Error(`story does not validate: ${JSON.stringify(read)}`);
  return read.doc;
};

/** Adds a comment on the first occurrence of `passage`; returns the doc and the comment id. */
const commentOn = (doc: Doc, passage: string, ctx: OpContext, body = "Lovely line") => {
  const start = doc.body.indexOf(passage);
  if (start < 0) throw new Error(`"${passage}" not in body`);
  let id = "";
  const next = Automerge.change(doc, (d) => {
    const added = addComment(d, { start, end: start + passage.length, body, author: aoife }, ctx);
    if (!added.ok) throw new Error(added.error.message);
    id = added.value;
  });
  return { doc: next, id };
};

const fork = (doc: Doc, actor: string) => Automerge.clone(doc, { actor: actor.repeat(16) });
const splice = (doc: Doc, index: number, del: number, text = "") =>
  Automerge.change(doc, (d) => Automerge.splice(d, ["body"], index, del, text));
const spliceAt = (doc: Doc, find: string, offset: number, del: number, text = "") => {
  const at = doc.body.indexOf(find);
  if (at < 0) throw new Error(`"${find}" not in body`);
  return splice(doc, at + offset, del, text);
};
const sync = (a: Doc, b: Doc): [Doc, Doc] => [
  Automerge.merge(Automerge.clone(a), b),
  Automerge.merge(Automerge.clone(b), a),
];

const anchoredText = (doc: Doc, id: string) => {
  const anchor = commentAnchors(doc).find((a) => a.id === id);
  if (!anchor) throw new Error(`comment ${id} not listed`);
  return anchor.range ? doc.body.slice(anchor.range.start, anchor.range.end) : null;
};

describe("addComment", () => {
  it("stores cursors, the quote, the author and the time; the comment validates", () => {
    const ctx = counterContext(5_000);
    const { doc, id } = commentOn(storyWithBody("The river rose at dawn."), "rose at", ctx);
    const comment = valid(doc).comments[id]!;
    expect(comment).toMatchObject({
      quote: "rose at",
      body: "Lovely line",
      by: "dev-aoife",
      byName: "Aoife",
      at: 5_000,
      resolved: false,
      replies: {},
    });
    expect(resolveAnchor(doc, comment)).toEqual({ start: 10, end: 17 });
  });

  it("refuses an empty comment, an empty range and a range outside the text, without a change", () => {
    const ctx = counterContext();
    const doc = storyWithBody("Hello there");
    const tries = [
      { start: 0, end: 5, body: "   \n " },
      { start: 3, end: 3, body: "why" },
      { start: 4, end: 99, body: "why" },
      { start: -1, end: 2, body: "why" },
    ];
    for (const t of tries) {
      let message = "";
      const after = Automerge.change(doc, (d) => {
        const added = addComment(d, { ...t, author: aoife }, ctx);
        if (!added.ok) message = added.error.message;
      });
      expect(message).not.toBe("");
      expect(Automerge.getHeads(after)).toEqual(Automerge.getHeads(doc));
    }
  });
});

describe("anchors follow the passage", () => {
  it("through concurrent insertions before, inside and after, and deletions around it", () => {
    const ctx = counterContext();
    const base = commentOn(
      storyWithBody("The river rose at dawn and fell by noon."),
      "rose at dawn",
      ctx,
    );
    let a = fork(base.doc, "aa");
    let b = fork(base.doc, "bb");
    a = spliceAt(a, "river", 0, 0, "wide "); // before
    a = spliceAt(a, "at dawn", 3, 0, "first "); // inside
    b = spliceAt(b, " and fell", 0, 4, ","); // after, replacing " and"
    b = spliceAt(b, "The ", 0, 4); // deletion just before the passage
    b = spliceAt(b, "noon", 4, 0, " again"); // after, at the very end
    [a, b] = sync(a, b);
    expect(a.body).toBe(b.body);
    expect(a.body).toBe("wide river rose at first dawn, fell by noon again.");
    expect(anchoredText(a, base.id)).toBe("rose at first dawn");
    expect(anchoredText(b, base.id)).toBe("rose at first dawn");
  });

  it("leaves text typed at either edge of the passage outside it, also at the end of the body", () => {
    const ctx = counterContext();
    const base = commentOn(storyWithBody("Tide turning"), "turning", ctx);
    let doc = spliceAt(base.doc, "turning", 0, 0, "slowly ");
    doc = splice(doc, doc.body.length, 0, " at last");
    expect(doc.body).toBe("Tide slowly turning at last");
    expect(anchoredText(doc, base.id)).toBe("turning");
  });

  it("shrinks when its first or last characters are deleted", () => {
    const ctx = counterContext();
    const base = commentOn(storyWithBody("We met by the old bridge today."), "the old bridge", ctx);
    let a = fork(base.doc, "aa");
    let b = fork(base.doc, "bb");
    a = spliceAt(a, "the old", 0, 4); // "the " gone
    b = spliceAt(b, "bridge today", 3, 3); // "dge" gone, the last characters
    [a, b] = sync(a, b);
    expect(a.body).toBe("We met by old bri today.");
    expect(anchoredText(a, base.id)).toBe("old bri");
  });

  it("property: random concurrent edits outside the passage leave the anchored text identical", () => {
    const letters = fc
      .array(fc.constantFrom(..."abcdefgh ."), { minLength: 0, maxLength: 20 })
      .map((cs) => cs.join(""));
    const edit = fc.record({
      peer: fc.constantFrom<"a" | "b" | "sync">("a", "b", "a", "b", "sync"),
      side: fc.constantFrom<"before" | "after">("before", "after"),
      insert: fc.boolean(),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      size: fc.integer({ min: 1, max: 4 }),
      text: fc
        .array(fc.constantFrom(..."XYZ wq"), { minLength: 1, maxLength: 4 })
        .map((cs) => cs.join("")),
    });
    fc.assert(
      fc.property(
        letters,
        letters.filter((p) => p.trim().length > 0),
        letters,
        fc.array(edit, { maxLength: 25 }),
        (prefix, passage, suffix, edits) => {
          const ctx = counterContext();
          const body = `${prefix}${passage}${suffix}`;
          let doc = storyWithBody(body);
          let id = "";
          doc = Automerge.change(doc, (d) => {
            const added = addComment(
              d,
              {
                start: prefix.length,
                end: prefix.length + passage.length,
                body: "x",
                author: aoife,
              },
              ctx,
            );
            if (added.ok) id = added.value;
          });
          const peers = { a: fork(doc, "aa"), b: fork(doc, "bb") };
          for (const e of edits) {
            if (e.peer === "sync") {
              [peers.a, peers.b] = sync(peers.a, peers.b);
              continue;
            }
            const current = peers[e.peer];
            const range = resolveAnchor(current, current.comments[id]!);
            if (!range) throw new Error("passage lost while editing outside it");
            // The region outside the passage on this side, as this peer sees it now.
            const [lo, hi] =
              e.side === "before" ? [0, range.start] : [range.end, current.body.length];
            const at = lo + Math.floor(e.at * (hi - lo + (e.insert ? 1 : 0)));
            if (e.insert) peers[e.peer] = splice(current, Math.min(at, hi), 0, e.text);
            else if (hi > lo) {
              const from = Math.min(at, hi - 1);
              peers[e.peer] = splice(current, from, Math.min(e.size, hi - from));
            }
          }
          const [a, b] = sync(peers.a, peers.b);
          expect(a.body).toBe(b.body);
          expect(anchoredText(a, id)).toBe(passage);
          expect(anchoredText(b, id)).toBe(passage);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("a deleted passage", () => {
  it("gives range null while the comment, its quote and replies stay listed", () => {
    const ctx = counterContext();
    const base = commentOn(
      storyWithBody("Keep this. Cut this part. Keep that."),
      "Cut this part.",
      ctx,
    );
    let a = fork(base.doc, "aa");
    let b = fork(base.doc, "bb");
    a = spliceAt(a, " Cut this part.", 0, " Cut this part.".length);
    b = Automerge.change(b, (d) => {
      replyToComment(d, { commentId: base.id, body: "Agreed, cut it", author: bram }, ctx);
    });
    [a, b] = sync(a, b);
    expect(a.body).toBe("Keep this. Keep that.");
    const [anchor] = commentAnchors(a);
    expect(anchor).toMatchObject({ id: base.id, range: null });
    expect(anchor!.comment.quote).toBe("Cut this part.");
    expect(sortedReplies(valid(a).comments[base.id]!).map((r) => r.reply.body)).toEqual([
      "Agreed, cut it",
    ]);
  });

  it("counts as removed when only block markers are left of it, or when the whole body went", () => {
    const ctx = counterContext();
    let doc = storyWithBody("");
    doc = Automerge.change(doc, (d) => {
      Automerge.splitBlock(d, ["body"], 0, { type: "paragraph", parents: [], attrs: {} });
      Automerge.splice(d, ["body"], 1, 0, "one");
      Automerge.splitBlock(d, ["body"], 4, { type: "paragraph", parents: [], attrs: {} });
      Automerge.splice(d, ["body"], 5, 0, "two");
    });
    const across = commentOn(doc, "one\uFFFCtwo", ctx);
    expect(valid(across.doc).comments[across.id]!.quote).toBe("one\ntwo");
    const textGone = spliceAt(spliceAt(across.doc, "one", 0, 3), "two", 0, 3);
    expect(textGone.body).toBe("\uFFFC\uFFFC");
    expect(commentAnchors(textGone)[0]!.range).toBeNull();
    const allGone = splice(Automerge.clone(across.doc), 0, across.doc.body.length);
    expect(commentAnchors(allGone)[0]!.range).toBeNull();
  });
});

describe("comments on a body with paragraphs", () => {
  it("anchor to the right characters, before and after paragraphs are added above", () => {
    const ctx = counterContext();
    const P = { type: "paragraph", parents: [], attrs: {} };
    let doc = storyWithBody("");
    doc = Automerge.change(doc, (d) => {
      Automerge.splitBlock(d, ["body"], 0, P);
      Automerge.splice(d, ["body"], 1, 0, "The river rose.");
      Automerge.splitBlock(d, ["body"], 16, { type: "heading", parents: [], attrs: { level: 2 } });
      Automerge.splice(d, ["body"], 17, 0, "At dawn");
      Automerge.splitBlock(d, ["body"], 24, P);
      Automerge.splice(d, ["body"], 25, 0, "We met by the bridge.");
    });
    // Index 25 is right after the third block marker: "We met…" starts there.
    expect(doc.body.indexOf("We met")).toBe(25);
    let id = "";
    doc = Automerge.change(doc, (d) => {
      const added = addComment(d, { start: 25, end: 31, body: "Who?", author: aoife }, ctx);
      if (added.ok) id = added.value;
    });
    expect(valid(doc).comments[id]!.quote).toBe("We met");
    expect(anchoredText(doc, id)).toBe("We met");
    // Someone adds a paragraph at the top and another joins the heading into the paragraph above.
    let a = fork(doc, "aa");
    let b = fork(doc, "bb");
    a = Automerge.change(a, (d) => {
      Automerge.splitBlock(d, ["body"], 0, P);
      Automerge.splice(d, ["body"], 1, 0, "Prologue.");
    });
    b = Automerge.change(b, (d) => Automerge.joinBlock(d, ["body"], 16));
    [a, b] = sync(a, b);
    expect(anchoredText(a, id)).toBe("We met");
    expect(anchoredText(b, id)).toBe("We met");
    expect(commentAnchors(a)[0]!.range!.start).toBe(a.body.indexOf("We met"));
  });
});

describe("replies, resolving and editing", () => {
  it("replies from two peers both survive; resolve and a concurrent reply both land", () => {
    const ctx = counterContext();
    const base = commentOn(storyWithBody("Meitheal means working together."), "working", ctx);
    let a = fork(base.doc, "aa");
    let b = fork(base.doc, "bb");
    const ctxA = { ...counterContext(2_000), newId: () => "r-a" };
    const ctxB = { ...counterContext(2_001), newId: () => "r-b" };
    a = Automerge.change(a, (d) => {
      replyToComment(d, { commentId: base.id, body: "Yes", author: aoife }, ctxA);
      resolveComment(d, base.id);
    });
    b = Automerge.change(b, (d) => {
      replyToComment(d, { commentId: base.id, body: "Or gathering?", author: bram }, ctxB);
    });
    [a, b] = sync(a, b);
    expect(Automerge.toJS(a)).toEqual(Automerge.toJS(b));
    const comment = valid(a).comments[base.id]!;
    expect(comment.resolved).toBe(true);
    expect(sortedReplies(comment)).toEqual([
      { id: "r-a", reply: { body: "Yes", by: "dev-aoife", byName: "Aoife", at: 2_000 } },
      { id: "r-b", reply: { body: "Or gathering?", by: "dev-bram", byName: "Bram", at: 2_001 } },
    ]);
  });

  it("a resolve and a reopen at the same moment converge to one answer on both peers", () => {
    const ctx = counterContext();
    let base = commentOn(storyWithBody("Meitheal means working together."), "working", ctx).doc;
    const id = Object.keys(base.comments)[0]!;
    base = Automerge.change(base, (d) => resolveComment(d, id));
    let a = fork(base, "aa");
    let b = fork(base, "bb");
    a = Automerge.change(a, (d) => reopenComment(d, id));
    b = Automerge.change(b, (d) => {
      reopenComment(d, id);
      resolveComment(d, id);
    });
    [a, b] = sync(a, b);
    expect(valid(a).comments[id]!.resolved).toBe(valid(b).comments[id]!.resolved);
    // Reopening an open comment, resolving a resolved one: no change at all.
    const reopened = Automerge.change(a, (d) => reopenComment(d, id));
    const again = Automerge.change(reopened, (d) => reopenComment(d, id));
    expect(Automerge.getHeads(again)).toEqual(Automerge.getHeads(reopened));
  });

  it("edits only the text; refuses an empty edit; deletes with the replies", () => {
    const ctx = counterContext();
    const base = commentOn(
      storyWithBody("Meitheal means working together."),
      "working",
      ctx,
      "Nice",
    );
    let doc = Automerge.change(base.doc, (d) => {
      replyToComment(d, { commentId: base.id, body: "Thanks", author: bram }, ctx);
    });
    const before = valid(doc).comments[base.id]!;
    doc = Automerge.change(doc, (d) => {
      expect(editComment(d, base.id, "  Nice word  ").ok).toBe(true);
      expect(editComment(d, base.id, " ").ok).toBe(false);
      expect(editComment(d, "nope", "x").ok).toBe(false);
    });
    const after = valid(doc).comments[base.id]!;
    expect(after).toEqual({ ...before, body: "Nice word" });
    doc = Automerge.change(doc, (d) => deleteComment(d, base.id));
    expect(valid(doc).comments).toEqual({});
    expect(commentAnchors(doc)).toEqual([]);
  });
});

describe("commentAnchors", () => {
  it("orders by position, then time; removed passages last; ignores cursors it cannot read", () => {
    const ctx = counterContext();
    let doc = storyWithBody("alpha beta gamma delta");
    ctx.setTime(30);
    const gamma = commentOn(doc, "gamma", ctx);
    ctx.setTime(20);
    const beta2 = commentOn(gamma.doc, "beta", ctx);
    ctx.setTime(10);
    const delta = commentOn(beta2.doc, "delta", ctx);
    ctx.setTime(40);
    const beta1 = commentOn(delta.doc, "beta", ctx);
    doc = spliceAt(beta1.doc, " delta", 0, 6);
    const copy = valid(doc).comments[gamma.id]!;
    doc = Automerge.change(doc, (d) => {
      d.comments["bad"] = { ...copy, start: "99@ffff", end: "nonsense", at: 1 };
    });
    expect(commentAnchors(doc).map((a) => [a.id, a.range])).toEqual([
      [beta2.id, { start: 6, end: 10 }],
      [beta1.id, { start: 6, end: 10 }],
      [gamma.id, { start: 11, end: 16 }],
      ["bad", null],
      [delta.id, null],
    ]);
  });
});
