// The catch-up exchange of one community (docs/DESIGN.md, "First sync"; the frames are in
// peer/net/messages.ts, the order of the exchange in secureAdapter.ts). Right after two member
// devices link, each says which documents it has; the other sends every listed document missing
// there whole (its saved Automerge bytes, the index first), and only then do both hand the link to
// automerge-repo. A new device so receives a 1,000-story community as one stream, where sync alone
// would run one exchange per document; a device cut off half-way asks again for only what it lacks.
//
// What arrives is checked as sync would be: from a member's device (the adapter), only documents
// the community lists (the index and the member list, then what the index names), each one a
// whole Automerge document that loads, within the byte budget of one document. A document this
// device already holds is merged into, never replaced.
import * as A from "@automerge/automerge";
import {
  encodeHeads,
  type DocHandle,
  type DocumentId,
  type StorageKey,
} from "@automerge/automerge-repo";
import { createHash } from "node:crypto";
import type { CatchUpHooks } from "../net/secureAdapter.ts";
import { MAX_CATCH_UP_BATCH } from "../net/messages.ts";
import type { CommunitySync } from "./communitySync.ts";
import { headsOf } from "./communitySync.ts";
import { rosterDocumentId } from "./membership.ts";
import { sameHeads } from "./status.ts";

/** A batch is sent once it holds this many bytes (or MAX_CATCH_UP_BATCH documents). */
const BATCH_BYTES = 512 * 1024;
/**
 * A document larger than this is not sent whole (a frame carries at most 8 MiB): the repo's sync
 * brings it after the catch-up, as it brought every document before.
 */
const LARGEST_SENT = 4 * 1024 * 1024;
/** Documents read from storage at once while sending. */
const READ_AHEAD = 32;

export type CatchUpOptions = {
  /** The byte budget of one document from one link (AdapterLimits.maxBytesPerDocument). */
  maxBytesPerDocument: number;
  /** Something arrived: the status changed. */
  onProgress: () => void;
  /** A line for the peer's log (never a document's content). */
  log?: (line: string) => void;
};

/** The storage key a caught-up document is kept under: a snapshot named by its heads. */
const snapshotKey = (id: string, heads: readonly string[]): StorageKey => [
  id,
  "snapshot",
  createHash("sha256")
    .update([...heads].sort().join(","))
    .digest("hex"),
];

export function catchUpHooks(sync: CommunitySync, options: CatchUpOptions): CatchUpHooks {
  /** Batches still being written to storage. */
  const pending = new Set<Promise<void>>();
  /**
   * Per device, this session: the documents taken whole from it, with their heads (told back in
   * every "done", so a link cut before its "done" is made up for by the next one), and the
   * documents sent whole to it (only those may it confirm).
   */
  const taken = new Map<string, Map<string, string[]>>();
  const sentTo = new Map<string, Set<string>>();
  const rosterId = rosterDocumentId(sync.id);
  const special = (id: string) => id === sync.id || id === rosterId;
  const handleOf = (id: string) =>
    (sync.opened.get(id) ?? sync.community.repo.handles[id as DocumentId]) as
      DocHandle<unknown> | undefined;

  /** Ids of the documents with chunks in storage, read once (a readdir per document). */
  const stored = (): Set<string> => {
    sync.stored ??= new Set(sync.community.storage.documentIdsSync());
    return sync.stored;
  };

  /** A document's whole saved bytes: from memory when it is open, else its chunks on disk. */
  const savedBytes = (id: string): Uint8Array | undefined => {
    const handle = handleOf(id);
    if (handle?.isReady()) return A.save(handle.doc());
    try {
      return sync.community.storage.documentBytesSync(id);
    } catch {
      return undefined; // unreadable here: left to the repo's sync, which reports it
    }
  };

  return {
    have() {
      const onDisk = stored();
      const have = [...sync.listed].filter(
        (id) => handleOf(id)?.isReady() || sync.caughtUp.has(id) || onDisk.has(id),
      );
      const heads: Record<string, string[]> = {};
      for (const id of [sync.id, rosterId]) {
        const handle = handleOf(id);
        if (handle?.isReady()) heads[id] = [...headsOf(handle)];
      }
      return Promise.resolve({ have, heads });
    },

    async *send(ask, remoteKey) {
      const sent = sentTo.get(remoteKey) ?? new Set<string>();
      sentTo.set(remoteKey, sent);
      const theirs = new Set(ask.have);
      const order = [sync.id, rosterId, ...[...sync.listed].filter((id) => !special(id))];
      const wanted = order.filter((id) => {
        if (!sync.listed.has(id)) return false;
        if (!theirs.has(id)) return true;
        // The index and the member list change most: sent again unless the heads are the same.
        const mine = handleOf(id);
        const their = ask.heads[id];
        return (
          special(id) &&
          their !== undefined &&
          mine?.isReady() === true &&
          !sameHeads(their, headsOf(mine))
        );
      });
      const read = (ids: string[]): [string, Uint8Array][] =>
        ids.flatMap((id): [string, Uint8Array][] => {
          const data = savedBytes(id);
          return data && data.byteLength <= LARGEST_SENT ? [[id, data]] : [];
        });
      // The index and the member list go alone first: the other device then knows what is
      // listed, and how much is to come, before the rest arrives.
      const leading = read(wanted.filter(special));
      if (leading.length > 0) yield leading;
      const rest = wanted.filter((id) => !special(id));
      let batch: [string, Uint8Array][] = [];
      let bytes = 0;
      for (let from = 0; from < rest.length; from += READ_AHEAD) {
        // A few read at a time, with other work let in between.
        if (from > 0) await new Promise((resolve) => setImmediate(resolve));
        for (const pair of read(rest.slice(from, from + READ_AHEAD))) {
          batch.push(pair);
          sent.add(pair[0]);
          bytes += pair[1].byteLength;
          if (batch.length >= MAX_CATCH_UP_BATCH || bytes >= BATCH_BYTES) {
            yield batch;
            batch = [];
            bytes = 0;
          }
        }
      }
      if (batch.length > 0) yield batch;
    },

    async receive(docs, remoteKey) {
      const { repo, storage } = sync.community;
      const reported = sync.reported.get(remoteKey) ?? new Map<string, string[]>();
      sync.reported.set(remoteKey, reported);
      const writes: [StorageKey, Uint8Array, string[]][] = [];
      let refused = 0;
      for (const [id, bytes] of docs) {
        if (
          (!special(id) && !sync.listed.has(id)) ||
          bytes.byteLength > options.maxBytesPerDocument
        ) {
          refused++;
          continue;
        }
        let doc: A.Doc<unknown>;
        try {
          doc = A.load<unknown>(bytes);
        } catch {
          refused++;
          continue;
        }
        // As handles give them (handle.heads()), so they compare with every other report.
        const heads: string[] = encodeHeads(A.getHeads(doc));
        const handle = handleOf(id);
        // Already on disk here (only a device that ignored our "ask" sends it): the repo's sync
        // settles any difference; a second snapshot beside the first is not written.
        if (!handle?.isReady() && !special(id) && stored().has(id)) {
          refused++;
          continue;
        }
        if (handle?.isReady()) {
          handle.update((mine) => A.merge(mine, doc));
        } else if (handle || special(id)) {
          // Someone waits on this handle (a window, or the peer for the index): it is filled.
          repo.import(bytes, { docId: id as DocumentId });
        } else {
          writes.push([snapshotKey(id, heads), bytes, heads]);
        }
        reported.set(id, heads);
        if (id === sync.id) {
          // The index lists what may follow (in this batch too). The peer takes the index handle
          // a microtask after it becomes ready (peerNode.ts).
          await Promise.resolve();
          sync.refreshListed(repo.handles[id as DocumentId] as DocHandle<unknown> | undefined);
        }
      }
      if (refused > 0)
        options.log?.(
          `catch-up: ${refused} of ${docs.length} documents from device ${remoteKey.slice(0, 8)} were refused (not listed, too large or unreadable); sync fetches what is listed`,
        );
      if (writes.length === 0) return options.onProgress();
      // Written while the next batch is read and checked; each counts as here once it can be
      // loaded, and the link is handed to the repo only after all are (settled).
      const fromThem = taken.get(remoteKey) ?? new Map<string, string[]>();
      taken.set(remoteKey, fromThem);
      const written = storage
        .saveMany(writes.map(([key, bytes]) => [key, bytes] as const))
        .then(() => {
          for (const [key, , heads] of writes) {
            const id = key[0] as string;
            sync.caughtUp.set(id, heads);
            sync.stored?.add(id);
            fromThem.set(id, heads);
            sync.markQuiet(id, remoteKey, heads);
          }
          options.onProgress();
        });
      pending.add(written);
      void written.finally(() => pending.delete(written)).catch(() => undefined);
    },

    async settled(remoteKey) {
      // A write that failed leaves its documents missing: sync fetches them after the catch-up.
      await Promise.allSettled([...pending]);
      return Object.fromEntries(taken.get(remoteKey) ?? []);
    },

    confirmed(remoteKey, heads) {
      // Only documents sent whole to that device, and not open here (an open one has its own heads).
      const sent = sentTo.get(remoteKey) ?? new Set<string>();
      const reported = sync.reported.get(remoteKey) ?? new Map<string, string[]>();
      sync.reported.set(remoteKey, reported);
      for (const [id, list] of Object.entries(heads)) {
        if (!sent.has(id) || special(id) || !sync.listed.has(id)) continue;
        reported.set(id, list);
        const handle = handleOf(id);
        if (!handle?.isReady()) sync.caughtUp.set(id, list);
        // Ours are the heads they confirm unless it changed here since it was sent.
        if (!handle?.isReady() || sameHeads(headsOf(handle), list))
          sync.markQuiet(id, remoteKey, list);
      }
      options.onProgress();
    },

    finished(remoteKey, outcome) {
      if (!outcome.complete && outcome.received > 0)
        options.log?.(
          `catch-up with device ${remoteKey.slice(0, 8)} ended early after ${outcome.received} documents; the rest comes by sync or the next link`,
        );
      options.onProgress();
    },
  };
}
