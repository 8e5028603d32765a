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

/** A node's width on the canvas (maps.css) and its height with one line of text. */
const NODE_W = 190;
const NODE_H = 56;
/** The room a new node is given: it grows as its text is typed, so a few lines' worth. */
const NEW_NODE = { w: NODE_W, h: 96 };
/** The least room between two nodes' boxes (enough for an edge's label to be read). */
const GAP = 24;
/** The least zoom at which a node's words can still be read (MapCanvas draws boxes below 0.35). */
const READABLE = 0.5;
/** The search for free space: a grid of this step around the middle, this many steps out. */
const STEP = 24;
const REACH = 40;
/** The grid's places, nearest the middle first (up and down count more: the view is wide). */
const OFFSETS: readonly (readonly [number, number])[] = (() => {
  const offsets: [number, number][] = [];
  for (let dx = -REACH; dx <= REACH; dx++)
    for (let dy = -REACH; dy <= REACH; dy++) offsets.push([dx, dy]);
  const far = ([dx, dy]: [number, number]) => dx ** 2 + (dy * 1.6) ** 2;
  return offsets.sort((a, b) => far(a) - far(b));
})();

export type Box = { x: number; y: number; w: number; h: number };

/** A node's box: its measured size when React Flow has drawn it, else one guessed from its text. */
export const guessBox = (
  at: Point,
  text: string,
  measured?: { width?: number; height?: number },
) => {
  const lines = Math.min(5, Math.max(1, Math.ceil(text.length / 26)));
  return {
    x: at.x,
    y: at.y,
    w: measured?.width ?? NODE_W,
    h: measured?.height ?? NODE_H + (lines - 1) * 18,
  };
};

/** How far a box from `start`, `size` long, moves to be inside 0…`room` with a margin (0: it is). */
const inside = (start: number, size: number, room: number, margin = 24) =>
  start < margin ? margin - start : start + size > room - margin ? room - margin - start - size : 0;

const canvasRect = () => document.querySelector(".map-canvas")?.getBoundingClientRect();

/**
 * Where a new node goes: its box centred on `middle` (of the canvas as it is now), or the nearest
 * place around it whose box keeps `GAP` clear of every node's box (`taken`, measured sizes), so
 * nodes added one after another never touch. A place within `view` (what the canvas shows, in map
 * coordinates) comes first; when nothing there is free, the nearest free place beyond it (the
 * canvas then pans to it), and past the search's reach, below every node.
 */
export function freeSpot(
  taken: readonly Box[],
  middle: Point,
  view: { from: Point; to: Point } | null,
  size: { w: number; h: number } = NEW_NODE,
): Point {
  const start = { x: Math.round(middle.x - size.w / 2), y: Math.round(middle.y - size.h / 2) };
  const reach = REACH * STEP + Math.max(size.w, size.h) + GAP;
  // Only the nodes the search can meet.
  const near = taken.filter(
    (b) =>
      b.x < start.x + reach + size.w &&
      b.x + b.w > start.x - reach &&
      b.y < start.y + reach + size.h &&
      b.y + b.h > start.y - reach,
  );
  const clear = (p: Point) =>
    !near.some(
      (b) =>
        p.x < b.x + b.w + GAP &&
        b.x < p.x + size.w + GAP &&
        p.y < b.y + b.h + GAP &&
        b.y < p.y + size.h + GAP,
    );
  const seen = (p: Point) =>
    !view ||
    (p.x >= view.from.x &&
      p.y >= view.from.y &&
      p.x + size.w <= view.to.x &&
      p.y + size.h <= view.to.y);
  let beyond: Point | null = null;
  for (const [dx, dy] of OFFSETS) {
    const p = { x: start.x + dx * STEP, y: start.y + dy * STEP };
    if (!clear(p)) continue;
    if (seen(p)) return p;
    beyond ??= p;
  }
  return beyond ?? { x: start.x, y: Math.max(start.y, ...taken.map((b) => b.y + b.h + GAP)) };
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
    const taken = Object.entries(map.nodes).map(([id, n]) =>
      guessBox(n.at, n.text, flow.getInternalNode(id)?.measured),
    );
    if (!shown)
      return freeSpot(taken, { x: 0, y: Math.max(0, ...taken.map((b) => b.y + b.h + 60)) }, null);
    return freeSpot(
      taken,
      flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }),
      {
        from: flow.screenToFlowPosition({ x: rect.left, y: rect.top }),
        to: flow.screenToFlowPosition({ x: rect.right, y: rect.bottom }),
      },
    );
  };

  /**
   * Shows a node just added at `at`. Placed in view, nothing moves. Placed beyond it (nothing in
   * view was free), the canvas zooms out to show the whole map with it, while the words can still
   * be read; on a map too big for that, it pans to the new node instead.
   */
  const showAdded = (id: string, at: Point) => {
    const rect = canvasRect();
    if (!rect || rect.width === 0) return;
    const { x, y, zoom } = flow.getViewport();
    const box = { x: at.x * zoom + x, y: at.y * zoom + y };
    const seen =
      box.x >= 0 &&
      box.y >= 0 &&
      box.x + NEW_NODE.w * zoom <= rect.width &&
      box.y + NEW_NODE.h * zoom <= rect.height;
    if (seen) return;
    const nodes = flow.getNodes();
    const all = flow.getNodesBounds(nodes);
    const bounds =
      nodes.length === 0
        ? { x: at.x, y: at.y, width: NEW_NODE.w, height: NEW_NODE.h }
        : {
            x: Math.min(all.x, at.x),
            y: Math.min(all.y, at.y),
            width: Math.max(all.x + all.width, at.x + NEW_NODE.w) - Math.min(all.x, at.x),
            height: Math.max(all.y + all.height, at.y + NEW_NODE.h) - Math.min(all.y, at.y),
          };
    const fitted = getViewportForBounds(bounds, rect.width, rect.height, MIN_ZOOM, 1.2, 0.1);
    if (fitted.zoom >= READABLE) void flow.setViewport(fitted, { duration: 200 });
    else keepInView(id, at);
  };

  return { onReady, centerOn, focusNode, fitAll, keepInView, placeInView, showAdded };
}
