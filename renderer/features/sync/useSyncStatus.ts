import { useEffect } from "react";
import type { SyncStatus } from "../../../shared/contract.ts";
import { useCommunityId } from "../../communityContext.tsx";
import { usePeerQuery, type PeerQuery } from "../../usePeerQuery.ts";

const POLL_MS = 1000;

/**
 * The community's sync status: asked every second while the page is visible, at once when the
 * peer says something changed, and never after unmount. An answer equal to the last one keeps the
 * same object, so an idle screen does not re-render every second.
 */
export function useSyncStatus(): PeerQuery<SyncStatus> {
  const communityId = useCommunityId();
  const query = usePeerQuery("sync:status", { communityId }, { refreshOn: ["sync:changed"] });
  const refresh = query.state === "ok" || query.state === "failed" ? query.refresh : null;

  useEffect(() => {
    if (!refresh) return;
    const visible = () => document.visibilityState === "visible";
    const timer = window.setInterval(() => {
      if (visible()) refresh();
    }, POLL_MS);
    const onVisibility = () => {
      if (visible()) refresh();
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [refresh]);

  return query;
}
