// What search and the link graph know about a document: the items it holds (a story is one item, a
// log and each of its volumes one per live entry, a map one per node), their words and the links
// going out of them. Pure,
// so the peer's index and any later exporter read documents the same way; the input is always a
// document that passed its kind's validator, because a peer can write anything into a CRDT.
import { spans, toJS, type Doc, type Span } from "@automerge/automerge";
import type { ItemType } from "../contract.ts";
import { formatRef, hrefRef, parseRef } from "../links/ref.ts";
import { spansToPlainText } from "../richtext/text.ts";
import type { DocKind } from "../schema/kind.ts";
import { logKind, type Log, type LogEntry } from "../schema/log.ts";
import { logVolumeKind } from "../schema/logVolume.ts";
import { mapKind, type InquiryMap, type MapNode } from "../schema/map.ts";
import { storyKind, type Story } from "../schema/story.ts";

/** One thing search can find and a link can point at. */
export type SearchItem = {
  /** Its link string (links/ref.ts), also its id in the index. */
  ref: string;
  type: ItemType;
  title: string;
  /** The log's or map's title; null for a story. */
  context: string | null;
  /** Everything else people wrote in it, as plain text. */
  text: string;
  /** A story's summary; empty for entries and nodes. */
  summary: string;
  /** Theme ids, sorted. */
  themes: string[];
  /** Link strings it points at (canonical, each once, in the order they appear). */
  links: string[];
};

/** The kinds of document that hold searchable items (collections only order stories). */
export const SEARCHABLE_KINDS = ["story", "log", "map"] as const;
export type SearchableKind = (typeof SEARCHABLE_KINDS)[number];
export const isSearchableKind = (value: unknown): value is SearchableKind =>
  value === "story" || value === "log" || value === "map";

/** A title is one line; a very long first line is cut so lists and link chips stay readable. */
export const TITLE_MAX = 120;

/** The first non-empty line of a text, trimmed and cut to TITLE_MAX characters ("" when none). */
export function firstLine(text: string): string {
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    return trimmed.length > TITLE_MAX ? `${trimmed.slice(0, TITLE_MAX - 1).trimEnd()}…` : trimmed;
  }
  return "";
}

/** Each link string that parses, in canonical form, once; anything else (a buggy peer) is left out. */
export function validRefs(candidates: Iterable<unknown>): string[] {
  const out = new Set<string>();
  for (const candidate of candidates) {
    const ref = parseRef(candidate);
    if (ref) out.add(formatRef(ref));
  }
  return [...out];
}

/**
 * The internal link a stored link mark names, or null. The mark holds JSON `{href}` (see
 * richtext/schema.ts linkMarkValue); sanitizeHref is not used because it refuses `meitheal:`, which
 * is exactly what is wanted here.
 */
export function markRef(value: unknown): string | null {
  if (typeof value !== "string") return null;
  let href: unknown = value;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === "object" && parsed !== null && "href" in parsed) href = parsed.href;
  } catch {
    // A bare href from an editor that did not JSON-encode its marks.
  }
  const ref = hrefRef(href);
  return ref ? formatRef(ref) : null;
}

/** The plain text of a story body and the internal links in its link marks. */
export function readBodySpans(list: readonly Span[]): { text: string; links: string[] } {
  const links = new Set<string>();
  for (const span of list) {
    if (span.type !== "text" || !span.marks) continue;
    const ref = markRef(span.marks.link);
    if (ref) links.add(ref);
  }
  return { text: spansToPlainText(list), links: [...links] };
}

/**
 * A story's body as text and links, read from the Automerge document. A validated story's body is
 * a text, but reading spans must still never throw out of here: fall back to the string value,
 * whose block markers read as U+FFFC.
 */
export function storyBody(doc: Doc<unknown>, fallback: string): { text: string; links: string[] } {
  try {
    return readBodySpans(spans(doc, ["body"]));
  } catch {
    return { text: fallback.replace(/\uFFFC/g, "\n").replace(/^\n/, ""), links: [] };
  }
}

const sortedKeys = (record: Record<string, unknown>): string[] => Object.keys(record).sort();

export function storyItem(docId: string, story: Story, body: { text: string; links: string[] }) {
  const item: SearchItem = {
    ref: formatRef({ type: "story", docId }),
    type: "story",
    title: story.title.trim(),
    context: null,
    text: body.text,
    summary: story.summary,
    themes: sortedKeys(story.themes),
    links: validRefs(body.links),
  };
  return item;
}

/** An entry's short title: the first line of what happened, or its date and kind. */
export const entryTitle = (entry: LogEntry): string =>
  firstLine(entry.happened) || `${entry.date} ${entry.kind}`;

export function entryItem(docId: string, entryId: string, entry: LogEntry, logTitle: string) {
  const names = Object.values(entry.participants).map((p) => p.name);
  const item: SearchItem = {
    ref: formatRef({ type: "entry", docId, itemId: entryId }),
    type: "entry",
    title: entryTitle(entry),
    context: logTitle,
    text: [entry.happened, entry.tried, entry.learned, entry.next, ...names]
      .filter((part) => part.trim() !== "")
      .join("\n"),
    summary: "",
    themes: sortedKeys(entry.themes),
    links: validRefs(Object.keys(entry.links)),
  };
  return item;
}

/**
 * Items of live entries (a deleted one is found no more, and links nowhere), with the log's id in
 * their refs: an entry is linked to as `entry/<log>/<entry>` wherever it is kept.
 */
function entryItems(
  logId: string,
  entries: Record<string, LogEntry>,
  logTitle: string,
): SearchItem[] {
  const out: SearchItem[] = [];
  for (const [entryId, entry] of Object.entries(entries)) {
    if (entry.deletedAt !== null) continue;
    const ref = parseRef(`entry/${logId}/${entryId}`);
    if (ref) out.push(entryItem(logId, entryId, entry, logTitle));
  }
  return out;
}

/** The items of a log: the live entries it holds itself (written before logs had volumes). */
export function logItems(docId: string, log: Log): SearchItem[] {
  return entryItems(docId, log.entries, log.title.trim());
}

/**
 * What the community index says of a volume: the log it belongs to, and the title the index gives
 * that log (a volume has no title of its own, and reading the log's document for it would make
 * every volume wait for its log).
 */
export type VolumeListing = { readonly log: string; readonly logTitle: string };

/**
 * The items of a log volume: its live entries, as entries of the log the index names. Null when it
 * does not read as a volume, or names another log than its index entry does (a buggy or hostile
 * peer could list one log's volume under another): such a volume is skipped, never trusted.
 */
export function extractVolume(doc: Doc<unknown>, listing: VolumeListing): SearchItem[] | null {
  try {
    const volume = readAs(logVolumeKind, doc);
    if (!volume || volume.logId !== listing.log) return null;
    return entryItems(listing.log, volume.entries, listing.logTitle.trim());
  } catch {
    return null;
  }
}

/** A node's short title: the first line of its text, or its kind when it has none. */
export const nodeTitle = (node: MapNode): string => firstLine(node.text) || node.kind;

export function nodeItem(docId: string, nodeId: string, node: MapNode, mapTitle: string) {
  const item: SearchItem = {
    ref: formatRef({ type: "node", docId, itemId: nodeId }),
    type: "node",
    title: nodeTitle(node),
    context: mapTitle,
    text: node.text,
    summary: "",
    themes: [],
    links: validRefs([...Object.keys(node.links), node.target]),
  };
  return item;
}

export function mapItems(docId: string, map: InquiryMap): SearchItem[] {
  const out: SearchItem[] = [];
  for (const [nodeId, node] of Object.entries(map.nodes)) {
    // An id that cannot be a link string cannot be linked to or opened: leave it out.
    if (parseRef(`node/${docId}/${nodeId}`))
      out.push(nodeItem(docId, nodeId, node, map.title.trim()));
  }
  return out;
}

/**
 * A document as its kind reads it. One written by an older Meitheal is read through its
 * migrations, applied to a plain copy: search never writes to a document.
 */
export function readAs<T>(kind: DocKind<T>, doc: unknown): T | null {
  let read = kind.read(doc);
  if (read.state === "needs-migration") {
    const copy = toJS<Record<string, unknown>>(doc as Doc<Record<string, unknown>>);
    kind.migrate(copy);
    read = kind.read(copy);
  }
  return read.state === "ok" ? read.doc : null;
}

/**
 * The items of a document the community index lists as `kind`, or null when it does not read as
 * that kind (damaged, newer, or another kind): such a document is skipped, never trusted.
 */
export function extractDocument(
  kind: SearchableKind,
  docId: string,
  doc: Doc<unknown>,
): SearchItem[] | null {
  try {
    switch (kind) {
      case "story": {
        const story = readAs(storyKind, doc);
        return story ? [storyItem(docId, story, storyBody(doc, story.body))] : null;
      }
      case "log": {
        const log = readAs(logKind, doc);
        return log ? logItems(docId, log) : null;
      }
      case "map": {
        const map = readAs(mapKind, doc);
        return map ? mapItems(docId, map) : null;
      }
    }
  } catch {
    // Whatever a peer wrote, reading it must not take the index (or the peer) down.
    return null;
  }
}
