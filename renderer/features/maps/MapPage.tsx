// One inquiry map: its title, a toolbar, the canvas or the outline, and beside them the selected
// node. Everything is reachable from the keyboard (shortcuts listed in a popover, announced in a
// live region). A damaged map is shown as damaged; a map with a few unreadable parts shows the rest.
import { ReactFlowProvider } from "@xyflow/react";
import {
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type ReactNode,
} from "react";
import { formatRef, type LinkRef } from "../../../shared/links/ref.ts";
import { mapNodeConflicts } from "../../../shared/ops/conflicts.ts";
import { danglingEdges, visibleEdges } from "../../../shared/ops/map.ts";
import {
  mapKind,
  type InquiryMap,
  type MapNode,
  type NodeKind,
  type Relation,
} from "../../../shared/schema/map.ts";
import { useCommunity } from "../../communityContext.tsx";
import { t } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import type { DocView } from "../../repo.ts";
import { ProblemsNotice, useDocPage } from "../../ui/DocStates.tsx";
import { Notice } from "../../ui/kit.tsx";
import { TabList } from "../../ui/TabList.tsx";
import { LinkPicker } from "../links/LinkPicker.tsx";
import { useLinkTargets } from "../links/useLinkTitles.ts";
import { mapActions, type Removed } from "./actions.ts";
import { ConnectDialog } from "./ConnectDialog.tsx";
import { download, fileName, pngOf, svgOf } from "./exportMap.ts";
import { kindLabel, nodeLabel, relationLabel, shortText } from "./labels.ts";
import { MapCanvas, MapOverview } from "./MapCanvas.tsx";
import { MapOutline } from "./MapOutline.tsx";
import { MapTitleBar, MapToolbar, StaleList, useStaleQuestions } from "./MapToolbar.tsx";
import { NodePanel } from "./NodePanel.tsx";
import { ShortcutHelp } from "./ShortcutHelp.tsx";
import { useMapKeyboard } from "./useMapKeyboard.ts";
import { useMapViewport } from "./useMapViewport.ts";

const VIEWS = ["canvas", "outline"] as const;
type View = (typeof VIEWS)[number];
type Picking = "new-node" | "target" | "link" | null;

/** Whether the side panel is open, remembered for every map on this computer. */
const PANEL_KEY = "meitheal.map.panel";
const panelRemembered = () => {
  try {
    return localStorage.getItem(PANEL_KEY) !== "closed";
  } catch {
    return true;
  }
};

/** The least height of the canvas: on a short window the page scrolls rather than squeeze it. */
const MIN_CANVAS = 320;
/** Room left under the canvas, inside the window. */
const BELOW = 12;
/** Where the canvas starts on a window as wide as a laptop's (under the bars and the toolbar). */
const TYPICAL_TOP = 184;

/**
 * The height that takes the canvas (and the side panel beside it) down to the window's bottom,
 * from where it starts now: measured after every drawing of the page (a notice or the shortcuts
 * above it move it down) and when the window is resized.
 */
function useFillHeight() {
  const ref = useRef<HTMLDivElement>(null);
  // First guessed from where the canvas starts on a laptop's window: React Flow fits the map to
  // the canvas's first size, so a guess near the measure keeps the fitted map centred.
  const [height, setHeight] = useState(() =>
    Math.max(MIN_CANVAS, Math.floor(window.innerHeight - TYPICAL_TOP - BELOW)),
  );
  const measure = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const top = el.getBoundingClientRect().top + window.scrollY;
    setHeight(Math.max(MIN_CANVAS, Math.floor(window.innerHeight - top - BELOW)));
  }, []);
  useLayoutEffect(measure);
  useEffect(() => {
    window.addEventListener("resize", measure);
    return () => window.removeEventListener("resize", measure);
  }, [measure]);
  return [ref, height] as const;
}

export function MapPage({ mapId, focus }: { mapId: string; focus: string | null }) {
  const { view: map, back, unusable } = useDocPage("maps", mapId, mapKind);
  if (map.status !== "ok") return unusable;
  return (
    <ReactFlowProvider>
      <MapWorkspace view={map} mapId={mapId} focus={focus} back={back} />
    </ReactFlowProvider>
  );
}

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

  const [tab, setTab] = useState<View>("canvas");
  const [selectedId, setSelectedId] = useState<string | null>(() =>
    focus && map.nodes[focus] ? focus : null,
  );
  const [newKind, setNewKind] = useState<NodeKind>("question");
  const [newRelation, setNewRelation] = useState<Relation>("relates");
  const stale = useStaleQuestions(map);
  // Read from the map as Automerge holds it (the read copy keeps one value of each field).
  const conflicts = useMemo(() => {
    void map;
    const raw = view.handle.doc()?.nodes ?? {};
    return new Set(Object.keys(raw).filter((id) => mapNodeConflicts(raw[id]).length > 0));
  }, [map, view.handle]);
  const [undo, setUndo] = useState<Removed | null>(null);
  const [message, setMessage] = useState("");
  const [connecting, setConnecting] = useState(false);
  const [picking, setPicking] = useState<Picking>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [panelOpen, setPanelOpen] = useState(panelRemembered);
  const togglePanel = () =>
    setPanelOpen((open) => {
      try {
        localStorage.setItem(PANEL_KEY, open ? "closed" : "open");
      } catch {
        // Not remembered (storage refused): it is still folded for now.
      }
      return !open;
    });
  const [bodyRef, bodyHeight] = useFillHeight();
  const [focusText, setFocusText] = useState(0);
  const [exportError, setExportError] = useState<string | null>(null);
  const undoButton = useRef<HTMLButtonElement>(null);
  const say = useCallback((text: string) => setMessage(text), []);
  const selected = selectedId ? map.nodes[selectedId] : undefined;
  const viewport = useMapViewport(view.handle, tab === "canvas", focus);
  const { centerOn, keepInView } = viewport;

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
  const targets = useLinkTargets(refs).byRef;

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
  // A link to another node of this map while it is open.
  const lastFocus = useRef(focus);
  useEffect(() => {
    if (!focus || focus === lastFocus.current) return;
    lastFocus.current = focus;
    setSelectedId(focus);
    setTab("canvas");
    requestAnimationFrame(() => centerOn(focus));
  }, [focus, centerOn]);

  const sayConnected = useCallback((from: MapNode, to: MapNode, relation: Relation) => {
    setMessage(
      t("maps.say.connected", {
        from: shortText(from),
        relation: relationLabel(relation),
        to: shortText(to),
      }),
    );
  }, []);
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
        sayConnected(a, b, newRelation);
      }
    },
    [actions, newRelation, view.handle, sayConnected],
  );

  const addNode = (kind: NodeKind, text = "", target: string | null = null) => {
    const at = viewport.placeInView(map);
    const id = actions.addNode({ kind, text, at, target });
    // Beyond the view when nothing in it was free: the canvas shows it.
    if (tab === "canvas") viewport.showAdded(id, at);
    setSelectedId(id);
    // Its text is typed in the side panel; with the panel folded, the node takes the keyboard.
    if (panelOpen) setFocusText((n) => n + 1);
    else requestAnimationFrame(() => viewport.focusNode(id));
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
    requestAnimationFrame(() => viewport.focusNode(id));
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

  const onKeyDown = useMapKeyboard({
    undo: () => {
      if (!undo) return false;
      restore();
      return true;
    },
    add: () => void addNode(newKind),
    connect: () => {
      if (!selected) return false;
      setConnecting(true);
      return true;
    },
    edit: () => {
      if (!selected) return false;
      setPanelOpen(true);
      setFocusText((n) => n + 1);
      return true;
    },
    remove: () => {
      if (!selectedId) return false;
      remove(selectedId);
      return true;
    },
    fit: () => {
      if (tab === "canvas") viewport.fitAll();
    },
    toggleHelp: () => setHelpOpen((o) => !o),
    escape: () => {
      if (helpOpen) setHelpOpen(false);
      else if (selectedId) select(null, "keyboard");
      else return false;
      return true;
    },
  });

  const nodeCount = Object.keys(map.nodes).length;
  const sortedNodes = useMemo(
    () =>
      Object.entries(map.nodes).sort(([, a], [, b]) => shortText(a).localeCompare(shortText(b))),
    [map.nodes],
  );

  return (
    <div className="map-page" onKeyDown={onKeyDown}>
      {back}
      <MapTitleBar
        mapId={mapId}
        map={map}
        counts={{ nodes: nodeCount, edges: visibleEdges(map).length }}
        onRename={actions.rename}
        onExport={(type) => void exportAs(type)}
        help={{ open: helpOpen, id: `${uid}-help`, toggle: () => setHelpOpen((o) => !o) }}
        panel={{ open: panelOpen, id: `${uid}-side`, toggle: togglePanel }}
      />
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

      <div className="map-bar">
        <MapToolbar
          kind={newKind}
          onKind={setNewKind}
          onAdd={() => addNode(newKind)}
          onAddLink={() => setPicking("new-node")}
          relation={newRelation}
          onRelation={setNewRelation}
          stale={stale}
        />
        <TabList
          tabs={VIEWS}
          current={tab}
          onChange={setTab}
          label={t("maps.view")}
          tabId={(name) => `${uid}-tab-${name}`}
          panelId={() => `${uid}-panel`}
          className="tabs map-tabs"
        >
          {(name) => t(`maps.view.${name}`)}
        </TabList>
      </div>
      <StaleList
        map={map}
        stale={stale}
        onPick={(id) => {
          select(id, "list");
          setTab("canvas");
          requestAnimationFrame(() => centerOn(id));
        }}
      />
      {helpOpen && <ShortcutHelp id={`${uid}-help`} />}

      <div
        ref={bodyRef}
        className={`map-body${panelOpen ? "" : " panel-folded"}`}
        style={{ "--map-h": `${bodyHeight}px` } as CSSProperties}
      >
        <div
          role="tabpanel"
          id={`${uid}-panel`}
          aria-labelledby={`${uid}-tab-${tab}`}
          className={`map-view map-view-${tab}`}
        >
          {tab === "canvas" ? (
            <>
              <MapCanvas
                map={map}
                selectedId={selectedId}
                onSelect={select}
                onMove={onMove}
                onConnect={onConnectDrag}
                targets={targets}
                stale={stale.set}
                conflicts={conflicts}
                centerFirst={focus && map.nodes[focus] ? focus : null}
                onReady={viewport.onReady}
                hint={`${uid}-hint`}
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
              conflicts={conflicts}
            />
          )}
        </div>
        <aside
          id={`${uid}-side`}
          className="map-side"
          aria-label={t("maps.panel")}
          hidden={!panelOpen}
        >
          {tab === "canvas" && panelOpen && <MapOverview />}
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
              raw={view.handle.doc()?.nodes?.[selectedId]}
              mapId={mapId}
              id={selectedId}
              actions={actions}
              targets={targets}
              focusText={focusText}
              onTextFocused={() => setFocusText(0)}
              onLeaveText={() => viewport.focusNode(selectedId)}
              onConnect={() => setConnecting(true)}
              onDelete={() => remove(selectedId)}
              onPickTarget={() => setPicking("target")}
              onAddLink={() => setPicking("link")}
              say={say}
            />
          ) : (
            <p className="meta">{t("maps.panel.none")}</p>
          )}
          {/* How to use the canvas, said once here (and to screen readers on the canvas). */}
          <p className="hint" id={`${uid}-hint`}>
            {nodeCount === 0 ? t("maps.canvas.empty") : t("maps.canvas.hint")}
          </p>
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
            if (a && b) sayConnected(a, b, relation);
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
