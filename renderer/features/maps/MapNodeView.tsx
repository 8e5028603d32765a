// One node on the canvas. Memoised, and its data object is reused while the node is unchanged
// (MapCanvas), so dragging one node in a map of hundreds re-renders only that node.
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo, type CSSProperties } from "react";
import type { MapNode } from "../../../shared/schema/map.ts";
import { t } from "../../i18n/index.ts";
import { KIND_COLOUR, kindLabel, nodeText, statusLabel } from "./labels.ts";

export type NodeData = {
  node: MapNode;
  /** For story and entry nodes: the target's title now, and where it opens. */
  target: { title: string; href: string | null; missing: boolean } | null;
  stale: boolean;
  /** Its kind, status or target was set on two devices while they were apart. */
  conflict: boolean;
};
export type FlowNode = Node<NodeData, "mapNode">;

function MapNodeViewInner({ data }: NodeProps<FlowNode>) {
  const { node, target, stale, conflict } = data;
  return (
    <div
      className={`map-node kind-${node.kind}${stale ? " stale" : ""}`}
      style={{ "--kind": KIND_COLOUR[node.kind] } as CSSProperties}
    >
      <Handle type="target" position={Position.Top} />
      <div className="map-node-head">
        <span className="map-node-kind">{kindLabel(node.kind)}</span>
        {node.kind === "question" && (
          <span className={`map-badge badge-${node.status}`}>{statusLabel(node.status)}</span>
        )}
        {stale && <span className="map-badge badge-stale">{t("maps.node.stale")}</span>}
        {conflict && <span className="map-badge badge-conflict">{t("conflict.badge")}</span>}
      </div>
      <p className={`map-node-text${node.text.trim() ? "" : " empty"}`}>{nodeText(node)}</p>
      {target && (
        <p className="map-node-target">
          {target.href && !target.missing ? (
            // Out of the tab order: Tab goes node to node; the side panel has the same link.
            <a href={target.href} className="nodrag" tabIndex={-1}>
              → {target.title}
            </a>
          ) : (
            <span className="meta">
              → {target.title} ({t("maps.node.missing")})
            </span>
          )}
        </p>
      )}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

export const MapNodeView = memo(MapNodeViewInner);
