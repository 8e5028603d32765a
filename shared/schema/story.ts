// A story document: one per story. The body is an Automerge text that the rich-text editor
// (stories issue) edits through @automerge/prosemirror; this layer only needs it to be a string.
import { z } from "zod";
import { defineKind } from "./kind.ts";

export const STORY_SCHEMA = "meitheal/story";
export const STORY_VERSION = 1;

export const storyValidator = z.object({
  schema: z.literal(STORY_SCHEMA),
  version: z.literal(STORY_VERSION),
  communityId: z.string(),
  title: z.string(),
  summary: z.string(),
  status: z.enum(["seed", "draft", "ready", "published"]),
  themes: z.array(z.string()),
  body: z.string(),
  createdAt: z.number().finite().nonnegative(),
  updatedAt: z.number().finite().nonnegative(),
});
export type Story = z.infer<typeof storyValidator>;

export const storyKind = defineKind<Story>({
  schema: STORY_SCHEMA,
  version: STORY_VERSION,
  validator: storyValidator,
  migrations: [],
});
