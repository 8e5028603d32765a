// Writes to a collection from the UI. Changes to the order, the title and the credits also move the
// collection's "updated" in the community index, so the list of collections stays right; typing in
// the introduction moves it at most every TOUCH_EVERY_MS (one index change per keystroke would sync
// a change of the index to every device on every key).
import type { DocHandle } from "@automerge/automerge-repo";
import { updateEntry } from "../../../shared/ops/community.ts";
import { systemContext, type OpContext } from "../../../shared/ops/context.ts";
import {
  addCredit,
  addStory,
  initCollection,
  moveStory,
  removeCredit,
  removeStory,
  renameCollection,
  setLanguage,
  setSubtitle,
  updateCredit,
  type NewCredit,
} from "../../../shared/ops/collection.ts";
import type { Collection } from "../../../shared/schema/collection.ts";
import type { CommunityIndex } from "../../../shared/schema/community.ts";
import type { Community } from "../../communityContext.tsx";
import { createDoc } from "../../newDoc.ts";

const TOUCH_EVERY_MS = 20_000;

/** Creates a collection document and lists it in the index; returns the new collection's id. */
export const createCollection = (community: Community, title: string): string =>
  createDoc<Collection>(community, { kind: "collection", title }, (d, ctx) =>
    initCollection(d, { communityId: community.id, title }, ctx),
  );

export type CollectionActions = ReturnType<typeof collectionActions>;

export function collectionActions(
  handle: DocHandle<Collection>,
  index: DocHandle<CommunityIndex>,
  collectionId: string,
  ctx: OpContext = systemContext(),
) {
  let lastTouch = 0;
  const touch = (title?: string) => {
    lastTouch = ctx.now();
    index.change((d) => updateEntry(d, collectionId, title === undefined ? {} : { title }, ctx));
  };
  return {
    rename: (title: string) => {
      handle.change((d) => renameCollection(d, title, ctx));
      touch(title);
    },
    setSubtitle: (subtitle: string) => {
      handle.change((d) => setSubtitle(d, subtitle, ctx));
      touch();
    },
    /** Sets the book's language; false (nothing changed) when it is not a language tag. */
    setLanguage: (language: string): boolean => {
      let set = false;
      handle.change((d) => {
        set = setLanguage(d, language, ctx);
      });
      return set;
    },
    /** Adds stories at the end, in the order given; returns how many were new. */
    addStories: (ids: readonly string[]): number => {
      let added = 0;
      handle.change((d) => {
        for (const id of ids) if (addStory(d, id, ctx)) added++;
      });
      if (added > 0) touch();
      return added;
    },
    removeStory: (id: string) => {
      let removed = false;
      handle.change((d) => {
        removed = removeStory(d, id, ctx);
      });
      if (removed) touch();
    },
    /** Moves the story shown at `from` to be shown at `to`; false when nothing moved. */
    move: (from: number, to: number): boolean => {
      let moved = false;
      handle.change((d) => {
        moved = moveStory(d, from, to, ctx);
      });
      if (moved) touch();
      return moved;
    },
    addCredit: (credit: NewCredit) => {
      handle.change((d) => void addCredit(d, credit, ctx));
      touch();
    },
    updateCredit: (id: string, change: Partial<NewCredit>) => {
      handle.change((d) => void updateCredit(d, id, change, ctx));
      touch();
    },
    removeCredit: (id: string) => {
      handle.change((d) => void removeCredit(d, id, ctx));
      touch();
    },
    /** After typing in the introduction: moves "updated" in the list, at most every 20 s. */
    introductionTyped: () => {
      if (ctx.now() - lastTouch < TOUCH_EVERY_MS) return;
      touch();
    },
  };
}
