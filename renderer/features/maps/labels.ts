// How a node, a relation and a status read to a person, in one place for the canvas, the side
// panel, the outline, the dialogs and the export.
import type { MapNode, NodeKind, QuestionStatus, Relation } from "../../../shared/schema/map.ts";
import { t } from "../../i18n/index.ts";

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
