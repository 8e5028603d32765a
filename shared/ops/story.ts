// Operations on a story document.
import { updateText } from "@automerge/automerge";
import { STORY_SCHEMA, STORY_VERSION, type Story } from "../schema/story.ts";
import type { OpContext } from "./context.ts";

export type NewStory = { communityId: string; title: string };

export function initStory(doc: Record<string, unknown>, args: NewStory, ctx: OpContext): void {
  const now = ctx.now();
  Object.assign(doc, {
    schema: STORY_SCHEMA,
    version: STORY_VERSION,
    communityId: args.communityId,
    title: args.title,
    summary: "",
    status: "seed",
    themes: [],
    body: "",
    createdAt: now,
    updatedAt: now,
  });
}

export function renameStory(doc: Story, title: string, ctx: OpContext): void {
  if (doc.title === title) return;
  updateText(doc, ["title"], title);
  doc.updatedAt = ctx.now();
}
