// A practice log: one document per practice, circle or project. Entries live in a map keyed by a
// random id, so entries written at the same moment on two laptops are two keys and both survive;
// they are shown in a stable order (date, then creation time, then id). Text fields are Automerge
// text (edited with `updateText`), so concurrent edits to one entry merge as text does. Deleting
// marks an entry (`deletedAt`) rather than removing it: an undo is one change, and an edit made
// concurrently on another laptop is never lost under a removed key.
import { z } from "zod";
import { itemReader, kindWithItems } from "./items.ts";

export const LOG_SCHEMA = "meitheal/log";
export const LOG_VERSION = 1;

export const ENTRY_KINDS = ["gathering", "experiment", "reflection", "decision"] as const;
export type EntryKindName = (typeof ENTRY_KINDS)[number];

/** The co-edited text fields of an entry, in the order a person fills them. */
export const ENTRY_TEXT_FIELDS = ["happened", "tried", "learned", "next"] as const;
export type EntryTextField = (typeof ENTRY_TEXT_FIELDS)[number];

/** A calendar day as people write it (no time zone: a gathering happened on a day). */
export const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

const time = z.number().finite().nonnegative();

export const participantValidator = z.object({
  name: z.string(),
  /** The member's device key when the participant is a member; absent for a guest. */
  member: z.string().optional(),
});
export type Participant = z.infer<typeof participantValidator>;

export const entryValidator = z.object({
  date: z.string().regex(DAY),
  kind: z.enum(ENTRY_KINDS),
  happened: z.string(),
  tried: z.string(),
  learned: z.string(),
  next: z.string(),
  /** Participant id → who; a map, so two people adding a name at once both stay. */
  participants: z.record(z.string(), participantValidator),
  /** Theme ids of the community (a set). */
  themes: z.record(z.string(), z.literal(true)),
  /** Link string (see links/ref.ts) → true (a set). */
  links: z.record(z.string(), z.literal(true)),
  createdAt: time,
  updatedAt: time,
  /** Device key and name of who wrote it first. */
  by: z.string(),
  byName: z.string(),
  /** Set when deleted; cleared by undo. */
  deletedAt: time.nullable(),
});
export type LogEntry = z.infer<typeof entryValidator>;

const headerValidator = z.object({
  schema: z.literal(LOG_SCHEMA),
  version: z.literal(LOG_VERSION),
  communityId: z.string(),
  title: z.string(),
  description: z.string(),
  createdAt: time,
  updatedAt: time,
  entries: z.record(z.string(), z.unknown()),
});

export type Log = Omit<z.infer<typeof headerValidator>, "entries"> & {
  entries: Record<string, LogEntry>;
};

/** Reads a record of entries leniently (shared by a log and its volumes, and by their one cache). */
export const readLogEntries = itemReader(entryValidator);

export const logKind = kindWithItems({
  schema: LOG_SCHEMA,
  version: LOG_VERSION,
  header: headerValidator,
  items: (header, problems): Log => ({
    ...header,
    entries: readLogEntries(header.entries, "entry", problems),
  }),
});
