// The same map as a tree for the keyboard and screen readers (shared/ops/map.ts `outline`): each
// item reads "<relation> — <kind>: <text> (<status>)". The tree is drawn flat (each item says its
// level, position and size) so a chain of any depth never nests elements that deep. One item is in
// the tab order at a time (roving tabindex); arrows move, Right opens, Left closes or goes up.
// Edits here are edits to the map: text, status, adding below, deleting.
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { outline, type OutlineItem } from "../../../shared/ops/map.ts";
import {
  QUESTION_STATUSES,
  type InquiryMap,
  type NodeKind,
  type QuestionStatus,
  type Relation,
} from "../../../shared/schema/map.ts";
import { t } from "../../i18n/index.ts";
import { Options, TextField } from "../../ui/fields.tsx";
import { CoTextInput } from "../../ui/CoTextArea.tsx";
import { Field, Modal } from "../../ui/kit.tsx";
import type { MapActions } from "./actions.ts";
import { kindLabel, nodeText, shortText, statusLabel } from "./labels.ts";
import { PLAIN_KINDS } from "./NodePanel.tsx";

type Row = {
  key: string;
  item: OutlineItem;
  level: number;
  parent: string | null;
  posinset: number;
  setsize: number;
  expanded: boolean;
};

/** The items shown, in reading order: a collapsed item's children are left out. */
function flatten(roots: OutlineItem[], collapsed: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  type Frame = { items: OutlineItem[]; i: number; parent: string | null; level: number };
  const stack: Frame[] = [{ items: roots, i: 0, parent: null, level: 1 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.i >= frame.items.length) {
      stack.pop();
      continue;
    }
    const item = frame.items[frame.i]!;
    frame.i++;
    const key = frame.parent === null ? item.id : `${frame.parent}/${item.via?.edgeId ?? item.id}`;
    const expanded = item.children.length > 0 && !collapsed.has(key);
    rows.push({
      key,
      item,
      level: frame.level,
      parent: frame.parent,
      posinset: frame.i,
      setsize: frame.items.length,
      expanded,
    });
    if (expanded) stack.push({ items: item.children, i: 0, parent: key, level: frame.level + 1 });
  }
  return rows;
}

export function itemLabel(item: OutlineItem): string {
  const kind = kindLabel(item.node.kind);
  const text = nodeText(item.node);
  let label = item.via
    ? t("maps.outline.item", {
        via: t(`maps.via.${item.via.direction}.${item.via.relation}`),
        kind,
        text,
      })
    : t("maps.outline.root", { kind, text });
  if (item.node.kind === "question")
    label = t("maps.outline.withStatus", { label, status: statusLabel(item.node.status) });
  return item.repeat ? `${label} ${t("maps.outline.repeat")}` : label;
}

/** What can be added below an item: how it hangs from it, which way the edge points, its kind. */
const CHILD_OPTIONS = [
  { value: "answers", relation: "answers", direction: "in", kind: "insight" },
  { value: "supports", relation: "supports", direction: "in", kind: "insight" },
  { value: "challenges", relation: "challenges", direction: "in", kind: "insight" },
  { value: "relates", relation: "relates", direction: "in", kind: "resource" },
  { value: "raises", relation: "raises", direction: "out", kind: "question" },
] as const satisfies readonly {
  value: string;
  relation: Relation;
  direction: "in" | "out";
  kind: NodeKind;
}[];
type ChildOption = (typeof CHILD_OPTIONS)[number]["value"];

export function MapOutline({
  map,
  actions,
  selectedId,
  onSelect,
  onDelete,
  say,
  conflicts,
}: {
  map: InquiryMap;
  /** Nodes with a value set on two devices while they were apart. */
  conflicts: ReadonlySet<string>;
  actions: MapActions;
  selectedId: string | null;
  onSelect: (id: string) => void;
  onDelete: (id: string) => void;
  say: (message: string) => void;
}) {
  const uid = useId();
  const roots = useMemo(() => outline(map), [map]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => flatten(roots, collapsed), [roots, collapsed]);
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState<Row | null>(null);
  const [pendingNode, setPendingNode] = useState<string | null>(null);
  const tree = useRef<HTMLUListElement>(null);
  const wantFocus = useRef(false);

  // The active item: the one chosen; else a node just added below an item; else the selected node;
  // else the first.
  const found = rows.findIndex((r) => r.key === activeKey);
  const pending = pendingNode
    ? rows.findIndex((r) => r.item.id === pendingNode && !r.item.repeat)
    : -1;
  const selectedRow = selectedId
    ? rows.findIndex((r) => r.item.id === selectedId && !r.item.repeat)
    : -1;
  const activeIndex =
    rows.length === 0 ? -1 : ([found, pending, selectedRow].find((i) => i >= 0) ?? 0);
  const active = activeIndex >= 0 ? rows[activeIndex] : undefined;

  useEffect(() => {
    if (!wantFocus.current || !active) return;
    // A node just added is not in the outline yet: focus it when it is.
    if (pendingNode && active.item.id !== pendingNode) return;
    wantFocus.current = false;
    tree.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(active.key)}"]`)?.focus();
  }, [active, pendingNode]);

  const go = (row: Row | undefined) => {
    if (!row) return;
    wantFocus.current = true;
    setActiveKey(row.key);
    setPendingNode(null);
    onSelect(row.item.id);
  };
  const setOpen = (key: string, open: boolean) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (open) next.delete(key);
      else next.add(key);
      return next;
    });
  const refocus = () => {
    wantFocus.current = true;
    setActiveKey((k) => k ?? active?.key ?? null);
    // Focus returns even when the active item did not change.
    if (active)
      tree.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(active.key)}"]`)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (!active || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    const hasChildren = active.item.children.length > 0;
    let handled = true;
    switch (e.key) {
      case "ArrowDown":
        go(rows[activeIndex + 1]);
        break;
      case "ArrowUp":
        go(rows[activeIndex - 1]);
        break;
      case "Home":
        go(rows[0]);
        break;
      case "End":
        go(rows[rows.length - 1]);
        break;
      case "ArrowRight":
        if (hasChildren && !active.expanded) setOpen(active.key, true);
        else if (hasChildren) go(rows[activeIndex + 1]);
        break;
      case "ArrowLeft":
        if (active.expanded) setOpen(active.key, false);
        else if (active.parent !== null) go(rows.find((r) => r.key === active.parent));
        break;
      case "Enter":
      case "F2":
        setEditing(active.key);
        break;
      case "a":
      case "A":
      case "Insert":
        setAdding(active);
        break;
      case "Delete": {
        // The item before it is never inside it: the place to land once it is gone.
        const landing = rows[activeIndex - 1] ?? rows[activeIndex + 1];
        onDelete(active.item.id);
        if (landing) go(landing);
        break;
      }
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  if (rows.length === 0) return <p className="meta">{t("maps.outline.empty")}</p>;

  return (
    <div className="map-outline">
      <p className="hint" id={`${uid}-hint`}>
        {t("maps.outline.hint")}
      </p>
      <ul
        role="tree"
        ref={tree}
        aria-label={t("maps.outline")}
        aria-describedby={`${uid}-hint`}
        className="outline-tree"
        onKeyDown={onKeyDown}
      >
        {rows.map((row) => {
          const label =
            itemLabel(row.item) + (conflicts.has(row.item.id) ? `, ${t("conflict.badge")}` : "");
          const isActive = row === active;
          return (
            <li
              key={row.key}
              role="treeitem"
              data-key={row.key}
              aria-level={row.level}
              aria-posinset={row.posinset}
              aria-setsize={row.setsize}
              aria-expanded={row.item.children.length > 0 ? row.expanded : undefined}
              aria-selected={isActive}
              aria-label={editing === row.key ? undefined : label}
              tabIndex={isActive ? 0 : -1}
              className={`outline-item kind-${row.item.node.kind}${row.item.repeat ? " repeat" : ""}`}
              style={{ paddingInlineStart: `${(row.level - 1) * 1.5 + 0.5}rem` }}
              onFocus={(e) => {
                if (e.target !== e.currentTarget || row.key === activeKey) return;
                setActiveKey(row.key);
                setPendingNode(null);
                onSelect(row.item.id);
              }}
              onClick={() => go(row)}
            >
              {row.item.children.length > 0 && (
                <span className="outline-twisty" aria-hidden="true">
                  {row.expanded ? "▾" : "▸"}
                </span>
              )}
              {editing === row.key ? (
                <CoTextInput
                  aria-label={t("maps.outline.editLabel")}
                  className="outline-edit"
                  value={row.item.node.text}
                  onText={(text) => actions.setText(row.item.id, text)}
                  ref={(el) => el?.focus()}
                  onBlur={() => setEditing(null)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" || e.key === "Escape") {
                      e.preventDefault();
                      e.stopPropagation();
                      setEditing(null);
                      refocus();
                    }
                  }}
                />
              ) : (
                <span className="outline-label">
                  {row.item.via && (
                    <span className="outline-via">
                      {t(`maps.via.${row.item.via.direction}.${row.item.via.relation}`)} —{" "}
                    </span>
                  )}
                  <span className="outline-kind">{kindLabel(row.item.node.kind)}:</span>{" "}
                  {nodeText(row.item.node)}
                  {row.item.node.kind === "question" && (
                    <span className={`map-badge badge-${row.item.node.status}`}>
                      {statusLabel(row.item.node.status)}
                    </span>
                  )}
                  {conflicts.has(row.item.id) && (
                    <span className="map-badge badge-conflict">{t("conflict.badge")}</span>
                  )}
                  {row.item.repeat && <span className="meta"> {t("maps.outline.repeat")}</span>}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {active && (
        <div className="outline-actions" role="group" aria-label={t("maps.outline.actions")}>
          <p className="meta">{t("maps.outline.focused", { label: itemLabel(active.item) })}</p>
          <button type="button" onClick={() => setEditing(active.key)} aria-keyshortcuts="F2">
            {t("maps.outline.edit")}
          </button>
          {active.item.node.kind === "question" && (
            <label>
              {t("maps.status")}
              <select
                value={active.item.node.status}
                onChange={(e) => {
                  const status = e.target.value as QuestionStatus;
                  actions.setStatus(active.item.id, status);
                  say(t("maps.say.status", { status: statusLabel(status) }));
                }}
              >
                <Options of={QUESTION_STATUSES} label={statusLabel} />
              </select>
            </label>
          )}
          <button type="button" onClick={() => setAdding(active)} aria-keyshortcuts="A">
            {t("maps.outline.addChild")}
          </button>
          <button type="button" onClick={() => onDelete(active.item.id)} aria-keyshortcuts="Delete">
            {t("maps.delete")}
          </button>
        </div>
      )}
      {adding && (
        <AddChildDialog
          parent={adding.item}
          onClose={() => {
            setAdding(null);
            refocus();
          }}
          onAdd={(option, kind, text) => {
            const parent = map.nodes[adding.item.id];
            if (!parent) return;
            const spread = adding.item.children.length % 4;
            const id = actions.addJoined(
              { kind, text, at: { x: parent.at.x - 240 + spread * 240, y: parent.at.y + 160 } },
              adding.item.id,
              option.relation,
              option.direction,
            );
            setOpen(adding.key, true);
            setActiveKey(null);
            setPendingNode(id);
            wantFocus.current = true;
            setAdding(null);
            say(t("maps.say.added", { kind: kindLabel(kind), text: nodeText({ text }) }));
          }}
        />
      )}
    </div>
  );
}

function AddChildDialog({
  parent,
  onAdd,
  onClose,
}: {
  parent: OutlineItem;
  onAdd: (option: (typeof CHILD_OPTIONS)[number], kind: NodeKind, text: string) => void;
  onClose: () => void;
}) {
  const id = useId();
  const [value, setValue] = useState<ChildOption>(
    parent.node.kind === "question" ? "answers" : "supports",
  );
  const option = CHILD_OPTIONS.find((o) => o.value === value) ?? CHILD_OPTIONS[0];
  const [kind, setKind] = useState<NodeKind>(option.kind);
  const [text, setText] = useState("");
  return (
    <Modal labelledBy={`${id}-title`} onClose={onClose} className="map-add-child">
      <h2 id={`${id}-title`}>
        {t("maps.outline.addChildTitle", { text: shortText(parent.node) })}
      </h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onAdd(option, kind, text.trim());
        }}
        noValidate
      >
        <Field label={t("maps.outline.childRelation")}>
          {({ id: relationId }) => (
            <select
              id={relationId}
              value={value}
              onChange={(e) => {
                const next = CHILD_OPTIONS.find((o) => o.value === e.target.value);
                if (!next) return;
                setValue(next.value);
                setKind(next.kind);
              }}
            >
              <Options
                of={CHILD_OPTIONS}
                value={(o) => o.value}
                label={(o) => t(`maps.child.${o.value}`)}
              />
            </select>
          )}
        </Field>
        <Field label={t("maps.outline.childKind")}>
          {({ id: kindId }) => (
            <select id={kindId} value={kind} onChange={(e) => setKind(e.target.value as NodeKind)}>
              <Options of={PLAIN_KINDS} label={kindLabel} />
            </select>
          )}
        </Field>
        <TextField
          label={t("maps.outline.childText")}
          data-autofocus
          value={text}
          onChange={setText}
        />
        <div className="actions modal-actions">
          <button type="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary">
            {t("maps.outline.add")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
