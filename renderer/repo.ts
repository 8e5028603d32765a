// A storage-less Repo per open community, connected to the peer, and the hook that reads one
// document through its validator. Nothing from a document reaches a component unvalidated.
import * as A from "@automerge/automerge";
import {
  Repo,
  type AutomergeUrl,
  type DocHandle,
  type DocumentId,
  type PeerId,
} from "@automerge/automerge-repo";
import { useEffect, useState } from "react";
import {
  BEACON_QUOTA_BYTES,
  encodeBeacon,
  recordSize,
  type BeaconRecord,
} from "../shared/beacon.ts";
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
    let known: PeerKnowledge | null = null;
    const win = pageWindow();
    // The page is going (a reload, a closed tab, a navigation): its last changes go out both ways.
    // The socket flush is what a MessagePort (the desktop app) delivers; a browser may drop
    // WebSocket data sent while a page unloads, so a beacon carries the same changes too (the peer
    // applies a change it already has as nothing).
    const flush = () => {
      if (!made) return;
      flushToPeer(made);
      const body = known && connection.sendLastWords ? lastWords(made, known) : undefined;
      if (body && communityId) connection.sendLastWords?.(communityId, body);
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
        known = watchPeer(repo);
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

/** What the peer is known to hold of each document, and the order documents last changed in. */
export type PeerKnowledge = {
  /** Heads both sides have, from the last sync exchange (Automerge's `sharedHeads`). */
  shared: Map<string, A.Heads>;
  /** Document ids, least recently changed first. */
  changed: Set<string>;
};

/**
 * Follows the sync exchange with the peer. A window's repo is linked to one peer only, so every
 * sync state is the peer's. A sync state keeps its shared heads across a dropped socket, so what
 * was typed while the link was down is still known to be missing.
 */
export function watchPeer(repo: Repo): PeerKnowledge {
  const known: PeerKnowledge = { shared: new Map(), changed: new Set() };
  const followed = new Set<string>();
  repo.synchronizer.on("sync-state", ({ documentId, syncState }) => {
    if (syncState.sharedHeads.length > 0) known.shared.set(documentId, syncState.sharedHeads);
    // Only documents the peer is known to hold are ever sent, so following each from its first
    // sync exchange is soon enough (the repo emits no event for a handle it makes).
    const handle = repo.handles[documentId];
    if (!handle || followed.has(documentId)) return;
    followed.add(documentId);
    handle.on("heads-changed", () => {
      known.changed.delete(documentId);
      known.changed.add(documentId);
    });
  });
  return known;
}

/**
 * The changes the peer is not known to have, framed for a beacon (shared/beacon.ts), or undefined
 * when it has everything. Only documents the peer is known to hold are sent: the peer never takes
 * a beacon as a new document, and refuses a whole beacon that names one it lacks. A browser takes
 * at most BEACON_QUOTA_BYTES of beacons from a page: past it, the most recently changed documents
 * go first (what was typed last is what the socket most likely lost), and the rest is left to the
 * socket flush.
 */
export function lastWords(repo: Repo, known: PeerKnowledge): Uint8Array<ArrayBuffer> | undefined {
  const records: BeaconRecord[] = [];
  let size = 0;
  for (const id of [...known.changed].reverse()) {
    const shared = known.shared.get(id);
    const handle = repo.handles[id as DocumentId];
    if (!shared || !handle?.isReady()) continue;
    const doc = handle.doc();
    const heads = A.getHeads(doc);
    if (heads.length === shared.length && heads.every((h) => shared.includes(h))) continue;
    let changes: Uint8Array;
    try {
      changes = A.saveSince(doc, shared);
    } catch {
      continue;
    }
    const record = { documentId: id, changes };
    if (changes.byteLength === 0 || size + recordSize(record) > BEACON_QUOTA_BYTES) continue;
    records.push(record);
    size += recordSize(record);
  }
  return records.length > 0 ? encodeBeacon(records) : undefined;
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
