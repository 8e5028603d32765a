// A story document: one per story. The body is an Automerge text holding ProseMirror blocks
// (@automerge/prosemirror block markers and marks). Every map a story will ever need is created
// with the story, by one writer: two peers creating the same map concurrently would leave one of
// them (and whatever was written into it) hidden behind the other.
import { z } from "zod";
import { clearUntouchedPrompts } from "../richtext/legacyPrompts.ts";
import { defineKind, type Migration } from "./kind.ts";

export const STORY_SCHEMA = "meitheal/story";
export const STORY_VERSION = 3;

const time = z.number().finite().nonnegative();
const STATUS = z.enum(["seed", "draft", "ready", "published"]);

export const contributorValidator = z.object({
  name: z.string(),
  colour: z.string(),
  firstAt: time,
  lastAt: time,
});
export type Contributor = z.infer<typeof contributorValidator>;

export const replyValidator = z.object({
  body: z.string(),
  by: z.string(),
  byName: z.string(),
  at: time,
});
export type Reply = z.infer<typeof replyValidator>;

export const commentValidator = z.object({
  /** Automerge cursors into `body`: they follow the text through concurrent edits. */
  start: z.string(),
  end: z.string(),
  /** The passage as it was when the comment was made, shown when the passage is gone. */
  quote: z.string(),
  body: z.string(),
  by: z.string(),
  byName: z.string(),
  at: time,
  resolved: z.boolean(),
  replies: z.record(z.string(), replyValidator),
});
export type Comment = z.infer<typeof commentValidator>;

export const versionValidator = z.object({
  name: z.string(),
  /** The document heads (hex change hashes) when the version was saved. */
  heads: z.array(z.string()),
  at: time,
  by: z.string(),
  byName: z.string(),
});
export type Version = z.infer<typeof versionValidator>;

export const storyValidator = z.object({
  schema: z.literal(STORY_SCHEMA),
  version: z.literal(STORY_VERSION),
  communityId: z.string(),
  title: z.string(),
  summary: z.string(),
  status: STATUS,
  /** Theme ids of the community, as a set (a map), so concurrent adds never duplicate. */
  themes: z.record(z.string(), z.literal(true)),
  body: z.string(),
  template: z.string(),
  createdAt: time,
  updatedAt: time,
  /** Device key → who they are: derived from edits, shown by display name. */
  contributors: z.record(z.string(), contributorValidator),
  /** Automerge actor id → device key, so a conflicting value can say who proposed it. */
  actors: z.record(z.string(), z.string()),
  comments: z.record(z.string(), commentValidator),
  versions: z.record(z.string(), versionValidator),
});
export type Story = z.infer<typeof storyValidator>;

const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    describe: "themes become a set; contributors, actors, comments, versions and template added",
    up(doc) {
      const themes = Array.isArray(doc.themes) ? doc.themes : [];
      const set: Record<string, true> = {};
      for (const id of themes) if (typeof id === "string") set[id] = true;
      doc.themes = set;
      for (const key of ["contributors", "actors", "comments", "versions"]) {
        if (typeof doc[key] !== "object" || doc[key] === null) doc[key] = {};
      }
      if (typeof doc.template !== "string") doc.template = "blank";
    },
  },
  {
    from: 2,
    describe:
      "template prompts nobody touched are emptied: the editor shows them as placeholders instead",
    // Only a paragraph that is exactly a prompt of the story's template, all in italics, is
    // emptied (shared/richtext/legacyPrompts.ts); anything edited is kept as it is.
    up(doc) {
      clearUntouchedPrompts(doc);
    },
  },
];

export const storyKind = defineKind<Story>({
  schema: STORY_SCHEMA,
  version: STORY_VERSION,
  validator: storyValidator,
  migrations: MIGRATIONS,
});
