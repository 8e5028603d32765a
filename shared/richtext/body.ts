// Reading a story body (Automerge spans) as a ProseMirror document, whatever the merge left in it,
// and writing a document back as spans.
//
// A block marker is an Automerge map, and concurrent edits to one marker merge field by field: one
// peer turns a block into a list item (`parents`), another into a heading (`type`), and the merge
// is a heading whose parents say "inside a list item" — which the schema cannot hold where it
// stands (a list item starts with a paragraph). @automerge/prosemirror 0.2.0's `pmDocFromSpans`
// throws on such spans ("Match cannot be null"), and so does everything in it that maps indexes.
// `readBody` reads them anyway by repairing, in a copy, each marker that cannot stand where it
// is; the repairs are deterministic, so every peer reads the same document and any peer may write
// them back (`repairBody`), like a migration.
import {
  ImmutableString,
  spans,
  updateSpans,
  type Doc,
  type MaterializeValue,
  type Prop,
  type Span,
} from "@automerge/automerge";
import { pmDocFromSpans, pmNodeToSpans, type SchemaAdapter } from "@automerge/prosemirror";
import { Fragment, type Node as PmNode } from "prosemirror-model";
import { listStart } from "./schema.ts";

export type BlockValue = {
  type: ImmutableString;
  parents: ImmutableString[];
  attrs: { [key: string]: MaterializeValue };
  isEmbed: boolean;
};

/** A repaired block marker: its index in the Automerge text and what it should hold. */
export type Repair = { index: number; block: BlockValue };

export type BodyReading = {
  doc: PmNode;
  /** The spans the document was read from: the input, or a repaired copy. Indexes are unchanged. */
  spans: Span[];
  repairs: Repair[];
};

const text = (value: unknown): string =>
  value instanceof ImmutableString ? value.val : typeof value === "string" ? value : "";

const readable = (adapter: SchemaAdapter, list: Span[]): boolean => {
  try {
    pmDocFromSpans(adapter, list);
    return true;
  } catch {
    return false;
  }
};

/**
 * The length of the longest prefix of `spans` that reads. Reading is sequential, so a prefix that
 * reads stays readable when shortened: binary search.
 */
function readablePrefix(adapter: SchemaAdapter, list: Span[]): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (readable(adapter, list.slice(0, mid))) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const blockValue = (
  type: string,
  parents: string[],
  attrs: BlockValue["attrs"],
  isEmbed: boolean,
): BlockValue => ({
  type: new ImmutableString(type),
  parents: parents.map((p) => new ImmutableString(p)),
  attrs,
  isEmbed,
});

/**
 * What to try instead of a marker that cannot stand where it is, most faithful first: the same
 * block less deeply nested, then a paragraph at the same depth and shallower. A paragraph at the
 * top level can always stand, so the list never runs out.
 */
function candidates(value: { [key: string]: MaterializeValue }): BlockValue[] {
  const type = text(value.type) || "paragraph";
  const parents = Array.isArray(value.parents) ? value.parents.map(text) : [];
  const attrs =
    typeof value.attrs === "object" && value.attrs !== null && !Array.isArray(value.attrs)
      ? (value.attrs as BlockValue["attrs"])
      : {};
  const out: BlockValue[] = [];
  for (let k = parents.length - 1; k >= 0; k--)
    out.push(blockValue(type, parents.slice(0, k), attrs, false));
  for (let k = parents.length; k >= 0; k--)
    out.push(blockValue("paragraph", parents.slice(0, k), {}, false));
  return out;
}

/** The Automerge index of each span: text counts its characters, a block marker one. */
function indexes(list: readonly Span[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const span of list) {
    out.push(at);
    at += span.type === "text" ? span.value.length : 1;
  }
  return out;
}

const startOf = (item: PmNode | null): number => {
  const extra: unknown = item?.attrs.unknownAttrs;
  return typeof extra === "object" && extra !== null && "start" in extra
    ? listStart(extra.start)
    : 1;
};

/**
 * The document with each ordered list's start number (`order`) read from its first item's marker,
 * where encodeBody writes it. Documents without a numbered list that starts elsewhere than 1 are
 * returned as they are.
 */
function withListStarts(doc: PmNode): PmNode {
  let any = false;
  doc.descendants((node) => {
    if (node.type.name === "ordered_list" && startOf(node.firstChild) !== 1) any = true;
    return !any;
  });
  if (!any) return doc;
  const rebuild = (node: PmNode): PmNode => {
    if (node.isTextblock || node.isLeaf) return node;
    const children: PmNode[] = [];
    node.forEach((child) => void children.push(rebuild(child)));
    const attrs =
      node.type.name === "ordered_list"
        ? { ...node.attrs, order: startOf(node.firstChild) }
        : node.attrs;
    return node.type.create(attrs, Fragment.from(children), node.marks);
  };
  return rebuild(doc);
}

const pmDoc = (adapter: SchemaAdapter, list: Span[]): PmNode =>
  withListStarts(pmDocFromSpans(adapter, list));

/** Reads spans as a document, repairing (in a copy) the block markers that cannot be read. */
export function readBody(adapter: SchemaAdapter, input: Span[]): BodyReading {
  try {
    return { doc: pmDoc(adapter, input), spans: input, repairs: [] };
  } catch {
    // Fall through to the repair below: rare, and slower (a few reads per repaired marker).
  }
  const fixed = input.slice();
  const at = indexes(fixed);
  const repairs: Repair[] = [];
  for (let guard = 0; guard <= fixed.length; guard++) {
    const good = readablePrefix(adapter, fixed);
    if (good === fixed.length) return { doc: pmDoc(adapter, fixed), spans: fixed, repairs };
    // The span that cannot be read, or the text it is in: repair the nearest marker at or before it.
    let target = good;
    while (target >= 0 && fixed[target]?.type !== "block") target--;
    const span = fixed[target];
    if (!span || span.type !== "block") break;
    const prefix = fixed.slice(0, good + 1);
    const choice = candidates(span.value).find((candidate) => {
      prefix[target] = { type: "block", value: candidate };
      return readable(adapter, prefix);
    });
    if (!choice) break;
    fixed[target] = { type: "block", value: choice };
    repairs.push({ index: at[target] ?? 0, block: choice });
  }
  // Nothing local helped: read every marker as a top-level paragraph, which always reads.
  const flat = fixed.map((span, i): Span => {
    if (span.type !== "block") return span;
    const block = blockValue("paragraph", [], {}, false);
    repairs.push({ index: at[i] ?? 0, block });
    return { type: "block", value: block };
  });
  return { doc: pmDoc(adapter, flat), spans: flat, repairs };
}

/**
 * Writes the repairs a reading needs into the document (inside `handle.change`) and returns how
 * many markers it repaired. The repaired spans go through `updateSpans`, which sets the changed
 * fields of each marker in place: two peers repairing the same marker at once write the same
 * values and converge. (`updateBlock` would replace the marker, and two concurrent replacements
 * leave two markers — an empty block out of nowhere.)
 */
export function repairBody<T>(adapter: SchemaAdapter, doc: Doc<T>, path: Prop[]): number {
  const reading = readBody(adapter, spans(doc, path));
  if (reading.repairs.length > 0)
    updateSpans(doc, path, reading.spans, adapter.updateSpansConfig());
  return reading.repairs.length;
}

const explicit = (node: PmNode): boolean => node.attrs.isAmgBlock === true;

const withMarker = (node: PmNode, on: boolean, content = node.content): PmNode =>
  explicit(node) === on && content === node.content
    ? node
    : node.type.create({ ...node.attrs, isAmgBlock: on }, content, node.marks);

const hasMarkedInline = (textblock: PmNode): boolean => {
  let found = false;
  textblock.forEach((child) => {
    if (child.isInline && explicit(child)) found = true;
  });
  return found;
};

/**
 * Sets, before encoding, the block-marker flags (`isAmgBlock`) for which upstream's encoder
 * (`pmNodeToSpans`, 0.2.0) writes spans that read back as a different document — each found by
 * the convergence test (test/sync/richtextConvergence.test.ts):
 *
 * - Every list item has a marker of its own: that marker is what makes it an item. Upstream leaves
 *   a new item without one when its paragraph already has a marker (wrapping a paragraph in a
 *   list, joining one into the list above) or holds a line break that has one, and the item then
 *   reads back as a second paragraph of the item before it.
 * - The item's marker stands for its first paragraph, so that paragraph has none, unless it is
 *   empty and more follows in the item: with no text to hold it, it would read back as nothing.
 *   An empty paragraph opening a quote always gets one, for the same reason (what follows, or a
 *   quote right after it, which reads as the same quote, would take its place).
 * - A paragraph or heading without a marker around a line break that has one (changing a block's
 *   type recreates the node) gets one, unless a marker already covers it: upstream takes the line
 *   break's marker for the block's own and writes none, and the block loses its type.
 */
function markersForEncoding(node: PmNode): PmNode {
  // A rule is a block with no text: upstream writes a marker for a leaf only when it has one.
  if (node.type.name === "horizontal_rule") return withMarker(node, true);
  if (node.isTextblock || node.isLeaf) return node;
  const isItem = node.type.name === "list_item";
  const isOrdered = node.type.name === "ordered_list";
  const isQuote = node.type.name === "blockquote";
  let changed = false;
  const children: PmNode[] = [];
  node.forEach((child, _offset, index) => {
    let next = markersForEncoding(child);
    if (next.isTextblock) {
      const empty = next.content.size === 0;
      const opening = index === 0;
      if (isItem && opening) next = withMarker(next, empty && node.childCount > 1);
      else if (!explicit(next)) {
        // Where upstream reads text without a marker into a block anyway: the opening of a quote
        // that has one, and a story that is one paragraph.
        const covered =
          (isQuote && opening && explicit(node)) ||
          (node.type.name === "doc" && node.childCount === 1);
        if ((isQuote && opening && empty) || (hasMarkedInline(next) && !covered))
          next = withMarker(next, true);
      }
    }
    if (next.type.name === "list_item") {
      // An ordered list's start number rides on its first item's marker; no other item has one.
      const start = isOrdered && index === 0 ? listStart(node.attrs.order) : 1;
      if (startOf(next) !== start) {
        const extra: unknown = next.attrs.unknownAttrs;
        const rest: Record<string, unknown> = {
          ...(typeof extra === "object" && extra !== null ? extra : {}),
        };
        delete rest.start;
        if (start !== 1) rest.start = start;
        const unknownAttrs = Object.keys(rest).length > 0 ? rest : null;
        next = next.type.create({ ...next.attrs, unknownAttrs }, next.content, next.marks);
      }
    }
    if (next !== child) changed = true;
    children.push(next);
  });
  const content = changed ? Fragment.from(children) : node.content;
  if (isItem) return withMarker(node, true, content);
  return changed ? node.copy(content) : node;
}

/** The spans of an editor document, to write with `updateSpans` (inside `handle.change`). */
export function encodeBody(adapter: SchemaAdapter, doc: PmNode): Span[] {
  return pmNodeToSpans(adapter, markersForEncoding(doc));
}
