// Operations on an inquiry map, and the views of it: the edges that may be drawn, questions left
// untouched, and the outline (the same map as a tree for keyboard and screen-reader use).
import { updateText } from "@automerge/automerge";
import {
  MAP_SCHEMA,
  MAP_VERSION,
  type InquiryMap,
  type MapEdge,
  type MapNode,
  type NodeKind,
  type QuestionStatus,
  type Relation,
} from "../schema/map.ts";
import { isConflicted } from "./conflicts.ts";
import type { OpContext } from "./context.ts";

export type NewMap = { communityId: string; title: string; description?: string };

export function initMap(doc: Record<string, unknown>, args: NewMap, ctx: OpContext): void {
  const now = ctx.now();
  Object.assign(doc, {
    schema: MAP_SCHEMA,
    version: MAP_VERSION,
    communityId: args.communityId,
    title: args.title,
    description: args.description ?? "",
    createdAt: now,
    updatedAt: now,
    nodes: {},
    edges: {},
  });
}

export function renameMap(doc: InquiryMap, title: string, ctx: OpContext): void {
  if (doc.title === title) return;
  doc.title = title;
  doc.updatedAt = ctx.now();
}

export function setMapDescription(doc: InquiryMap, description: string, ctx: OpContext): void {
  if (doc.description === description) return;
  updateText(doc, ["description"], description);
  doc.updatedAt = ctx.now();
}

export type Point = { x: number; y: number };

export type NewNode = {
  kind: NodeKind;
  text: string;
  at: Point;
  by: string;
  byName: string;
  /** For story and log-entry nodes: the link string of what the node points at. */
  target?: string | null;
  status?: QuestionStatus;
};

const LIMIT = 1e6;
const clamp = (n: number) => (Number.isFinite(n) ? Math.max(-LIMIT, Math.min(LIMIT, n)) : 0);
const point = (p: Point): Point => ({ x: Math.round(clamp(p.x)), y: Math.round(clamp(p.y)) });

/** Adds a node; returns its id. */
export function addNode(doc: InquiryMap, args: NewNode, ctx: OpContext): string {
  const id = ctx.newId();
  const now = ctx.now();
  doc.nodes[id] = {
    kind: args.kind,
    text: args.text,
    at: point(args.at),
    status: args.status ?? "open",
    target: args.target ?? null,
    links: {},
    createdAt: now,
    touchedAt: now,
    by: args.by,
    byName: args.byName,
  };
  doc.updatedAt = now;
  return id;
}

/** Puts back a node exactly as it was (undo of a delete), under its old id. */
export function restoreNode(doc: InquiryMap, id: string, node: MapNode, ctx: OpContext): void {
  if (doc.nodes[id]) return;
  doc.nodes[id] = {
    ...node,
    at: { ...node.at },
    links: { ...node.links },
    touchedAt: ctx.now(),
  };
  doc.updatedAt = ctx.now();
}

const touch = (doc: InquiryMap, node: MapNode, ctx: OpContext) => {
  const now = ctx.now();
  node.touchedAt = now;
  doc.updatedAt = now;
};

export function setNodeText(doc: InquiryMap, id: string, text: string, ctx: OpContext): void {
  const node = doc.nodes[id];
  if (!node || node.text === text) return;
  updateText(doc, ["nodes", id, "text"], text);
  touch(doc, node, ctx);
}

/** Moves a node: the position is set whole, so concurrent moves end on one writer's position. */
export function moveNode(doc: InquiryMap, id: string, to: Point, ctx: OpContext): void {
  const node = doc.nodes[id];
  if (!node) return;
  const at = point(to);
  if (node.at.x === at.x && node.at.y === at.y) return;
  node.at = at;
  touch(doc, node, ctx);
}

export function setNodeKind(doc: InquiryMap, id: string, kind: NodeKind, ctx: OpContext): void {
  const node = doc.nodes[id];
  // The same value again settles a conflict (two devices set it apart): a new set supersedes both.
  if (!node || (node.kind === kind && !isConflicted(node, "kind"))) return;
  node.kind = kind;
  touch(doc, node, ctx);
}

export function setQuestionStatus(
  doc: InquiryMap,
  id: string,
  status: QuestionStatus,
  ctx: OpContext,
): void {
  const node = doc.nodes[id];
  if (!node || (node.status === status && !isConflicted(node, "status"))) return;
  node.status = status;
  touch(doc, node, ctx);
}

export function setNodeTarget(
  doc: InquiryMap,
  id: string,
  target: string | null,
  ctx: OpContext,
): void {
  const node = doc.nodes[id];
  if (!node || (node.target === target && !isConflicted(node, "target"))) return;
  node.target = target;
  touch(doc, node, ctx);
}

export function addNodeLink(doc: InquiryMap, id: string, ref: string, ctx: OpContext): void {
  const node = doc.nodes[id];
  if (!node || node.links[ref]) return;
  node.links[ref] = true;
  touch(doc, node, ctx);
}

export function removeNodeLink(doc: InquiryMap, id: string, ref: string, ctx: OpContext): void {
  const node = doc.nodes[id];
  if (!node?.links[ref]) return;
  delete node.links[ref];
  touch(doc, node, ctx);
}

/** Removes a node and every edge to or from it; returns what was removed, for an undo. */
export function deleteNode(
  doc: InquiryMap,
  id: string,
  ctx: OpContext,
): { node: MapNode; edges: Record<string, MapEdge> } | null {
  const node = doc.nodes[id];
  if (!node) return null;
  const removed = {
    node: { ...node, at: { ...node.at }, links: { ...node.links } },
    edges: {} as Record<string, MapEdge>,
  };
  for (const [eid, e] of Object.entries(doc.edges))
    if (e.from === id || e.to === id) {
      removed.edges[eid] = { ...e };
      delete doc.edges[eid];
    }
  delete doc.nodes[id];
  doc.updatedAt = ctx.now();
  return removed;
}

export type ConnectRefusal = "same-node" | "missing-node" | "exists";

/** Joins two nodes by a relation; returns the new edge's id, or why not. */
export function connect(
  doc: InquiryMap,
  args: { from: string; to: string; relation: Relation; by: string },
  ctx: OpContext,
): { ok: true; id: string } | { ok: false; reason: ConnectRefusal } {
  const { from, to, relation } = args;
  if (from === to) return { ok: false, reason: "same-node" };
  const a = doc.nodes[from];
  const b = doc.nodes[to];
  if (!a || !b) return { ok: false, reason: "missing-node" };
  if (Object.values(doc.edges).some((e) => e.from === from && e.to === to))
    return { ok: false, reason: "exists" };
  const id = ctx.newId();
  doc.edges[id] = { from, to, relation, createdAt: ctx.now(), by: args.by };
  touch(doc, a, ctx);
  touch(doc, b, ctx);
  return { ok: true, id };
}

/** Puts back an edge removed by a delete (undo), if both its ends are there. */
export function restoreEdge(doc: InquiryMap, id: string, edge: MapEdge): void {
  if (doc.edges[id] || !doc.nodes[edge.from] || !doc.nodes[edge.to]) return;
  doc.edges[id] = { ...edge };
}

export function setRelation(doc: InquiryMap, id: string, relation: Relation, ctx: OpContext) {
  const edge = doc.edges[id];
  if (!edge || edge.relation === relation) return;
  edge.relation = relation;
  doc.updatedAt = ctx.now();
}

export function disconnect(doc: InquiryMap, id: string, ctx: OpContext): void {
  if (!doc.edges[id]) return;
  delete doc.edges[id];
  doc.updatedAt = ctx.now();
}

// ---- Views ----

export type ShownEdge = MapEdge & { id: string };

/**
 * The edges that may be drawn: both ends present, no self-loop, one per ordered pair of nodes
 * (two people connecting the same pair at once leave two edges; the one with the smallest id is
 * shown, on every peer alike).
 */
export function visibleEdges(map: Pick<InquiryMap, "nodes" | "edges">): ShownEdge[] {
  const byPair = new Map<string, ShownEdge>();
  for (const [id, e] of Object.entries(map.edges)) {
    if (e.from === e.to || !map.nodes[e.from] || !map.nodes[e.to]) continue;
    const pair = `${e.from}\u0000${e.to}`;
    const kept = byPair.get(pair);
    if (!kept || id < kept.id) byPair.set(pair, { ...e, id });
  }
  return [...byPair.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Edges that must go: an end missing, a self-loop, or a duplicate of a shown edge. */
export function danglingEdges(map: Pick<InquiryMap, "nodes" | "edges">): string[] {
  const shown = new Set(visibleEdges(map).map((e) => e.id));
  return Object.keys(map.edges).filter((id) => !shown.has(id));
}

/** Removes the edges `danglingEdges` names; returns how many. Whoever sees them may run it. */
export function pruneDanglingEdges(doc: InquiryMap): number {
  const gone = danglingEdges(doc);
  for (const id of gone) delete doc.edges[id];
  return gone.length;
}

export const DAY_MS = 86_400_000;

/** Open or exploring questions nobody has touched for `days` days, oldest first. */
export function staleQuestions(
  map: Pick<InquiryMap, "nodes">,
  now: number,
  days: number,
): string[] {
  const before = now - days * DAY_MS;
  return Object.entries(map.nodes)
    .filter(
      ([, n]) =>
        n.kind === "question" &&
        (n.status === "open" || n.status === "exploring") &&
        n.touchedAt < before,
    )
    .sort(([ia, a], [ib, b]) => a.touchedAt - b.touchedAt || (ia < ib ? -1 : 1))
    .map(([id]) => id);
}

export type OutlineItem = {
  id: string;
  node: MapNode;
  /** How this item hangs from its parent: the relation of the edge, and which way it points. */
  via: { edgeId: string; relation: Relation; direction: "in" | "out" } | null;
  children: OutlineItem[];
  /** The node is shown in full elsewhere in the outline: here it is a reference, not expanded. */
  repeat: boolean;
};

const compareNodes =
  (map: Pick<InquiryMap, "nodes">) =>
  (a: string, b: string): number => {
    const na = map.nodes[a];
    const nb = map.nodes[b];
    return (
      (na && nb ? na.createdAt - nb.createdAt : 0) ||
      (na && nb ? na.text.localeCompare(nb.text) : 0) ||
      (a < b ? -1 : a > b ? 1 : 0)
    );
  };

/**
 * The map as a tree. Roots are the questions nothing else raises, then any node not reached from
 * them. Under a node: the questions it raises (edges out of it with "raises"), then everything
 * that answers, supports, challenges or relates to it (edges into it), then its other edges out.
 * The edge an item hangs from is not walked back. A node is expanded once, where it is first
 * reached (depth first, in a stable order); anywhere else it is a `repeat` reference, so the
 * outline stays as large as the map, and a cycle never loops.
 */
export function outline(map: Pick<InquiryMap, "nodes" | "edges">): OutlineItem[] {
  const edges = visibleEdges(map);
  const order = compareNodes(map);
  const outOf = new Map<string, ShownEdge[]>();
  const into = new Map<string, ShownEdge[]>();
  const push = (m: Map<string, ShownEdge[]>, key: string, e: ShownEdge) => {
    const list = m.get(key);
    if (list) list.push(e);
    else m.set(key, [e]);
  };
  for (const e of edges) {
    push(outOf, e.from, e);
    push(into, e.to, e);
  }
  const sortBy = (list: readonly ShownEdge[], end: "from" | "to") =>
    [...list].sort((a, b) => order(a[end], b[end]) || (a.id < b.id ? -1 : 1));
  const expanded = new Set<string>();
  type Step = { to: string; via: NonNullable<OutlineItem["via"]> };
  /** The steps out of an item, in outline order, leaving out the edge it hangs from. */
  const stepsFrom = (id: string, cameBy: string | undefined): Step[] => {
    const out = (outOf.get(id) ?? []).filter((e) => e.id !== cameBy);
    const incoming = (into.get(id) ?? []).filter((e) => e.id !== cameBy);
    const step = (e: ShownEdge, direction: "in" | "out"): Step => ({
      to: direction === "out" ? e.to : e.from,
      via: { edgeId: e.id, relation: e.relation, direction },
    });
    return [
      ...sortBy(
        out.filter((e) => e.relation === "raises"),
        "to",
      ).map((e) => step(e, "out")),
      ...sortBy(incoming, "from").map((e) => step(e, "in")),
      ...sortBy(
        out.filter((e) => e.relation !== "raises"),
        "to",
      ).map((e) => step(e, "out")),
    ];
  };
  // Depth first with a stack of our own, not recursion: a long chain (a hostile peer can write
  // one of any length) must not run out of call stack.
  const build = (rootId: string): OutlineItem => {
    const root: OutlineItem = {
      id: rootId,
      node: map.nodes[rootId]!,
      via: null,
      children: [],
      repeat: false,
    };
    expanded.add(rootId);
    const stack = [{ item: root, steps: stepsFrom(rootId, undefined), next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const step = top.steps[top.next++];
      if (!step) {
        stack.pop();
        continue;
      }
      const node = map.nodes[step.to]!;
      const repeat = expanded.has(step.to);
      const child: OutlineItem = { id: step.to, node, via: step.via, children: [], repeat };
      top.item.children.push(child);
      if (repeat) continue;
      expanded.add(step.to);
      stack.push({ item: child, steps: stepsFrom(step.to, step.via.edgeId), next: 0 });
    }
    return root;
  };
  const raisedByOther = new Set(edges.filter((e) => e.relation === "raises").map((e) => e.to));
  const ids = Object.keys(map.nodes).sort(order);
  const roots: OutlineItem[] = [];
  for (const id of ids)
    if (map.nodes[id]!.kind === "question" && !raisedByOther.has(id) && !expanded.has(id))
      roots.push(build(id));
  // Whatever no question reaches (a lone insight, a cycle of questions) still shows, once.
  for (const id of ids) if (!expanded.has(id)) roots.push(build(id));
  return roots;
}
