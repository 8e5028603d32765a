// An edge on the canvas: a curve with an arrow and its relation written at the middle. React
// Flow's own edge label measures its text on every move (a forced layout per frame for each edge
// of a node being dragged); this one is plain SVG text with a halo, so it needs no measuring.
import { BaseEdge, getBezierPath, type EdgeProps } from "@xyflow/react";
import { memo } from "react";

function RelationEdgeInner({
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  markerEnd,
  label,
}: EdgeProps) {
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    sourcePosition,
    targetX,
    targetY,
    targetPosition,
  });
  return (
    <>
      <BaseEdge path={path} markerEnd={markerEnd} interactionWidth={0} />
      {typeof label === "string" && (
        <text
          x={labelX}
          y={labelY}
          textAnchor="middle"
          dominantBaseline="middle"
          className="react-flow__edge-text map-edge-label"
        >
          {label}
        </text>
      )}
    </>
  );
}

export const RelationEdge = memo(RelationEdgeInner);
