// A storage-less Repo per open community, connected to the peer, and the hook that reads one
// document through its validator. Nothing from a document reaches a component unvalidated.
import { Repo, type AutomergeUrl, type DocHandle, type PeerId } from "@automerge/automerge-repo";
import { useEffect, useState } from "react";
import type { DocKind } from "../shared/schema/kind.ts";
import { ConnectFailure, type PeerConnection } from "./connection.ts";

/** The community's repo once linked to the peer; `failure` says why the link could not be made. */
export function useCommunityRepo(
  connection: PeerConnection,
  communityId: string | null,
): { repo: Repo | null; failure: string | null } {
  const [repo, setRepo] = useState<Repo | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    if (!communityId) return;
    let cancelled = false;
    let made: Repo | null = null;
    const win = pageWindow();
    const flush = () => {
      if (made) flushToPeer(made);
    };
    connection.syncAdapter(communityId).then(
      async (adapter) => {
        if (cancelled) return;
        const repo = new Repo({
          network: [adapter],
          isEphemeral: true,
          peerId: `ui-${crypto.randomUUID()}` as PeerId,
        });
        made = repo;
        win?.addEventListener("pagehide", flush);
        // automerge-repo declares a document unavailable when it has no peer to ask, so nothing
        // is looked up until the link to the local peer is up.
        await whenPeerConnected(repo);
        if (!cancelled) setRepo(repo);
      },
      (e: unknown) => {
        if (!cancelled) setFailure(e instanceof ConnectFailure ? e.message : String(e));
      },
    );
    return () => {
      cancelled = true;
      setRepo(null);
      setFailure(null);
      win?.removeEventListener("pagehide", flush);
      if (made) {
        // Leaving this community (another opens, or the window closes): what was typed in the
        // last moment goes out before the link is shut.
        flushToPeer(made);
        void made.shutdown();
      }
    };
  }, [connection, communityId]);
  return { repo, failure };
}

/**
 * Sends every open document's unsent changes to the peer now. automerge-repo sends a document's
 * changes on a 100 ms throttle, and this window keeps no storage of its own: words typed in the
 * moment before a reload, a closed window or a switch of community were lost with the page.
 * `syncNow` is ours (patches/): the throttled step run at once, with each peer's sync state, so the
 * changes are in the messages that reach the socket before the page goes. (`beginSync` would not
 * do: it resets what is known of the peer, and its first message carries heads, not changes.)
 */
export function flushToPeer(repo: Repo): void {
  const peers = repo.peers;
  if (peers.length === 0) return;
  for (const synchronizer of Object.values(repo.synchronizer.docSynchronizers)) {
    void synchronizer.syncNow();
  }
}

// The page's window, in a file type-checked with and without the DOM's types.
const pageWindow = () =>
  (
    globalThis as {
      window?: {
        addEventListener(type: "pagehide", listener: () => void): void;
        removeEventListener(type: "pagehide", listener: () => void): void;
      };
    }
  ).window;

const whenPeerConnected = (repo: Repo) =>
  new Promise<void>((resolve) => {
    if (repo.peers.length > 0) return resolve();
    repo.networkSubsystem.once("peer", () => resolve());
  });

export type DocView<T> =
  | { status: "loading" }
  | { status: "unavailable" }
  | { status: "ok"; doc: T; handle: DocHandle<T>; problems: readonly string[] }
  | { status: "damaged"; problems: readonly string[]; raw: string }
  | { status: "newer"; version: number };

const rawText = (value: unknown) => {
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
};

/** Reads a document through its kind: damaged and newer documents are reported, never used. */
export function read<T>(kind: DocKind<T>, handle: DocHandle<T>): DocView<T> {
  let raw: unknown;
  try {
    raw = handle.doc();
  } catch {
    return { status: "unavailable" };
  }
  const result = kind.read(raw);
  switch (result.state) {
    case "ok":
      return { status: "ok", doc: result.doc, handle, problems: result.problems };
    case "newer":
      return { status: "newer", version: result.version };
    case "damaged":
      return { status: "damaged", problems: result.problems, raw: rawText(raw) };
    case "needs-migration":
      // Any peer may migrate: steps are deterministic and idempotent.
      handle.change((d) => void kind.migrate(d as Record<string, unknown>));
      return read(kind, handle);
  }
}

export function useDoc<T>(repo: Repo | null, id: string | null, kind: DocKind<T>): DocView<T> {
  // The view is stored with the (repo, id) it belongs to, so a new id reads as loading at once.
  const [state, setState] = useState<{ repo: Repo | null; id: string | null; view: DocView<T> }>({
    repo,
    id,
    view: { status: "loading" },
  });
  useEffect(() => {
    if (!repo || !id) return;
    const setView = (view: DocView<T>) => setState({ repo, id, view });
    let handle: DocHandle<T> | undefined;
    let cancelled = false;
    const update = () => {
      if (!cancelled && handle) setView(read(kind, handle));
    };
    const find = () =>
      repo.find<T>(`automerge:${id}` as AutomergeUrl).then(
        (found) => {
          if (cancelled) return;
          handle = found;
          handle.on("change", update);
          handle.on("delete", update);
          update();
        },
        () => !cancelled && setView({ status: "unavailable" }),
      );
    void find();
    // A document no connected peer had may arrive with the next peer: ask again then.
    const retry = () => {
      if (!handle) void find();
    };
    repo.networkSubsystem.on("peer", retry);
    return () => {
      cancelled = true;
      repo.networkSubsystem.off("peer", retry);
      handle?.off("change", update);
      handle?.off("delete", update);
    };
  }, [repo, id, kind]);
  return state.repo === repo && state.id === id ? state.view : { status: "loading" };
}
