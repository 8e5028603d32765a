// The words a harvest report prints around what people wrote: their type, the validator a window's
// translated words pass through on `harvest:write`, and the English ones used when none are given.
import { z } from "zod";
import {
  ENTRY_KINDS,
  ENTRY_TEXT_FIELDS,
  type EntryKindName,
  type EntryTextField,
} from "../schema/log.ts";
import { NODE_KINDS, QUESTION_STATUSES, RELATIONS } from "../schema/map.ts";
import { STORY_STATUSES, type StoryStatus } from "../schema/community.ts";
import type { MapSvgLabels } from "./mapSvg.ts";

/** The words the report prints around what people wrote; the renderer passes translated ones. */
export type HarvestLabels = {
  /** "{community}" is replaced by the community's name. */
  readonly title: string;
  /** "{from}" and "{to}" are replaced by the days. */
  readonly range: string;
  readonly oneDay: string;
  readonly contents: string;
  readonly logs: string;
  /** In the summary line: how many log entries the report holds. */
  readonly entries: string;
  readonly stories: string;
  readonly maps: string;
  readonly noEntries: string;
  readonly noStories: string;
  readonly noMaps: string;
  readonly participants: string;
  readonly themes: string;
  readonly created: string;
  readonly changed: string;
  readonly untitled: string;
  readonly fields: Readonly<Record<EntryTextField, string>>;
  readonly entryKinds: Readonly<Record<EntryKindName, string>>;
  readonly statuses: Readonly<Record<StoryStatus, string>>;
  readonly map: MapSvgLabels;
};

/** Longest label a window may send (a heading or a sentence, in any language). */
const LABEL_MAX = 300;

const label = z.string().min(1).max(LABEL_MAX);
const labelsOf = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, label])) as Record<K, typeof label>).strict();

/**
 * The words of a report as a window sends them (its own language) through `harvest:write`:
 * checked before use, like anything that crosses the contract.
 */
export const harvestLabelsValidator = z
  .object({
    title: label,
    range: label,
    oneDay: label,
    contents: label,
    logs: label,
    entries: label,
    stories: label,
    maps: label,
    noEntries: label,
    noStories: label,
    noMaps: label,
    participants: label,
    themes: label,
    created: label,
    changed: label,
    untitled: label,
    fields: labelsOf(ENTRY_TEXT_FIELDS),
    entryKinds: labelsOf(ENTRY_KINDS),
    statuses: labelsOf(STORY_STATUSES),
    map: z
      .object({
        kind: labelsOf(NODE_KINDS),
        relation: labelsOf(RELATIONS),
        status: labelsOf(QUESTION_STATUSES),
        empty: label,
      })
      .strict(),
  })
  .strict();

export const ENGLISH_HARVEST_LABELS: HarvestLabels = {
  title: "{community}: retreat harvest",
  range: "{from} to {to}",
  oneDay: "{from}",
  contents: "Contents",
  logs: "Practice logs",
  entries: "Log entries",
  stories: "Stories",
  maps: "Inquiry maps",
  noEntries: "Nothing was logged on these days.",
  noStories: "No story was written or changed on these days.",
  noMaps: "No map was changed on these days.",
  participants: "Who took part",
  themes: "Themes",
  created: "New",
  changed: "Changed",
  untitled: "Untitled",
  fields: {
    happened: "What happened",
    tried: "What we tried",
    learned: "What we learned",
    next: "Next steps",
  },
  entryKinds: {
    gathering: "Gathering",
    experiment: "Experiment",
    reflection: "Reflection",
    decision: "Decision",
  },
  statuses: { seed: "Seed", draft: "Draft", ready: "Ready", published: "Published" },
  map: {
    kind: {
      question: "Question",
      insight: "Insight",
      resource: "Resource",
      practice: "Practice",
      story: "Story",
      entry: "Log entry",
    },
    relation: {
      raises: "raises",
      answers: "answers",
      supports: "supports",
      challenges: "challenges",
      relates: "relates to",
    },
    status: {
      open: "open",
      exploring: "exploring",
      insight: "insight found",
      reframed: "reframed",
    },
    empty: "This map has no nodes yet.",
  },
};

// The validator and the type say the same thing: a label added to one must be added to the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const labelsMatch: Same<z.infer<typeof harvestLabelsValidator>, DeepMutable<HarvestLabels>> = true;
void labelsMatch;
type DeepMutable<T> = { -readonly [K in keyof T]: T[K] extends object ? DeepMutable<T[K]> : T[K] };
