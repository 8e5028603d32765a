// Titles of links, looked up when shown (a link is a reference, so a renamed target shows its new
// name) and again whenever the community's search index changes: a target renamed, deleted or
// arriving from a peer.
import { useMemo } from "react";
import type { LinkTarget } from "../../../shared/contract.ts";
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

/** The targets of `refs` by link string; while a changed set is asked, the ones known stay. */
export function useLinkTargets(refs: readonly string[]) {
  const query = useLinkTitles(refs);
  const known =
    query.state === "ok" ? query.value : query.state === "loading" ? query.previous : null;
  const byRef = useMemo(
    () => new Map<string, LinkTarget>(known ? known.map((x) => [x.ref, x]) : []),
    [known],
  );
  return { query, byRef };
}
