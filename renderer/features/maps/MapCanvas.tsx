// The map as a canvas (React Flow). The document is the truth; React Flow holds a copy of the nodes
// only for what the document does not know: measured sizes, and where a node is while it is being
// dragged. A drag is written once, when it ends (positions are set whole: concurrent moves end on
// one writer's position). Arrow keys move the selected node in steps, each step written.
import {
  applyNodeChanges,
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  useStore,
  type Connection,
  type Edge,
  type NodeChange,
  type OnNodeDrag,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import {
  memo,
  useCallback,
  useLayoutEffect,
  useRef,
  useState,
  type FocusEvent,
  type KeyboardEvent,
} from "react";
import type { LinkTarget } from "../../../shared/contract.ts";
import { visibleEdges } from "../../../shared/ops/map.ts";
import type { InquiryMap, MapNode } from "../../../shared/schema/map.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { href } from "../../route.ts";
import { refStringRoute } from "../links/navigate.ts";
import { KIND_COLOUR, nodeLabel, relationLabel, statusLabel } from "./labels.ts";
import { MapNodeView, type FlowNode, type NodeData } from "./MapNodeView.tsx";
import { RelationEdge } from "./RelationEdge.tsx";

const nodeTypes = { mapNode: MapNodeView };
const edgeTypes = { relation: RelationEdge };
/** Low enough for a map of several hundred nodes to fit in view. */
export const MIN_ZOOM = 0.05;
const STEP = 20;
const BIG_STEP = 100;
const ARROWS: Record<string, [number, number]> = {
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
};
const MARKER = { type: MarkerType.ArrowClosed, width: 18, height: 18, color: "#55605a" };
/**
 * Below this zoom a node's text is about a pixel high: nodes are drawn as coloured boxes with their
 * kind, which keeps a whole large map quick to draw and to drag in (level of detail).
 */
const FAR_ZOOM = 0.35;
const isFar = (s: { transform: [number, number, number] }) => s.transform[2] < FAR_ZOOM;
const minimapColour = (n: FlowNode) => KIND_COLOUR[n.data.node.kind];
const PRO = { hideAttribution: true };

export type CanvasProps = {
  map: InquiryMap;
  selectedId: string | null;
  onSelect: (id: string | null, how: "pointer" | "keyboard") => void;
  onMove: (id: string, to: { x: number; y: number }, how: "drag" | "keyboard") => void;
  onConnect: (from: string, to: string) => void;
  targets: ReadonlyMap<string, LinkTarget>;
  stale: ReadonlySet<string>;
  /** Nodes with a value set on two devices while they were apart. */
  conflicts: ReadonlySet<string>;
  /** Open with this node in the middle rather than the whole map in view. */
  centerFirst: string | null;
  /** Hands over how to bring a node to the middle of the view (once React Flow is ready). */
  onReady: (center: (id: string, at: { x: number; y: number }) => void) => void;
  /** The id of the words that say how to use the canvas. */
  hint?: string;
};

const sameData = (a: NodeData, b: NodeData) =>
  a.node.kind === b.node.kind &&
  a.node.text === b.node.text &&
  a.node.status === b.node.status &&
  a.node.target === b.node.target &&
  a.stale === b.stale &&
  a.conflict === b.conflict &&
  a.target?.title === b.target?.title &&
  a.target?.href === b.target?.href &&
  a.target?.missing === b.target?.missing;

const ariaLabel = (node: MapNode, conflict: boolean) =>
  (node.kind === "question"
    ? t("maps.outline.withStatus", { label: nodeLabel(node), status: statusLabel(node.status) })
    : nodeLabel(node)) + (conflict ? `, ${t("conflict.badge")}` : "");

/** The edges to draw, reusing the objects of `prev` that did not change. */
function edgesOf(map: InquiryMap, prev: readonly Edge[]): Edge[] {
  const before = new Map(prev.map((e) => [e.id, e]));
  return visibleEdges(map).map((e) => {
    const old = before.get(e.id);
    if (
      old &&
      old.source === e.from &&
      old.target === e.to &&
      old.className === `rel-${e.relation}`
    )
      return old;
    return {
      id: e.id,
      type: "relation",
      source: e.from,
      target: e.to,
      label: relationLabel(e.relation),
      className: `rel-${e.relation}`,
      markerEnd: MARKER,
      focusable: false,
    };
  });
}

function MapCanvasInner({
  map,
  selectedId,
  onSelect,
  onMove,
  onConnect,
  targets,
  stale,
  conflicts,
  centerFirst,
  onReady,
  hint,
}: CanvasProps) {
  const communityId = useCommunityId();
  const [nodes, setNodes] = useState<FlowNode[]>([]);
  const dragging = useRef(new Set<string>());
  const selected = useRef(selectedId);
  useLayoutEffect(() => {
    selected.current = selectedId;
  }, [selectedId]);

  // Document → React Flow nodes, before paint. Unchanged nodes keep their object (and so their
  // measured size and their memoised rendering); a node being dragged keeps where the pointer is.
  useLayoutEffect(() => {
    setNodes((prev) => {
      const before = new Map(prev.map((n) => [n.id, n]));
      let changed = prev.length !== Object.keys(map.nodes).length;
      const next: FlowNode[] = [];
      for (const [id, node] of Object.entries(map.nodes)) {
        const old = before.get(id);
        const ref = node.kind === "story" || node.kind === "entry" ? node.target : null;
        const found = ref ? targets.get(ref) : undefined;
        const route = ref ? refStringRoute(communityId, ref) : null;
        const data: NodeData = {
          node,
          target: ref
            ? {
                title: found?.title ?? node.text,
                href: route ? href(route) : null,
                missing: found?.missing ?? false,
              }
            : null,
          stale: stale.has(id),
          conflict: conflicts.has(id),
        };
        const position = old && dragging.current.has(id) ? old.position : node.at;
        const isSelected = id === selectedId;
        if (
          old &&
          old.selected === isSelected &&
          old.position.x === position.x &&
          old.position.y === position.y &&
          sameData(old.data, data)
        ) {
          next.push(old);
          continue;
        }
        changed = true;
        next.push({
          ...old,
          id,
          type: "mapNode",
          position: { x: position.x, y: position.y },
          data: old && sameData(old.data, data) ? old.data : data,
          selected: isSelected,
          ariaLabel: ariaLabel(node, data.conflict),
        });
      }
      return changed ? next : prev;
    });
  }, [map.nodes, selectedId, targets, stale, conflicts, communityId]);

  // Edges are rebuilt only when the document changes, never while dragging (React Flow redraws
  // the paths of a moving node's edges itself); unchanged edges keep their object, so typing in a
  // node does not redraw hundreds of edges.
  const [drawn, setDrawn] = useState<{ map: InquiryMap | null; edges: Edge[] }>({
    map: null,
    edges: [],
  });
  // Derived from the previous render's edges (React re-renders at once with the new ones).
  if (drawn.map !== map) setDrawn({ map, edges: edgesOf(map, drawn.edges) });
  const edges = drawn.edges;

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      setNodes((ns) =>
        applyNodeChanges(
          changes.filter((c) => c.type !== "remove" && c.type !== "add"),
          ns,
        ),
      );
      let next = selected.current;
      let picked = false;
      for (const c of changes) {
        if (c.type !== "select") continue;
        picked = true;
        if (c.selected) next = c.id;
        else if (next === c.id) next = null;
      }
      if (picked && next !== selected.current) onSelect(next, "pointer");
    },
    [onSelect],
  );

  const onDragStart: OnNodeDrag<FlowNode> = useCallback((_e, _node, dragged) => {
    for (const n of dragged) dragging.current.add(n.id);
  }, []);
  const onDragStop: OnNodeDrag<FlowNode> = useCallback(
    (_e, _node, dragged) => {
      for (const n of dragged) {
        dragging.current.delete(n.id);
        onMove(n.id, n.position, "drag");
      }
    },
    [onMove],
  );
  const connect = useCallback(
    (c: Connection) => {
      if (c.source && c.target) onConnect(c.source, c.target);
    },
    [onConnect],
  );

  const nodeOf = (el: EventTarget): string | null =>
    el instanceof HTMLElement && el.classList.contains("react-flow__node")
      ? (el.dataset.id ?? null)
      : null;

  // Arrow keys: our steps, written to the document, instead of React Flow's 5 px local moves.
  const onKeyDownCapture = (e: KeyboardEvent<HTMLDivElement>) => {
    // Escape on a node: deselect, keeping the focus where it is (React Flow would blur the node,
    // leaving the keyboard nowhere).
    if (e.key === "Escape" && nodeOf(e.target)) {
      e.preventDefault();
      e.stopPropagation();
      if (selectedId) onSelect(null, "keyboard");
      return;
    }
    const dir = ARROWS[e.key];
    if (!dir || e.altKey || e.ctrlKey || e.metaKey) return;
    const id = nodeOf(e.target) ?? (e.target === e.currentTarget ? selectedId : null);
    const node = id ? map.nodes[id] : undefined;
    if (!id || !node) return;
    e.preventDefault();
    e.stopPropagation();
    if (id !== selectedId) onSelect(id, "keyboard");
    const step = e.shiftKey ? BIG_STEP : STEP;
    onMove(id, { x: node.at.x + dir[0] * step, y: node.at.y + dir[1] * step }, "keyboard");
  };
  // Tabbing to a node selects it: the side panel follows the keyboard.
  const onFocusCapture = (e: FocusEvent<HTMLDivElement>) => {
    const id = nodeOf(e.target);
    if (id && id !== selectedId) onSelect(id, "keyboard");
  };

  const readyOnce = useRef(false);
  const far = useStore(isFar);
  return (
    <div
      className="map-canvas"
      tabIndex={-1}
      aria-describedby={hint}
      onKeyDownCapture={onKeyDownCapture}
      onFocusCapture={onFocusCapture}
    >
      <ReactFlow<FlowNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onNodeDragStart={onDragStart}
        onNodeDragStop={onDragStop}
        onConnect={connect}
        onInit={(flow) => {
          if (readyOnce.current) return;
          readyOnce.current = true;
          onReady((id, at) => {
            // Measured size when React Flow has it; a typical node's size before it has drawn it.
            const n = flow.getInternalNode(id);
            const w = n?.measured.width ?? 180;
            const h = n?.measured.height ?? 60;
            void flow.setCenter(at.x + w / 2, at.y + h / 2, {
              zoom: Math.max(flow.getZoom(), 1),
            });
          });
        }}
        fitView={!centerFirst}
        fitViewOptions={{ maxZoom: 1.2 }}
        minZoom={MIN_ZOOM}
        maxZoom={2}
        deleteKeyCode={null}
        edgesFocusable={false}
        onlyRenderVisibleElements
        proOptions={PRO}
        aria-label={t("maps.canvas")}
        className={far ? "map-far" : undefined}
      >
        <Background gap={24} />
        <Controls />
      </ReactFlow>
    </div>
  );
}

export const MapCanvas = memo(MapCanvasInner);

/**
 * The whole map in small, with the part the canvas shows framed: drawn beside the canvas (in the
 * side panel), never over it, so it covers no node. It reads the canvas's React Flow store, so it
 * is drawn only while the canvas is.
 */
export function MapOverview() {
  return (
    <MiniMap<FlowNode>
      className="map-overview"
      style={{ width: 200, height: 110 }}
      nodeColor={minimapColour}
      pannable
      zoomable
      ariaLabel={t("maps.overview")}
    />
  );
}
