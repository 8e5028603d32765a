// The community index document: one per community. It names the community and lists its stories,
// logs, maps and collections with only what a list needs, so the UI never loads every document to
// draw a list. Entries are validated one by one: a malformed entry (a buggy peer) is left out and
// reported, the rest of the community stays usable.
import { z } from "zod";
import { defineKind, describeIssues, type ReadResult } from "./kind.ts";

export const COMMUNITY_SCHEMA = "meitheal/community";
export const COMMUNITY_VERSION = 1;

export const EntryKind = {
  Story: "story",
  Log: "log",
  Map: "map",
  Collection: "collection",
  /** A volume of a log's entries (schema/logVolume.ts): listed so it syncs, never shown in a list. */
  LogVolume: "log-volume",
} as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

export const StoryStatus = {
  Seed: "seed",
  Draft: "draft",
  Ready: "ready",
  Published: "published",
} as const;
export type StoryStatus = (typeof StoryStatus)[keyof typeof StoryStatus];
export const STORY_STATUSES: readonly StoryStatus[] = ["seed", "draft", "ready", "published"];

export const LIMITS = {
  name: 200,
  purpose: 4000,
  themeLabel: 80,
  themes: 100,
  title: 300,
} as const;

const time = z.number().finite().nonnegative();

/** A calendar quarter, "2024-Q3": what a log volume holds (schema/logVolume.ts). */
export const QUARTER = /^\d{4}-Q[1-4]$/;

export const indexEntryValidator = z
  .object({
    kind: z.enum(["story", "log", "map", "collection", "log-volume"]),
    title: z.string().max(LIMITS.title * 4),
    status: z.enum(["seed", "draft", "ready", "published"]).optional(),
    createdAt: time,
    updatedAt: time,
    /** Copies of what a list filters on, so the list never opens every story: theme ids (a set)… */
    themes: z.record(z.string(), z.literal(true)).optional(),
    /** …and device key → display name of who has edited it. */
    contributors: z.record(z.string(), z.string()).optional(),
    /** A log volume's log… */
    log: z.string().optional(),
    /** …and the quarters it may hold entries of (a set that only grows). */
    periods: z.record(z.string().regex(QUARTER), z.literal(true)).optional(),
  })
  .refine((e) => e.kind !== "log-volume" || (e.log !== undefined && e.periods !== undefined), {
    message: "a log volume names its log and its quarters",
  });
export type IndexEntry = z.infer<typeof indexEntryValidator>;

export const themeValidator = z.object({
  label: z.string().max(LIMITS.themeLabel * 4),
  order: z.number().finite(),
});
export type Theme = z.infer<typeof themeValidator>;

const headerValidator = z.object({
  schema: z.literal(COMMUNITY_SCHEMA),
  version: z.literal(COMMUNITY_VERSION),
  name: z.string(),
  purpose: z.string(),
  createdAt: time,
  themes: z.record(z.string(), z.unknown()),
  entries: z.record(z.string(), z.unknown()),
});

export type CommunityIndex = {
  schema: typeof COMMUNITY_SCHEMA;
  version: typeof COMMUNITY_VERSION;
  name: string;
  purpose: string;
  createdAt: number;
  themes: Record<string, Theme>;
  entries: Record<string, IndexEntry>;
};

/** The themes every new community starts with (editable afterwards). */
export const DEFAULT_THEMES: readonly string[] = [
  "Dignity",
  "Nature",
  "Connection",
  "Fairness",
  "Participation",
];

const strictIndex = headerValidator.extend({
  themes: z.record(z.string(), themeValidator),
  entries: z.record(z.string(), indexEntryValidator),
}) as unknown as z.ZodType<CommunityIndex>;

const base = defineKind<CommunityIndex>({
  schema: COMMUNITY_SCHEMA,
  version: COMMUNITY_VERSION,
  validator: strictIndex,
  migrations: [],
});

/** Reads an index leniently: bad entries or themes are dropped and named in `problems`. */
function readIndex(raw: unknown): ReadResult<CommunityIndex> {
  const first = base.read(raw);
  if (first.state !== "damaged" || typeof raw !== "object" || raw === null) return first;
  const header = headerValidator.safeParse(raw);
  if (!header.success) return { state: "damaged", problems: describeIssues(header.error.issues) };
  const problems: string[] = [];
  const pick = <T>(record: Record<string, unknown>, validator: z.ZodType<T>, what: string) => {
    const out: Record<string, T> = {};
    for (const [id, value] of Object.entries(record)) {
      const parsed = validator.safeParse(value);
      if (parsed.success) out[id] = parsed.data;
      else problems.push(`${what} ${id}: ${describeIssues(parsed.error.issues).join("; ")}`);
    }
    return out;
  };
  const doc: CommunityIndex = {
    ...header.data,
    themes: pick(header.data.themes, themeValidator, "theme"),
    entries: pick(header.data.entries, indexEntryValidator, "entry"),
  };
  return { state: "ok", doc, problems };
}

export const communityKind = { ...base, read: readIndex };
