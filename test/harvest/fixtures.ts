// Documents for the harvest tests, made at chosen moments: every Automerge change carries the time
// it was made (as the app's changes do, from the clock), and created/updated/touched times come
// from the same clock, so "changed on day 2" is something the test decides.
import * as Automerge from "@automerge/automerge";
import {
  addLogEntry,
  deleteLogEntry,
  initLog,
  type EntryHolder,
  type NewEntry,
} from "../../shared/ops/log.ts";
import { initLogVolume } from "../../shared/ops/logVolumes.ts";
import { addNode, connect, initMap, type NewNode } from "../../shared/ops/map.ts";
import { initStory, setStatus } from "../../shared/ops/story.ts";
import type { OpContext } from "../../shared/ops/context.ts";
import type { StoryStatus } from "../../shared/schema/community.ts";
import type { Log } from "../../shared/schema/log.ts";
import type { LogVolume } from "../../shared/schema/logVolume.ts";
import type { InquiryMap } from "../../shared/schema/map.ts";
import type { Story } from "../../shared/schema/story.ts";
import { fixtureSpans, type FixtureBlock } from "../export/fixtures.ts";

/** Noon UTC of a day: the same calendar day in every time zone from UTC−11 to UTC+11. */
export const noon = (day: string): number => Date.parse(`${day}T12:00:00Z`);

let next = 0;
const contextAt = (ms: number): OpContext => ({ now: () => ms, newId: () => `id${++next}` });

/** A change made on `day`, as the app would make it then. */
function changeOn<T>(doc: Automerge.Doc<T>, day: string, fn: (d: T, ctx: OpContext) => void) {
  const ms = noon(day);
  return Automerge.change(doc, { time: Math.floor(ms / 1000) }, (d) => fn(d, contextAt(ms)));
}

export type EntrySpec = Omit<NewEntry, "by" | "byName" | "kind"> & {
  kind?: NewEntry["kind"];
  deleted?: boolean;
};

/** Writes each entry on the evening of the day it tells of; returns their ids in the order given. */
function writeEntries<T extends EntryHolder>(doc: Automerge.Doc<T>, entries: EntrySpec[]) {
  const ids: string[] = [];
  for (const spec of entries)
    doc = changeOn(doc, spec.date, (d, ctx) => {
      const id = addLogEntry(d, { kind: "gathering", by: "k", byName: "Aoife", ...spec }, ctx);
      ids.push(id);
      if (spec.deleted) deleteLogEntry(d, id, ctx);
    });
  return { doc, ids };
}

/** A log written on `day`, holding its entries itself; returns the document and entry ids. */
export function logOn(day: string, title: string, entries: EntrySpec[]) {
  const doc = changeOn(Automerge.init<Log>(), day, (d, ctx) =>
    initLog(d as unknown as Record<string, unknown>, { communityId: "c", title }, ctx),
  );
  return writeEntries(doc, entries);
}

/** A volume of the log `logId` made on `day` (schema/logVolume.ts), with its entries. */
export function volumeOn(day: string, logId: string, entries: EntrySpec[]) {
  const doc = changeOn(Automerge.init<LogVolume>(), day, (d, ctx) =>
    initLogVolume(d as unknown as Record<string, unknown>, { communityId: "c", logId }, ctx),
  );
  return writeEntries(doc, entries);
}

/** A story created on `created` and changed on each of `changed`. */
export function storyOn(
  created: string,
  title: string,
  options: {
    changed?: string[];
    status?: StoryStatus;
    body?: FixtureBlock[];
    themes?: string[];
  } = {},
) {
  let doc = changeOn(Automerge.init<Story>(), created, (d, ctx) => {
    initStory(d, { communityId: "c", title }, ctx);
    for (const t of options.themes ?? []) d.themes[t] = true;
    if (options.body) Automerge.updateSpans(d, ["body"], fixtureSpans(options.body));
  });
  for (const day of options.changed ?? [])
    doc = changeOn(doc, day, (d, ctx) => setStatus(d, options.status ?? "draft", ctx));
  return doc;
}

/** A map created on `created`, with nodes added on their days (joined in order by "raises"). */
export function mapOn(
  created: string,
  title: string,
  nodes: (Omit<NewNode, "by" | "byName"> & { day: string })[],
) {
  let doc = changeOn(Automerge.init<InquiryMap>(), created, (d, ctx) =>
    initMap(d as unknown as Record<string, unknown>, { communityId: "c", title }, ctx),
  );
  let last: string | undefined;
  for (const { day, ...node } of nodes)
    doc = changeOn(doc, day, (d, ctx) => {
      const id = addNode(d, { ...node, by: "k", byName: "Aoife" }, ctx);
      if (last) connect(d, { from: last, to: id, relation: "raises", by: "k" }, ctx);
      last = id;
    });
  return doc;
}
