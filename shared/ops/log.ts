// Operations on a practice log, and the views of it (timeline, filters). Text fields are merged as
// text (`updateText`); kind, date and the log's title are set whole.
import { updateText } from "@automerge/automerge";
import {
  LOG_SCHEMA,
  LOG_VERSION,
  type EntryKindName,
  type EntryTextField,
  type Log,
  type LogEntry,
  type Participant,
} from "../schema/log.ts";
import { isConflicted } from "./conflicts.ts";
import type { OpContext } from "./context.ts";

export type NewLog = { communityId: string; title: string; description?: string };

export function initLog(doc: Record<string, unknown>, args: NewLog, ctx: OpContext): void {
  const now = ctx.now();
  Object.assign(doc, {
    schema: LOG_SCHEMA,
    version: LOG_VERSION,
    communityId: args.communityId,
    title: args.title,
    description: args.description ?? "",
    createdAt: now,
    updatedAt: now,
    entries: {},
  });
}

export function renameLog(doc: Log, title: string, ctx: OpContext): void {
  if (doc.title === title) return;
  doc.title = title;
  doc.updatedAt = ctx.now();
}

export function setLogDescription(doc: Log, description: string, ctx: OpContext): void {
  if (doc.description === description) return;
  updateText(doc, ["description"], description);
  doc.updatedAt = ctx.now();
}

/**
 * What holds entries: a volume (schema/logVolume.ts), or the log itself for entries written before
 * logs had volumes. Every entry operation works on either.
 */
export type EntryHolder = { entries: Record<string, LogEntry>; updatedAt: number };

export type NewEntry = {
  date: string;
  kind: EntryKindName;
  by: string;
  byName: string;
  participants?: readonly Participant[];
  themes?: readonly string[];
} & Partial<Record<EntryTextField, string>>;

/** Adds an entry; returns its id. Every map an entry will need is made here, by its one writer. */
export function addLogEntry(doc: EntryHolder, args: NewEntry, ctx: OpContext): string {
  const id = ctx.newId();
  const now = ctx.now();
  const participants: Record<string, Participant> = {};
  for (const p of args.participants ?? []) participants[ctx.newId()] = participantValue(p);
  const themes: Record<string, true> = {};
  for (const t of args.themes ?? []) themes[t] = true;
  doc.entries[id] = {
    date: args.date,
    kind: args.kind,
    happened: args.happened ?? "",
    tried: args.tried ?? "",
    learned: args.learned ?? "",
    next: args.next ?? "",
    participants,
    themes,
    links: {},
    createdAt: now,
    updatedAt: now,
    by: args.by,
    byName: args.byName,
    deletedAt: null,
  };
  doc.updatedAt = now;
  return id;
}

// Automerge refuses `undefined`: a guest has no `member` key at all.
const participantValue = (p: Participant): Participant =>
  p.member === undefined ? { name: p.name } : { name: p.name, member: p.member };

const touch = (doc: EntryHolder, entry: LogEntry, ctx: OpContext) => {
  const now = ctx.now();
  entry.updatedAt = now;
  doc.updatedAt = now;
};

/** Edits one text field of an entry; concurrent edits merge character by character. */
export function setEntryText(
  doc: EntryHolder,
  id: string,
  field: EntryTextField,
  text: string,
  ctx: OpContext,
): void {
  const entry = doc.entries[id];
  if (!entry || entry[field] === text) return;
  updateText(doc, ["entries", id, field], text);
  touch(doc, entry, ctx);
}

export function setEntryDate(doc: EntryHolder, id: string, date: string, ctx: OpContext): void {
  const entry = doc.entries[id];
  // The same value again settles a conflict (two devices set it apart): a new set supersedes both.
  if (!entry || (entry.date === date && !isConflicted(entry, "date"))) return;
  entry.date = date;
  touch(doc, entry, ctx);
}

export function setEntryKind(
  doc: EntryHolder,
  id: string,
  kind: EntryKindName,
  ctx: OpContext,
): void {
  const entry = doc.entries[id];
  if (!entry || (entry.kind === kind && !isConflicted(entry, "kind"))) return;
  entry.kind = kind;
  touch(doc, entry, ctx);
}

/** Adds a participant (a member by key, or a guest by name); returns its id. */
export function addParticipant(
  doc: EntryHolder,
  id: string,
  participant: Participant,
  ctx: OpContext,
): string | null {
  const entry = doc.entries[id];
  if (!entry) return null;
  const existing = Object.entries(entry.participants).find(([, p]) =>
    participant.member
      ? p.member === participant.member
      : !p.member && sameName(p.name, participant.name),
  );
  if (existing) return existing[0];
  const pid = ctx.newId();
  entry.participants[pid] = participantValue(participant);
  touch(doc, entry, ctx);
  return pid;
}

export function removeParticipant(
  doc: EntryHolder,
  id: string,
  participantId: string,
  ctx: OpContext,
) {
  const entry = doc.entries[id];
  if (!entry?.participants[participantId]) return;
  delete entry.participants[participantId];
  touch(doc, entry, ctx);
}

export function setEntryThemes(
  doc: EntryHolder,
  id: string,
  themeIds: readonly string[],
  ctx: OpContext,
): void {
  const entry = doc.entries[id];
  if (!entry) return;
  const wanted = new Set(themeIds);
  let changed = false;
  for (const t of Object.keys(entry.themes))
    if (!wanted.has(t)) {
      delete entry.themes[t];
      changed = true;
    }
  for (const t of wanted)
    if (!entry.themes[t]) {
      entry.themes[t] = true;
      changed = true;
    }
  if (changed) touch(doc, entry, ctx);
}

export function addEntryLink(doc: EntryHolder, id: string, ref: string, ctx: OpContext): void {
  const entry = doc.entries[id];
  if (!entry || entry.links[ref]) return;
  entry.links[ref] = true;
  touch(doc, entry, ctx);
}

export function removeEntryLink(doc: EntryHolder, id: string, ref: string, ctx: OpContext): void {
  const entry = doc.entries[id];
  if (!entry?.links[ref]) return;
  delete entry.links[ref];
  touch(doc, entry, ctx);
}

/** Marks an entry deleted: it leaves every view, and `restoreLogEntry` brings it back whole. */
export function deleteLogEntry(doc: EntryHolder, id: string, ctx: OpContext): void {
  const entry = doc.entries[id];
  if (!entry || entry.deletedAt !== null) return;
  entry.deletedAt = ctx.now();
  doc.updatedAt = ctx.now();
}

export function restoreLogEntry(doc: EntryHolder, id: string, ctx: OpContext): void {
  const entry = doc.entries[id];
  if (!entry || entry.deletedAt === null) return;
  entry.deletedAt = null;
  doc.updatedAt = ctx.now();
}

// ---- Views ----

export type ListedLogEntry = LogEntry & { id: string };

const sameName = (a: string, b: string) =>
  a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

/** Live entries, newest first: by date, then by when written, then by id, so every peer agrees. */
export function liveEntries(log: Pick<Log, "entries">): ListedLogEntry[] {
  return liveEntriesIn([{ id: "", entries: log.entries }]);
}

/** An entry and the document holding it (a volume's id, or the log's for its own entries). */
export type HeldLogEntry = ListedLogEntry & { holder: string };

// An entry as listed, per entry object: a validated entry keeps its object while it is unchanged
// (schema/items.ts), so listing 5,000 entries again after one keystroke makes one new object.
const listed = new WeakMap<LogEntry, HeldLogEntry>();

// A holder's entries as listed (null for a deleted one), per entries record: a volume nobody
// changed keeps its record, so only the volume being typed in is gone through again.
const heldLists = new WeakMap<object, { holder: string; list: [string, HeldLogEntry | null][] }>();

function heldOf(holder: {
  id: string;
  entries: Record<string, LogEntry>;
}): [string, HeldLogEntry | null][] {
  const cached = heldLists.get(holder.entries);
  if (cached?.holder === holder.id) return cached.list;
  const list: [string, HeldLogEntry | null][] = [];
  for (const [id, e] of Object.entries(holder.entries)) {
    if (e.deletedAt !== null) {
      list.push([id, null]);
      continue;
    }
    let item = listed.get(e);
    if (!item || item.id !== id || item.holder !== holder.id) {
      item = { ...e, id, holder: holder.id };
      listed.set(e, item);
    }
    list.push([id, item]);
  }
  heldLists.set(holder.entries, { holder: holder.id, list });
  return list;
}

const byTimeline = (a: HeldLogEntry, b: HeldLogEntry) =>
  (a.date < b.date ? 1 : a.date > b.date ? -1 : 0) ||
  b.createdAt - a.createdAt ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The live entries of several holders (a log and its volumes), in timeline order. An id found in
 * two holders (only a buggy peer writes that) is shown once, from the holder first in the list.
 * `previous`, the last list made for the same log, is reused for its order when no entry came,
 * went or changed date (typing in an entry): no sort of the whole log per keystroke.
 */
export function liveEntriesIn(
  holders: readonly { id: string; entries: Record<string, LogEntry> }[],
  previous?: readonly HeldLogEntry[],
): HeldLogEntry[] {
  const live = new Map<string, HeldLogEntry>();
  const seen = new Set<string>();
  for (const holder of holders)
    for (const [id, item] of heldOf(holder)) {
      if (seen.has(id)) continue;
      seen.add(id);
      if (item) live.set(id, item);
    }
  if (previous && previous.length === live.size) {
    const out: HeldLogEntry[] = [];
    for (const before of previous) {
      const now = live.get(before.id);
      if (!now || now.date !== before.date || now.createdAt !== before.createdAt) break;
      out.push(now);
    }
    if (out.length === live.size) return out;
  }
  return [...live.values()].sort(byTimeline);
}

export type LogFilter = {
  kind?: EntryKindName;
  theme?: string;
  /** A participant key from `logParticipants` (`m:<device key>` or `g:<name>`). */
  participant?: string;
  /** Inclusive calendar days. */
  from?: string;
  to?: string;
};

/** The key a filter uses for a participant: members by device key, guests by name. */
export const participantKey = (p: Participant): string =>
  p.member ? `m:${p.member}` : `g:${p.name.trim().toLocaleLowerCase()}`;

export function filterLogEntries(
  entries: readonly ListedLogEntry[],
  filter: LogFilter,
): ListedLogEntry[] {
  return entries.filter(
    (e) =>
      (!filter.kind || e.kind === filter.kind) &&
      (!filter.theme || e.themes[filter.theme] === true) &&
      (!filter.from || e.date >= filter.from) &&
      (!filter.to || e.date <= filter.to) &&
      (!filter.participant ||
        Object.values(e.participants).some((p) => participantKey(p) === filter.participant)),
  );
}

// Who took part in an entry, per entry object (see `listed`): kept while the entry is unchanged.
const peopleOf = new WeakMap<ListedLogEntry, { key: string; name: string; guest: boolean }[]>();

/** Everyone who took part in any live entry, for the participant filter, sorted by name. */
export function logParticipants(
  entries: readonly ListedLogEntry[],
): { key: string; name: string; guest: boolean }[] {
  const seen = new Map<string, { key: string; name: string; guest: boolean }>();
  for (const e of entries) {
    let people = peopleOf.get(e);
    if (!people) {
      // Trimmed: a guest typed as " Visitor" would otherwise sort before everyone else.
      people = Object.values(e.participants).map((p) => ({
        key: participantKey(p),
        name: p.name.trim(),
        guest: !p.member,
      }));
      peopleOf.set(e, people);
    }
    for (const person of people) seen.set(person.key, person);
  }
  return [...seen.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || (a.key < b.key ? -1 : 1),
  );
}

export type TimelineRow =
  { type: "month"; month: string; count: number } | { type: "entry"; entry: ListedLogEntry };

/** The timeline as one flat list of month headings and entries (for a virtualised list). */
export function timelineRows(entries: readonly ListedLogEntry[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let heading: { type: "month"; month: string; count: number } | null = null;
  for (const entry of entries) {
    const month = entry.date.slice(0, 7);
    if (!heading || heading.month !== month) {
      heading = { type: "month", month, count: 0 };
      rows.push(heading);
    }
    heading.count++;
    rows.push({ type: "entry", entry });
  }
  return rows;
}
