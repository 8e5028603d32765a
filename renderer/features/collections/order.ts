// What the collection page shows of its ordered stories, and where a dragged story lands: pure
// functions of the collection's order and the community index, tested in Node.
import type { IndexEntry, StoryStatus } from "../../../shared/schema/community.ts";

/** The statuses an export includes unless the person chooses all stories. */
export const EXPORTED_BY_DEFAULT: readonly StoryStatus[] = ["ready", "published"];

export type StoryRow = {
  id: string;
  /** The title in the index; null when the index does not list the story (deleted, or not here yet). */
  title: string | null;
  status: StoryStatus;
  /** Left out of an export by default (not ready or published). */
  leftOut: boolean;
};

/** The collection's stories as rows, in its order. */
export function storyRows(
  order: readonly string[],
  entries: Readonly<Record<string, IndexEntry>>,
): StoryRow[] {
  return order.map((id) => {
    const entry = entries[id];
    const listed = entry?.kind === "story" ? entry : undefined;
    const status = listed?.status ?? "seed";
    return {
      id,
      title: listed ? listed.title : null,
      status,
      leftOut: !EXPORTED_BY_DEFAULT.includes(status),
    };
  });
}

/**
 * Where the story shown at `from` goes when it is dropped on the row shown at `over`, in its upper
 * half (`before`) or its lower half: the position to pass to moveStory, or null for no move.
 */
export function dropTarget(from: number, over: number, before: boolean): number | null {
  if (from < 0 || over < 0) return null;
  // The slot it is dropped into, counted with the dragged story still in the list…
  const slot = before ? over : over + 1;
  // …and without it, once it has left its own place.
  const to = slot > from ? slot - 1 : slot;
  return to === from ? null : to;
}

/** Where an Alt+Arrow or a move button sends the story shown at `from` (null: it cannot go). */
export function stepTarget(from: number, length: number, step: -1 | 1): number | null {
  const to = from + step;
  return to < 0 || to >= length ? null : to;
}
