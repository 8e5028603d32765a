// "In sync — safe to leave", decided from facts only: for every document the community lists and
// every linked device, the heads that device last reported in the sync protocol (automerge-repo
// keeps them per storage id: handle.getSyncInfo) equal this device's heads. Anything unknown (a
// document not here yet, a device that has not reported on a document) counts as not in sync.
import type { DeviceKey } from "../../shared/ids.ts";
import type { SyncGap, SyncStatus } from "../../shared/contract.ts";

export type DocFacts = {
  id: string;
  title: string | null;
  /** This device's heads; undefined when the document is not here (still arriving). */
  heads: readonly string[] | undefined;
  /** The heads a linked device last reported for it, by device key; undefined when it has not. */
  theirs: (deviceKey: string) => readonly string[] | undefined;
};

export const sameHeads = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** Every document that is not the same here and on every linked device, and where. */
export function findGaps(docs: readonly DocFacts[], linked: readonly DeviceKey[]): SyncGap[] {
  const gaps: SyncGap[] = [];
  for (const doc of docs) {
    if (doc.heads === undefined) {
      gaps.push({ documentId: doc.id, title: doc.title, peers: [...linked], reason: "fetching" });
      continue;
    }
    const heads = doc.heads;
    const behind = linked.filter((key) => {
      const theirs = doc.theirs(key);
      return theirs === undefined || !sameHeads(theirs, heads);
    });
    if (behind.length > 0)
      gaps.push({ documentId: doc.id, title: doc.title, peers: behind, reason: "differs" });
  }
  return gaps;
}

/**
 * "in-sync" only when every linked device has every document as here and no member device linked
 * a short while ago is missing: those may hold changes this device lacks (and lack its own), so
 * the status is "partial", never "safe to leave".
 */
export function syncState(
  linked: number,
  gaps: readonly SyncGap[],
  missing: number,
): SyncStatus["state"] {
  if (linked === 0) return "alone";
  if (gaps.length > 0) return "syncing";
  return missing === 0 ? "in-sync" : "partial";
}
