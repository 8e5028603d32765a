// Merging a read bundle into a community's repo, document by document, exactly as sync would.
import * as A from "@automerge/automerge";
import { isValidDocumentId, type DocumentId, type Repo } from "@automerge/automerge-repo";
import type { BundleContents } from "./format.ts";

export type MergeReport = {
  /** Documents this device already had; the bundle's version was merged into them. */
  merged: number;
  /** Of `merged`, those that gained changes (the rest already had everything in the bundle). */
  changed: number;
  /** Documents this device did not have, added under the same id. */
  added: number;
  /** Documents `accept` refused (not listed in the community), left out. */
  skipped: number;
  /** One sentence per document that could not be merged (it is left out; the others are merged). */
  problems: string[];
};

const headsKey = (heads: readonly string[]): string => [...heads].sort().join(",");

/**
 * Merges each document into the community's repo exactly like sync would: one this device has
 * gets `Automerge.merge` of the bundle's version (handle.update); a missing one is imported under
 * the same id (repo.import(bytes, { docId })), so it is the same document as on the other device.
 *
 * The community index (the document named by `contents.communityId`) is merged first; `accept` is
 * asked about each document just before it is merged, so a caller that accepts "listed in the
 * index or roster" sees entries the bundle itself brought. Documents `accept` refuses are counted
 * in `skipped`; one that Automerge cannot load is reported in `problems` and left out, and the
 * others are still merged. Everything merged is flushed to storage before this resolves.
 *
 * The caller picks `repo` by `contents.communityId` (readBundle checked the key for it).
 */
export async function mergeBundle(
  repo: Repo,
  contents: BundleContents,
  accept: (docId: string) => boolean,
): Promise<MergeReport> {
  const report: MergeReport = { merged: 0, changed: 0, added: 0, skipped: 0, problems: [] };
  const order = [...contents.documents.keys()].sort((a, b) =>
    a === contents.communityId ? -1 : b === contents.communityId ? 1 : 0,
  );
  const touched: DocumentId[] = [];
  for (const id of order) {
    const bytes = contents.documents.get(id);
    if (bytes === undefined) continue;
    if (!isValidDocumentId(id) || !accept(id)) {
      report.skipped++;
      continue;
    }
    let incoming: A.Doc<unknown>;
    try {
      incoming = A.load<unknown>(bytes);
    } catch (e) {
      report.problems.push(
        `Document ${id} in the bundle could not be read (${e instanceof Error ? e.message : String(e)}), so it was left out; the other documents were merged.`,
      );
      continue;
    }
    try {
      // "requesting"/"unavailable": not in storage here. find() loads from storage first, so a
      // document this device has but has not opened is merged into, not replaced in memory.
      const handle = await repo.find<unknown>(id, {
        allowableStates: ["ready", "requesting", "unavailable"],
      });
      if (handle.isReady()) {
        const before = headsKey(handle.heads());
        handle.update((doc) => A.merge(doc, incoming));
        report.merged++;
        if (headsKey(handle.heads()) !== before) report.changed++;
      } else {
        repo.import(bytes, { docId: id });
        report.added++;
      }
      touched.push(id);
    } catch (e) {
      report.problems.push(
        `Document ${id} could not be merged (${e instanceof Error ? e.message : String(e)}); the other documents were merged.`,
      );
    }
  }
  // An acknowledged merge is on disk (docs/DESIGN.md, Durability), not waiting for the save throttle.
  await repo.flush(touched);
  return report;
}
