// The community a screen belongs to, for every component inside it: its id, its Repo (connected to
// the peer) and its index document. CommunityPage provides it, so nothing between the page and a
// component that needs it has to carry it along.
import type { Repo } from "@automerge/automerge-repo";
import { createContext, useContext, type ReactNode } from "react";
import type { CommunityId } from "../shared/ids.ts";
import type { CommunityIndex } from "../shared/schema/community.ts";
import type { DocView } from "./repo.ts";

/** The community's index, read and usable (CommunityPage shows every other state itself). */
export type IndexView = Extract<DocView<CommunityIndex>, { status: "ok" }>;

export type Community = { id: CommunityId; repo: Repo; index: IndexView };

// Two contexts: the Sync screen works (and is how a community's index arrives) before the index
// can be read, so the id is there for it while the rest is not.
const CommunityIdContext = createContext<CommunityId | null>(null);
const CommunityContext = createContext<Community | null>(null);

/** `open`: the community's repo and readable index, once there are both. */
export function CommunityProvider({
  id,
  open = null,
  children,
}: {
  id: CommunityId;
  open?: Community | null;
  children: ReactNode;
}) {
  return (
    <CommunityIdContext.Provider value={id}>
      <CommunityContext.Provider value={open}>{children}</CommunityContext.Provider>
    </CommunityIdContext.Provider>
  );
}

/** The open community: its id, repo and readable index. */
export function useCommunity(): Community {
  const value = useContext(CommunityContext);
  if (!value) throw new Error("useCommunity outside an open community (CommunityProvider)");
  return value;
}

/** The community's id, also while its index is still arriving or cannot be read (Sync). */
export function useCommunityId(): CommunityId {
  const value = useContext(CommunityIdContext);
  if (!value) throw new Error("useCommunityId outside a community (CommunityProvider)");
  return value;
}

/** The community's id, or null where a component may be shown outside one (an editor in a test). */
export function useCommunityIdIfAny(): CommunityId | null {
  return useContext(CommunityIdContext);
}
