// One inquiry map: its title, a toolbar, the canvas or the outline, and beside them the selected
// node. Everything is reachable from the keyboard (shortcuts listed in a popover, announced in a
// live region). A damaged map is shown as damaged; a map with a few unreadable parts shows the rest.
import { getViewportForBounds, ReactFlowProvider, useReactFlow } from "@xyflow/react";
import {
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
} from "react";
import type { LinkTarget } from "../../../shared/contract.ts";
import { formatRef, type LinkRef } from "../../../shared/links/ref.ts";
import { danglingEdges, staleQuestions, visibleEdges } from "../../../shared/ops/map.ts";
import { checkTitle } from "../../../shared/schema/input.ts";
import {
  mapKind,
  RELATIONS,
  type InquiryMap,
  type NodeKind,
  type Relation,
} from "../../../shared/schema/map.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { BackLink, DocUnusable, ProblemsNotice } from "../../ui/DocStates.tsx";
import { useDoc, type DocView } from "../../repo.ts";
import { Field, Notice, PageHeading } from "../../ui/kit.tsx";
import { LinkPicker } from "../links/LinkPicker.tsx";
import { useLinkTitles } from "../links/useLinkTitles.ts";
import { mapActions, type Removed } from "./actions.ts";
import { ConnectDialog } from "./ConnectDialog.tsx";
import { download, fileName, pngOf, svgOf } from "./exportMap.ts";
import { kindLabel, nodeLabel, relationLabel, shortText } from "./labels.ts";
import { MapCanvas, MIN_ZOOM } from "./MapCanvas.tsx";
import { MapOutline } from "./MapOutline.tsx";
import { NodePanel, PLAIN_KINDS } from "./NodePanel.tsx";

const VIEWS = ["canvas", "outline"] as const;
type View = (typeof VIEWS)[number];
const STALE_DAYS = [7, 14, 30] as const;
type Picking = "new-node" | "target" | "link" | null;
/** A node's usual size on the canvas (maps.css), for placing new nodes apart. */
const NODE_W = 190;
const NODE_H = 70;
/** Places around the middle of the view, nearest first, where a new node may go. */
const SPOTS: readonly (readonly [number, number])[] = (() => {
  const spots: [number, number][] = [];
  for (let dx = -3; dx <= 3; dx++) for (let dy = -3; dy <= 3; dy++) spots.push([dx, dy]);
  return spots.sort((a, b) => a[0] ** 2 + a[1] ** 2 * 1.5 - (b[0] ** 2 + b[1] ** 2 * 1.5));
})();

export function MapPage({ mapId, focus }: { mapId: string; focus: string | null }) {
  const { repo, index } = useCommunity();
  const map = useDoc(repo, mapId, mapKind);
  const back = <BackLink section="maps" label="maps.back" />;
  if (map.status !== "ok")
    return (
      <DocUnusable
        view={map}
        back={back}
        title={index.doc.entries[mapId]?.title ?? mapId}
        messages="maps"
      />
    );
  return (
    <ReactFlowProvider>
      <MapWorkspace view={map} mapId={mapId} focus={focus} back={back} />
    </ReactFlowProvider>
  );
}

/** What the page's key handler reads of a key press, from React or straight from the document. */
type KeyLike = Pick<
  globalThis.KeyboardEvent,
  "key" | "ctrlKey" | "metaKey" | "altKey" | "target" | "defaultPrevented" | "preventDefault"
>;

const isEditable = (el: EventTarget | null) =>
  el instanceof HTMLElement &&
  (el.isContentEditable || el.closest("input, textarea, select, dialog") !== null);

function MapWorkspace({
  view,
  mapId,
  focus,
  back,
}: {
  view: Extract<DocView<InquiryMap>, { status: "ok" }>;
  mapId: string;
  focus: string | null;
  back: ReactNode;
}) {
  const uid = useId();
  const map = view.doc;
  const { info, profile, connection } = usePeer();
  const { id: communityId, index } = useCommunity();
  const actions = useMemo(
    () =>
      mapActions(view.handle, index.handle, mapId, {
        deviceKey: info.deviceKey,
        name: profile.displayName,
      }),
    [view.handle, index.handle, mapId, info.deviceKey, profile.displayName],
  );
  useEffect(() => () => actions.flush(), [actions]);
  const flow = useReactFlow();

  const [tab, setTab] = useState<View>("canvas");
  const [selectedId, setSelectedId] = useState<string | null>(() =>
    focus && map.nodes[focus] ? focus : null,
  );
  const [newKind, setNewKind] = useState<NodeKind>("question");
  const [newRelation, setNewRelation] = useState<Relation>("relates");
  /** When the highlight was switched on: "untouched for N days" counts back from then. */
  const [staleSince, setStaleSince] = useState<number | null>(null);
  const staleOn = staleSince !== null;
  const [staleDays, setStaleDays] = useState<number>(14);
  const [undo, setUndo] = useState<Removed | null>(null);
  const [message, setMessage] = useState("");
  const [connecting, setConnecting] = useState(false);
  const [picking, setPicking] = useState<Picking>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [focusText, setFocusText] = useState(0);
  const [renaming, setRenaming] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const center = useRef<((id: string, at: { x: number; y: number }) => void) | null>(null);
  const undoButton = useRef<HTMLButtonElement>(null);
  const say = useCallback((text: string) => setMessage(text), []);
  const selected = selectedId ? map.nodes[selectedId] : undefined;

  // Edges whose end was deleted while someone connected to it (or duplicates of one pair) are
  // never drawn; whoever sees them removes them, the ones this copy found and no others.
  const dangling = useMemo(() => danglingEdges(map), [map]);
  useEffect(() => {
    if (dangling.length === 0) return;
    view.handle.change((d) => {
      for (const id of dangling) if (d.edges[id]) delete d.edges[id];
    });
  }, [dangling, view.handle]);

  // Titles of what story and entry nodes point at, looked up (and kept fresh) through the links API.
  const refs = useMemo(
    () =>
      [
        ...new Set(
          Object.values(map.nodes)
            .map((n) => (n.kind === "story" || n.kind === "entry" ? n.target : null))
            .filter((r): r is string => r !== null),
        ),
      ].sort(),
    [map.nodes],
  );
  const described = useLinkTitles(refs);
  // While the titles of a changed set of nodes are asked, the ones known stay drawn.
  const known =
    described.state === "ok"
      ? described.value
      : described.state === "loading"
        ? described.previous
        : null;
  const targets = useMemo(
    () => new Map<string, LinkTarget>(known ? known.map((x) => [x.ref, x]) : []),
    [known],
  );

  const staleIds = useMemo(
    () => (staleSince !== null ? staleQuestions(map, staleSince, staleDays) : []),
    [map, staleSince, staleDays],
  );
  const stale = useMemo(() => new Set(staleIds), [staleIds]);

  // Selecting: from the canvas (pointer or Tab), the outline, the node list, a link.
  const select = useCallback(
    (id: string | null, how: "pointer" | "keyboard" | "outline" | "list" = "pointer") => {
      setSelectedId(id);
      if (how === "keyboard" || how === "list") {
        const node = id ? view.handle.doc()?.nodes?.[id] : undefined;
        setMessage(
          node
            ? t("maps.say.selected", { kind: kindLabel(node.kind), text: shortText(node) })
            : t("maps.say.deselected"),
        );
      }
    },
    [view.handle],
  );
  const centerOn = useCallback(
    (id: string) => {
      const node = view.handle.doc()?.nodes?.[id];
      if (node) center.current?.(id, node.at);
    },
    [view.handle],
  );
  const onReady = useCallback(
    (fn: (id: string, at: { x: number; y: number }) => void) => {
      center.current = fn;
      if (focus) requestAnimationFrame(() => centerOn(focus));
    },
    [focus, centerOn],
  );
  // A link to another node of this map while it is open.
  const lastFocus = useRef(focus);
  useEffect(() => {
    if (!focus || focus === lastFocus.current) return;
    lastFocus.current = focus;
    setSelectedId(focus);
    setTab("canvas");
    requestAnimationFrame(() => centerOn(focus));
  }, [focus, centerOn]);

  /**
   * Gives the keyboard to a node on the canvas. React Flow keeps a node hidden (so unfocusable)
   * until it has measured it, so a node just added or restored is waited for a few frames; if it
   * never shows (off screen, or the outline is open) the canvas or the outline takes focus instead.
   */
  const focusNodeElement = (id: string | null, frames = 10) => {
    const el = id
      ? document.querySelector<HTMLElement>(
          `.map-canvas .react-flow__node[data-id="${CSS.escape(id)}"]`,
        )
      : null;
    if (el && getComputedStyle(el).visibility === "visible") return el.focus();
    if (el && frames > 0) {
      requestAnimationFrame(() => focusNodeElement(id, frames - 1));
      return;
    }
    if (tab === "canvas") document.querySelector<HTMLElement>(".map-canvas")?.focus();
    else document.querySelector<HTMLElement>('.outline-tree [tabindex="0"]')?.focus();
  };

  /**
   * The whole map in view. Measured bounds, fitted at once: React Flow's own fitView waits for a
   * later update of the nodes, which a key press alone does not bring.
   */
  const fitAll = () => {
    const nodes = flow.getNodes();
    const rect = document.querySelector(".map-canvas")?.getBoundingClientRect();
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
    (id: string, to: { x: number; y: number }) => {
      const rect = document.querySelector(".map-canvas")?.getBoundingClientRect();
      if (!rect || rect.width === 0) return;
      const size = flow.getInternalNode(id)?.measured;
      const w = size?.width ?? NODE_W;
      const h = size?.height ?? NODE_H;
      const { x, y, zoom } = flow.getViewport();
      const margin = 24;
      // The node's box on screen, relative to the canvas.
      const left = to.x * zoom + x;
      const top = to.y * zoom + y;
      const right = left + w * zoom;
      const bottom = top + h * zoom;
      const dx =
        left < margin
          ? margin - left
          : right > rect.width - margin
            ? rect.width - margin - right
            : 0;
      const dy =
        top < margin
          ? margin - top
          : bottom > rect.height - margin
            ? rect.height - margin - bottom
            : 0;
      if (dx !== 0 || dy !== 0) void flow.setViewport({ x: x + dx, y: y + dy, zoom });
    },
    [flow],
  );

  const onMove = useCallback(
    (id: string, to: { x: number; y: number }, how: "drag" | "keyboard") => {
      actions.move(id, to);
      if (how !== "keyboard") return;
      keepInView(id, to);
      setMessage(t("maps.say.moved", { x: Math.round(to.x), y: Math.round(to.y) }));
    },
    [actions, keepInView],
  );
  const onConnectDrag = useCallback(
    (from: string, to: string) => {
      const result = actions.connect(from, to, newRelation);
      const doc = view.handle.doc();
      const a = doc?.nodes?.[from];
      const b = doc?.nodes?.[to];
      if (!result.ok) setMessage(t(`maps.connect.${result.reason}`));
      else if (a && b) {
        setSelectedId(from);
        setMessage(
          t("maps.say.connected", {
            from: shortText(a),
            relation: relationLabel(newRelation),
            to: shortText(b),
          }),
        );
      }
    },
    [actions, newRelation, view.handle],
  );

  /**
   * Where a new node goes: the middle of the canvas as it is now, or the nearest free spot around
   * it, so nodes added one after another do not pile up.
   */
  const placeInView = () => {
    const rect = document.querySelector(".map-canvas")?.getBoundingClientRect();
    const onCanvas = tab === "canvas" && rect !== undefined && rect.width > 0;
    const mid = onCanvas
      ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 })
      : { x: 0, y: Math.max(0, ...Object.values(map.nodes).map((n) => n.at.y + 120)) };
    const start = { x: mid.x - NODE_W / 2, y: mid.y - NODE_H / 2 };
    // What the canvas shows, in map coordinates: a new node is put where it can be seen (on a
    // narrow window the spots around the centre run off its sides).
    const view = onCanvas
      ? {
          from: flow.screenToFlowPosition({ x: rect.left, y: rect.top }),
          to: flow.screenToFlowPosition({ x: rect.right, y: rect.bottom }),
        }
      : null;
    const seen = (p: { x: number; y: number }) =>
      !view ||
      (p.x >= view.from.x &&
        p.y >= view.from.y &&
        p.x + NODE_W <= view.to.x &&
        p.y + NODE_H <= view.to.y);
    const taken = Object.values(map.nodes).map((n) => n.at);
    const free = (p: { x: number; y: number }) =>
      !taken.some((q) => Math.abs(q.x - p.x) < NODE_W + 20 && Math.abs(q.y - p.y) < NODE_H + 30);
    for (const [dx, dy] of SPOTS) {
      const p = { x: start.x + dx * (NODE_W + 40), y: start.y + dy * (NODE_H + 50) };
      if (free(p) && seen(p)) return p;
    }
    // No free spot in view: on top of the centre, where it is seen (and can be dragged away).
    return start;
  };
  const addNode = (kind: NodeKind, text = "", target: string | null = null) => {
    const id = actions.addNode({ kind, text, at: placeInView(), target });
    setSelectedId(id);
    setFocusText((n) => n + 1);
    setMessage(t("maps.say.added", { kind: kindLabel(kind), text: text || t("maps.node.empty") }));
    return id;
  };
  /** Deletes a node; the Undo button takes focus unless the caller keeps it (the outline). */
  const remove = (id: string, focusUndo = true) => {
    const node = map.nodes[id];
    const removed = actions.remove(id);
    if (!removed || !node) return;
    setUndo(removed);
    if (selectedId === id) setSelectedId(null);
    setMessage(`${t("maps.deleted", { text: shortText(node) })} ${t("maps.help.undo")}: Ctrl+Z`);
    if (focusUndo) requestAnimationFrame(() => undoButton.current?.focus());
  };
  const restore = () => {
    if (!undo) return;
    actions.restore(undo);
    setSelectedId(undo.id);
    setMessage(t("maps.restored", { text: shortText(undo.node) }));
    setUndo(null);
    // The Undo button, which had the focus, is gone: the node takes it.
    const id = undo.id;
    requestAnimationFrame(() => focusNodeElement(id));
  };

  const onPicked = (ref: LinkRef) => {
    const s = formatRef(ref);
    if (picking === "link" && selectedId) {
      actions.addLink(selectedId, s);
      return;
    }
    if (ref.type === "node") {
      setMessage(t("maps.linkPick.notNode"));
      return;
    }
    const kind: NodeKind = ref.type === "story" ? "story" : "entry";
    if (picking === "target" && selectedId) {
      actions.setTarget(selectedId, s);
      return;
    }
    void connection.rpc.call("links:describe", { communityId, refs: [s] }).then((r) => {
      const title = r.ok ? (r.value[0]?.title ?? "") : "";
      addNode(kind, title, s);
    });
  };

  const exportAs = async (type: "svg" | "png") => {
    setExportError(null);
    try {
      const svg = svgOf(map);
      const blob = type === "svg" ? new Blob([svg], { type: "image/svg+xml" }) : await pngOf(svg);
      const name = fileName(map.title, type);
      download(blob, name);
      setMessage(t("maps.export.done", { file: name }));
    } catch (e) {
      setExportError(
        t("maps.export.failed", { message: e instanceof Error ? e.message : String(e) }),
      );
    }
  };

  const onKeyDown = (e: KeyLike) => {
    if (e.defaultPrevented || isEditable(e.target)) return;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "z" && undo) {
      e.preventDefault();
      restore();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const inTree = e.target instanceof HTMLElement && e.target.closest('[role="tree"]') !== null;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    let handled = true;
    switch (key) {
      case "n":
        addNode(newKind);
        break;
      case "c":
        if (selected) setConnecting(true);
        else handled = false;
        break;
      case "e":
      case "F2":
        if (selected && !inTree) setFocusText((n) => n + 1);
        else handled = false;
        break;
      case "Delete":
        if (selectedId && !inTree) remove(selectedId);
        else handled = false;
        break;
      case "f":
        if (tab === "canvas") fitAll();
        break;
      case "?":
        setHelpOpen((o) => !o);
        break;
      case "Escape":
        if (helpOpen) setHelpOpen(false);
        else if (selectedId) select(null, "keyboard");
        else handled = false;
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  // Keys pressed while nothing has focus (the focused node was deleted by someone else, or the page
  // was clicked on an empty spot) still reach the map.
  const latestKeyDown = useRef(onKeyDown);
  useEffect(() => {
    latestKeyDown.current = onKeyDown;
  });
  useEffect(() => {
    const onDocumentKey = (e: globalThis.KeyboardEvent) => {
      if (e.target === document.body) latestKeyDown.current(e);
    };
    document.addEventListener("keydown", onDocumentKey);
    return () => document.removeEventListener("keydown", onDocumentKey);
  }, []);

  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    e.preventDefault();
    const next = tab === "canvas" ? "outline" : "canvas";
    setTab(next);
    document.getElementById(`${uid}-tab-${next}`)?.focus();
  };

  const nodeCount = Object.keys(map.nodes).length;
  const edgeCount = visibleEdges(map).length;
  const sortedNodes = useMemo(
    () =>
      Object.entries(map.nodes).sort(([, a], [, b]) => shortText(a).localeCompare(shortText(b))),
    [map.nodes],
  );

  return (
    <div className="map-page" onKeyDown={onKeyDown}>
      {back}
      <header className="map-header">
        {renaming ? (
          <RenameForm
            title={map.title}
            onSave={(title) => {
              actions.rename(title);
              setRenaming(false);
            }}
            onCancel={() => setRenaming(false)}
          />
        ) : (
          <div className="map-title-row">
            <PageHeading>{map.title}</PageHeading>
            <button type="button" onClick={() => setRenaming(true)}>
              {t("maps.rename")}
            </button>
            <span className="meta">{t("maps.meta", { nodes: nodeCount, edges: edgeCount })}</span>
            <span className="map-toolbar-gap" />
            <button type="button" onClick={() => void exportAs("svg")}>
              {t("maps.export.svg")}
            </button>
            <button type="button" onClick={() => void exportAs("png")}>
              {t("maps.export.png")}
            </button>
            <button
              type="button"
              aria-expanded={helpOpen}
              aria-controls={`${uid}-help`}
              aria-keyshortcuts="?"
              onClick={() => setHelpOpen((o) => !o)}
            >
              {t("maps.help")}
            </button>
          </div>
        )}
      </header>
      <ProblemsNotice
        problems={view.problems}
        title={
          view.problems.length === 1
            ? t("maps.problems.one")
            : t("maps.problems", { count: view.problems.length })
        }
        body={t("maps.problems.body")}
      />
      {undo && (
        <div className="notice notice-info map-undo" role="status">
          <span>{t("maps.deleted", { text: shortText(undo.node) })}</span>{" "}
          <button type="button" ref={undoButton} onClick={restore} aria-keyshortcuts="Control+Z">
            {t("maps.undo")}
          </button>{" "}
          <button type="button" className="link-button" onClick={() => setUndo(null)}>
            {t("common.dismiss")}
          </button>
        </div>
      )}
      {exportError && <Notice tone="error" title={exportError} />}

      <div className="map-toolbar" role="group" aria-label={t("maps.toolbar")}>
        <label>
          <span className="visually-hidden">{t("maps.newKind")}</span>
          <select value={newKind} onChange={(e) => setNewKind(e.target.value as NodeKind)}>
            {PLAIN_KINDS.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="primary"
          onClick={() => addNode(newKind)}
          aria-keyshortcuts="N"
        >
          {t("maps.add")}
        </button>
        <button type="button" onClick={() => setPicking("new-node")}>
          {t("maps.addLink")}
        </button>
        <label>
          {t("maps.newRelation")}
          <select value={newRelation} onChange={(e) => setNewRelation(e.target.value as Relation)}>
            {RELATIONS.map((r) => (
              <option key={r} value={r}>
                {relationLabel(r)}
              </option>
            ))}
          </select>
        </label>
        <span className="map-toolbar-sep" aria-hidden="true" />
        <label className="map-stale-toggle">
          <input
            type="checkbox"
            checked={staleOn}
            onChange={(e) => setStaleSince(e.target.checked ? Date.now() : null)}
          />{" "}
          {t("maps.stale.toggle")}
        </label>
        <label>
          {t("maps.stale.days")}
          <select
            value={staleDays}
            onChange={(e) => {
              setStaleDays(Number(e.target.value));
              if (staleOn) setStaleSince(Date.now());
            }}
          >
            {STALE_DAYS.map((d) => (
              <option key={d} value={d}>
                {t("maps.stale.daysOption", { days: d })}
              </option>
            ))}
          </select>
        </label>
      </div>
      {staleOn &&
        (staleIds.length === 0 ? (
          <p className="meta" role="status">
            {t("maps.stale.none", { days: staleDays })}
          </p>
        ) : (
          <div role="status" className="map-stale-list">
            <p>{t("maps.stale.list", { count: staleIds.length, days: staleDays })}</p>
            <ul>
              {staleIds.map((id) => {
                const node = map.nodes[id];
                return node ? (
                  <li key={id}>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => {
                        select(id, "list");
                        setTab("canvas");
                        requestAnimationFrame(() => centerOn(id));
                      }}
                    >
                      {shortText(node)}
                    </button>
                  </li>
                ) : null;
              })}
            </ul>
          </div>
        ))}
      {helpOpen && <ShortcutHelp id={`${uid}-help`} />}

      <div role="tablist" aria-label={t("maps.view")} className="tabs map-tabs">
        {VIEWS.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`${uid}-tab-${name}`}
            aria-selected={tab === name}
            aria-controls={`${uid}-panel`}
            tabIndex={tab === name ? 0 : -1}
            onClick={() => setTab(name)}
            onKeyDown={onTabKey}
          >
            {t(`maps.view.${name}`)}
          </button>
        ))}
      </div>
      <div className="map-body">
        <div
          role="tabpanel"
          id={`${uid}-panel`}
          aria-labelledby={`${uid}-tab-${tab}`}
          className={`map-view map-view-${tab}`}
        >
          {tab === "canvas" ? (
            <>
              <p className="hint">
                {nodeCount === 0 ? t("maps.canvas.empty") : t("maps.canvas.hint")}
              </p>
              <MapCanvas
                map={map}
                selectedId={selectedId}
                onSelect={select}
                onMove={onMove}
                onConnect={onConnectDrag}
                targets={targets}
                stale={stale}
                centerFirst={focus && map.nodes[focus] ? focus : null}
                onReady={onReady}
              />
            </>
          ) : (
            <MapOutline
              map={map}
              actions={actions}
              selectedId={selectedId}
              onSelect={(id) => select(id, "outline")}
              onDelete={(id) => remove(id, false)}
              say={say}
            />
          )}
        </div>
        <aside className="map-side" aria-label={t("maps.panel")}>
          <label className="map-goto">
            {t("maps.goto")}
            <select
              value={selectedId ?? ""}
              onChange={(e) => {
                const id = e.target.value || null;
                select(id, "list");
                if (id) centerOn(id);
              }}
            >
              <option value="">{t("maps.goto.none")}</option>
              {sortedNodes.map(([id, n]) => (
                <option key={id} value={id}>
                  {nodeLabel({ kind: n.kind, text: shortText(n) })}
                </option>
              ))}
            </select>
          </label>
          <h2>{t("maps.panel")}</h2>
          {selectedId && selected ? (
            <NodePanel
              key={selectedId}
              map={map}
              mapId={mapId}
              id={selectedId}
              actions={actions}
              targets={targets}
              focusText={focusText}
              onTextFocused={() => setFocusText(0)}
              onLeaveText={() => focusNodeElement(selectedId)}
              onConnect={() => setConnecting(true)}
              onDelete={() => remove(selectedId)}
              onPickTarget={() => setPicking("target")}
              onAddLink={() => setPicking("link")}
              say={say}
            />
          ) : (
            <p className="meta">{t("maps.panel.none")}</p>
          )}
        </aside>
      </div>
      <p className="visually-hidden" aria-live="polite">
        {message}
      </p>

      {connecting && selectedId && (
        <ConnectDialog
          map={map}
          from={selectedId}
          relation={newRelation}
          onClose={() => setConnecting(false)}
          onConnect={(to, relation) => {
            const result = actions.connect(selectedId, to, relation);
            if (!result.ok) return result.reason;
            const a = map.nodes[selectedId];
            const b = map.nodes[to];
            setConnecting(false);
            if (a && b)
              setMessage(
                t("maps.say.connected", {
                  from: shortText(a),
                  relation: relationLabel(relation),
                  to: shortText(b),
                }),
              );
            return null;
          }}
        />
      )}
      {picking && (
        <LinkPicker
          onPick={onPicked}
          onClose={() => setPicking(null)}
          exclude={
            selectedId && picking === "link"
              ? formatRef({ type: "node", docId: mapId, itemId: selectedId })
              : undefined
          }
          title={
            picking === "link"
              ? t("maps.panel.addLinkTitle")
              : picking === "target"
                ? t("maps.panel.targetPick")
                : t("maps.addLink")
          }
        />
      )}
    </div>
  );
}

function RenameForm({
  title,
  onSave,
  onCancel,
}: {
  title: string;
  onSave: (title: string) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(title);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkTitle(value);
    if (!checked.ok) return setError(checked.error.message);
    onSave(checked.value);
  };
  return (
    <form
      className="inline-form map-rename"
      onSubmit={submit}
      noValidate
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      <Field label={t("maps.rename.label")} error={error}>
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            value={value}
            autoFocus
            onChange={(e) => setValue(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            autoComplete="off"
          />
        )}
      </Field>
      <button type="submit" className="primary">
        {t("common.save")}
      </button>
      <button type="button" onClick={onCancel}>
        {t("common.cancel")}
      </button>
    </form>
  );
}

const SHORTCUTS = [
  ["N", "maps.help.add"],
  ["Tab", "maps.help.tab"],
  ["← ↑ → ↓", "maps.help.move"],
  ["C", "maps.help.connect"],
  ["E / F2", "maps.help.edit"],
  ["Delete", "maps.help.delete"],
  ["Ctrl+Z", "maps.help.undo"],
  ["Escape", "maps.help.escape"],
  ["F", "maps.help.fit"],
  ["?", "maps.help.help"],
] as const;

function ShortcutHelp({ id }: { id: string }) {
  return (
    <section id={id} className="map-help" aria-label={t("maps.help.title")}>
      <dl>
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{t(what)}</dd>
          </div>
        ))}
      </dl>
      <p className="meta">{t("maps.help.outline")}</p>
    </section>
  );
}
