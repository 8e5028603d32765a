// Beside the canvas: the selected node in full — its text (co-edited), kind, status, what it points
// at, its connections (relation changeable, removable), its links and what links to it.
import { useEffect, useMemo, useRef } from "react";
import type { LinkTarget } from "../../../shared/contract.ts";
import { formatRef } from "../../../shared/links/ref.ts";
import { valueConflicts } from "../../../shared/ops/conflicts.ts";
import { visibleEdges } from "../../../shared/ops/map.ts";
import {
  NODE_KINDS,
  QUESTION_STATUSES,
  RELATIONS,
  type InquiryMap,
  type NodeKind,
  type QuestionStatus,
  type Relation,
} from "../../../shared/schema/map.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { t, timeAgo } from "../../i18n/index.ts";
import { Options } from "../../ui/fields.tsx";
import { href } from "../../route.ts";
import { CoTextArea } from "../../ui/CoTextArea.tsx";
import { ConflictNotice } from "../../ui/Conflict.tsx";
import { Field } from "../../ui/kit.tsx";
import { Backlinks } from "../links/Backlinks.tsx";
import { LinkList } from "../links/LinkList.tsx";
import { refStringRoute } from "../links/navigate.ts";
import type { MapActions } from "./actions.ts";
import { kindLabel, relationLabel, shortText, statusLabel } from "./labels.ts";

/** Kinds a node can be switched between here; story and entry nodes are made by picking a target. */
export const PLAIN_KINDS: readonly NodeKind[] = NODE_KINDS.filter(
  (k) => k !== "story" && k !== "entry",
);

const isKind = (v: unknown): v is NodeKind => (NODE_KINDS as readonly unknown[]).includes(v);
const isStatus = (v: unknown): v is QuestionStatus =>
  (QUESTION_STATUSES as readonly unknown[]).includes(v);
const isTarget = (v: unknown): v is string | null => v === null || typeof v === "string";

export function NodePanel({
  raw,
  map,
  mapId,
  id,
  actions,
  targets,
  focusText,
  onTextFocused,
  onLeaveText,
  onConnect,
  onDelete,
  onPickTarget,
  onAddLink,
  say,
}: {
  /** The node as Automerge holds it, where a value set on two devices apart keeps both. */
  raw: unknown;
  map: InquiryMap;
  mapId: string;
  id: string;
  actions: MapActions;
  targets: ReadonlyMap<string, LinkTarget>;
  /** Asks for the text field to take focus (a node just added, or E pressed). */
  focusText: number;
  onTextFocused: () => void;
  onLeaveText: () => void;
  onConnect: () => void;
  onDelete: () => void;
  onPickTarget: () => void;
  onAddLink: () => void;
  say: (message: string) => void;
}) {
  const communityId = useCommunityId();
  const node = map.nodes[id];
  const text = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (focusText === 0) return;
    text.current?.focus();
    onTextFocused();
  }, [focusText, onTextFocused]);
  const connections = useMemo(
    () => visibleEdges(map).filter((e) => e.from === id || e.to === id),
    [map, id],
  );
  if (!node) return null;
  const target = node.target ? targets.get(node.target) : undefined;
  const targetRoute = node.target ? refStringRoute(communityId, node.target) : null;
  const isLink = node.kind === "story" || node.kind === "entry";

  return (
    // Escape in any of its fields goes back to the node on the canvas.
    <div
      className="map-panel-node"
      onKeyDown={(e) => {
        if (e.key !== "Escape" || e.defaultPrevented) return;
        e.preventDefault();
        onLeaveText();
      }}
    >
      <Field label={t("maps.panel.text")}>
        {({ id: textId }) => (
          <CoTextArea
            id={textId}
            ref={text}
            rows={4}
            value={node.text}
            onText={(value) => actions.setText(id, value)}
          />
        )}
      </Field>
      <div className="map-panel-row">
        {isLink ? (
          <p className="meta">
            {t("maps.panel.kind")}: {kindLabel(node.kind)}
          </p>
        ) : (
          <label>
            {t("maps.panel.kind")}
            <select
              value={node.kind}
              onChange={(e) => {
                const kind = e.target.value as NodeKind;
                actions.setKind(id, kind);
                say(t("maps.say.kind", { kind: kindLabel(kind) }));
              }}
            >
              <Options of={PLAIN_KINDS} label={kindLabel} />
            </select>
          </label>
        )}
        {node.kind === "question" && (
          <label>
            {t("maps.status")}
            <select
              value={node.status}
              onChange={(e) => {
                const status = e.target.value as QuestionStatus;
                actions.setStatus(id, status);
                say(t("maps.say.status", { status: statusLabel(status) }));
              }}
            >
              <Options of={QUESTION_STATUSES} label={statusLabel} />
            </select>
          </label>
        )}
      </div>
      {typeof raw === "object" && raw !== null && (
        <>
          <ConflictNotice
            field={t("maps.panel.kind")}
            proposed={valueConflicts(raw, "kind", isKind)}
            label={kindLabel}
            onChoose={(kind) => actions.setKind(id, kind)}
          />
          <ConflictNotice
            field={t("maps.status")}
            proposed={valueConflicts(raw, "status", isStatus)}
            label={statusLabel}
            onChoose={(status) => actions.setStatus(id, status)}
          />
          <ConflictNotice
            field={t("maps.panel.target")}
            proposed={valueConflicts(raw, "target", isTarget)}
            label={(ref) => (ref ? (targets.get(ref)?.title ?? ref) : t("maps.node.noTarget"))}
            onChoose={(ref) => actions.setTarget(id, ref)}
          />
        </>
      )}
      {isLink && (
        <p className="map-panel-target">
          {t("maps.panel.target")}:{" "}
          {targetRoute && !target?.missing ? (
            <a href={href(targetRoute)}>{target?.title ?? node.text}</a>
          ) : (
            <span>
              {target?.title ?? node.text} ({t("maps.node.missing")})
            </span>
          )}{" "}
          <button type="button" onClick={onPickTarget}>
            {t("maps.panel.targetChange")}
          </button>
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onConnect} aria-keyshortcuts="C">
          {t("maps.connect")}
        </button>
        <button type="button" onClick={onDelete} aria-keyshortcuts="Delete">
          {t("maps.delete")}
        </button>
      </div>

      <h3>{t("maps.panel.connections")}</h3>
      {connections.length === 0 ? (
        <p className="meta">{t("maps.panel.noConnections")}</p>
      ) : (
        <ul className="map-connections">
          {connections.map((e) => {
            const otherId = e.from === id ? e.to : e.from;
            const other = map.nodes[otherId];
            const otherText = other ? `“${shortText(other)}”` : "?";
            return (
              <li key={e.id}>
                <span>
                  {e.from === id
                    ? t("maps.panel.outgoing", {
                        relation: relationLabel(e.relation),
                        other: otherText,
                      })
                    : t("maps.panel.incoming", {
                        relation: relationLabel(e.relation),
                        other: otherText,
                      })}
                </span>
                <select
                  aria-label={t("maps.panel.relationOf", { other: otherText })}
                  value={e.relation}
                  onChange={(ev) => {
                    const relation = ev.target.value as Relation;
                    actions.setRelation(e.id, relation);
                    say(t("maps.say.relation", { relation: relationLabel(relation) }));
                  }}
                >
                  <Options of={RELATIONS} label={relationLabel} />
                </select>
                <button
                  type="button"
                  className="link-button"
                  aria-label={t("maps.panel.disconnect", { other: otherText })}
                  onClick={() => {
                    actions.disconnect(e.id);
                    say(t("maps.say.disconnected"));
                  }}
                >
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}

      <LinkList
        refs={Object.keys(node.links)}
        onRemove={(ref) => actions.removeLink(id, ref)}
        label={t("maps.panel.links")}
      />
      <button type="button" onClick={onAddLink}>
        {t("maps.panel.addLink")}
      </button>
      <Backlinks target={formatRef({ type: "node", docId: mapId, itemId: id })} />
      <p className="meta">
        {t("maps.panel.by", { name: node.byName || "?", when: timeAgo(node.touchedAt) })}
      </p>
    </div>
  );
}
