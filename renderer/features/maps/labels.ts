// How a node, a relation and a status read to a person, in one place for the canvas, the side
// panel, the outline, the dialogs and the export.
import {
  NODE_KINDS,
  QUESTION_STATUSES,
  RELATIONS,
  type MapNode,
  type NodeKind,
  type QuestionStatus,
  type Relation,
} from "../../../shared/schema/map.ts";
import { t } from "../../i18n/index.ts";

/** Each kind's colour: a node's edge on the canvas, its box when far away, the minimap. */
export const KIND_COLOUR: Record<NodeKind, string> = {
  question: "#1f6f5c",
  insight: "#b58a00",
  resource: "#2b5d9b",
  practice: "#7a4e9c",
  story: "#a3291b",
  entry: "#55605a",
};

export const kindLabel = (kind: NodeKind): string => t(`maps.kind.${kind}`);
export const relationLabel = (relation: Relation): string => t(`maps.relation.${relation}`);
export const statusLabel = (status: QuestionStatus): string => t(`maps.status.${status}`);

/** The node's text, or a word saying it has none (an empty node is still something to reach). */
export const nodeText = (node: Pick<MapNode, "text">): string =>
  node.text.trim() || t("maps.node.empty");

/** "Question: How do we share tools?": for lists, announcements and accessible names. */
export const nodeLabel = (node: Pick<MapNode, "kind" | "text">): string =>
  t("maps.node.label", { kind: kindLabel(node.kind), text: nodeText(node) });

/** Short text for options and titles: the first line, at most 80 characters. */
export const shortText = (node: Pick<MapNode, "text">): string => {
  const line = nodeText(node).split("\n")[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
};

const record = <K extends string>(keys: readonly K[], label: (k: K) => string) =>
  Object.fromEntries(keys.map((k) => [k, label(k)])) as Record<K, string>;

/** Every kind, relation and status by name, for a drawing made outside React (the export). */
export const allLabels = () => ({
  kind: record(NODE_KINDS, kindLabel),
  relation: record(RELATIONS, relationLabel),
  status: record(QUESTION_STATUSES, statusLabel),
});
