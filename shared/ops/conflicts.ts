// A value set whole (a title, a status, a log entry's date, a map node's kind) that two devices set
// while they were apart is kept by Automerge as conflicting values: one is shown as the value (the
// same one on every device), the others are only hidden. This reads them out, with who set each
// where a document says so, so the window can show both and let anyone settle it: a new set of
// the field (choosing one, or typing a new value) supersedes every value it has seen.
//
// What people must see, and what not:
// - story title, summary and status; a log's and a map's title; a log entry's date and kind; a map
//   node's kind, question status and target (what a story or entry node points at). Each is a
//   choice someone made and the other device's choice would be lost unseen.
// - not co-edited text (story body, entry texts, node text, descriptions): it merges, never
//   conflicts. Not sets kept as maps to `true` (themes, links, participants): adds merge.
// - not a node's position: two people dragging a node apart end on one of the two places, and
//   neither is a choice worth asking about; it converges silently.
// - not bookkeeping (`updatedAt`, `touchedAt`, `contributors`' `lastAt`): every write sets them.
// - the community index keeps a copy of each item's title and status for lists: both devices
//   update it, so its entry conflicts too, and a list shows the badge from the index alone.
import { getConflicts } from "@automerge/automerge";

export type ProposedValue<V = string> = {
  value: V;
  /** The device that set it, when the document's actor map knows it (stories). */
  deviceKey: string | null;
  name: string | null;
  /** Whether this is the value Automerge shows (the same on every device). */
  shown: boolean;
};

/** Who wrote what, where a document keeps it: Automerge actor → device key → name (a story). */
export type Authors = {
  actors?: Record<string, string>;
  contributors?: Record<string, { name: string }>;
};

const isString = (v: unknown): v is string => typeof v === "string";

/** Fields of each item that are set whole and shown when they conflict. */
export const STORY_CONFLICT_FIELDS = ["title", "summary", "status"] as const;
export const LOG_ENTRY_CONFLICT_FIELDS = ["date", "kind"] as const;
export const MAP_NODE_CONFLICT_FIELDS = ["kind", "status", "target"] as const;
/** A log's or a map's own title. */
export const TITLE_CONFLICT_FIELDS = ["title"] as const;
/** What a list shows of an item, from its community index entry. */
export const INDEX_CONFLICT_FIELDS = ["title", "status"] as const;

/**
 * The values set concurrently for `field` of `obj` (a document, or an object inside it such as
 * `doc.entries[id]`), or [] when there is no conflict. `accept` says which values are of the
 * field's type: a hidden value was never validated, so one a buggy peer wrote is left out.
 * Read outside a change, from the current document.
 */
export function valueConflicts<V>(
  obj: object,
  field: string,
  accept: (value: unknown) => value is V,
  authors: Authors = {},
): ProposedValue<V>[] {
  let conflicts: Record<string, unknown> | undefined;
  try {
    conflicts = getConflicts(obj as Record<string, unknown>, field);
  } catch {
    // Not an Automerge object (a copy made by a validator): nothing to read.
    return [];
  }
  if (!conflicts || Object.keys(conflicts).length < 2) return [];
  const shown = (obj as Record<string, unknown>)[field];
  const shownKey = keyOf(shown);
  const seen = new Set<string>();
  const out: ProposedValue<V>[] = [];
  for (const [opId, raw] of Object.entries(conflicts)) {
    if (!accept(raw)) continue;
    const key = keyOf(raw);
    // Two devices setting the same value is agreement, not a conflict.
    if (seen.has(key)) continue;
    seen.add(key);
    const actor = opId.slice(opId.indexOf("@") + 1);
    const deviceKey = authors.actors?.[actor] ?? null;
    const name = deviceKey ? (authors.contributors?.[deviceKey]?.name ?? null) : null;
    out.push({ value: raw, deviceKey, name, shown: key === shownKey });
  }
  if (out.length < 2) return [];
  return out.sort(
    (a, b) => Number(b.shown) - Number(a.shown) || (keyOf(a.value) < keyOf(b.value) ? -1 : 1),
  );
}

const keyOf = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

/** The values proposed concurrently for a story's (or any document's) text `field`. */
export function fieldConflicts<T extends Authors>(
  doc: T,
  field: string & keyof T,
): ProposedValue[] {
  return valueConflicts(doc, field, isString, doc);
}

/** Whether `field` of `obj` holds more than one value; cheap, and works inside a change too. */
export function isConflicted(obj: object, field: string): boolean {
  try {
    const conflicts = getConflicts(obj as Record<string, unknown>, field);
    return conflicts !== undefined && Object.keys(conflicts).length > 1;
  } catch {
    return false;
  }
}

/**
 * A reader of which `fields` of an item conflict, remembered per item object: Automerge gives an
 * object a new identity whenever anything in it changes (a conflicting value arriving included),
 * so a timeline of thousands of entries asks Automerge again only for the one that changed.
 */
export function conflictReader<F extends string>(fields: readonly F[]) {
  const cache = new WeakMap<object, readonly F[]>();
  return (obj: unknown): readonly F[] => {
    if (typeof obj !== "object" || obj === null) return [];
    // Inside a change Automerge hands out one proxy per object for the whole change: never cache it.
    const proxy = (obj as Record<symbol, unknown>)[IS_PROXY] === true;
    const hit = proxy ? undefined : cache.get(obj);
    if (hit) return hit;
    const found = fields.filter((f) => valueConflicts(obj, f, acceptAny).length > 0);
    if (!proxy) cache.set(obj, found);
    return found;
  };
}

const IS_PROXY = Symbol.for("_am_isProxy");

const acceptAny = (value: unknown): value is unknown => value !== undefined;

/** Which of a list entry's title and status conflict (from the community index alone). */
export const indexEntryConflicts = conflictReader(INDEX_CONFLICT_FIELDS);
/** Which of a log entry's set-whole fields conflict. */
export const logEntryConflicts = conflictReader(LOG_ENTRY_CONFLICT_FIELDS);
/** Which of a map node's set-whole fields conflict. */
export const mapNodeConflicts = conflictReader(MAP_NODE_CONFLICT_FIELDS);
