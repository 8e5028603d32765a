import * as Automerge from "@automerge/automerge";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mapKind, type InquiryMap, type MapEdge, type MapNode } from "../schema/map.ts";
import type { OpContext } from "./context.ts";
import {
  DAY_MS,
  addNode,
  addNodeLink,
  connect,
  danglingEdges,
  deleteNode,
  disconnect,
  initMap,
  moveNode,
  outline,
  pruneDanglingEdges,
  removeNodeLink,
  renameMap,
  restoreEdge,
  restoreNode,
  setMapDescription,
  setNodeKind,
  setNodeTarget,
  setNodeText,
  setQuestionStatus,
  setRelation,
  staleQuestions,
  visibleEdges,
  type NewNode,
  type OutlineItem,
} from "./map.ts";

const fixedContext = (start = 1_000, prefix = "id") => {
  let time = start;
  let next = 0;
  const ctx: OpContext = { now: () => time, newId: () => `${prefix}${++next}` };
  return { ctx, setTime: (t: number) => (time = t) };
};

const KEY = "a".repeat(64);
const ACTOR_A = "aa".repeat(16);
const ACTOR_B = "bb".repeat(16);

const valid = (doc: Automerge.Doc<InquiryMap>): InquiryMap => {
  const read = mapKind.read(doc);
  if (read.state !== "ok") throw new Error(`map does not validate: ${JSON.stringify(read)}`);
  expect(read.problems).toEqual([]);
  return read.doc;
};

const newMap = (ctx: OpContext) =>
  Automerge.change(Automerge.init<InquiryMap>(), (d) =>
    initMap(d, { communityId: "community-1", title: "What we ask" }, ctx),
  );

const nodeArgs = (over: Partial<NewNode> = {}): NewNode => ({
  kind: "question",
  text: "How do we share the work?",
  at: { x: 0, y: 0 },
  by: KEY,
  byName: "Aoife",
  ...over,
});

/** A change on a copy, so one document can be the start of several tries (Automerge refuses to
 * change a document twice from the same state). */
const change = (doc: Automerge.Doc<InquiryMap>, fn: (d: InquiryMap) => void) =>
  Automerge.change(Automerge.clone(doc), fn);
const sameHeads = (a: Automerge.Doc<unknown>, b: Automerge.Doc<unknown>) =>
  expect(Automerge.getHeads(a)).toEqual(Automerge.getHeads(b));

/** A map with nodes a, b, c (questions at 0,0 / 100,0 / 200,0) and an edge a→b "raises". */
const threeNodes = (ctx: OpContext) => {
  const ids = { a: "", b: "", c: "", ab: "" };
  const doc = change(newMap(ctx), (d) => {
    ids.a = addNode(d, nodeArgs({ text: "A" }), ctx);
    ids.b = addNode(d, nodeArgs({ text: "B", at: { x: 100, y: 0 } }), ctx);
    ids.c = addNode(d, nodeArgs({ text: "C", at: { x: 200, y: 0 } }), ctx);
    const made = connect(d, { from: ids.a, to: ids.b, relation: "raises", by: KEY }, ctx);
    if (made.ok) ids.ab = made.id;
  });
  return { doc, ...ids };
};

describe("initMap, renameMap, setMapDescription", () => {
  it("writes an empty map that reads as ok", () => {
    const { ctx } = fixedContext(7);
    expect(valid(newMap(ctx))).toEqual({
      schema: "meitheal/map",
      version: 1,
      communityId: "community-1",
      title: "What we ask",
      description: "",
      createdAt: 7,
      updatedAt: 7,
      nodes: {},
      edges: {},
    });
  });

  it("renames, and the same title makes no change", () => {
    const { ctx, setTime } = fixedContext(7);
    const doc = newMap(ctx);
    setTime(9);
    const renamed = change(doc, (d) => renameMap(d, "Our questions", ctx));
    expect(valid(renamed)).toMatchObject({ title: "Our questions", updatedAt: 9 });
    sameHeads(
      change(renamed, (d) => renameMap(d, "Our questions", ctx)),
      renamed,
    );
  });

  it("edits the description as text, merging two writers", () => {
    const { ctx } = fixedContext();
    const doc = Automerge.change(Automerge.init<InquiryMap>(), (d) =>
      initMap(d, { communityId: "c", title: "t", description: "Water and care." }, ctx),
    );
    const a = change(Automerge.clone(doc, { actor: ACTOR_A }), (d) =>
      setMapDescription(d, "Soil, water and care.", ctx),
    );
    const b = change(Automerge.clone(doc, { actor: ACTOR_B }), (d) =>
      setMapDescription(d, "Water and care, together.", ctx),
    );
    expect(valid(Automerge.merge(a, b)).description).toBe("Soil, water and care, together.");
    sameHeads(
      change(doc, (d) => setMapDescription(d, "Water and care.", ctx)),
      doc,
    );
  });
});

describe("addNode", () => {
  it("adds a node with defaults (open, no target, no links), touching the map", () => {
    const { ctx } = fixedContext(50);
    let id = "";
    const doc = change(newMap(ctx), (d) => {
      id = addNode(d, nodeArgs({ at: { x: 10.4, y: -20.6 } }), ctx);
    });
    expect(valid(doc).nodes[id]).toEqual({
      kind: "question",
      text: "How do we share the work?",
      at: { x: 10, y: -21 },
      status: "open",
      target: null,
      links: {},
      createdAt: 50,
      touchedAt: 50,
      by: KEY,
      byName: "Aoife",
    });
  });

  it("keeps a position a peer could not reach out of the map: clamped, never NaN", () => {
    const { ctx } = fixedContext();
    const ids: string[] = [];
    const doc = change(newMap(ctx), (d) => {
      ids.push(addNode(d, nodeArgs({ at: { x: 1e300, y: -1e300 } }), ctx));
      ids.push(addNode(d, nodeArgs({ at: { x: Number.NaN, y: Number.POSITIVE_INFINITY } }), ctx));
    });
    const map = valid(doc);
    expect(map.nodes[ids[0]!]?.at).toEqual({ x: 1e6, y: -1e6 });
    expect(map.nodes[ids[1]!]?.at).toEqual({ x: 0, y: 0 });
  });

  it("stores a target and a status for story and question nodes", () => {
    const { ctx } = fixedContext();
    let id = "";
    const doc = change(newMap(ctx), (d) => {
      id = addNode(d, nodeArgs({ kind: "story", target: "story/x", status: "insight" }), ctx);
    });
    expect(valid(doc).nodes[id]).toMatchObject({ target: "story/x", status: "insight" });
  });
});

describe("node edits", () => {
  it("setNodeText merges concurrent edits as text", () => {
    const { ctx } = fixedContext();
    const { doc, a } = threeNodes(ctx);
    const x = change(Automerge.clone(doc, { actor: ACTOR_A }), (d) =>
      setNodeText(d, a, "So A", ctx),
    );
    const y = change(Automerge.clone(doc, { actor: ACTOR_B }), (d) =>
      setNodeText(d, a, "A then", ctx),
    );
    expect(valid(Automerge.merge(x, y)).nodes[a]?.text).toBe("So A then");
  });

  it("each edit touches the node and the map; the same value or a missing node is no change", () => {
    const { ctx, setTime } = fixedContext(10);
    const { doc, a } = threeNodes(ctx);
    const edits: [string, (d: InquiryMap, id: string) => void, Partial<MapNode>][] = [
      ["text", (d, id) => setNodeText(d, id, "New", ctx), { text: "New" }],
      ["move", (d, id) => moveNode(d, id, { x: 5, y: 6 }, ctx), { at: { x: 5, y: 6 } }],
      ["kind", (d, id) => setNodeKind(d, id, "insight", ctx), { kind: "insight" }],
      ["status", (d, id) => setQuestionStatus(d, id, "exploring", ctx), { status: "exploring" }],
      ["target", (d, id) => setNodeTarget(d, id, "entry/l/e", ctx), { target: "entry/l/e" }],
      ["link", (d, id) => addNodeLink(d, id, "story/s", ctx), { links: { "story/s": true } }],
    ];
    let t = 10;
    for (const [name, edit, expected] of edits) {
      setTime(++t);
      const edited = change(doc, (d) => edit(d, a));
      expect(valid(edited).nodes[a], name).toMatchObject({ ...expected, touchedAt: t });
      expect(valid(edited).updatedAt, name).toBe(t);
      sameHeads(
        change(edited, (d) => edit(d, a)),
        edited,
      );
      sameHeads(
        change(doc, (d) => edit(d, "missing")),
        doc,
      );
    }
  });

  it("moveNode rounds and clamps, and a move to where it is makes no change", () => {
    const { ctx } = fixedContext();
    const { doc, a } = threeNodes(ctx);
    sameHeads(
      change(doc, (d) => moveNode(d, a, { x: 0.2, y: -0.3 }, ctx)),
      doc,
    );
    const far = change(doc, (d) => moveNode(d, a, { x: 5e9, y: Number.NaN }, ctx));
    expect(valid(far).nodes[a]?.at).toEqual({ x: 1e6, y: 0 });
  });

  it("concurrent moves end on one writer's position, never x of one and y of the other", () => {
    const { ctx } = fixedContext();
    const { doc, a } = threeNodes(ctx);
    const x = change(Automerge.clone(doc, { actor: ACTOR_A }), (d) =>
      moveNode(d, a, { x: 10, y: 20 }, ctx),
    );
    const y = change(Automerge.clone(doc, { actor: ACTOR_B }), (d) =>
      moveNode(d, a, { x: 30, y: 40 }, ctx),
    );
    const one = valid(Automerge.merge(Automerge.clone(x), y)).nodes[a]?.at;
    const other = valid(Automerge.merge(Automerge.clone(y), x)).nodes[a]?.at;
    expect([
      { x: 10, y: 20 },
      { x: 30, y: 40 },
    ]).toContainEqual(one);
    expect(other).toEqual(one);
  });

  it("removeNodeLink removes a link; a missing link or node is no change", () => {
    const { ctx } = fixedContext();
    const { doc, a } = threeNodes(ctx);
    const linked = change(doc, (d) => addNodeLink(d, a, "story/s", ctx));
    sameHeads(
      change(linked, (d) => {
        removeNodeLink(d, a, "story/other", ctx);
        removeNodeLink(d, "missing", "story/s", ctx);
      }),
      linked,
    );
    expect(
      valid(change(linked, (d) => removeNodeLink(d, a, "story/s", ctx))).nodes[a]?.links,
    ).toEqual({});
  });

  it("setNodeTarget clears a target with null", () => {
    const { ctx } = fixedContext();
    const { doc, a } = threeNodes(ctx);
    const set = change(doc, (d) => setNodeTarget(d, a, "story/s", ctx));
    expect(valid(change(set, (d) => setNodeTarget(d, a, null, ctx))).nodes[a]?.target).toBeNull();
  });
});

describe("connect", () => {
  it("joins two nodes, touching both ends", () => {
    const { ctx, setTime } = fixedContext(10);
    const { doc, b, c } = threeNodes(ctx);
    setTime(20);
    let result: ReturnType<typeof connect> | undefined;
    const joined = change(doc, (d) => {
      result = connect(d, { from: c, to: b, relation: "answers", by: KEY }, ctx);
    });
    const map = valid(joined);
    if (!result?.ok) throw new Error("not connected");
    expect(map.edges[result.id]).toEqual({
      from: c,
      to: b,
      relation: "answers",
      createdAt: 20,
      by: KEY,
    });
    expect(map.nodes[b]?.touchedAt).toBe(20);
    expect(map.nodes[c]?.touchedAt).toBe(20);
  });

  it("refuses a node to itself, a missing node, and a second edge the same way", () => {
    const { ctx } = fixedContext();
    const { doc, a, b } = threeNodes(ctx);
    const results: ReturnType<typeof connect>[] = [];
    const after = change(doc, (d) => {
      results.push(connect(d, { from: a, to: a, relation: "relates", by: KEY }, ctx));
      results.push(connect(d, { from: a, to: "gone", relation: "relates", by: KEY }, ctx));
      results.push(connect(d, { from: "gone", to: b, relation: "relates", by: KEY }, ctx));
      results.push(connect(d, { from: a, to: b, relation: "supports", by: KEY }, ctx));
    });
    expect(results).toEqual([
      { ok: false, reason: "same-node" },
      { ok: false, reason: "missing-node" },
      { ok: false, reason: "missing-node" },
      { ok: false, reason: "exists" },
    ]);
    sameHeads(after, doc);
  });

  it("allows the opposite direction (b challenges a while a raises b)", () => {
    const { ctx } = fixedContext();
    const { doc, a, b } = threeNodes(ctx);
    let result: ReturnType<typeof connect> | undefined;
    change(doc, (d) => {
      result = connect(d, { from: b, to: a, relation: "challenges", by: KEY }, ctx);
    });
    expect(result?.ok).toBe(true);
  });
});

describe("setRelation and disconnect", () => {
  it("relabel an edge and remove it; a missing edge or the same relation is no change", () => {
    const { ctx, setTime } = fixedContext(10);
    const { doc, ab } = threeNodes(ctx);
    setTime(30);
    const relabelled = change(doc, (d) => setRelation(d, ab, "supports", ctx));
    expect(valid(relabelled).edges[ab]?.relation).toBe("supports");
    expect(valid(relabelled).updatedAt).toBe(30);
    sameHeads(
      change(relabelled, (d) => {
        setRelation(d, ab, "supports", ctx);
        setRelation(d, "gone", "raises", ctx);
        disconnect(d, "gone", ctx);
      }),
      relabelled,
    );
    expect(valid(change(relabelled, (d) => disconnect(d, ab, ctx))).edges).toEqual({});
  });
});

describe("deleteNode, restoreNode, restoreEdge", () => {
  it("removes a node with every edge to or from it and returns them for an undo", () => {
    const { ctx } = fixedContext();
    const { doc: start, a, b, c, ab } = threeNodes(ctx);
    let cb = "";
    const doc = change(start, (d) => {
      const made = connect(d, { from: c, to: b, relation: "answers", by: KEY }, ctx);
      if (made.ok) cb = made.id;
    });
    const before = valid(doc);
    let removed: ReturnType<typeof deleteNode> = null;
    const deleted = change(doc, (d) => {
      removed = deleteNode(d, b, ctx);
    });
    expect(removed).toEqual({
      node: before.nodes[b],
      edges: { [ab]: before.edges[ab], [cb]: before.edges[cb] },
    });
    const map = valid(deleted);
    expect(Object.keys(map.nodes).sort()).toEqual([a, c].sort());
    expect(map.edges).toEqual({});

    // Undo: the node under its old id, then its edges.
    const { ctx: later } = fixedContext(5_000);
    const restored = change(deleted, (d) => {
      if (!removed) return;
      restoreNode(d, b, removed.node, later);
      for (const [id, e] of Object.entries(removed.edges)) restoreEdge(d, id, e);
    });
    const back = valid(restored);
    expect(back.nodes[b]).toEqual({ ...before.nodes[b], touchedAt: 5_000 });
    expect(back.edges).toEqual(before.edges);
  });

  it("returns null for a missing node and changes nothing", () => {
    const { ctx } = fixedContext();
    const { doc } = threeNodes(ctx);
    let removed: ReturnType<typeof deleteNode> | undefined;
    const after = change(doc, (d) => {
      removed = deleteNode(d, "gone", ctx);
    });
    expect(removed).toBeNull();
    sameHeads(after, doc);
  });

  it("restoreNode never overwrites a node that is there", () => {
    const { ctx } = fixedContext();
    const { doc, a } = threeNodes(ctx);
    const node = valid(doc).nodes[a]!;
    sameHeads(
      change(doc, (d) => restoreNode(d, a, { ...node, text: "other" }, ctx)),
      doc,
    );
  });

  it("restoreEdge puts nothing back when an end is gone or the id is taken", () => {
    const { ctx } = fixedContext();
    const { doc, a, c, ab } = threeNodes(ctx);
    const edge: MapEdge = { from: a, to: "gone", relation: "relates", createdAt: 1, by: KEY };
    sameHeads(
      change(doc, (d) => {
        restoreEdge(d, "e-new", edge);
        restoreEdge(d, "e-new", { ...edge, from: "gone", to: c });
        restoreEdge(d, ab, { ...edge, to: c });
      }),
      doc,
    );
    const back = change(doc, (d) => restoreEdge(d, "e-new", { ...edge, to: c }));
    expect(valid(back).edges["e-new"]).toEqual({ ...edge, to: c });
  });
});

// ---- Views ----

const plainNode = (createdAt: number, over: Partial<MapNode> = {}): MapNode => ({
  kind: "question",
  text: `n${createdAt}`,
  at: { x: 0, y: 0 },
  status: "open",
  target: null,
  links: {},
  createdAt,
  touchedAt: createdAt,
  by: KEY,
  byName: "A",
  ...over,
});
const plainEdge = (
  from: string,
  to: string,
  relation: MapEdge["relation"] = "relates",
): MapEdge => ({
  from,
  to,
  relation,
  createdAt: 0,
  by: KEY,
});

describe("visibleEdges, danglingEdges, pruneDanglingEdges", () => {
  const map = {
    nodes: { a: plainNode(1), b: plainNode(2), c: plainNode(3) },
    edges: {
      e5: plainEdge("a", "b"),
      e2: plainEdge("a", "b", "supports"),
      e9: plainEdge("a", "b"),
      e3: plainEdge("b", "a"),
      e1: plainEdge("a", "gone"),
      e0: plainEdge("gone", "c"),
      e4: plainEdge("c", "c"),
      e7: plainEdge("b", "c"),
    },
  };

  it("draws only edges with both ends, no self loops, one per ordered pair (smallest id), by id", () => {
    expect(visibleEdges(map).map((e) => e.id)).toEqual(["e2", "e3", "e7"]);
    expect(visibleEdges(map)[0]).toEqual({ ...map.edges.e2, id: "e2" });
  });

  it("gives the same answer whatever order the edges come in", () => {
    const reversed = { ...map, edges: Object.fromEntries(Object.entries(map.edges).reverse()) };
    expect(visibleEdges(reversed)).toEqual(visibleEdges(map));
  });

  it("names every edge not drawn, and pruning removes exactly those", () => {
    expect(danglingEdges(map).sort()).toEqual(["e0", "e1", "e4", "e5", "e9"]);
    const { ctx } = fixedContext();
    let doc = change(newMap(ctx), (d) => {
      for (const [id, n] of Object.entries(map.nodes)) d.nodes[id] = { ...n, at: { ...n.at } };
      for (const [id, e] of Object.entries(map.edges)) d.edges[id] = { ...e };
    });
    let count = 0;
    doc = change(doc, (d) => {
      count = pruneDanglingEdges(d);
    });
    expect(count).toBe(5);
    expect(Object.keys(valid(doc).edges).sort()).toEqual(["e2", "e3", "e7"]);
    let again = -1;
    change(doc, (d) => {
      again = pruneDanglingEdges(d);
    });
    expect(again).toBe(0);
  });

  it("a node deleted while someone connects to it: the edge is not drawn, then pruned", () => {
    const { ctx } = fixedContext();
    const { doc, a, c } = threeNodes(ctx);
    const { ctx: other } = fixedContext(1_000, "b");
    const x = change(Automerge.clone(doc, { actor: ACTOR_A }), (d) => {
      deleteNode(d, c, ctx);
    });
    const y = change(Automerge.clone(doc, { actor: ACTOR_B }), (d) => {
      connect(d, { from: a, to: c, relation: "raises", by: KEY }, other);
    });
    const merged = Automerge.merge(x, y);
    const map = valid(merged);
    expect(Object.keys(map.edges)).toHaveLength(2);
    expect(visibleEdges(map).every((e) => map.nodes[e.from] && map.nodes[e.to])).toBe(true);
    expect(visibleEdges(map)).toHaveLength(1);
    const pruned = valid(change(merged, (d) => pruneDanglingEdges(d)));
    expect(
      Object.values(pruned.edges).every((e) => pruned.nodes[e.from] && pruned.nodes[e.to]),
    ).toBe(true);
  });

  it("two people connecting the same pair at once: one edge drawn on both, the smaller id", () => {
    const { ctx } = fixedContext();
    const { doc, b, c } = threeNodes(ctx);
    const x = change(Automerge.clone(doc, { actor: ACTOR_A }), (d) => {
      connect(d, { from: c, to: b, relation: "answers", by: KEY }, fixedContext(0, "zz").ctx);
    });
    const y = change(Automerge.clone(doc, { actor: ACTOR_B }), (d) => {
      connect(d, { from: c, to: b, relation: "supports", by: KEY }, fixedContext(0, "mm").ctx);
    });
    const one = visibleEdges(valid(Automerge.merge(Automerge.clone(x), y)));
    const two = visibleEdges(valid(Automerge.merge(Automerge.clone(y), x)));
    expect(one).toEqual(two);
    expect(one.filter((e) => e.from === c && e.to === b)).toEqual([
      expect.objectContaining({ id: "mm1", relation: "supports" }),
    ]);
  });
});

describe("staleQuestions", () => {
  const now = 100 * DAY_MS;
  const at = (daysAgo: number, over: Partial<MapNode> = {}) =>
    plainNode(0, { touchedAt: now - daysAgo * DAY_MS, ...over });

  it("lists open and exploring questions untouched for longer than the days given, oldest first", () => {
    const nodes = {
      fresh: at(3),
      exactly: at(14),
      old: at(15),
      older: at(40, { status: "exploring" }),
      found: at(50, { status: "insight" }),
      reframed: at(50, { status: "reframed" }),
      insight: at(60, { kind: "insight" }),
      tieB: at(20),
      tieA: at(20),
    };
    expect(staleQuestions({ nodes }, now, 14)).toEqual(["older", "tieA", "tieB", "old"]);
    expect(staleQuestions({ nodes }, now, 30)).toEqual(["older"]);
    expect(staleQuestions({ nodes }, now, 0)).toContain("fresh");
    expect(staleQuestions({ nodes: { a: at(0) } }, now, 0)).toEqual([]);
  });

  it("counts one millisecond past the threshold as stale", () => {
    const nodes = { a: plainNode(0, { touchedAt: now - 7 * DAY_MS - 1 }) };
    expect(staleQuestions({ nodes }, now, 7)).toEqual(["a"]);
    expect(
      staleQuestions({ nodes: { a: plainNode(0, { touchedAt: now - 7 * DAY_MS }) } }, now, 7),
    ).toEqual([]);
  });
});

/** Every item of an outline, depth first. */
const flatten = (items: readonly OutlineItem[]): OutlineItem[] => {
  const out: OutlineItem[] = [];
  const stack = [...items].reverse();
  while (stack.length > 0) {
    const item = stack.pop()!;
    out.push(item);
    for (let i = item.children.length - 1; i >= 0; i--) stack.push(item.children[i]!);
  }
  return out;
};

/**
 * The outline as nested strings: `id`, or `id*` for a repeat, after how it hangs from its parent:
 * `raises>id` (an edge out of the parent) or `answers<id` (an edge into the parent).
 */
const shape = (items: readonly OutlineItem[]): unknown[] =>
  items.map((i) => {
    const via = i.via ? `${i.via.relation}${i.via.direction === "out" ? ">" : "<"}` : "";
    const label = `${via}${i.id}${i.repeat ? "*" : ""}`;
    return i.children.length > 0 ? [label, shape(i.children)] : label;
  });

describe("outline", () => {
  it("roots are the questions nothing raises; raised questions nest under what raises them", () => {
    const nodes = { q1: plainNode(1), q2: plainNode(2), q3: plainNode(3), q4: plainNode(4) };
    const edges = {
      e1: plainEdge("q1", "q2", "raises"),
      e2: plainEdge("q2", "q3", "raises"),
    };
    expect(shape(outline({ nodes, edges }))).toEqual([
      ["q1", [["raises>q2", ["raises>q3"]]]],
      "q4",
    ]);
  });

  it("under a node: questions it raises, then what points into it, then its other edges out", () => {
    const nodes = {
      q: plainNode(1),
      i: plainNode(2, { kind: "insight" }),
      s: plainNode(3, { kind: "resource" }),
      r: plainNode(4),
      p: plainNode(5, { kind: "practice" }),
    };
    const edges = {
      e1: plainEdge("i", "q", "answers"),
      e2: plainEdge("s", "q", "supports"),
      e3: plainEdge("q", "p", "relates"),
      e4: plainEdge("q", "r", "raises"),
    };
    expect(shape(outline({ nodes, edges }))).toEqual([
      ["q", ["raises>r", "answers<i", "supports<s", "relates>p"]],
    ]);
  });

  it("never loops on a cycle, and shows a node reached twice as a repeat", () => {
    const nodes = { q1: plainNode(1), q2: plainNode(2), q3: plainNode(3) };
    const cycle = {
      e1: plainEdge("q1", "q2", "raises"),
      e2: plainEdge("q2", "q3", "raises"),
      e3: plainEdge("q3", "q1", "raises"),
    };
    // Every question is raised by another: none is a root, so the first node starts the outline.
    expect(shape(outline({ nodes, edges: cycle }))).toEqual([
      ["q1", [["raises>q2", [["raises>q3", ["raises>q1*"]]]], "raises<q3*"]],
    ]);
    const diamond = {
      e1: plainEdge("q1", "q2", "raises"),
      e2: plainEdge("q1", "q3", "raises"),
      e3: plainEdge("q2", "q3", "raises"),
    };
    const items = flatten(outline({ nodes, edges: diamond }));
    expect(items.filter((i) => i.id === "q3").map((i) => i.repeat)).toEqual([false, true]);
  });

  it("does not walk back the edge an item hangs from", () => {
    const nodes = { q: plainNode(1), i: plainNode(2, { kind: "insight" }) };
    const edges = { e1: plainEdge("i", "q", "answers") };
    expect(shape(outline({ nodes, edges }))).toEqual([["q", ["answers<i"]]]);
  });

  it("leaves dangling, self and duplicate edges out", () => {
    const nodes = { q: plainNode(1), i: plainNode(2, { kind: "insight" }) };
    const edges = {
      e1: plainEdge("i", "q", "answers"),
      e2: plainEdge("i", "q", "supports"),
      e3: plainEdge("q", "q", "relates"),
      e4: plainEdge("gone", "q", "answers"),
    };
    expect(shape(outline({ nodes, edges }))).toEqual([["q", ["answers<i"]]]);
  });

  it("shows a map with no questions, and an empty map", () => {
    const nodes = { b: plainNode(2, { kind: "insight" }), a: plainNode(1, { kind: "resource" }) };
    expect(shape(outline({ nodes, edges: { e: plainEdge("a", "b", "supports") } }))).toEqual([
      ["a", ["supports>b"]],
    ]);
    expect(outline({ nodes: {}, edges: {} })).toEqual([]);
  });

  it("stays as large as the map on a dense DAG, each node expanded exactly once", () => {
    const n = 80;
    const nodes: Record<string, MapNode> = {};
    const edges: Record<string, MapEdge> = {};
    for (let i = 0; i < n; i++) nodes[`n${i}`] = plainNode(i);
    let e = 0;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++)
        edges[`e${e++}`] = plainEdge(`n${i}`, `n${j}`, j % 3 === 0 ? "raises" : "relates");
    const items = flatten(outline({ nodes, edges }));
    expect(items.length).toBeLessThanOrEqual(n + 2 * e);
    const expanded = items.filter((i) => !i.repeat).map((i) => i.id);
    expect(expanded.sort()).toEqual(Object.keys(nodes).sort());
  });

  it("handles a very long chain without running out of stack", () => {
    const n = 10_000;
    const nodes: Record<string, MapNode> = {};
    const edges: Record<string, MapEdge> = {};
    for (let i = 0; i < n; i++) nodes[`n${i}`] = plainNode(i);
    for (let i = 0; i + 1 < n; i++) edges[`e${i}`] = plainEdge(`n${i}`, `n${i + 1}`, "raises");
    const roots = outline({ nodes, edges });
    expect(roots).toHaveLength(1);
    expect(flatten(roots)).toHaveLength(n);
  });

  it("for any map: every node expanded exactly once, repeats are leaves, hangs only from drawn edges", () => {
    const graph = fc.integer({ min: 0, max: 12 }).chain((n) =>
      fc.tuple(
        fc.constant(n),
        fc.array(fc.constantFrom("question", "insight", "resource"), {
          minLength: n,
          maxLength: n,
        }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: n + 1 }),
            fc.integer({ min: 0, max: n + 1 }),
            fc.constantFrom("raises", "answers", "supports", "challenges", "relates"),
          ),
          { maxLength: 30 },
        ),
      ),
    );
    fc.assert(
      fc.property(graph, ([n, kinds, pairs]) => {
        const nodes: Record<string, MapNode> = {};
        for (let i = 0; i < n; i++)
          nodes[`n${i}`] = plainNode(i % 3, { kind: kinds[i] as MapNode["kind"] });
        const edges: Record<string, MapEdge> = {};
        pairs.forEach(([f, t, r], i) => (edges[`e${i}`] = plainEdge(`n${f}`, `n${t}`, r)));
        const drawn = new Map(visibleEdges({ nodes, edges }).map((e) => [e.id, e]));
        const items = flatten(outline({ nodes, edges }));
        expect(
          items
            .filter((i) => !i.repeat)
            .map((i) => i.id)
            .sort(),
        ).toEqual(Object.keys(nodes).sort());
        expect(items.length).toBeLessThanOrEqual(n + 2 * drawn.size);
        for (const item of items) {
          if (item.repeat) expect(item.children).toEqual([]);
          for (const child of item.children) {
            const e = child.via ? drawn.get(child.via.edgeId) : undefined;
            expect(e).toBeDefined();
            if (!e || !child.via) continue;
            const [near, far] = child.via.direction === "out" ? [e.from, e.to] : [e.to, e.from];
            expect([near, far]).toEqual([item.id, child.id]);
          }
        }
        // The same map in another key order gives the same outline.
        const shuffled = {
          nodes: Object.fromEntries(Object.entries(nodes).reverse()),
          edges: Object.fromEntries(Object.entries(edges).reverse()),
        };
        expect(shape(outline(shuffled))).toEqual(shape(outline({ nodes, edges })));
      }),
      { numRuns: 300 },
    );
  });
});
