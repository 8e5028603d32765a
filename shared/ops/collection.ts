// Operations on a collection, and the view of its order. Title, subtitle and language are set whole
// (two people setting them at once leave a visible conflict, not a blend); the introduction is rich
// text edited by the story editor, or written whole from blocks here (templates, imports).
//
// Positions given to `moveStory` are positions in what people see (`orderedStories`), never in the
// stored list, which may hold a story twice after concurrent adds or moves.
import { updateSpans } from "@automerge/automerge";
import { isDocumentId } from "../ids.ts";
import { blocksToSpans, type BodyBlock } from "../richtext/text.ts";
import {
  COLLECTION_SCHEMA,
  COLLECTION_VERSION,
  CREDIT_ROLES,
  creditRole,
  isLanguageTag,
  DEFAULT_LANGUAGE,
  type Collection,
  type Credit,
  type CreditRole,
} from "../schema/collection.ts";
import type { OpContext } from "./context.ts";

export type NewCollection = {
  communityId: string;
  title: string;
  subtitle?: string;
  language?: string;
};

export function initCollection(
  doc: Record<string, unknown>,
  args: NewCollection,
  ctx: OpContext,
): void {
  const now = ctx.now();
  Object.assign(doc, {
    schema: COLLECTION_SCHEMA,
    version: COLLECTION_VERSION,
    communityId: args.communityId,
    title: args.title,
    subtitle: args.subtitle ?? "",
    introduction: "",
    stories: [],
    credits: {},
    language:
      args.language !== undefined && isLanguageTag(args.language)
        ? args.language
        : DEFAULT_LANGUAGE,
    cover: null,
    createdAt: now,
    updatedAt: now,
  });
}

export function renameCollection(doc: Collection, title: string, ctx: OpContext): void {
  if (doc.title === title) return;
  doc.title = title;
  doc.updatedAt = ctx.now();
}

export function setSubtitle(doc: Collection, subtitle: string, ctx: OpContext): void {
  if (doc.subtitle === subtitle) return;
  doc.subtitle = subtitle;
  doc.updatedAt = ctx.now();
}

/** Sets the book's language; a string that is not a BCP 47 tag is refused (false). */
export function setLanguage(doc: Collection, language: string, ctx: OpContext): boolean {
  if (!isLanguageTag(language)) return false;
  if (doc.language !== language) {
    doc.language = language;
    doc.updatedAt = ctx.now();
  }
  return true;
}

/**
 * Writes the whole introduction from blocks, in the shape the editor writes (see blocksToSpans).
 * `updateSpans` changes only what differs, so text typed concurrently elsewhere in it survives.
 */
export function setIntroduction(
  doc: Collection,
  blocks: readonly BodyBlock[],
  ctx: OpContext,
): void {
  updateSpans(doc, ["introduction"], blocksToSpans(blocks));
  doc.updatedAt = ctx.now();
}

/** A story in the shown order, with where its first occurrence sits in the stored list. */
type Placed = { id: string; at: number };

function placed(stored: readonly unknown[]): Placed[] {
  const seen = new Set<string>();
  const out: Placed[] = [];
  stored.forEach((id, at) => {
    if (!isDocumentId(id) || seen.has(id)) return;
    seen.add(id);
    out.push({ id, at });
  });
  return out;
}

/**
 * The stories of a collection in the order people see: each once, at its first occurrence, and
 * only what is a document id (a buggy peer's junk is not shown). Works on a read collection and on
 * the document inside `change` alike.
 */
export function orderedStories(collection: { readonly stories: readonly unknown[] }): string[] {
  return placed(collection.stories).map((p) => p.id);
}

/** Removes every stored occurrence of a story, last first so the indexes stay right. */
function removeAll(stories: unknown[], id: string): number {
  let removed = 0;
  for (let i = stories.length - 1; i >= 0; i--) {
    if (stories[i] === id) {
      stories.splice(i, 1);
      removed++;
    }
  }
  return removed;
}

/** The stored index before which a story goes to be shown at `position` (clamped). */
function storedIndex(stories: readonly unknown[], position: number): number {
  const shown = placed(stories);
  if (position < 0) return shown[0]?.at ?? 0;
  return shown[position]?.at ?? stories.length;
}

/**
 * Adds a story, at the end or shown at `position`; returns false (and changes nothing) when it is
 * already in the collection or is not a document id.
 */
export function addStory(
  doc: Collection,
  storyId: string,
  ctx: OpContext,
  position?: number,
): boolean {
  if (!isDocumentId(storyId) || doc.stories.includes(storyId)) return false;
  const at = position === undefined ? doc.stories.length : storedIndex(doc.stories, position);
  doc.stories.splice(at, 0, storyId);
  doc.updatedAt = ctx.now();
  return true;
}

/** Removes a story (every copy of it); returns false when it was not there. */
export function removeStory(doc: Collection, storyId: string, ctx: OpContext): boolean {
  if (removeAll(doc.stories, storyId) === 0) return false;
  doc.updatedAt = ctx.now();
  return true;
}

/**
 * Moves the story shown at `from` so that it is shown at `to` (both positions in orderedStories;
 * `to` is clamped). Any extra copies of the story are removed on the way. Returns false when there
 * is nothing to move.
 */
export function moveStory(doc: Collection, from: number, to: number, ctx: OpContext): boolean {
  const shown = orderedStories(doc);
  const id = shown[from];
  if (id === undefined || from === to) return false;
  const target = Math.max(0, Math.min(to, shown.length - 1));
  if (target === from) return false;
  removeAll(doc.stories, id);
  doc.stories.splice(storedIndex(doc.stories, target), 0, id);
  doc.updatedAt = ctx.now();
  return true;
}

export type NewCredit = { name: string; role: CreditRole };

/** Adds a credit; returns its id. */
export function addCredit(doc: Collection, credit: NewCredit, ctx: OpContext): string {
  const id = ctx.newId();
  const now = ctx.now();
  doc.credits[id] = { name: credit.name, role: credit.role, addedAt: now };
  doc.updatedAt = now;
  return id;
}

/** Changes a credit's name or role; false when the credit is gone (removed concurrently). */
export function updateCredit(
  doc: Collection,
  id: string,
  change: Partial<NewCredit>,
  ctx: OpContext,
): boolean {
  const credit = doc.credits[id];
  if (!credit) return false;
  let changed = false;
  if (change.name !== undefined && credit.name !== change.name) {
    credit.name = change.name;
    changed = true;
  }
  if (change.role !== undefined && credit.role !== change.role) {
    credit.role = change.role;
    changed = true;
  }
  if (changed) doc.updatedAt = ctx.now();
  return true;
}

export function removeCredit(doc: Collection, id: string, ctx: OpContext): boolean {
  if (!doc.credits[id]) return false;
  delete doc.credits[id];
  doc.updatedAt = ctx.now();
  return true;
}

export type ListedCredit = { id: string } & Credit & { role: CreditRole };

/**
 * Credits as a book lists them: by role (editors first, in CREDIT_ROLES order), then in the order
 * they were added, then by id so every peer shows the same order. Nameless credits are left out.
 */
export function orderedCredits(collection: Pick<Collection, "credits">): ListedCredit[] {
  const rank = (role: CreditRole) => CREDIT_ROLES.indexOf(role);
  return Object.entries(collection.credits)
    .map(([id, credit]) => ({
      ...credit,
      id,
      name: credit.name.trim(),
      role: creditRole(credit.role),
    }))
    .filter((credit) => credit.name !== "")
    .sort(
      (a, b) =>
        rank(a.role) - rank(b.role) ||
        a.addedAt - b.addedAt ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}
