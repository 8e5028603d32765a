// Where a link or a search result opens: the section of its document, and the place inside it
// (an entry, a node) as the route's `focus`, so the page scrolls to what was pointed at.
import { parseRef, type LinkRef } from "../../../shared/links/ref.ts";
import type { Route } from "../../route.ts";

export function refRoute(communityId: string, ref: LinkRef): Route {
  switch (ref.type) {
    case "story":
      return { page: "community", communityId, section: "stories", docId: ref.docId, focus: null };
    case "entry":
      return {
        page: "community",
        communityId,
        section: "logs",
        docId: ref.docId,
        focus: ref.itemId,
      };
    case "node":
      return {
        page: "community",
        communityId,
        section: "maps",
        docId: ref.docId,
        focus: ref.itemId,
      };
  }
}

/** The route of a link string, or null when it is not one (a buggy peer, a damaged item). */
export function refStringRoute(communityId: string, ref: string): Route | null {
  const parsed = parseRef(ref);
  return parsed ? refRoute(communityId, parsed) : null;
}
