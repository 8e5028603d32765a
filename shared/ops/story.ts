// Operations on a story document. Title, summary and status are set whole (not merged as text), so
// two people setting them at the same moment leave a visible conflict rather than a blend.
import { STORY_SCHEMA, STORY_VERSION, type Story } from "../schema/story.ts";
import type { StoryStatus } from "../schema/community.ts";
import type { OpContext } from "./context.ts";

export type NewStory = { communityId: string; title: string; template?: string; body?: string };

export function initStory(doc: Record<string, unknown>, args: NewStory, ctx: OpContext): void {
  const now = ctx.now();
  Object.assign(doc, {
    schema: STORY_SCHEMA,
    version: STORY_VERSION,
    communityId: args.communityId,
    title: args.title,
    summary: "",
    status: "seed",
    themes: {},
    body: args.body ?? "",
    template: args.template ?? "blank",
    createdAt: now,
    updatedAt: now,
    contributors: {},
    actors: {},
    comments: {},
    versions: {},
  });
}

export function renameStory(doc: Story, title: string, ctx: OpContext): void {
  if (doc.title === title) return;
  doc.title = title;
  doc.updatedAt = ctx.now();
}

export function setSummary(doc: Story, summary: string, ctx: OpContext): void {
  if (doc.summary === summary) return;
  doc.summary = summary;
  doc.updatedAt = ctx.now();
}

export function setStatus(doc: Story, status: StoryStatus, ctx: OpContext): void {
  if (doc.status === status) return;
  doc.status = status;
  doc.updatedAt = ctx.now();
}

export function setThemes(doc: Story, themeIds: readonly string[], ctx: OpContext): void {
  const wanted = new Set(themeIds);
  for (const id of Object.keys(doc.themes)) if (!wanted.has(id)) delete doc.themes[id];
  for (const id of wanted) if (!doc.themes[id]) doc.themes[id] = true;
  doc.updatedAt = ctx.now();
}

export type Author = { deviceKey: string; name: string; colour: string; actorId: string };

/** Records who is editing: called with each local change, cheap when nothing changed. */
export function touchContributor(doc: Story, author: Author, ctx: OpContext): void {
  const now = ctx.now();
  const existing = doc.contributors[author.deviceKey];
  if (!existing)
    doc.contributors[author.deviceKey] = {
      name: author.name,
      colour: author.colour,
      firstAt: now,
      lastAt: now,
    };
  else {
    if (existing.name !== author.name) existing.name = author.name;
    if (existing.colour !== author.colour) existing.colour = author.colour;
    // lastAt to the minute: enough for "last edited", and it keeps history small.
    if (now - existing.lastAt > 60_000) existing.lastAt = now;
  }
  if (doc.actors[author.actorId] !== author.deviceKey)
    doc.actors[author.actorId] = author.deviceKey;
}

/** Settles a conflict: sets the field even when the chosen value is the one already shown, because
 * only a new set supersedes every concurrent value. */
export function chooseValue(
  doc: Story,
  field: "title" | "summary" | "status",
  value: string,
  ctx: OpContext,
): void {
  if (field === "status") doc.status = value as StoryStatus;
  else doc[field] = value;
  doc.updatedAt = ctx.now();
}
