// Where the canvas looks, and what it does with the keyboard's place: a node brought to the middle
// (a link, the node list), the whole map in view (F), a node moved with the arrows kept in view,
// where a new node goes, and the keyboard handed to a node once React Flow has drawn it. All of it
// reads the canvas as it is drawn now.
import type { DocHandle } from "@automerge/automerge-repo";
import { getViewportForBounds, useReactFlow } from "@xyflow/react";
import { useCallback, useRef } from "react";
import type { InquiryMap } from "../../../shared/schema/map.ts";
import { MIN_ZOOM } from "./MapCanvas.tsx";

type Point = { x: number; y: number };
type Center = (id: string, at: Point) => void;

/** A node's usual size on the canvas (maps.css), for placing new nodes apart. */
const NODE_W = 190;
const NODE_H = 70;
/** Places around the middle of the view, nearest first, where a new node may go. */
const SPOTS: readonly (readonly [number, number])[] = (() => {
  const spots: [number, number][] = [];
  for (let dx = -3; dx <= 3; dx++) for (let dy = -3; dy <= 3; dy++) spots.push([dx, dy]);
  return spots.sort((a, b) => a[0] ** 2 + a[1] ** 2 * 1.5 - (b[0] ** 2 + b[1] ** 2 * 1.5));
})();

/** How far a box from `start`, `size` long, moves to be inside 0…`room` with a margin (0: it is). */
const inside = (start: number, size: number, room: number, margin = 24) =>
  start < margin ? margin - start : start + size > room - margin ? room - margin - start - size : 0;

const canvasRect = () => document.querySelector(".map-canvas")?.getBoundingClientRect();

/**
 * Where a new node goes: `middle` (of the canvas as it is now), or the nearest free spot around
 * it, so nodes added one after another do not pile up; within `view` (what the canvas shows, in
 * map coordinates) when there is one: on a narrow window the spots around the centre run off its
 * sides.
 */
export function freeSpot(
  taken: readonly Point[],
  middle: Point,
  view: { from: Point; to: Point } | null,
): Point {
  const start = { x: middle.x - NODE_W / 2, y: middle.y - NODE_H / 2 };
  const seen = (p: Point) =>
    !view ||
    (p.x >= view.from.x &&
      p.y >= view.from.y &&
      p.x + NODE_W <= view.to.x &&
      p.y + NODE_H <= view.to.y);
  const free = (p: Point) =>
    !taken.some((q) => Math.abs(q.x - p.x) < NODE_W + 20 && Math.abs(q.y - p.y) < NODE_H + 30);
  for (const [dx, dy] of SPOTS) {
    const p = { x: start.x + dx * (NODE_W + 40), y: start.y + dy * (NODE_H + 50) };
    if (free(p) && seen(p)) return p;
  }
  // No free spot in view: on top of the centre, where it is seen (and can be dragged away).
  return start;
}

/**
 * `onCanvas`: the canvas tab is open (the outline has no viewport). `focus`: the node the page was
 * opened at, put in the middle once the canvas is ready.
 */
export function useMapViewport(
  handle: DocHandle<InquiryMap>,
  onCanvas: boolean,
  focus: string | null,
) {
  const flow = useReactFlow();
  const center = useRef<Center | null>(null);

  const centerOn = useCallback(
    (id: string) => {
      const node = handle.doc()?.nodes?.[id];
      if (node) center.current?.(id, node.at);
    },
    [handle],
  );

  /** For MapCanvas: how it brings a node to the middle, once React Flow is ready. */
  const onReady = useCallback(
    (fn: Center) => {
      center.current = fn;
      if (focus) requestAnimationFrame(() => centerOn(focus));
    },
    [focus, centerOn],
  );

  /**
   * Gives the keyboard to a node on the canvas. React Flow keeps a node hidden (so unfocusable)
   * until it has measured it, so a node just added or restored is waited for a few frames; if it
   * never shows (off screen, or the outline is open) the canvas or the outline takes focus instead.
   */
  const focusNode = (id: string | null, frames = 10) => {
    const el = id
      ? document.querySelector<HTMLElement>(
          `.map-canvas .react-flow__node[data-id="${CSS.escape(id)}"]`,
        )
      : null;
    if (el && getComputedStyle(el).visibility === "visible") return el.focus();
    if (el && frames > 0) {
      requestAnimationFrame(() => focusNode(id, frames - 1));
      return;
    }
    if (onCanvas) document.querySelector<HTMLElement>(".map-canvas")?.focus();
    else document.querySelector<HTMLElement>('.outline-tree [tabindex="0"]')?.focus();
  };

  /**
   * The whole map in view. Measured bounds, fitted at once: React Flow's own fitView waits for a
   * later update of the nodes, which a key press alone does not bring.
   */
  const fitAll = () => {
    const nodes = flow.getNodes();
    const rect = canvasRect();
    if (nodes.length === 0 || !rect) return;
    const bounds = flow.getNodesBounds(nodes);
    const viewport = getViewportForBounds(bounds, rect.width, rect.height, MIN_ZOOM, 1.2, 0.1);
    void flow.setViewport(viewport, { duration: 200 });
  };

  /**
   * Pans just enough that a node at `to` is in view. A node moved off the canvas with the
   * keyboard would leave the page (only what the canvas shows is drawn), and the focus with it.
   */
  const keepInView = useCallback(
    (id: string, to: Point) => {
      const rect = canvasRect();
      if (!rect || rect.width === 0) return;
      const size = flow.getInternalNode(id)?.measured;
      const w = size?.width ?? NODE_W;
      const h = size?.height ?? NODE_H;
      const { x, y, zoom } = flow.getViewport();
      // The node's box on screen, relative to the canvas, moved back inside along each axis.
      const dx = inside(to.x * zoom + x, w * zoom, rect.width);
      const dy = inside(to.y * zoom + y, h * zoom, rect.height);
      if (dx !== 0 || dy !== 0) void flow.setViewport({ x: x + dx, y: y + dy, zoom });
    },
    [flow],
  );

  /** Where a node added now goes: in the middle of what the canvas shows, clear of the others. */
  const placeInView = (map: InquiryMap): Point => {
    const rect = canvasRect();
    const shown = onCanvas && rect !== undefined && rect.width > 0;
    const taken = Object.values(map.nodes).map((n) => n.at);
    if (!shown)
      return freeSpot(taken, { x: 0, y: Math.max(0, ...taken.map((p) => p.y + 120)) }, null);
    return freeSpot(
      taken,
      flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }),
      {
        from: flow.screenToFlowPosition({ x: rect.left, y: rect.top }),
        to: flow.screenToFlowPosition({ x: rect.right, y: rect.bottom }),
      },
    );
  };

  return { onReady, centerOn, focusNode, fitAll, keepInView, placeInView };
}
