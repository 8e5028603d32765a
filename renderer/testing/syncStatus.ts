// A community's sync status for tests: no one linked, every document here; `over` changes any part.
import type { SyncStatus } from "../../shared/contract.ts";
import { asCommunityId } from "../../shared/ids.ts";

export const syncStatus = (over: Partial<SyncStatus> = {}): SyncStatus => ({
  communityId: asCommunityId("c"),
  listening: [],
  discovery: "on",
  peers: [],
  documents: { total: 340, here: 340 },
  state: "alone",
  missing: [],
  gaps: [],
  problems: [],
  ...over,
});
