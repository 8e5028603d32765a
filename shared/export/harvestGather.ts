// What goes into a harvest: the log entries, stories and maps of the chosen days, each document read
// through its kind (an unreadable one is a warning, never a failure).
//
// "Changed in those days" is read from the documents themselves: a story's or map's own
// created/updated times, its nodes' and edges' times, and the time of every Automerge change to it
// (each change records when it was made, on whichever device made it), so a story edited on day 2
// and again a week later still counts as changed on day 2. Timestamps become calendar days in the
// given time zone (the device's own by default); log entries carry their day already.
//
// A log's entries are those it holds itself (written before logs had volumes) and those of its
// volumes (schema/logVolume.ts); the peer passes only the volumes whose quarters meet the range.
import * as Automerge from "@automerge/automerge";
import { logKind } from "../schema/log.ts";
import type { DocKind, ReadResult } from "../schema/kind.ts";
import { logVolumeKind, type LogVolume } from "../schema/logVolume.ts";
import { liveEntriesIn, type ListedLogEntry } from "../ops/log.ts";
import { mapKind, type InquiryMap } from "../schema/map.ts";
import { storyKind, type Story } from "../schema/story.ts";
import { cleanTitle } from "./book.ts";
import type { HarvestDoc, HarvestSource, HarvestVolume } from "./harvest.ts";

/** A log entry of one of the days, with the title of its log. */
export type DayEntry = { readonly log: string; readonly entry: ListedLogEntry };

export type StoryOut = {
  readonly id: string;
  readonly story: Story;
  /** The document as read (a migrated copy when it was older): its body is what is printed. */
  readonly doc: Automerge.Doc<unknown>;
  readonly title: string;
  /** Created in the days, not only changed. */
  readonly created: boolean;
  readonly firstDay: string;
};

export type MapOut = { readonly id: string; readonly map: InquiryMap; readonly title: string };

/** The material of a report, in the order it is printed. */
export type HarvestMaterial = {
  /** The days that have entries, in order. */
  readonly days: readonly string[];
  /** Each day's entries: by log title, then by when they were created. */
  readonly byDay: ReadonlyMap<string, readonly DayEntry[]>;
  readonly entries: number;
  /** By the first of the days they were changed on, then by title. */
  readonly stories: readonly StoryOut[];
  /** By title. */
  readonly maps: readonly MapOut[];
};

export type GatherOptions = {
  /** Calendar days, `YYYY-MM-DD`, both included (already checked). */
  readonly from: string;
  readonly to: string;
  /** The calendar day of a time, in the report's time zone. */
  readonly dayOf: (ms: number) => string;
  /** The title of a document that has none. */
  readonly untitled: string;
};

/** Reads a document of a kind, migrating a copy when it is older. */
function readMigrated<T>(
  kind: DocKind<T>,
  stored: Automerge.Doc<unknown>,
): { read: ReadResult<T>; doc: Automerge.Doc<unknown> } {
  let doc = stored;
  let read = kind.read(doc);
  if (read.state === "needs-migration") {
    // The stored document is the peer's to migrate; the report reads an up-to-date copy.
    doc = Automerge.change(Automerge.clone(doc), (d) => {
      kind.migrate(d as Record<string, unknown>);
    });
    read = kind.read(doc);
  }
  return { read, doc };
}

/** Reads a document of a kind, migrating a copy when it is older; null (with a warning) if not. */
function readDoc<T>(
  kind: DocKind<T>,
  item: HarvestDoc,
  what: string,
  warnings: string[],
): { value: T; doc: Automerge.Doc<unknown> } | null {
  const { read, doc } = readMigrated(kind, item.doc);
  const name = cleanTitle(item.title) || item.id;
  if (read.state === "ok") {
    if (read.problems.length > 0)
      warnings.push(
        `Parts of the ${what} "${name}" could not be read and are left out (${read.problems.length} item${read.problems.length === 1 ? "" : "s"}).`,
      );
    return { value: read.doc, doc };
  }
  warnings.push(
    read.state === "newer"
      ? `The ${what} "${name}" was made by a newer version of Meitheal and is left out. Update Meitheal to include it.`
      : `The ${what} "${name}" could not be read (it is damaged) and is left out.`,
  );
  return null;
}

/** The quarters of a volume as people read them in a warning: "2025-Q2" or "2025-Q1 to 2025-Q2". */
export function quartersText(periods: readonly string[]): string {
  const sorted = [...periods].sort();
  const [first, last] = [sorted[0] ?? "", sorted.at(-1) ?? ""];
  return first === last ? first : `${first} to ${last}`;
}

/**
 * A volume of the log `logId`, read (through migrations, on a copy); null, with a warning naming
 * the log and the volume's quarters, when it does not read as one. A volume naming another log
 * than its index entry does is not trusted with this log's entries.
 */
function readVolume(
  volume: HarvestVolume,
  logId: string,
  logName: string,
  warnings: string[],
): LogVolume | null {
  const which = `The entries of the log "${logName}" for ${quartersText(volume.periods)}`;
  const read = readMigrated(logVolumeKind, volume.doc).read;
  if (read.state === "ok" && read.doc.logId === logId) {
    if (read.problems.length > 0)
      warnings.push(
        `${which} could not all be read: ${read.problems.length} entr${read.problems.length === 1 ? "y is" : "ies are"} left out.`,
      );
    return read.doc;
  }
  warnings.push(
    read.state === "newer"
      ? `${which} were written by a newer version of Meitheal and are left out. Update Meitheal to include them.`
      : `${which} could not be read (they are damaged) and are left out.`,
  );
  return null;
}

/** Times (ms) of every change to a document, from the changes themselves. */
function changeTimes(doc: Automerge.Doc<unknown>): number[] {
  try {
    return Automerge.getChangesMetaSince(doc, [])
      .map((c) => c.time * 1000)
      .filter((t) => t > 0);
  } catch {
    return [];
  }
}

/** Chooses what the report holds; documents that cannot be read are named in `warnings`. */
export function gatherHarvest(
  source: HarvestSource,
  options: GatherOptions,
  warnings: string[],
): HarvestMaterial {
  const { from, to, dayOf, untitled } = options;
  const inRange = (day: string) => day >= from && day <= to;
  const anyInRange = (times: readonly number[]) => times.some((t) => inRange(dayOf(t)));

  // ---- Log entries of the days ----
  const byDay = new Map<string, DayEntry[]>();
  for (const item of source.logs) {
    const read = readDoc(logKind, item, "log", warnings);
    if (!read) continue;
    const logTitle = cleanTitle(read.value.title) || untitled;
    // The log's own entries first, then its volumes by id: the order the window reads them in,
    // so an entry a buggy peer wrote into two of them is the same one here as there.
    const holders = [{ id: item.id, entries: read.value.entries }];
    for (const v of [...(item.volumes ?? [])].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const volume = readVolume(v, item.id, cleanTitle(item.title) || logTitle, warnings);
      if (volume) holders.push({ id: v.id, entries: volume.entries });
    }
    for (const entry of liveEntriesIn(holders)) {
      if (!inRange(entry.date)) continue;
      const list = byDay.get(entry.date) ?? [];
      list.push({ log: logTitle, entry });
      byDay.set(entry.date, list);
    }
  }
  const days = [...byDay.keys()].sort();
  let entries = 0;
  for (const day of days) {
    const list = byDay.get(day)!;
    list.sort(
      (a, b) =>
        a.log.localeCompare(b.log) ||
        a.entry.createdAt - b.entry.createdAt ||
        (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0),
    );
    entries += list.length;
  }

  // ---- Stories created or changed in the days ----
  const stories: StoryOut[] = [];
  for (const item of source.stories) {
    const read = readDoc(storyKind, item, "story", warnings);
    if (!read) continue;
    const story = read.value;
    const times = [story.createdAt, story.updatedAt, ...changeTimes(item.doc)];
    const hits = times.map(dayOf).filter(inRange).sort();
    if (hits.length === 0) continue;
    stories.push({
      id: item.id,
      story,
      doc: read.doc,
      title: cleanTitle(story.title) || untitled,
      created: inRange(dayOf(story.createdAt)),
      firstDay: hits[0]!,
    });
  }
  stories.sort(
    (a, b) =>
      a.firstDay.localeCompare(b.firstDay) ||
      a.title.localeCompare(b.title) ||
      (a.id < b.id ? -1 : 1),
  );

  // ---- Maps changed in the days ----
  const maps: MapOut[] = [];
  for (const item of source.maps) {
    const read = readDoc(mapKind, item, "map", warnings);
    if (!read) continue;
    const map = read.value;
    const times = [
      map.createdAt,
      map.updatedAt,
      ...Object.values(map.nodes).flatMap((n) => [n.createdAt, n.touchedAt]),
      ...Object.values(map.edges).map((e) => e.createdAt),
    ];
    if (!anyInRange(times) && !anyInRange(changeTimes(item.doc))) continue;
    maps.push({ id: item.id, map, title: cleanTitle(map.title) || untitled });
  }
  maps.sort((a, b) => a.title.localeCompare(b.title) || (a.id < b.id ? -1 : 1));

  return { days, byDay, entries, stories, maps };
}
