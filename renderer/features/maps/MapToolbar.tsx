// The bars above a map: its title (renamed in place), size, export and help; the toolbar that adds
// nodes (plain, or pointing at a story or an entry), picks the relation new connections get, and
// highlights questions nobody has touched for a while, listed below it.
import { useMemo, useState, type FormEvent } from "react";
import { staleQuestions } from "../../../shared/ops/map.ts";
import {
  RELATIONS,
  type InquiryMap,
  type NodeKind,
  type Relation,
} from "../../../shared/schema/map.ts";
import { t } from "../../i18n/index.ts";
import { isJustMade, useTitleFocus } from "../../newDoc.ts";
import { Options } from "../../ui/fields.tsx";
import { checkTitle } from "../../../shared/schema/input.ts";
import { Field, PageHeading } from "../../ui/kit.tsx";
import { kindLabel, relationLabel, shortText } from "./labels.ts";
import { PLAIN_KINDS } from "./NodePanel.tsx";

const STALE_DAYS = [7, 14, 30] as const;

export function MapTitleBar({
  mapId,
  map,
  counts,
  onRename,
  onExport,
  help,
  panel,
}: {
  mapId: string;
  map: InquiryMap;
  counts: { nodes: number; edges: number };
  onRename: (title: string) => void;
  onExport: (type: "svg" | "png") => void;
  /** The shortcut panel: whether it is open, its element's id, and the way to open or close it. */
  help: { open: boolean; id: string; toggle: () => void };
  /** The side panel: whether it is open, its element's id, and the way to fold or unfold it. */
  panel: { open: boolean; id: string; toggle: () => void };
}) {
  // A map just made opens renaming, the focus in its title, as every new document does.
  const [renaming, setRenaming] = useState(() => isJustMade(mapId));
  return (
    <header className="map-header">
      {renaming ? (
        <RenameForm
          mapId={mapId}
          title={map.title}
          onSave={(title) => {
            onRename(title);
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
          <span className="meta">{t("maps.meta", counts)}</span>
          <span className="map-toolbar-gap" />
          <button type="button" onClick={() => onExport("svg")}>
            {t("maps.export.svg")}
          </button>
          <button type="button" onClick={() => onExport("png")}>
            {t("maps.export.png")}
          </button>
          <button
            type="button"
            aria-expanded={help.open}
            aria-controls={help.id}
            aria-keyshortcuts="?"
            onClick={help.toggle}
          >
            {t("maps.help")}
          </button>
          <button
            type="button"
            className="map-panel-toggle"
            aria-expanded={panel.open}
            aria-controls={panel.id}
            onClick={panel.toggle}
          >
            {t("maps.panelToggle")}
          </button>
        </div>
      )}
    </header>
  );
}

function RenameForm({
  mapId,
  title,
  onSave,
  onCancel,
}: {
  mapId: string;
  title: string;
  onSave: (title: string) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(title);
  const input = useTitleFocus<HTMLInputElement>(mapId);
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
            ref={input}
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

/**
 * Questions left untouched for some days, while the highlight is on. "Untouched for N days"
 * counts back from when it was switched on (or the days changed), so the list holds still.
 */
export function useStaleQuestions(map: InquiryMap) {
  const [since, setSince] = useState<number | null>(null);
  const [days, setDaysValue] = useState<number>(14);
  const on = since !== null;
  const ids = useMemo(
    () => (since !== null ? staleQuestions(map, since, days) : []),
    [map, since, days],
  );
  const set = useMemo(() => new Set(ids), [ids]);
  return {
    on,
    days,
    ids,
    set,
    turn: (next: boolean) => setSince(next ? Date.now() : null),
    setDays: (next: number) => {
      setDaysValue(next);
      if (on) setSince(Date.now());
    },
  };
}
export type StaleQuestions = ReturnType<typeof useStaleQuestions>;

export function MapToolbar({
  kind,
  onKind,
  onAdd,
  onAddLink,
  relation,
  onRelation,
  stale,
}: {
  /** The kind of node "Add" (or N) makes. */
  kind: NodeKind;
  onKind: (kind: NodeKind) => void;
  onAdd: () => void;
  onAddLink: () => void;
  /** The relation a new connection gets. */
  relation: Relation;
  onRelation: (relation: Relation) => void;
  stale: StaleQuestions;
}) {
  return (
    <div className="map-toolbar" role="group" aria-label={t("maps.toolbar")}>
      <label>
        <span className="visually-hidden">{t("maps.newKind")}</span>
        <select value={kind} onChange={(e) => onKind(e.target.value as NodeKind)}>
          <Options of={PLAIN_KINDS} label={kindLabel} />
        </select>
      </label>
      <button type="button" className="primary" onClick={onAdd} aria-keyshortcuts="N">
        {t("maps.add")}
      </button>
      <button type="button" onClick={onAddLink}>
        {t("maps.addLink")}
      </button>
      <label>
        {t("maps.newRelation")}
        <select value={relation} onChange={(e) => onRelation(e.target.value as Relation)}>
          <Options of={RELATIONS} label={relationLabel} />
        </select>
      </label>
      {/* Used now and then: folded into "More", so the toolbar stays one line. */}
      <details className="map-more">
        <summary>
          {t("maps.more")}
          {stale.on && <span className="visually-hidden"> ({t("maps.stale.toggle")})</span>}
        </summary>
        <div className="map-more-body">
          <label className="map-stale-toggle">
            <input
              type="checkbox"
              checked={stale.on}
              onChange={(e) => stale.turn(e.target.checked)}
            />{" "}
            {t("maps.stale.toggle")}
          </label>
          <label>
            {t("maps.stale.days")}
            <select value={stale.days} onChange={(e) => stale.setDays(Number(e.target.value))}>
              <Options of={STALE_DAYS} label={(d) => t("maps.stale.daysOption", { days: d })} />
            </select>
          </label>
        </div>
      </details>
    </div>
  );
}

/** The untouched questions, each a way to it on the canvas. Nothing while the highlight is off. */
export function StaleList({
  map,
  stale,
  onPick,
}: {
  map: InquiryMap;
  stale: StaleQuestions;
  onPick: (id: string) => void;
}) {
  if (!stale.on) return null;
  if (stale.ids.length === 0)
    return (
      <p className="meta" role="status">
        {t("maps.stale.none", { days: stale.days })}
      </p>
    );
  return (
    <div role="status" className="map-stale-list">
      <p>{t("maps.stale.list", { count: stale.ids.length, days: stale.days })}</p>
      <ul>
        {stale.ids.map((id) => {
          const node = map.nodes[id];
          return node ? (
            <li key={id}>
              <button type="button" className="link-button" onClick={() => onPick(id)}>
                {shortText(node)}
              </button>
            </li>
          ) : null;
        })}
      </ul>
    </div>
  );
}
