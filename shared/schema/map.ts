// An inquiry map: nodes (questions, insights, resources, practices, links to a story or a log entry)
// joined by typed, directed relations. Nodes and edges live in maps keyed by random ids. A node's
// position is one value `{x, y}` set whole, so concurrent moves converge on the last writer's
// position for that node (never x from one person and y from another). Node text is Automerge text,
// co-edited. Deleting a node removes it; an edge whose end is gone (someone connected to the node
// while it was being deleted) is never drawn, and whoever sees one removes it.
import { z } from "zod";
import { itemReader, kindWithItems } from "./items.ts";

export const MAP_SCHEMA = "meitheal/map";
export const MAP_VERSION = 1;

export const NODE_KINDS = [
  "question",
  "insight",
  "resource",
  "practice",
  "story",
  "entry",
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const RELATIONS = ["raises", "answers", "supports", "challenges", "relates"] as const;
export type Relation = (typeof RELATIONS)[number];

export const QUESTION_STATUSES = ["open", "exploring", "insight", "reframed"] as const;
export type QuestionStatus = (typeof QUESTION_STATUSES)[number];

const time = z.number().finite().nonnegative();
/** Positions stay on a canvas people can reach: a peer cannot park a node at 1e300. */
const coordinate = z.number().finite().min(-1e6).max(1e6);

export const nodeValidator = z.object({
  kind: z.enum(NODE_KINDS),
  text: z.string(),
  at: z.object({ x: coordinate, y: coordinate }),
  /** For questions; ignored for other kinds. */
  status: z.enum(QUESTION_STATUSES),
  /** For story and log-entry nodes: the link string (links/ref.ts) of what the node points at. */
  target: z.string().nullable(),
  /** Other links from this node (a set of link strings). */
  links: z.record(z.string(), z.literal(true)),
  createdAt: time,
  /** Last time anyone did anything to the node: edited, moved, connected, changed its status. */
  touchedAt: time,
  by: z.string(),
  byName: z.string(),
});
export type MapNode = z.infer<typeof nodeValidator>;

export const edgeValidator = z.object({
  from: z.string(),
  to: z.string(),
  relation: z.enum(RELATIONS),
  createdAt: time,
  by: z.string(),
});
export type MapEdge = z.infer<typeof edgeValidator>;

const headerValidator = z.object({
  schema: z.literal(MAP_SCHEMA),
  version: z.literal(MAP_VERSION),
  communityId: z.string(),
  title: z.string(),
  description: z.string(),
  createdAt: time,
  updatedAt: time,
  nodes: z.record(z.string(), z.unknown()),
  edges: z.record(z.string(), z.unknown()),
});

export type InquiryMap = Omit<z.infer<typeof headerValidator>, "nodes" | "edges"> & {
  nodes: Record<string, MapNode>;
  edges: Record<string, MapEdge>;
};

const readNodes = itemReader(nodeValidator);
const readEdges = itemReader(edgeValidator);

export const mapKind = kindWithItems({
  schema: MAP_SCHEMA,
  version: MAP_VERSION,
  header: headerValidator,
  items: (header, problems): InquiryMap => ({
    ...header,
    nodes: readNodes(header.nodes, "node", problems),
    edges: readEdges(header.edges, "edge", problems),
  }),
});
