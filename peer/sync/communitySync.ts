// One community's sync state on this device: its secure adapter, roster, the documents it lists,
// what linked devices reported of them, and the nudge that settles a stale report (service.ts owns
// one per community).
import * as Automerge from "@automerge/automerge";
import {
  encodeHeads,
  type AutomergeUrl,
  type DocHandle,
  type DocumentId,
  type PeerId,
} from "@automerge/automerge-repo";
import type { CommunityId } from "../../shared/ids.ts";
import type { Roster } from "../../shared/schema/roster.ts";
import type { OpenCommunity } from "../communities.ts";
import { peerIdOfKey, type SecureNetworkAdapter } from "../net/secureAdapter.ts";
import { documentTitle, indexEntries, listedDocuments, mayLink, readRoster } from "./membership.ts";
import { sameHeads } from "./status.ts";
import type { CommunityTrust } from "./trust.ts";

/** A document still differing from a linked device after this long gets a fresh sync round. */
const NUDGE_AFTER_MS = 1_500;

export class CommunitySync {
  readonly adapter: SecureNetworkAdapter;
  roster: DocHandle<Roster> | undefined;
  /** Ids the index lists (plus the index and the roster): the documents this community has. */
  listed = new Set<string>();
  replicating = false;
  readonly opened = new Map<string, DocHandle<unknown>>();
  /**
   * Documents that arrived whole by catch-up (catchUp.ts) and went straight to storage, with their
   * heads: here, though no handle is open for them yet.
   */
  readonly caughtUp = new Map<string, string[]>();
  /** Ids of the documents in storage, once a catch-up needed them (then kept up to date). */
  stored: Set<string> | undefined;
  /**
   * Documents a catch-up left the same here and on some linked devices, at these heads: the repo
   * does not start a sync exchange for them with those devices (its share config's `announce`
   * says no, see isQuiet), since one per document is what made a first sync slow. The first
   * change here ends it (watchQuiet), and the exchange starts then.
   */
  readonly #quiet = new Map<string, { heads: string[]; peers: Set<PeerId> }>();
  readonly #watched = new WeakSet<object>();
  /** Documents whose byte budget a device spent this session, by document id → device keys. */
  readonly overBudget = new Map<string, Set<string>>();
  /** What linked devices answered to heads queries: device key → document → heads. */
  readonly reported = new Map<string, Map<string, string[]>>();
  /** "document|device" → when it was first (or last nudged) seen differing. */
  readonly differing = new Map<string, number>();
  /**
   * Member devices whose link ended this session: device key → when. The status names those
   * that are not back, for a while (report.ts): they may hold changes this device lacks.
   */
  readonly linkEnded = new Map<string, number>();

  constructor(
    readonly community: OpenCommunity,
    readonly trust: CommunityTrust,
    adapter: (sync: CommunitySync) => SecureNetworkAdapter,
  ) {
    this.adapter = adapter(this);
    this.refreshListed();
    this.adapter.on("peer-disconnected", ({ peerId }) => {
      const members = Object.keys(this.rosterDoc()?.members ?? {});
      const key = members.find((k) => peerIdOfKey(k) === peerId);
      if (key) this.linkEnded.set(key, Date.now());
    });
  }

  get id(): CommunityId {
    return this.community.id;
  }

  /** The document is the same here and on that device (by key), at these heads. */
  markQuiet(documentId: string, remoteKey: string, heads: readonly string[]): void {
    const entry = this.#quiet.get(documentId);
    if (entry && sameHeads(entry.heads, heads)) entry.peers.add(peerIdOfKey(remoteKey));
    else
      this.#quiet.set(documentId, { heads: [...heads], peers: new Set([peerIdOfKey(remoteKey)]) });
    const handle = this.community.repo.handles[documentId as DocumentId];
    if (handle) this.#watchQuiet(handle as DocHandle<unknown>);
  }

  /**
   * Whether the repo should leave this document alone with this peer for now. The repo asks this
   * of every handle it starts syncing (opened by a window, the search, a sync message), so that is
   * where a handle opened after the catch-up starts being watched for its first change.
   */
  isQuiet(documentId: string, peerId: PeerId): boolean {
    const entry = this.#quiet.get(documentId);
    if (!entry?.peers.has(peerId)) return false;
    const handle = this.community.repo.handles[documentId as DocumentId];
    if (handle) this.#watchQuiet(handle as DocHandle<unknown>);
    return true;
  }

  /**
   * A sync message for a quiet document arrived (from any device): the repo opens it to apply the
   * message, and what it brings must reach the devices it is quiet with, so it is watched from
   * the moment it is open.
   */
  sawSyncMessage(documentId: string): void {
    if (!this.#quiet.has(documentId)) return;
    this.community.repo
      .find(`automerge:${documentId}` as AutomergeUrl, { allowableStates: ["ready"] })
      .then((handle) => this.#watchQuiet(handle))
      .catch(() => undefined);
  }

  /** Ends the quiet of a document as soon as its heads here differ from those it was quiet at. */
  #watchQuiet(handle: DocHandle<unknown>): void {
    const check = (doc: unknown) => {
      const entry = this.#quiet.get(handle.documentId);
      if (!entry) return;
      let heads: string[];
      try {
        heads = encodeHeads(Automerge.getHeads(doc as Automerge.Doc<unknown>));
      } catch {
        return;
      }
      // Loading it from disk brings the same heads: still the same as there.
      if (sameHeads(entry.heads, heads)) return;
      this.#quiet.delete(handle.documentId);
      const linked = new Set(this.adapter.links().map((l) => l.peerId));
      const peers = [...entry.peers].filter((p) => linked.has(p));
      const synchronizer = (
        this.community.repo.synchronizer as unknown as {
          docSynchronizers?: Record<string, { beginSync?: (peers: PeerId[]) => Promise<void> }>;
        }
      ).docSynchronizers?.[handle.documentId];
      if (peers.length > 0) synchronizer?.beginSync?.(peers).catch(() => undefined);
    };
    if (!this.#watched.has(handle)) {
      this.#watched.add(handle);
      // The event also fires while the handle loads, before it is ready (handle.heads() throws
      // then): the heads come from the document it carries, and nothing may throw out of here.
      handle.on("heads-changed", ({ doc }) => check(doc));
    }
    // It may have changed before it was watched (a message applied as it opened).
    if (handle.isReady()) check(handle.doc());
  }

  /**
   * Whether this community has a document: listed in its index (or is its index or roster). Any
   * other id is refused both ways: never stored when pushed, never asked of members. A document a
   * window asks for before its index entry has arrived is fetched once it is listed (see nudge).
   */
  has(id: string): boolean {
    return this.listed.has(id);
  }

  rosterDoc(): Roster | undefined {
    return readRoster(this.roster);
  }

  mayLink(deviceKey: string): boolean {
    return mayLink(this.rosterDoc(), this.trust, deviceKey);
  }

  /** Reads the list again; `index` stands in for the community's index before the peer takes it. */
  refreshListed(index?: DocHandle<unknown>): void {
    this.listed = new Set(listedDocuments(this.community, index));
  }

  titleOf(id: string): string | null {
    return documentTitle(this.id, indexEntries(this.community), id);
  }

  /**
   * Asks a linked device again where a document stands, when what it last reported differs from
   * here for a while. automerge-repo records a device's heads from the sync messages it sends;
   * when two devices receive the same change from a third at once, neither may send the other a
   * message afterwards, and each keeps an old record of the other although both are the same.
   * Restarting sync with that device (a message with our heads) makes it answer with its own.
   */
  nudge(documentId: string, remoteKey: string): void {
    const slot = `${documentId}|${remoteKey}`;
    const now = Date.now();
    const first = this.differing.get(slot);
    if (first === undefined) return void this.differing.set(slot, now);
    if (now - first < NUDGE_AFTER_MS) return;
    this.differing.set(slot, now);
    const synchronizer = (
      this.community.repo.synchronizer as unknown as {
        docSynchronizers?: Record<string, { beginSync?: (peers: PeerId[]) => Promise<void> }>;
      }
    ).docSynchronizers?.[documentId];
    // And ask it outright where it stands: its answer settles a record that is only stale.
    this.adapter.queryHeads(remoteKey, [documentId]);
    if (typeof synchronizer?.beginSync !== "function") return;
    synchronizer.beginSync([peerIdOfKey(remoteKey)]).catch(() => undefined);
  }
}

/**
 * A handle's heads, encoded once per version of its document (each change makes a new document
 * object): the Sync screen asks for every document's heads about once a second, and encoding them
 * hashes each head twice.
 */
const encodedHeads = new WeakMap<object, readonly string[]>();
export function headsOf(handle: DocHandle<unknown>): readonly string[] {
  const doc = handle.doc() as object;
  let heads = encodedHeads.get(doc);
  if (!heads) {
    heads = handle.heads();
    encodedHeads.set(doc, heads);
  }
  return heads;
}
