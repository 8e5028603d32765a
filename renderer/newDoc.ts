// Starting a document of the open community: made in the community's repo and listed in its index
// at once, so every list shows it (stories, logs, maps and collections all start this way).
import { useEffect, useRef, type RefObject } from "react";
import { addEntry } from "../shared/ops/community.ts";
import { systemContext, type OpContext } from "../shared/ops/context.ts";
import type { IndexEntry } from "../shared/schema/community.ts";
import type { Community } from "./communityContext.tsx";
import { navigate, type Section } from "./route.ts";

/** Makes the document (`init` fills it in), lists it in the index, and returns its id. */
export function createDoc<T>(
  { repo, index }: Community,
  entry: Omit<IndexEntry, "createdAt" | "updatedAt">,
  init: (doc: T, ctx: OpContext) => void,
): string {
  const ctx = systemContext();
  const handle = repo.create<T>();
  handle.change((d) => init(d, ctx));
  const now = ctx.now();
  index.handle.change((d) =>
    addEntry(d, handle.documentId, { ...entry, createdAt: now, updatedAt: now }),
  );
  return handle.documentId;
}

// The document just made here, until its page has put the focus in its title: a new document's
// title is what a person most often changes next, and it saves them finding the field.
let justMade: string | null = null;

/** Opens the document just made, with the focus in its title field once its page is drawn. */
export function openNewDoc(communityId: string, section: Section, docId: string): void {
  justMade = docId;
  navigate({ page: "community", communityId, section, docId });
}

/**
 * For a document page's title field: when the document was just made here, the field (and any
 * folded `<details>` around it) opens with the focus and the caret at the end of the title. Run
 * as an effect, after the page heading has taken the focus that every page change gives it.
 */
export function useTitleFocus<E extends HTMLInputElement | HTMLTextAreaElement>(
  docId: string,
): RefObject<E | null> {
  const ref = useRef<E>(null);
  useEffect(() => {
    const el = ref.current;
    if (justMade !== docId || !el) return;
    justMade = null;
    for (let up = el.parentElement; up; up = up.parentElement)
      if (up instanceof HTMLDetailsElement) up.open = true;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, [docId]);
  return ref;
}

/** Whether `docId` was just made here and its title is waiting for the focus (a map opens renaming). */
export const isJustMade = (docId: string): boolean => justMade === docId;
