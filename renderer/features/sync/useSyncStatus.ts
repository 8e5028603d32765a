import { useEffect, useState } from "react";
import type { SyncStatus } from "../../../shared/contract.ts";
import type { PeerConnection } from "../../connection.ts";

export type StatusState =
  | { kind: "loading" }
  | { kind: "ok"; status: SyncStatus }
  | { kind: "failed"; message: string; last: SyncStatus | null };

const POLL_MS = 1000;

/**
 * The community's sync status: asked every second while the page is visible, at once when the
 * peer says something changed, and never after unmount. An answer equal to the last one keeps the
 * same object, so an idle screen does not re-render every second.
 */
export function useSyncStatus(connection: PeerConnection, communityId: string): StatusState {
  // Kept with the community it belongs to, so another community reads as loading at once.
  const [held, setHeld] = useState<{ id: string; state: StatusState }>({
    id: communityId,
    state: { kind: "loading" },
  });

  useEffect(() => {
    let live = true;
    let inFlight = false;
    let again = false;
    let lastText = "";
    const setState = (next: (prev: StatusState) => StatusState) =>
      setHeld((held) => {
        const prev: StatusState = held.id === communityId ? held.state : { kind: "loading" };
        const state = next(prev);
        return state === prev && held.id === communityId ? held : { id: communityId, state };
      });

    const load = async () => {
      // One question at a time; a change that arrives meanwhile asks once more afterwards.
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      const result = await connection.rpc.call("sync:status", { communityId });
      inFlight = false;
      if (!live) return;
      if (result.ok) {
        const text = JSON.stringify(result.value);
        if (text !== lastText) {
          lastText = text;
          setState(() => ({ kind: "ok", status: result.value }));
        }
      } else {
        lastText = "";
        const message = result.error.message;
        setState((prev) =>
          prev.kind === "failed" && prev.message === message
            ? prev
            : {
                kind: "failed",
                message,
                last: prev.kind === "ok" ? prev.status : prev.kind === "failed" ? prev.last : null,
              },
        );
      }
      if (again) {
        again = false;
        void load();
      }
    };

    const visible = () => document.visibilityState === "visible";
    void load();
    const timer = window.setInterval(() => {
      if (visible()) void load();
    }, POLL_MS);
    const onVisibility = () => {
      if (visible()) void load();
    };
    document.addEventListener("visibilitychange", onVisibility);
    const off = connection.rpc.on("sync:changed", (event) => {
      if (event.communityId === communityId) void load();
    });
    return () => {
      live = false;
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisibility);
      off();
    };
  }, [connection, communityId]);

  return held.id === communityId ? held.state : { kind: "loading" };
}
