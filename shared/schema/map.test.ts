import * as Automerge from "@automerge/automerge";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OpContext } from "../ops/context.ts";
import { addNode, connect, initMap } from "../ops/map.ts";
import {
  MAP_SCHEMA,
  MAP_VERSION,
  edgeValidator,
  mapKind,
  nodeValidator,
  type InquiryMap,
} from "./map.ts";

const node = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind: "question",
  text: "How do we share the work?",
  at: { x: 10, y: -20 },
  status: "open",
  target: null,
  links: { "story/2sbfoHcRkXHtrKrXbwd47BJDsbv3": true },
  createdAt: 1,
  touchedAt: 2,
  by: "a".repeat(64),
  byName: "Aoife",
  ...over,
});

const edge = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  from: "n1",
  to: "n2",
  relation: "raises",
  createdAt: 3,
  by: "a".repeat(64),
  ...over,
});

const validMap = (
  nodes: Record<string, unknown> = { n1: node(), n2: node({ kind: "insight" }) },
  edges: Record<string, unknown> = { e1: edge() },
) => ({
  schema: MAP_SCHEMA,
  version: MAP_VERSION,
  communityId: "2sbfoHcRkXHtrKrXbwd47BJDsbv3",
  title: "What we are asking",
  description: "",
  createdAt: 1,
  updatedAt: 2,
  nodes,
  edges,
});

const STATES = ["ok", "damaged", "newer", "needs-migration"];

describe("mapKind.read: the header", () => {
  it("reads a good map as ok, every node and edge kept, no problems", () => {
    expect(mapKind.read(validMap())).toEqual({ state: "ok", doc: validMap(), problems: [] });
  });

  it.each([
    ["title a number", { title: 5 }],
    ["nodes an array", { nodes: [node()] }],
    ["edges an array", { edges: [edge()] }],
    ["edges missing", { edges: undefined }],
    ["nodes null", { nodes: null }],
    ["updatedAt Infinity", { updatedAt: Number.POSITIVE_INFINITY }],
    ["another kind's schema", { schema: "meitheal/log" }],
    ["a version as text", { version: "1" }],
    ["a negative version", { version: -1 }],
  ])("calls a map with %s damaged", (_name, over) => {
    expect(mapKind.read({ ...validMap(), ...over }).state).toBe("damaged");
  });

  it("reports a map from a newer app as newer", () => {
    expect(mapKind.read({ ...validMap(), version: MAP_VERSION + 3 })).toEqual({
      state: "newer",
      version: MAP_VERSION + 3,
    });
  });

  it.each([null, undefined, true, "meitheal/map", [validMap()]])(
    "calls a non-object (%s) damaged",
    (raw) => {
      expect(mapKind.read(raw).state).toBe("damaged");
    },
  );
});

describe("mapKind.read: one malformed node or edge", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 2_000; i++) deep = { deep };

  it.each([
    ["kind banana", { kind: "banana" }],
    ["at with x as text", { at: { x: "1", y: 2 } }],
    ["at missing y", { at: { x: 1 } }],
    ["at far away", { at: { x: 1e300, y: 0 } }],
    ["at NaN", { at: { x: Number.NaN, y: 0 } }],
    ["at a bigint", { at: { x: 1n, y: 0 } }],
    ["status done", { status: "done" }],
    ["target a number", { target: 4 }],
    ["text deeply nested", { text: deep }],
    ["touchedAt Infinity", { touchedAt: Number.POSITIVE_INFINITY }],
    ["links an array", { links: ["story/x"] }],
  ])("leaves out a node with %s, names it, keeps the rest", (_name, over) => {
    const read = mapKind.read(validMap({ n1: node(), bad: node(over), n2: node() }));
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(Object.keys(read.doc.nodes).sort()).toEqual(["n1", "n2"]);
    expect(Object.keys(read.doc.edges)).toEqual(["e1"]);
    expect(read.problems).toEqual([expect.stringMatching(/^node bad: /)]);
  });

  it.each([
    ["relation loves", { relation: "loves" }],
    ["from a number", { from: 1 }],
    ["to missing", { to: undefined }],
    ["createdAt -5", { createdAt: -5 }],
    ["by deeply nested", { by: deep }],
  ])("leaves out an edge with %s, names it, keeps the rest", (_name, over) => {
    const read = mapKind.read(validMap(undefined, { e1: edge(), bad: edge(over) }));
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(Object.keys(read.doc.nodes).sort()).toEqual(["n1", "n2"]);
    expect(Object.keys(read.doc.edges)).toEqual(["e1"]);
    expect(read.problems).toEqual([expect.stringMatching(/^edge bad: /)]);
  });

  it("keeps an edge whose end is missing: drawing decides, not reading (see visibleEdges)", () => {
    const read = mapKind.read(validMap(undefined, { e1: edge({ to: "gone" }) }));
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(read.doc.edges.e1?.to).toBe("gone");
  });

  it("names every bad item, nodes then edges", () => {
    const read = mapKind.read(
      validMap({ n1: node(), x: null, y: 3 }, { e1: edge(), z: edge({ relation: 1 }) }),
    );
    expect(read.state === "ok" && read.problems.map((p) => p.split(":")[0])).toEqual([
      "node x",
      "node y",
      "edge z",
    ]);
  });
});

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

describe("mapKind.read never throws", () => {
  it("on any value at all", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true, withSet: true }),
          fc.jsonValue(),
        ),
        (raw) => {
          expect(STATES).toContain(mapKind.read(raw).state);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("on a good header with any nodes and edges: keeps exactly the valid ones", () => {
    const item = fc.oneof(
      fc.anything({ withBigInt: true }),
      fc.record({
        kind: fc.constantFrom("question", "banana"),
        text: fc.oneof(fc.string(), fc.integer()),
        at: fc.record({ x: fc.oneof(fc.integer(), fc.double()), y: fc.integer() }),
        status: fc.constantFrom("open", "done"),
        target: fc.constantFrom(null, "x"),
        links: fc.constant({}),
        createdAt: fc.nat(),
        touchedAt: fc.nat(),
        by: fc.string(),
        byName: fc.string(),
      }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 4 }), item),
        fc.dictionary(fc.string({ maxLength: 4 }), fc.anything({ withBigInt: true })),
        (nodes, edges) => {
          const read = mapKind.read(validMap(nodes, edges));
          expect(read.state).toBe("ok");
          if (read.state !== "ok") return;
          const goodNodes = Object.keys(nodes).filter(
            (id) => nodeValidator.safeParse(nodes[id]).success,
          );
          const goodEdges = Object.keys(edges).filter(
            (id) => edgeValidator.safeParse(edges[id]).success,
          );
          expect(Object.keys(read.doc.nodes).sort()).toEqual(goodNodes.sort());
          expect(Object.keys(read.doc.edges).sort()).toEqual(goodEdges.sort());
          expect(read.problems).toHaveLength(
            Object.keys(nodes).length -
              goodNodes.length +
              Object.keys(edges).length -
              goodEdges.length,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("on a good map with one value anywhere replaced by anything", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        fc.anything({ withBigInt: true, withNullPrototype: true }),
        (path, value) => {
          // A fresh document each run: items are remembered by object, as Automerge's are never
          // changed in place.
          const doc = validMap();
          const written = setAtPath(doc, path, value);
          const read = mapKind.read(doc);
          expect(STATES).toContain(read.state);
          if (read.state !== "ok") return;
          for (const n of Object.values(read.doc.nodes))
            expect(nodeValidator.safeParse(n).success).toBe(true);
          for (const e of Object.values(read.doc.edges))
            expect(edgeValidator.safeParse(e).success).toBe(true);
          if (written.length === 1) return;
          const lost = [
            ...["n1", "n2"].filter((id) => !(id in read.doc.nodes)).map((id) => ["nodes", id]),
            ...["e1"].filter((id) => !(id in read.doc.edges)).map((id) => ["edges", id]),
          ];
          expect(lost.length).toBeLessThanOrEqual(1);
          if (lost[0]) expect(written.slice(0, 2)).toEqual(lost[0]);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("mapKind.read on Automerge documents: the per-item memory is never stale", () => {
  let n = 0;
  const ctx: OpContext = { now: () => 1_000, newId: () => `i${++n}` };
  const okDoc = (raw: unknown) => {
    const read = mapKind.read(raw);
    if (read.state !== "ok") throw new Error(JSON.stringify(read));
    return read;
  };

  it("re-validates a node moved, broken and mended, and an edge relabelled", () => {
    let a = "";
    let b = "";
    let e = "";
    let doc = Automerge.change(Automerge.init<InquiryMap>(), (d) => {
      initMap(d, { communityId: "c", title: "Map" }, ctx);
      a = addNode(
        d,
        { kind: "question", text: "Why?", at: { x: 0, y: 0 }, by: "k", byName: "K" },
        ctx,
      );
      b = addNode(
        d,
        { kind: "insight", text: "So", at: { x: 5, y: 5 }, by: "k", byName: "K" },
        ctx,
      );
      const made = connect(d, { from: b, to: a, relation: "answers", by: "k" }, ctx);
      if (made.ok) e = made.id;
    });
    expect(okDoc(doc).problems).toEqual([]);
    doc = Automerge.change(doc, (d) => {
      d.nodes[a]!.at = { x: 40, y: 50 };
      d.edges[e]!.relation = "supports";
    });
    expect(okDoc(doc).doc.nodes[a]?.at).toEqual({ x: 40, y: 50 });
    expect(okDoc(doc).doc.edges[e]?.relation).toBe("supports");
    const broken = Automerge.change(doc, (d) => {
      (d.nodes[a]!.at as Record<string, unknown>).x = "1";
    });
    expect(Object.keys(okDoc(broken).doc.nodes)).toEqual([b]);
    expect(okDoc(broken).problems).toEqual([expect.stringMatching(new RegExp(`^node ${a}: at.x`))]);
    const mended = Automerge.change(broken, (d) => {
      d.nodes[a]!.at = { x: 1, y: 2 };
    });
    expect(okDoc(mended).doc.nodes[a]?.at).toEqual({ x: 1, y: 2 });
    expect(okDoc(mended).problems).toEqual([]);
    Automerge.change(mended, (d) => {
      okDoc(d);
      d.nodes[b]!.status = "done" as never;
      expect(okDoc(d).doc.nodes[b]).toBeUndefined();
    });
  });
});
