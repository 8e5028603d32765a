// The contract's search and link calls, answered by each community's search (search/hub.ts).
import type { Handlers } from "../../shared/contract.ts";
import { SEARCH_NOT_HERE_HINT } from "../search/hub.ts";
import { withCommunity, type PeerServices } from "./context.ts";

export const searchHandlers = (
  s: PeerServices,
): Pick<Handlers, "search:query" | "links:describe" | "links:backlinks"> => ({
  "search:query": withCommunity(
    s,
    (community, args) => s.search.query(community, args),
    SEARCH_NOT_HERE_HINT,
  ),
  "links:describe": withCommunity(
    s,
    (community, args) => s.search.describe(community, args),
    SEARCH_NOT_HERE_HINT,
  ),
  "links:backlinks": withCommunity(
    s,
    (community, args) => s.search.backlinks(community, args),
    SEARCH_NOT_HERE_HINT,
  ),
});
