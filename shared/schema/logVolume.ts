// A volume of a practice log: the entries of one or more calendar quarters, in a document of their
// own. A log of ten years of weekly gatherings is one small header document (title, description)
// and a volume per quarter, so opening it loads the header and the newest volume and draws at
// once, while older volumes arrive behind it; a single 5,000-entry document took seconds to load
// (Automerge loads every character of every entry).
//
// Which volumes a log has, and which quarters each may hold, is written in the community index
// (an entry of kind "log-volume" per volume, naming its log and a set of quarters). The index is
// where every document of a community is listed, so volumes sync, back up and restore like any
// other document, and a window reads the list without waiting for anything else. An entry whose
// date is moved to another quarter stays in its volume (moving it would lose an edit made at the
// same moment elsewhere); the volume's set of quarters grows instead, so a reader knows to wait for
// it before drawing that quarter.
import { z } from "zod";
import { kindWithItems } from "./items.ts";
import { readLogEntries, type LogEntry } from "./log.ts";

export const LOG_VOLUME_SCHEMA = "meitheal/log-volume";
export const LOG_VOLUME_VERSION = 1;

const time = z.number().finite().nonnegative();

const headerValidator = z.object({
  schema: z.literal(LOG_VOLUME_SCHEMA),
  version: z.literal(LOG_VOLUME_VERSION),
  communityId: z.string(),
  /** The log this volume belongs to (its index entry names the same log). */
  logId: z.string(),
  createdAt: time,
  updatedAt: time,
  entries: z.record(z.string(), z.unknown()),
});

export type LogVolume = Omit<z.infer<typeof headerValidator>, "entries"> & {
  entries: Record<string, LogEntry>;
};

export const logVolumeKind = kindWithItems({
  schema: LOG_VOLUME_SCHEMA,
  version: LOG_VOLUME_VERSION,
  header: headerValidator,
  items: (header, problems): LogVolume => ({
    ...header,
    entries: readLogEntries(header.entries, "entry", problems),
  }),
});
