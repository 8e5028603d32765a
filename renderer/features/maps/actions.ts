// What the map page writes. Each action changes the map and moves its index entry's "updated"
// (what the list of maps shows), so a map someone is working in rises to the top of the list.
// Typing in a node's text writes on every keystroke; its index write is held back and sent at most
// once every few seconds (the last one always goes), so a sentence is not a hundred index changes.
import type { DocHandle } from "@automerge/automerge-repo";
import { updateEntry } from "../../../shared/ops/community.ts";
import { systemContext, type OpContext } from "../../../shared/ops/context.ts";
import {
  addNode,
  addNodeLink,
  connect,
  deleteNode,
  disconnect,
  moveNode,
  removeNodeLink,
  renameMap,
  restoreEdge,
  restoreNode,
  setNodeKind,
  setNodeTarget,
  setNodeText,
  setQuestionStatus,
  setRelation,
  type ConnectRefusal,
  type NewNode,
  type Point,
} from "../../../shared/ops/map.ts";
import type { CommunityIndex } from "../../../shared/schema/community.ts";
import type {
  InquiryMap,
  MapEdge,
  MapNode,
  NodeKind,
  QuestionStatus,
  Relation,
} from "../../../shared/schema/map.ts";

export type Me = { deviceKey: string; name: string };
export type Removed = { id: string; node: MapNode; edges: Record<string, MapEdge> };

const INDEX_EVERY_MS = 3_000;

export function mapActions(
  handle: DocHandle<InquiryMap>,
  index: DocHandle<CommunityIndex>,
  mapId: string,
  me: Me,
) {
  let lastIndexWrite = 0;
  let pending: ReturnType<typeof setTimeout> | null = null;
  const writeIndex = (ctx: OpContext, title?: string) => {
    if (pending) clearTimeout(pending);
    pending = null;
    lastIndexWrite = Date.now();
    index.change((d) => updateEntry(d, mapId, title === undefined ? {} : { title }, ctx));
  };
  const touchIndex = (ctx: OpContext, soon: boolean) => {
    const wait = lastIndexWrite + INDEX_EVERY_MS - Date.now();
    if (!soon || wait <= 0) return writeIndex(ctx);
    pending ??= setTimeout(() => writeIndex(systemContext()), wait);
  };
  /** Runs one operation in a change of the map, then keeps the index entry in step. */
  const write = <T>(fn: (d: InquiryMap, ctx: OpContext) => T, soon = false): T => {
    const ctx = systemContext();
    let out: T | undefined;
    handle.change((d) => {
      out = fn(d, ctx);
    });
    touchIndex(ctx, soon);
    return out as T;
  };
  return {
    rename: (title: string) => {
      const ctx = systemContext();
      handle.change((d) => renameMap(d, title, ctx));
      writeIndex(ctx, title);
    },
    addNode: (args: Omit<NewNode, "by" | "byName">): string =>
      write((d, ctx) => addNode(d, { ...args, by: me.deviceKey, byName: me.name }, ctx)),
    setText: (id: string, text: string) => write((d, ctx) => setNodeText(d, id, text, ctx), true),
    move: (id: string, to: Point) => write((d, ctx) => moveNode(d, id, to, ctx)),
    setKind: (id: string, kind: NodeKind) => write((d, ctx) => setNodeKind(d, id, kind, ctx)),
    setStatus: (id: string, status: QuestionStatus) =>
      write((d, ctx) => setQuestionStatus(d, id, status, ctx)),
    setTarget: (id: string, target: string | null) =>
      write((d, ctx) => setNodeTarget(d, id, target, ctx)),
    addLink: (id: string, ref: string) => write((d, ctx) => addNodeLink(d, id, ref, ctx)),
    removeLink: (id: string, ref: string) => write((d, ctx) => removeNodeLink(d, id, ref, ctx)),
    connect: (
      from: string,
      to: string,
      relation: Relation,
    ): { ok: true; id: string } | { ok: false; reason: ConnectRefusal } =>
      write((d, ctx) => connect(d, { from, to, relation, by: me.deviceKey }, ctx)),
    setRelation: (edgeId: string, relation: Relation) =>
      write((d, ctx) => setRelation(d, edgeId, relation, ctx)),
    disconnect: (edgeId: string) => write((d, ctx) => disconnect(d, edgeId, ctx)),
    /** Adds a node joined to `parent` in one change (the outline's "add below"). */
    addJoined: (
      args: Omit<NewNode, "by" | "byName">,
      parent: string,
      relation: Relation,
      direction: "in" | "out",
    ): string =>
      write((d, ctx) => {
        const id = addNode(d, { ...args, by: me.deviceKey, byName: me.name }, ctx);
        const [from, to] = direction === "in" ? [id, parent] : [parent, id];
        connect(d, { from, to, relation, by: me.deviceKey }, ctx);
        return id;
      }),
    /** Deletes a node with its edges; what it returns brings them back (`restore`). */
    remove: (id: string): Removed | null =>
      write((d, ctx) => {
        const removed = deleteNode(d, id, ctx);
        return removed ? { id, ...removed } : null;
      }),
    restore: (removed: Removed) =>
      write((d, ctx) => {
        restoreNode(d, removed.id, removed.node, ctx);
        for (const [eid, e] of Object.entries(removed.edges)) restoreEdge(d, eid, e);
      }),
    /** Sends a held-back index write now (leaving the page). */
    flush: () => {
      if (pending) writeIndex(systemContext());
    },
  };
}
export type MapActions = ReturnType<typeof mapActions>;
