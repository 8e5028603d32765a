// Titles of links, looked up when shown (a link is a reference, so a renamed target shows its new
// name) and again whenever the community's search index changes: a target renamed, deleted or
// arriving from a peer.
import { useCommunityId } from "../../communityContext.tsx";
import { usePeerQuery } from "../../usePeerQuery.ts";

/** The targets of link strings as they are now; no links: nothing is asked (idle). */
export function useLinkTitles(refs: readonly string[]) {
  const communityId = useCommunityId();
  return usePeerQuery(
    "links:describe",
    refs.length === 0 ? null : { communityId, refs: [...refs] },
    { refreshOn: ["search:changed"] },
  );
}
